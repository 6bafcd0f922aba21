//! XPath errors, named with the specification's error codes.

use std::fmt;
use std::ops::Range;

/// Error codes from XPath 2.0, XQuery F&O and XSLT 2.0 that the engine raises.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Syntax error.
    XPST0003,
    /// Undeclared variable.
    XPST0008,
    /// Unknown function or wrong arity.
    XPST0017,
    /// Unknown namespace prefix.
    XPST0081,
    /// Unknown atomic type in a cast.
    XPST0051,
    /// Type error (wrong type or cardinality).
    XPTY0004,
    /// Path step result mixes nodes and atomic values.
    XPTY0018,
    /// Path step applied to an atomic value.
    XPTY0019,
    /// Axis step whose context item is not a node.
    XPTY0020,
    /// Context item is undefined.
    XPDY0002,
    /// `treat as`: the value does not have the type.
    XPDY0050,
    /// Invalid value for cast.
    FORG0001,
    /// `zero-or-one` of more than one item.
    FORG0003,
    /// `one-or-more` of the empty sequence.
    FORG0004,
    /// `exactly-one` of no item or more than one.
    FORG0005,
    /// Invalid argument to fn:boolean / effective boolean value.
    FORG0006,
    /// `error()`.
    FOER0000,
    /// Division by zero.
    FOAR0001,
    /// Numeric overflow.
    FOAR0002,
    /// Input to cast is NaN or INF.
    FOCA0002,
    /// Input value too large for integer.
    FOCA0003,
    /// A date whose year is past what the official processor holds (32
    /// bits).
    FODT0001,
    /// Invalid regular expression.
    FORX0002,
    /// Invalid regular expression flags.
    FORX0001,
    /// The pattern of `replace` or `tokenize` matches the empty string.
    FORX0003,
    /// Invalid replacement string (a `$` or `\` not followed by what it needs).
    FORX0004,
    /// Invalid codepoint.
    FOCH0001,
    /// Unsupported collation.
    FOCH0002,
    /// Function conversion failed (XSLT).
    XTTE0790,
    /// Resource limit (recursion depth) exceeded.
    LIMIT,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// An XPath compile-time or run-time error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XPathError {
    /// The specification's error code.
    pub code: ErrorCode,
    /// What went wrong.
    pub message: String,
    /// Byte range in the expression text, for static errors.
    pub span: Option<Range<usize>>,
}

impl XPathError {
    /// A static (compile-time) error at a span.
    pub fn at(code: ErrorCode, span: Range<usize>, message: impl Into<String>) -> Self {
        XPathError {
            code,
            message: message.into(),
            span: Some(span),
        }
    }

    /// A dynamic (run-time) error.
    #[cold]
    #[inline(never)]
    pub fn dynamic(code: ErrorCode, message: impl Into<String>) -> Self {
        XPathError {
            code,
            message: message.into(),
            span: None,
        }
    }
}

impl fmt::Display for XPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(s) => write!(f, "{} at offset {}: {}", self.code, s.start, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for XPathError {}
