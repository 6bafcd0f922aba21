//! Which rules a check spends its time in: validates one file many times
//! with the bundled rules and prints the time of each test (by check id)
//! and of matching each rule context, per validation, slowest first.
//!
//!     cargo run --release -p pintae-rules --features rule-timing --example rule_time -- FILE.xml [RUNS] [TOP]
//!
//! Each figure includes a clock read of about 25 ns per call; the sum is
//! therefore above what `validate_time` measures for the same file. Last
//! come the tests whose direct forms (`xpath::direct`) gave up, so that the
//! evaluator answered them, by the start of their compiled form.

use std::error::Error;

use pintae_rules::bundled::{self, Selection};
use pintae_rules::schematron::timing;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: rule_time FILE.xml [RUNS] [TOP]")?;
    let runs: u32 = args.next().map(|r| r.parse()).transpose()?.unwrap_or(1000).max(1);
    let top: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(40);
    let bytes = std::fs::read(&file)?;
    // a first run outside the count: compiling the rules, lazily built caches
    bundled::validate(&bytes, Selection::Auto);
    timing::take();
    for _ in 0..runs {
        bundled::validate(&bytes, Selection::Auto);
    }
    let (gave_up, spent): (Vec<_>, Vec<_>) = timing::take().into_iter().partition(|s| s.0 == "gave up");
    let per_run = |ns: u64| ns as f64 / f64::from(runs);
    let total: f64 = spent.iter().map(|s| per_run(s.2)).sum();
    println!(
        "{:.1} µs per validation in tests and context matches ({runs} runs)",
        total / 1000.0
    );
    println!(
        "{:>10}  {:>7}  {:>9}  {:>6}  what",
        "ns/valid.", "calls", "ns/call", "share"
    );
    for (kind, key, ns, calls) in spent.iter().take(top) {
        let calls_per_run = *calls as f64 / f64::from(runs);
        println!(
            "{:>10.0}  {:>7.1}  {:>9.0}  {:>5.1}%  {kind} {}",
            per_run(*ns),
            calls_per_run,
            *ns as f64 / *calls as f64,
            100.0 * per_run(*ns) / total,
            key.chars().take(90).collect::<String>(),
        );
    }
    if !gave_up.is_empty() {
        println!("direct forms that gave up (the evaluator answered), calls per validation:");
    }
    for (_, key, _, calls) in &gave_up {
        println!("{:>7.1}  {key}", *calls as f64 / f64::from(runs));
    }
    Ok(())
}
