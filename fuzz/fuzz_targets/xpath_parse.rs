//! The XPath lexer, parser and compiler: any text gives an expression or
//! an error with a code, never a panic. Compiled expressions are also
//! evaluated on a small document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pintae_rules::xpath::{ubl_namespaces, XPath};

const DOC: &str = r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"><cbc:ID>A-1</cbc:ID><cac:Line><cbc:Amount currencyID="AED">12.50</cbc:Amount></cac:Line><cac:Line><cbc:Amount currencyID="USD">NaN</cbc:Amount></cac:Line></Invoice>"#;

fuzz_target!(|data: &[u8]| {
    let Ok(expr) = std::str::from_utf8(data) else { return };
    let ns: Vec<(&str, &str)> = ubl_namespaces().into_iter().collect();
    if let Ok(x) = XPath::compile(expr, &ns) {
        if let Ok(doc) = roxmltree::Document::parse(DOC) {
            let _ = x.evaluate_strings(doc.root_element());
        }
    }
});
