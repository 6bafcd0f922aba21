//! `taxstar::convert(bytes, entities)` then `check` on every result: any
//! bytes give per-invoice results, never a panic; whatever is converted is
//! well-formed XML whose failures all map to a JSON path.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pintae_convert::{check, taxstar, Entities, Status};

/// The project's fixture entities, compiled in so the target needs no files.
fn entities() -> &'static Entities {
    static E: OnceLock<Entities> = OnceLock::new();
    E.get_or_init(|| {
        Entities::from_entities_json(include_bytes!("../../testdata/convert/entities.json"))
            .expect("fixture entities parse")
    })
}

fuzz_target!(|data: &[u8]| {
    let items = taxstar::convert(data, entities());
    for c in &items {
        match (&c.status, &c.written) {
            (Status::Converted, Some(w)) => {
                let text = std::str::from_utf8(&w.xml).expect("converted XML is UTF-8");
                roxmltree::Document::parse(text).expect("converted XML is well-formed");
                let checked = check(c).expect("converted invoices are checked");
                for f in &checked.failed {
                    assert!(!f.json_path.is_empty());
                }
            }
            (Status::Converted, None) => panic!("converted without XML"),
            (_, _) => assert!(c.status != Status::Invalid || !c.errors.is_empty()),
        }
    }
});
