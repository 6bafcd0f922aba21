//! Speed of conversion: one typical invoice in the library, and a batch of
//! 10,000 files through the `pintae` binary on one core and on all cores.
//!
//! | group     | what is measured                                          |
//! |-----------|-----------------------------------------------------------|
//! | `convert` | the project's 5-line Taxstar fixture: convert only (JSON → model → XML with source map), and convert + validate with the bundled rules + map failures to JSON paths; a typical Evatra request the same way |
//! | `batch`   | `pintae convert --from taxstar -o OUT DIR` on 10,000 renumbered fixtures, with `RAYON_NUM_THREADS=1` and with every core |
//!
//! Run with `cargo bench -p pintae --bench convert`. The figures asked for
//! are printed at the end: µs per 5-line invoice (target < 200), files/s on
//! one core and on all cores and their ratio, and, when
//! `../shared/tools/oracle` works, the official validator's Saxon time on
//! the same converted invoice.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{black_box, Criterion, SamplingMode, Throughput};
use pintae_convert::{check, evatra, taxstar, Entities};
use pintae_corpus::bench::{criterion_mean, oracle_ms};

const BATCH: usize = 10_000;

fn testdata(p: &str) -> PathBuf {
    pintae_corpus::workspace_dir().join("testdata/convert").join(p)
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Writes `BATCH` single-invoice Taxstar inputs (the valid fixtures,
/// renumbered) into `dir`.
fn write_batch(dir: &Path) {
    let fixtures = pintae_corpus::taxstar_single_invoices().expect("fixtures");
    std::fs::create_dir_all(dir).expect("batch dir");
    for i in 0..BATCH {
        let mut v = fixtures[i % fixtures.len()].clone();
        v["invoice_number"] = serde_json::Value::String(format!("BENCH-{i:05}"));
        std::fs::write(
            dir.join(format!("in-{i:05}.json")),
            serde_json::to_vec(&v).expect("JSON"),
        )
        .expect("write");
    }
}

/// Runs the batch `iters` times into a fresh output directory each time;
/// only the process run is timed.
fn run_batch(iters: u64, inputs: &Path, out: &Path, threads: Option<usize>) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let _ = std::fs::remove_dir_all(out);
        let mut c = Command::new(env!("CARGO_BIN_EXE_pintae"));
        c.arg("convert")
            .args(["--from", "taxstar", "--entities"])
            .arg(testdata("entities.json"))
            .arg("-o")
            .arg(out)
            .arg(inputs)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match threads {
            Some(n) => c.env("RAYON_NUM_THREADS", n.to_string()),
            None => c.env_remove("RAYON_NUM_THREADS"),
        };
        let start = Instant::now();
        let status = c.status().expect("pintae runs");
        total += start.elapsed();
        assert!(status.success(), "the batch must convert cleanly");
    }
    total
}

fn main() {
    // figures criterion writes from now on are this run's
    let started = std::time::SystemTime::now();
    let entities = Entities::from_entities_json(&read(&testdata("entities.json"))).expect("entities");
    let five = read(&testdata("taxstar/valid/typical-five-lines.json"));
    let eva = read(&testdata("evatra/valid/FB-2026-0001.json"));
    let converted = taxstar::convert(&five, &entities);
    let first = converted.first().expect("one invoice");
    let checked = check(first).expect("converted");
    assert!(checked.valid(), "the bench invoice must be valid");
    let xml = first.written.as_ref().expect("XML").xml.clone();

    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    // the bundled rules compile on first use: not part of any measurement
    black_box(check(first));
    {
        let mut g = c.benchmark_group("convert");
        g.throughput(Throughput::Elements(1));
        g.bench_function("taxstar_5_lines", |b| {
            b.iter(|| black_box(taxstar::convert(&five, &entities)))
        });
        g.bench_function("taxstar_5_lines_validated", |b| {
            b.iter(|| {
                for c in taxstar::convert(&five, &entities) {
                    black_box(check(&c));
                }
            })
        });
        g.bench_function("evatra_validated", |b| {
            b.iter(|| black_box(check(&evatra::convert(&eva))))
        });
        g.finish();
    }

    let tmp_dir = tempfile::tempdir().expect("temporary directory");
    let tmp = tmp_dir.path();
    let inputs = tmp.join("in");
    write_batch(&inputs);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    {
        let mut g = c.benchmark_group("batch");
        // one run per sample: a run takes seconds
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(30));
        g.throughput(Throughput::Elements(BATCH as u64));
        let out = tmp.join("out");
        g.bench_function("files_1_core", |b| {
            b.iter_custom(|n| run_batch(n, &inputs, &out, Some(1)))
        });
        g.bench_function("files_all_cores", |b| {
            b.iter_custom(|n| run_batch(n, &inputs, &out, None))
        });
        g.finish();
    }
    c.final_summary();

    println!("\n== pintae convert, this run ({threads} cores available)");
    let us = |id: &str| criterion_mean(id, started).map(|ns| ns / 1e3);
    if let (Some(conv), Some(full)) = (us("convert/taxstar_5_lines"), us("convert/taxstar_5_lines_validated")) {
        let verdict = if full < 200.0 { "under" } else { "OVER" };
        println!("5-line Taxstar invoice: convert {conv:.1} µs, convert + validate {full:.1} µs ({verdict} the 200 µs target)");
        let xml_path = tmp.join("five-lines.xml");
        std::fs::write(&xml_path, &xml).expect("write XML");
        match pintae_corpus::shared_dir().and_then(|s| oracle_ms(&s, &[&xml_path])) {
            Some(ms) => println!(
                "the same invoice's XML: Saxon validates it in {ms:.3} ms -> pintae converts and validates {:.0}x faster",
                ms * 1e3 / full
            ),
            None => println!("(oracle unavailable: no Saxon figure)"),
        }
    }
    if let Some(e) = us("convert/evatra_validated") {
        println!("Evatra request: convert + validate {e:.1} µs");
    }
    let files_per_s = |id: &str| criterion_mean(id, started).map(|ns| BATCH as f64 / (ns / 1e9));
    if let (Some(one), Some(all)) = (files_per_s("batch/files_1_core"), files_per_s("batch/files_all_cores")) {
        println!(
            "batch of {BATCH} files: {one:.0} files/s on 1 core, {all:.0} files/s on {threads} cores ({:.2}x)",
            all / one
        );
    }
}
