//! The XPath abstract syntax tree, as parsed: names are still lexical QNames.

use std::ops::Range;

use super::value::{ArithOp, CmpOp};

/// An expression with the byte span it was parsed from.
#[derive(Clone, Debug)]
pub struct Ast {
    /// What the expression is.
    pub kind: AstKind,
    /// Where it is in the source text.
    pub span: Range<usize>,
}

/// Axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Axis {
    Child,
    Descendant,
    DescendantOrSelf,
    Parent,
    Ancestor,
    AncestorOrSelf,
    SelfAxis,
    Attribute,
    FollowingSibling,
    PrecedingSibling,
    Following,
    Preceding,
}

impl Axis {
    /// Whether positions on this axis count backwards in document order.
    pub fn is_reverse(self) -> bool {
        matches!(
            self,
            Axis::Parent | Axis::Ancestor | Axis::AncestorOrSelf | Axis::PrecedingSibling | Axis::Preceding
        )
    }

    /// Parses an axis name.
    pub fn from_name(s: &str) -> Option<Axis> {
        Some(match s {
            "child" => Axis::Child,
            "descendant" => Axis::Descendant,
            "descendant-or-self" => Axis::DescendantOrSelf,
            "parent" => Axis::Parent,
            "ancestor" => Axis::Ancestor,
            "ancestor-or-self" => Axis::AncestorOrSelf,
            "self" => Axis::SelfAxis,
            "attribute" => Axis::Attribute,
            "following-sibling" => Axis::FollowingSibling,
            "preceding-sibling" => Axis::PrecedingSibling,
            "following" => Axis::Following,
            "preceding" => Axis::Preceding,
            _ => return None,
        })
    }
}

/// A node test as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeTestAst {
    /// A QName, `*`, `p:*` or `*:local`.
    Name(String),
    /// `node()`
    AnyNode,
    /// `text()`
    Text,
    /// `comment()`
    Comment,
    /// `processing-instruction()`
    Pi,
    /// `element()` / `element(*)`
    Element,
    /// `element(name)`
    ElementNamed(String),
    /// `attribute()` / `attribute(*)`
    AttributeKind,
    /// `attribute(name)`
    AttributeNamed(String),
    /// `document-node()`
    Document,
}

/// A sequence type as written (`xs:decimal?`).
#[derive(Clone, Debug)]
pub struct SeqTypeAst {
    /// The QName of an atomic item type (`item()` and kind tests are `None`).
    pub name: Option<String>,
    /// A kind test as the item type (`element()`, `node()`, …).
    pub kind: Option<NodeTestAst>,
    /// Occurrence indicator: `' '`, `'?'`, `'*'` or `'+'`.
    pub occ: char,
}

/// Quantifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    /// `some`
    Some,
    /// `every`
    Every,
}

/// Expression kinds.
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum AstKind {
    Integer(String),
    Decimal(String),
    Double(String),
    String(String),
    Var(String),
    ContextItem,
    /// Comma operator; `()` is an empty list.
    Sequence(Vec<Ast>),
    /// `/` alone.
    Root,
    /// `/` + relative path (the path follows as `Path`).
    FromRoot(Box<Ast>),
    /// `//` + relative path.
    FromRootDesc(Box<Ast>),
    /// `a/b`
    Path(Box<Ast>, Box<Ast>),
    /// `a//b`
    PathDesc(Box<Ast>, Box<Ast>),
    Step {
        axis: Axis,
        test: NodeTestAst,
        preds: Vec<Ast>,
    },
    Filter {
        base: Box<Ast>,
        preds: Vec<Ast>,
    },
    Call {
        name: String,
        args: Vec<Ast>,
    },
    Or(Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    General(CmpOp, Box<Ast>, Box<Ast>),
    Value(CmpOp, Box<Ast>, Box<Ast>),
    /// `is`, `<<`, `>>`
    NodeCmp(&'static str, Box<Ast>, Box<Ast>),
    Range(Box<Ast>, Box<Ast>),
    Arith(ArithOp, Box<Ast>, Box<Ast>),
    Neg(Box<Ast>),
    Union(Box<Ast>, Box<Ast>),
    Intersect(Box<Ast>, Box<Ast>),
    Except(Box<Ast>, Box<Ast>),
    If(Box<Ast>, Box<Ast>, Box<Ast>),
    For(Vec<(String, Ast)>, Box<Ast>),
    Quantified(Quant, Vec<(String, Ast)>, Box<Ast>),
    Cast(Box<Ast>, String, bool),
    Castable(Box<Ast>, String, bool),
    InstanceOf(Box<Ast>, SeqTypeAst),
    Treat(Box<Ast>, SeqTypeAst),
}
