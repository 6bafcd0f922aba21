//! The typed PINT-AE document model of pintae.
//!
//! [`Document`] is a UBL 2.1 invoice or credit note with the aggregates
//! PINT-AE uses; money is [`rust_decimal::Decimal`], currencies are
//! [`iso_currency::Currency`], countries are [`celes::Country`]. A document
//! is written as XML with quick-xml in the element order the UBL XSD
//! requires ([`Document::to_xml`], which also returns a [`SourceMap`] of
//! where each element came from), read back from XML with roxmltree
//! ([`Document::from_xml`]) and read from UBL-shaped JSON
//! ([`Document::from_json`]). The crate does no I/O.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod doc;
pub mod document;
pub mod element;
pub mod position;
pub mod value;

/// The string type of [`value::Src`] paths, for callers that build them.
pub use compact_str::CompactString;
pub use document::{Document, Line, Written};
pub use element::{
    is_blank, non_xml_char, non_xml_char_message, unqualified_attribute, JsonCx, JsonIssue, ReadCx, SourceMap,
};

/// What can go wrong reading or writing a document.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A value that does not parse (bad number, date, currency, country).
    #[error("{what} '{text}': {why}")]
    Value {
        /// What kind of value.
        what: String,
        /// The offending text (shortened).
        text: String,
        /// Why it was refused.
        why: String,
    },
    /// Not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// The root is neither a UBL `Invoice` nor a `CreditNote`.
    #[error("root element '{0}' is not a UBL Invoice or CreditNote")]
    Root(String),
    /// An element that may occur once occurs again.
    #[error("element '{element}' occurs more than once (byte {position})")]
    Repeated {
        /// Its local name.
        element: String,
        /// Byte offset of the repeat.
        position: usize,
    },
    /// Writing failed (cannot happen when writing to memory).
    #[error("writing XML failed: {0}")]
    Write(String),
}

/// XML namespaces of UBL 2.1 and the Peppol envelope.
pub mod ns {
    /// `Invoice` root namespace.
    pub const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    /// `CreditNote` root namespace.
    pub const CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    /// Common aggregate components (`cac:`).
    pub const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    /// Common basic components (`cbc:`).
    pub const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
    /// Common extension components (`ext:`).
    pub const EXT: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
    /// Peppol / UN/CEFACT Standard Business Document Header envelope.
    pub const SBDH: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";

    /// The customary prefixes of the UBL namespaces.
    pub const PREFIXES: &[(&str, &str)] = &[
        ("ubl", INVOICE),
        ("cn", CREDIT_NOTE),
        ("cac", CAC),
        ("cbc", CBC),
        ("ext", EXT),
    ];
}

/// The two UBL document kinds e-invoicing uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// `<Invoice>` in the UBL Invoice-2 namespace.
    Invoice,
    /// `<CreditNote>` in the UBL CreditNote-2 namespace.
    CreditNote,
}

impl DocumentKind {
    /// Recognises a root element by namespace URI and local name.
    pub fn from_root(namespace: Option<&str>, local: &str) -> Option<DocumentKind> {
        match (namespace, local) {
            (Some(ns::INVOICE), "Invoice") => Some(DocumentKind::Invoice),
            (Some(ns::CREDIT_NOTE), "CreditNote") => Some(DocumentKind::CreditNote),
            _ => None,
        }
    }

    /// The root element's local name.
    pub fn root_name(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "Invoice",
            DocumentKind::CreditNote => "CreditNote",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_roots() {
        assert_eq!(
            DocumentKind::from_root(Some(ns::INVOICE), "Invoice"),
            Some(DocumentKind::Invoice)
        );
        assert_eq!(
            DocumentKind::from_root(Some(ns::CREDIT_NOTE), "CreditNote"),
            Some(DocumentKind::CreditNote)
        );
        assert_eq!(DocumentKind::from_root(Some(ns::INVOICE), "CreditNote"), None);
        assert_eq!(DocumentKind::from_root(None, "Invoice"), None);
    }
}
