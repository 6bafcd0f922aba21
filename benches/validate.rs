//! Speed of validation against the official validator (Saxon), measured in
//! the same run.
//!
//! | group      | input                                              |
//! |------------|----------------------------------------------------|
//! | `examples` | every official PINT-AE billing example, one thread: the official `.sch` files (`validate_all`) and the bundled rules chosen by CustomizationID (`bundled_all`) |
//! | `parse`    | the same documents, roxmltree parsing only         |
//! | `lines`    | an official example scaled to 400 and 4,000 lines, and the 4,000 lines with every unit code wrong (a failure on each line's two quantities: what reporting thousands of failures costs) |
//!
//! Run with `cargo bench -p pintae-rules --bench validate`. When
//! `../shared/tools/oracle` works, the oracle's warm Saxon time per file is
//! measured on the same files and the ratios are printed at the end.

use std::path::Path;
use std::time::Duration;

use criterion::{black_box, Criterion, Throughput};
use pintae_corpus::bench::{criterion_mean, oracle_ms};
use pintae_corpus::{examples, scale::scale, shared_dir, RULESETS};
use pintae_rules::schematron::Schema;
use pintae_rules::Validator;

fn validator(shared: &Path, ruleset: &str) -> Validator {
    let files = RULESETS
        .iter()
        .find(|(n, _)| *n == ruleset)
        .map(|(_, f)| *f)
        .unwrap_or_default();
    Validator::new(
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(shared.join("reference").join(f)).expect("schema file");
                Schema::parse(f, &text).expect("schema compiles")
            })
            .collect(),
    )
}

fn main() {
    // figures criterion writes from now on are this run's
    let started = std::time::SystemTime::now();
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED benches: ../shared not found (set PINTAE_SHARED)");
        return;
    };
    let v = validator(&shared, "pint-ae-billing");
    let docs: Vec<_> = examples(&shared)
        .expect("examples")
        .into_iter()
        .filter(|d| d.ruleset == "pint-ae-billing")
        .collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let n = docs.len();

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    {
        let mut g = c.benchmark_group("examples");
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("validate_all", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(v.validate(d.text.as_bytes()));
                }
            })
        });
        // compiled once, outside the measurement, as in a long-running process
        pintae_rules::bundled::ruleset("pint-ae-billing")
            .and_then(|s| s.validator())
            .expect("bundled rules compile");
        g.bench_function("bundled_all", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(pintae_rules::bundled::validate(
                        d.text.as_bytes(),
                        pintae_rules::bundled::Selection::Auto,
                    ));
                }
            })
        });
        g.finish();
    }
    {
        let mut g = c.benchmark_group("parse");
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("roxmltree_all", |b| {
            b.iter(|| {
                for d in &docs {
                    black_box(roxmltree::Document::parse(&d.text).expect("parses"));
                }
            })
        });
        g.finish();
    }
    let base = docs
        .iter()
        .find(|d| d.name.ends_with("/supply-through-e-commerce"))
        .expect("supply-through-e-commerce");
    let tmp = std::env::temp_dir().join(format!("pintae-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut scaled = Vec::new();
    for lines in [400usize, 4000] {
        let text = scale(&base.text, lines).expect("scales");
        let report = v.validate(text.as_bytes());
        assert!(
            report.valid,
            "scaled invoice must stay valid: {:?}",
            report.failed_ids()
        );
        let p = tmp.join(format!("scaled-{lines}.xml"));
        std::fs::write(&p, &text).expect("write");
        scaled.push((lines, text, p));
    }
    // every unitCode made unknown: two failures a line
    let failing = scaled
        .last()
        .map(|(_, text, _)| text.replace("unitCode=\"", "unitCode=\"NOT-A-CODE"))
        .expect("the 4,000-line invoice");
    let failures = v.validate(failing.as_bytes()).failed.len();
    assert!(failures >= 8000, "the failing invoice fails on each line: {failures}");
    let failing_path = tmp.join("scaled-4000-failing.xml");
    std::fs::write(&failing_path, &failing).expect("write");
    {
        let mut g = c.benchmark_group("lines");
        g.sample_size(10);
        for (lines, text, _) in &scaled {
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_function(format!("validate_{lines}"), |b| {
                b.iter(|| black_box(v.validate(text.as_bytes())))
            });
        }
        g.throughput(Throughput::Bytes(failing.len() as u64));
        g.bench_function("validate_4000_failing", |b| {
            b.iter(|| black_box(v.validate(failing.as_bytes())))
        });
        g.finish();
    }
    c.final_summary();

    // The peer figure, measured now on the same files.
    let ex_dir = shared.join("reference/pint-ae/billing/examples");
    let ours = criterion_mean("examples/validate_all", started).map(|ns| ns / n as f64 / 1e6);
    let parse = criterion_mean("parse/roxmltree_all", started).map(|ns| ns / n as f64 / 1e6);
    let saxon = oracle_ms(&shared, &[&ex_dir]);
    let bundled = criterion_mean("examples/bundled_all", started).map(|ns| ns / n as f64 / 1e6);
    println!("\n== pintae vs the official validator (Saxon), this run");
    if let (Some(o), Some(p)) = (ours, parse) {
        println!(
            "examples: pintae {o:.4} ms/invoice (parse + both PINT-AE files), roxmltree parse {p:.4} ms ({:.2}x parse)",
            o / p
        );
        if let Some(s) = saxon {
            println!("examples: Saxon {s:.3} ms/invoice -> pintae is {:.0}x faster", s / o);
        }
        if let Some(bu) = bundled {
            println!(
                "examples: bundled rules {bu:.4} ms/invoice ({:.2}x the time with the official .sch files)",
                bu / o
            );
        }
    }
    for (lines, _, path) in &scaled {
        let ours = criterion_mean(&format!("lines/validate_{lines}"), started).map(|ns| ns / 1e6);
        let saxon = oracle_ms(&shared, &[path.as_path()]);
        match (ours, saxon) {
            (Some(o), Some(s)) => println!(
                "{lines} lines: pintae {o:.2} ms, Saxon {s:.1} ms -> {:.0}x faster",
                s / o
            ),
            (Some(o), None) => println!("{lines} lines: pintae {o:.2} ms (oracle unavailable)"),
            _ => {}
        }
    }
    let ours = criterion_mean("lines/validate_4000_failing", started).map(|ns| ns / 1e6);
    match (ours, oracle_ms(&shared, &[failing_path.as_path()])) {
        (Some(o), Some(s)) => println!(
            "4000 lines, {failures} failures: pintae {o:.2} ms, Saxon {s:.1} ms -> {:.0}x faster",
            s / o
        ),
        (Some(o), None) => println!("4000 lines, {failures} failures: pintae {o:.2} ms (oracle unavailable)"),
        _ => {}
    }
    if let (Some(a), Some(b)) = (
        criterion_mean("lines/validate_400", started),
        criterion_mean("lines/validate_4000", started),
    ) {
        println!("growth: 4000 lines take {:.1}x the time of 400 lines", b / a);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
