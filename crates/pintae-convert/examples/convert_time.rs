//! Converts one Taxstar file many times (and validates the result with
//! `--check`): a harness for profilers and quick timings.
//!
//!     cargo run --release -p pintae-convert --example convert_time -- ENTITIES.json INVOICE.json [RUNS] [--check]

use std::error::Error;
use std::time::Instant;

use pintae_convert::{check, taxstar, Entities};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [entities, file, rest @ ..] = args.as_slice() else {
        return Err("usage: convert_time ENTITIES.json INVOICE.json [RUNS] [--check]".into());
    };
    let runs: u32 = rest.first().map(|r| r.parse()).transpose()?.unwrap_or(1000);
    let validate = rest.iter().any(|a| a == "--check");
    let entities = Entities::from_entities_json(&std::fs::read(entities)?)?;
    let bytes = std::fs::read(file)?;
    // outside the count: the bundled rules compile on first use
    for c in taxstar::convert(&bytes, &entities) {
        check(&c);
    }
    let t = Instant::now();
    for _ in 0..runs {
        for c in taxstar::convert(&bytes, &entities) {
            if validate {
                std::hint::black_box(check(&c));
            }
            std::hint::black_box(c);
        }
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / f64::from(runs.max(1));
    println!(
        "{us:>9.1} µs per invoice file ({})",
        if validate { "convert + validate" } else { "convert" }
    );
    Ok(())
}
