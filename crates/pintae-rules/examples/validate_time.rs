//! Validates one file many times with the bundled rules: a harness for
//! profilers (`valgrind --tool=callgrind`, `perf`) and quick timings.
//!
//!     cargo run --release -p pintae-rules --example validate_time -- FILE.xml [RUNS]
//!
//! With `RUNS` = 0 only the rules are compiled and one warm-up validation
//! runs, which gives the setup cost to subtract from a profile.

use std::error::Error;
use std::time::Instant;

use pintae_rules::bundled::{self, Selection};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: validate_time FILE.xml [RUNS]")?;
    let runs: u32 = args.next().map(|r| r.parse()).transpose()?.unwrap_or(1000);
    let bytes = std::fs::read(&file)?;
    let doc_text = std::str::from_utf8(&bytes)?;
    let doc = roxmltree::Document::parse(doc_text)?;
    let set = bundled::choose(bundled::customization_id(&doc))?;
    set.validator()?;
    drop(doc);
    // a first run outside the count: lazily built regex caches and the like
    bundled::validate(&bytes, Selection::Auto);
    let t = Instant::now();
    let mut failed = 0;
    for _ in 0..runs {
        failed = bundled::validate(&bytes, Selection::Auto).failed.len();
    }
    if runs > 0 {
        let us = t.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
        println!("{us:>9.1} µs per validation ({}; {failed} failures)", set.label());
    }
    Ok(())
}
