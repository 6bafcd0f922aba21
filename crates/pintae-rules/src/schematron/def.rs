//! A schema as plain data, before compilation.
//!
//! Both sources of rules produce this: the Schematron reader (from a `.sch`
//! file) and the bundled rule files (from the project's TOML). One compiler
//! ([`SchemaDef::compile`]) turns it into a runnable [`Schema`](super::Schema), so the two
//! sources cannot drift apart in semantics.

use std::sync::Arc;

use super::CheckKind;

/// Where a definition came from, for error messages: `"12:5"` (line and
/// column in a `.sch` file) or `"rule ibr-128-ae"` (a bundled rule).
pub type At = String;

/// A whole schema: namespaces, functions, global variables and patterns.
#[derive(Clone, Debug, Default)]
pub struct SchemaDef {
    /// Name for reports and errors.
    pub name: String,
    /// Prefix → namespace URI, in declaration order.
    pub namespaces: Vec<(String, String)>,
    /// Functions callable from every expression of the schema.
    pub functions: Vec<FunctionDef>,
    /// Global variables, evaluated once per document with the root as focus.
    pub lets: Vec<LetDef>,
    /// Patterns, in run order.
    pub patterns: Vec<PatternDef>,
}

/// A variable: `name` bound to the value of `value`.
#[derive(Clone, Debug)]
pub struct LetDef {
    /// Variable name (without `$`).
    pub name: String,
    /// XPath expression.
    pub value: String,
    /// Origin.
    pub at: At,
}

/// A function with typed parameters and a body of statements.
#[derive(Clone, Debug)]
pub struct FunctionDef {
    /// Prefixed name, e.g. `u:mod11`.
    pub name: String,
    /// Parameter names and optional sequence types (`xs:string?`).
    pub params: Vec<(String, Option<String>)>,
    /// Declared result type.
    pub returns: Option<String>,
    /// Statements, in order.
    pub body: Vec<BodyDef>,
    /// Origin.
    pub at: At,
}

/// One statement of a function body.
#[derive(Clone, Debug)]
pub enum BodyDef {
    /// A local variable from an expression or from literal text.
    Variable {
        /// Name.
        name: String,
        /// Expression, or `None` for literal text.
        select: Option<String>,
        /// Literal text when there is no expression.
        text: String,
    },
    /// Appends the string value of an expression (as `xsl:value-of`).
    ValueOf(String),
    /// Appends the value of an expression (as `xsl:sequence`).
    Sequence(String),
}

/// A pattern: an ordered list of rules; each element goes to the first
/// rule whose context matches it.
#[derive(Clone, Debug, Default)]
pub struct PatternDef {
    /// Pattern id.
    pub id: Option<String>,
    /// Pattern variables.
    pub lets: Vec<LetDef>,
    /// Rules in priority order.
    pub rules: Vec<RuleDef>,
    /// Origin.
    pub at: At,
}

/// A rule: a context (an XSLT match pattern) and the checks run on every
/// element it takes.
#[derive(Clone, Debug, Default)]
pub struct RuleDef {
    /// Match pattern.
    pub context: String,
    /// Rule variables, evaluated per element.
    pub lets: Vec<LetDef>,
    /// Asserts and reports.
    pub checks: Vec<CheckDef>,
    /// Origin.
    pub at: At,
}

/// An assert or a report.
#[derive(Clone, Debug)]
pub struct CheckDef {
    /// Assert or report.
    pub kind: CheckKind,
    /// Rule id.
    pub id: Option<String>,
    /// `fatal`, `warning`, …
    pub flag: Option<String>,
    /// Test expression.
    pub test: String,
    /// Message parts.
    pub message: Vec<MessageDef>,
    /// Extra documentation carried into each failure (bundled rules).
    pub doc: Option<Arc<RuleDoc>>,
    /// Origin.
    pub at: At,
}

/// A piece of a message.
#[derive(Clone, Debug)]
pub enum MessageDef {
    /// Literal text.
    Text(String),
    /// The string value of an expression.
    ValueOf(String),
    /// The name of the context node, or of the node an expression selects.
    Name(Option<String>),
}

/// What the project's rule files say about a rule beyond its test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleDoc {
    /// Business terms concerned (`IBT-031`, `BTAE-15`, `BT-1`).
    pub terms: Vec<String>,
    /// What to change to satisfy the rule.
    pub fix: String,
    /// An expression (from the rule's context) selecting the offending value
    /// to show in reports.
    pub value: Option<String>,
}
