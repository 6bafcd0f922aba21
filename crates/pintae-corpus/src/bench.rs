//! Helpers for the criterion benchmarks: criterion's own figures, and the
//! official validator's time measured in the same run.

use std::path::Path;
use std::process::Command;

/// Mean time (ns) criterion measured for a benchmark id
/// (`group/function`), read from `target/criterion`.
pub fn criterion_mean(id: &str) -> Option<f64> {
    let p = crate::workspace_dir()
        .join("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

/// The oracle's warm Saxon time per file (ms) on the given paths, judged
/// with the PINT-AE billing rules (Schematron only, as pintae's rules).
pub fn oracle_ms(shared: &Path, paths: &[&Path]) -> Option<f64> {
    let out = Command::new(shared.join("tools/oracle"))
        .args(["--no-xsd", "--timing", "--ruleset", "pint-ae-billing"])
        .args(paths)
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.starts_with("oracle timing:"))?;
    let ms = line.split(", ").nth(1)?.split(" ms/file").next()?;
    ms.trim().parse().ok()
}
