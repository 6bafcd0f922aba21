//! Peak memory of `pintae validate` on a generated 4,000-line PINT-AE
//! invoice, against the bound the rule-engine issue sets: five times the
//! file size plus 20 MB. Measured for the bundled rules (the default) and
//! for the two official `.sch` files, each in a process of its own, with
//! GNU time's maximum resident set size.
//!
//! Run with `cargo bench -p pintae --bench memory`; it skips with a message
//! when `../shared` or `/usr/bin/time` is missing.

use std::path::Path;
use std::process::{Command, Stdio};

use pintae_corpus::{examples, scale::scale, shared_dir, RULESETS};

const LINES: usize = 4000;
const TIME: &str = "/usr/bin/time";

/// Peak resident set size in bytes of `pintae` run with `args`.
fn peak_rss(args: &[&str]) -> Option<u64> {
    let out = Command::new(TIME)
        .args(["-f", "%M", env!("CARGO_BIN_EXE_pintae")])
        .args(args)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    // GNU time prints kibibytes on the last line of standard error
    let kib: u64 = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn main() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED memory bench: ../shared not found (set PINTAE_SHARED)");
        return;
    };
    if !Path::new(TIME).exists() {
        eprintln!("SKIPPED memory bench: {TIME} not found (apt-get install time)");
        return;
    }
    let base = examples(&shared)
        .expect("examples")
        .into_iter()
        .find(|d| d.name.ends_with("/supply-through-e-commerce"))
        .expect("supply-through-e-commerce");
    let text = scale(&base.text, LINES).expect("scales");
    let tmp = std::env::temp_dir().join(format!("pintae-memory-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let file = tmp.join(format!("scaled-{LINES}.xml"));
    std::fs::write(&file, &text).expect("write");
    let file = file.to_string_lossy().into_owned();
    let sch: Vec<String> = RULESETS
        .iter()
        .find(|(n, _)| *n == "pint-ae-billing")
        .map(|(_, f)| {
            f.iter()
                .map(|f| shared.join("reference").join(f).to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mb = |b: u64| b as f64 / 1e6;
    let size = text.len() as u64;
    let bound = 5 * size + 20_000_000;
    println!(
        "== peak memory, {LINES}-line invoice of {:.2} MB: bound 5 x size + 20 MB = {:.1} MB",
        mb(size),
        mb(bound)
    );
    let mut runs: Vec<(&str, Vec<&str>)> = vec![("bundled rules", vec!["validate", &file])];
    let mut with_sch = vec!["validate"];
    for s in &sch {
        with_sch.extend(["--schematron", s.as_str()]);
    }
    with_sch.push(&file);
    runs.push(("official .sch files", with_sch));
    for (what, args) in runs {
        match peak_rss(&args) {
            Some(rss) => println!(
                "{what}: peak RSS {:.1} MB ({:.2}x the file size; {} the bound)",
                mb(rss),
                rss as f64 / size as f64,
                if rss < bound { "under" } else { "OVER" }
            ),
            None => println!("{what}: could not be measured"),
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
