//! Running the `pintae` binary from tests: paths into `testdata/`, the
//! process with optional standard input, and its JSON-lines output.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path under `testdata/`, as a string argument.
pub fn data(p: &str) -> String {
    root().join("testdata").join(p).to_string_lossy().into_owned()
}

/// The binary under test, with every stream piped.
pub fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pintae"));
    c.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `pintae ARGS` to the end, feeding `stdin` if given.
pub fn pintae(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = command(args).spawn().expect("pintae runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("pintae finishes")
}

/// Standard output as JSON lines.
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}
