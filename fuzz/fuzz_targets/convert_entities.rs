//! Entity files (`--entity`, `--entities`): any bytes give entities or an
//! error, never a panic; whatever entities are read can issue the fixture
//! invoice, and what is converted is well-formed XML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pintae_convert::{check, taxstar, Entities, Status};

/// A fixture invoice without an entity id, so any single entity issues it.
const INVOICE: &[u8] = include_bytes!("../../testdata/convert/taxstar/valid/standard-consulting.json");

fuzz_target!(|data: &[u8]| {
    for entities in [Entities::from_entity_json(data), Entities::from_entities_json(data)]
        .into_iter()
        .flatten()
    {
        for c in taxstar::convert(INVOICE, &entities) {
            if let (Status::Converted, Some(w)) = (&c.status, &c.written) {
                let text = std::str::from_utf8(&w.xml).expect("converted XML is UTF-8");
                roxmltree::Document::parse(text).expect("converted XML is well-formed");
                check(&c).expect("converted invoices are checked");
            }
        }
    }
});
