//! Helpers for the criterion benchmarks: criterion's own figures, and the
//! official validator's time measured in the same run.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// Mean time (ns) criterion measured for a benchmark id
/// (`group/function`) in this run: read from where criterion wrote it (see
/// [`criterion_dir`]), and only when written at or after `since` (the
/// run's start), so a run filtered to some benchmarks does not print the
/// figures an earlier run left for the others.
pub fn criterion_mean(id: &str, since: SystemTime) -> Option<f64> {
    let dir = criterion_dir(
        std::env::var_os("CRITERION_HOME"),
        std::env::var_os("CARGO_TARGET_DIR"),
        &crate::workspace_dir(),
    );
    mean_in(&dir, id, since)
}

/// [`criterion_mean`] in criterion directory `dir`.
fn mean_in(dir: &Path, id: &str, since: SystemTime) -> Option<f64> {
    let p = dir.join(id).join("new/estimates.json");
    // two seconds of slack for file systems that keep whole seconds
    let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
    if modified + std::time::Duration::from_secs(2) < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

/// Where criterion keeps its figures, as criterion itself decides:
/// `CRITERION_HOME`, else `criterion` in `CARGO_TARGET_DIR`, else in the
/// workspace's `target`. Reading the workspace's `target` regardless would
/// print figures of an earlier run whenever the benchmarks were built into
/// another target directory.
pub fn criterion_dir(home: Option<OsString>, target_dir: Option<OsString>, workspace: &Path) -> PathBuf {
    match (home, target_dir) {
        (Some(h), _) => PathBuf::from(h),
        (None, Some(t)) => PathBuf::from(t).join("criterion"),
        (None, None) => workspace.join("target/criterion"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_an_earlier_run_are_not_read() {
        let dir = std::env::temp_dir().join(format!("pintae-criterion-{}", std::process::id()));
        let file = dir.join("g/f/new/estimates.json");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("directories");
        std::fs::write(&file, r#"{"mean": {"point_estimate": 42.0}}"#).expect("estimates");
        let written = std::fs::metadata(&file).and_then(|m| m.modified()).expect("mtime");
        let later = written + std::time::Duration::from_secs(10);
        let got = (
            mean_in(&dir, "g/f", written),
            mean_in(&dir, "g/f", later),
            mean_in(&dir, "g/x", written),
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(got, (Some(42.0), None, None));
    }

    #[test]
    fn criterion_dir_follows_criterion_home_then_the_target_dir() {
        let ws = Path::new("/ws");
        let cases: [(Option<&str>, Option<&str>, &str); 4] = [
            (None, None, "/ws/target/criterion"),
            (None, Some("/tmp/t"), "/tmp/t/criterion"),
            (Some("/h"), Some("/tmp/t"), "/h"),
            (Some("/h"), None, "/h"),
        ];
        for (home, target, want) in cases {
            let got = criterion_dir(home.map(OsString::from), target.map(OsString::from), ws);
            assert_eq!(
                got,
                PathBuf::from(want),
                "CRITERION_HOME={home:?} CARGO_TARGET_DIR={target:?}"
            );
        }
    }
}
