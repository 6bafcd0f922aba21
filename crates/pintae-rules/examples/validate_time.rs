//! Validates one file, or every `*.xml` file of a directory in turn (as the
//! criterion benchmark takes the official examples), many times with the
//! bundled rules: a harness for profilers (`valgrind --tool=callgrind`,
//! `perf`) and quick timings.
//!
//!     cargo run --release -p pintae-rules --example validate_time -- FILE.xml|DIR [RUNS]
//!
//! With `RUNS` = 0 only the rules are compiled and one warm-up validation
//! runs, which gives the setup cost to subtract from a profile. The time
//! printed is per validation of one document.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use pintae_rules::bundled::{self, Selection};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: validate_time FILE.xml|DIR [RUNS]")?;
    let runs: u32 = args.next().map(|r| r.parse()).transpose()?.unwrap_or(1000);
    let files = documents(Path::new(&path))?;
    let mut label = String::new();
    for bytes in &files {
        let doc_text = std::str::from_utf8(bytes)?;
        let doc = roxmltree::Document::parse(doc_text)?;
        let set = bundled::choose(bundled::customization_id(&doc))?;
        set.validator()?;
        label = set.label().to_string();
        drop(doc);
        // a first run outside the count: lazily built regex caches and the like
        bundled::validate(bytes, Selection::Auto);
    }
    let t = Instant::now();
    let mut failed = 0;
    for _ in 0..runs {
        failed = 0;
        for bytes in &files {
            failed += bundled::validate(bytes, Selection::Auto).failed.len();
        }
    }
    if runs > 0 {
        let validations = f64::from(runs) * files.len() as f64;
        let us = t.elapsed().as_secs_f64() * 1e6 / validations;
        let what = match files.len() {
            1 => label,
            n => format!("{n} documents"),
        };
        println!("{us:>9.1} µs per validation ({what}; {failed} failures)");
    }
    Ok(())
}

/// The file's bytes, or those of every `*.xml` file directly in the
/// directory, by name.
fn documents(path: &Path) -> Result<Vec<Vec<u8>>, Box<dyn Error>> {
    if !path.is_dir() {
        return Ok(vec![std::fs::read(path)?]);
    }
    let mut names: Vec<_> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    names.retain(|p| p.extension().is_some_and(|x| x == "xml"));
    names.sort();
    if names.is_empty() {
        return Err(format!("no *.xml file in {}", path.display()).into());
    }
    Ok(names.iter().map(std::fs::read).collect::<Result<_, _>>()?)
}
