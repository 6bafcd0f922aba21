//! The shared vocabulary of pintae: UBL 2.1 namespaces, document kinds and
//! the PINT-AE specification identifiers. The typed PINT-AE document model
//! (written by the converters, read back from XML) grows here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

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
