//! `Validator::validate(bytes)` with the official PINT-AE billing rules
//! (read once from ../shared): any bytes give a report, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pintae_rules::schematron::Schema;
use pintae_rules::Validator;

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schemas = match pintae_corpus::shared_dir() {
            Some(shared) => pintae_corpus::RULESETS[0]
                .1
                .iter()
                .map(|f| {
                    let text = std::fs::read_to_string(shared.join("reference").join(f)).expect("schema");
                    Schema::parse(f, &text).expect("compiles")
                })
                .collect(),
            None => Vec::new(),
        };
        Validator::new(schemas)
    })
}

fuzz_target!(|data: &[u8]| {
    let r = validator().validate(data);
    // a document that could not be checked is never valid
    assert!(r.input_error.is_none() || !r.valid);
});
