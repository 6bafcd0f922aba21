//! Shared helpers for the tests that need `../shared`.
#![allow(dead_code)]

use std::collections::HashMap;

use pintae_rules::schematron::Schema;
use pintae_rules::Validator;

/// Compiles one official schema file (path relative to `reference/`).
pub fn official_schema(shared: &std::path::Path, rel: &str) -> Schema {
    let p = shared.join("reference").join(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    Schema::parse(rel, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// One validator per rule set, from the official schema files.
pub fn official_validators(shared: &std::path::Path) -> HashMap<&'static str, Validator> {
    pintae_corpus::RULESETS
        .iter()
        .map(|(name, files)| {
            (
                *name,
                Validator::new(files.iter().map(|f| official_schema(shared, f)).collect()),
            )
        })
        .collect()
}
