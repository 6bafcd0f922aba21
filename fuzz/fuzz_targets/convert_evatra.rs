//! `evatra::convert(bytes)` then `check`: any bytes give a result, never a
//! panic; whatever is converted is well-formed XML whose failures all map
//! to a JSON path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pintae_convert::{check, evatra, Status};

fuzz_target!(|data: &[u8]| {
    let c = evatra::convert(data);
    match (&c.status, &c.written) {
        (Status::Converted, Some(w)) => {
            let text = std::str::from_utf8(&w.xml).expect("converted XML is UTF-8");
            roxmltree::Document::parse(text).expect("converted XML is well-formed");
            let checked = check(&c).expect("converted invoices are checked");
            for f in &checked.failed {
                assert!(!f.json_path.is_empty());
            }
        }
        (Status::Converted, None) => panic!("converted without XML"),
        (_, _) => assert!(!c.errors.is_empty()),
    }
});
