//! An XPath 2.0 engine for the subset the official e-invoicing rule files
//! use, over roxmltree documents.
//!
//! Pipeline: [`lexer`] → [`parser`] (spans) → [`ast`] → [`compile`] (names
//! resolved, functions bound, regexes built) → [`eval`]. An expression is
//! compiled once and evaluated on any number of documents; the compiled form
//! is `Send + Sync`.

pub mod ast;
pub mod bigdec;
pub mod compile;
pub mod direct;
mod doubles;
pub mod error;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod print;
pub mod regex;
pub mod value;

use std::collections::HashMap;

pub use compile::StaticContext;
pub use error::{ErrorCode, XPathError};
pub use eval::{Evaluator, Focus, Library};
pub use value::{Atomic, Item, XNode};

/// A standalone compiled XPath expression (no user functions, no variables).
#[derive(Debug)]
pub struct XPath {
    op: compile::Op,
    lib: Library,
}

impl XPath {
    /// Compiles `expr` with the given prefix → namespace bindings
    /// (`xs` and `fn` are always bound).
    pub fn compile(expr: &str, namespaces: &[(&str, &str)]) -> Result<XPath, XPathError> {
        let mut sc = StaticContext::new();
        for (p, u) in namespaces {
            sc.namespaces.insert((*p).to_string(), (*u).to_string());
        }
        let ast = parser::parse(expr)?;
        let mut c = compile::Compiler::new(&sc);
        let op = c.compile(&ast)?;
        Ok(XPath {
            op,
            lib: Library::default(),
        })
    }

    /// Compiles `expr` as the Schematron runner compiles an assert's test:
    /// as [`XPath::compile`] does, with the truth tests in it given their
    /// direct forms ([`direct`]). For [`XPath::evaluate_bool`].
    pub fn compile_test(expr: &str, namespaces: &[(&str, &str)]) -> Result<XPath, XPathError> {
        let mut x = XPath::compile(expr, namespaces)?;
        direct::lower(&mut x.op);
        Ok(x)
    }

    /// Evaluates with `node` as the context item and returns the first
    /// node of the result, if it has one.
    pub fn first_node<'a>(
        &'a self,
        node: roxmltree::Node<'a, 'a>,
    ) -> Result<Option<roxmltree::Node<'a, 'a>>, XPathError> {
        let mut ev = Evaluator::new(&self.lib);
        ev.number_elements(node.document());
        let seq = ev.eval(&self.op, &Focus::node(XNode::new(node))).map_err(|e| *e)?;
        Ok(seq.iter().find_map(|i| match i {
            Item::Node(n) if n.attr == 0 => Some(n.node),
            _ => None,
        }))
    }

    /// Evaluates with `node` as the context item and returns each item's
    /// string value (atomic values in their canonical lexical form).
    pub fn evaluate_strings(&self, node: roxmltree::Node<'_, '_>) -> Result<Vec<String>, XPathError> {
        let mut ev = Evaluator::new(&self.lib);
        // numbered as in schema runs, so that both take the same paths
        ev.number_elements(node.document());
        let seq = ev.eval(&self.op, &Focus::node(XNode::new(node))).map_err(|e| *e)?;
        Ok(seq
            .iter()
            .map(|i| value::atomize_item(i).to_str().to_string())
            .collect())
    }

    /// Evaluates to an effective boolean value.
    pub fn evaluate_bool(&self, node: roxmltree::Node<'_, '_>) -> Result<bool, XPathError> {
        let mut ev = Evaluator::new(&self.lib);
        ev.number_elements(node.document());
        ev.ebv(&self.op, &Focus::node(XNode::new(node))).map_err(|e| *e)
    }
}

/// Namespaces of UBL documents, for callers that compile ad-hoc expressions.
pub fn ubl_namespaces() -> HashMap<&'static str, &'static str> {
    pintae_model::ns::PREFIXES.iter().copied().collect()
}
