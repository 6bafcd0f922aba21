//! Embeds every file under the workspace's `rules/` directory, so the bundled
//! rule sets need no files at run time and adding a rule file needs no code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("../../rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    walk(&rules, &mut files);
    files.sort();
    let mut src =
        String::from("/// Every rule file, by path relative to `rules/`.\npub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&rules)
            .expect("under rules/")
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().expect("rule file exists");
        writeln!(src, "    ({rel:?}, include_str!({:?})),", abs.display().to_string()).expect("write to string");
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_files.rs");
    std::fs::write(out, src).expect("write bundled_files.rs");
}
