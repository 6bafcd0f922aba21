//! `pintae-corpus`: writes the derived corpora to a directory so that the
//! oracle can judge them, and turns the oracle's output into the verdict
//! files kept in `testdata/oracle/`.
//!
//!     pintae-corpus export DIR            # DIR/<group>/<ruleset>/<name>.xml
//!     pintae-corpus record GROUP ORACLE.jsonl DIR   # → testdata/oracle/GROUP.jsonl
//!     pintae-corpus scale FILE K          # an invoice with K× the lines, on stdout
//!     pintae-corpus hunt DIR SEED N       # N fresh mutants per PINT-AE example and
//!                                         # N/3 with odd values and N/3 written
//!                                         # other ways (lexical) per example,
//!                                         # DIR/<ruleset>/<name>.xml (scripts/hunt.sh)

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use pintae_corpus::{group, shared_dir, workspace_dir, Expected, GROUPS};

fn file_name(doc_name: &str) -> String {
    doc_name.replace('/', "__") + ".xml"
}

/// Writes each document to `dir/<ruleset>/<file name>`.
fn write_docs(dir: &Path, docs: &[pintae_corpus::Doc]) -> Result<()> {
    for d in docs {
        let p = dir.join(d.ruleset).join(file_name(&d.name));
        std::fs::create_dir_all(p.parent().context("no parent")?)?;
        std::fs::write(&p, &d.text)?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shared = || shared_dir().context("../shared not found (set PINTAE_SHARED)");
    match args.first().map(String::as_str) {
        Some("export") => {
            let dir = PathBuf::from(args.get(1).context("export DIR")?);
            let shared = shared()?;
            for g in GROUPS {
                let docs = group(&shared, g)?;
                write_docs(&dir.join(g), &docs)?;
                eprintln!("{g}: {} documents", docs.len());
            }
        }
        Some("record") => {
            let g = args.get(1).context("record GROUP ORACLE.jsonl")?;
            let oracle = std::fs::read_to_string(args.get(2).context("record GROUP ORACLE.jsonl")?)?;
            let shared = shared()?;
            let docs = group(&shared, g)?;
            let mut by_file: HashMap<String, serde_json::Value> = HashMap::new();
            for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line)?;
                let f = v["file"].as_str().unwrap_or("").to_string();
                let base = Path::new(&f)
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                by_file.insert(base, v);
            }
            let mut out = String::new();
            for d in &docs {
                let Some(v) = by_file.get(&file_name(&d.name)) else {
                    bail!("no oracle verdict for {}", d.name)
                };
                let failed_v = v["failed"].as_array();
                let mut failed: Vec<String> = failed_v
                    .map(|a| a.iter().filter_map(|f| f["id"].as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                let mut fatal: Vec<String> = failed_v
                    .map(|a| {
                        a.iter()
                            .filter(|f| f["flag"].as_str() == Some("fatal"))
                            .filter_map(|f| f["id"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                failed.sort();
                fatal.sort();
                let e = Expected {
                    doc: d.name.clone(),
                    ruleset: d.ruleset.to_string(),
                    failed,
                    fatal,
                    error: v.get("error").is_some() || failed_v.is_none(),
                };
                out.push_str(&serde_json::to_string(&e)?);
                out.push('\n');
            }
            let p = workspace_dir().join("testdata/oracle").join(format!("{g}.jsonl"));
            std::fs::create_dir_all(p.parent().context("no parent")?)?;
            std::fs::write(&p, out)?;
            eprintln!("wrote {} verdicts to {}", docs.len(), p.display());
        }
        Some("scale") => {
            let f = args.get(1).context("scale FILE K")?;
            let k: usize = args.get(2).context("scale FILE K")?.parse()?;
            let text = std::fs::read_to_string(f)?;
            print!("{}", pintae_corpus::scale::scale(&text, k)?);
        }
        Some("hunt") => {
            let usage = "hunt DIR SEED N";
            let dir = PathBuf::from(args.get(1).context(usage)?);
            let seed = args.get(2).context(usage)?;
            let n: usize = args.get(3).context(usage)?.parse()?;
            let examples = pintae_corpus::examples(&shared()?)?;
            let mut docs = pintae_corpus::mutate::random_mutants(&examples, seed, n);
            docs.extend(pintae_corpus::mutate::odd_mutants(&examples, seed, n.div_ceil(3)));
            docs.extend(pintae_corpus::mutate::lexical_mutants(&examples, seed, n.div_ceil(3)));
            write_docs(&dir, &docs)?;
            eprintln!("wrote {} mutants seeded {seed:?} to {}", docs.len(), dir.display());
        }
        _ => bail!("usage: pintae-corpus export DIR | record GROUP ORACLE.jsonl | scale FILE K | hunt DIR SEED N"),
    }
    Ok(())
}
