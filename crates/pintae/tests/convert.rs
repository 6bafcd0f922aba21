//! The `pintae convert` contract: where XML and report go, the JSON report
//! shape, exit codes (0 all valid, 1 anything invalid or refused, 2 usage
//! or configuration, 130 interrupted), and batches: bad inputs never stop
//! the good ones, and no output file is ever partial, even when the
//! process is killed while writing.
//! Uses only the project's fixtures and bundled rules.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{command, data, json_lines, pintae};
use serde_json::Value;

fn entities() -> String {
    data("convert/entities.json")
}

/// `convert --from taxstar --entities <fixtures> --format json [-o OUT]
/// INPUT EXTRA...`: the invocation most tests make.
fn taxstar_json(out: Option<&Path>, input: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "convert",
        "--from",
        "taxstar",
        "--entities",
        &entities(),
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(o) = out {
        a.push("-o".into());
        a.push(o.to_string_lossy().into_owned());
    }
    a.push(input.into());
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Runs `pintae ARGS` to the end.
fn run(args: &[String], stdin: Option<&[u8]>) -> Output {
    pintae(&args.iter().map(String::as_str).collect::<Vec<_>>(), stdin)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses `bytes` as XML and returns the root element's name.
fn xml_root(bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).expect("XML is UTF-8");
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML ({e})"));
    doc.root_element().tag_name().name().to_string()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

#[test]
fn one_invoice_goes_to_stdout_and_its_report_to_stderr() {
    let input = data("convert/taxstar/valid/standard-consulting.json");
    let o = pintae(
        &["convert", "--from", "taxstar", "--entities", &entities(), &input],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(xml_root(&o.stdout), "Invoice");
    let err = stderr(&o);
    assert!(err.contains("FB-2026-0001: valid"), "{err}");
    // no summary line for a single invoice written to stdout
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn stdin_input_and_a_named_output_file() {
    let body = std::fs::read(data("convert/evatra/valid/FB-2026-0003.json")).expect("fixture");
    let dir = tempdir();
    let out = dir.path().join("evatra.xml");
    let o = pintae(
        &["convert", "--from", "evatra", "-o", &out.to_string_lossy(), "-"],
        Some(&body),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("FB-2026-0003: valid"), "{report}");
    assert!(report.contains("1 XML files written"), "{report}");
    let xml = std::fs::read(&out).expect("output written");
    assert!(matches!(xml_root(&xml).as_str(), "Invoice" | "CreditNote"));
    assert_eq!(names_in(dir.path()), ["evatra.xml"]);
}

#[test]
fn json_report_gives_one_object_per_invoice_of_a_bulk_body() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let input = data("convert/taxstar/invalid/bulk-duplicates-and-bad-items.json");
    let o = run(&taxstar_json(Some(&out), &input, &[]), None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json_lines(&o);
    let statuses: Vec<u64> = v.iter().map(|r| r["status"].as_u64().unwrap_or(0)).collect();
    assert_eq!(statuses, [200, 400, 409, 400, 200]);
    for (i, r) in v.iter().enumerate() {
        let keys: Vec<&str> = r.as_object().expect("object").keys().map(String::as_str).collect();
        for k in [
            "file",
            "index",
            "invoice_number",
            "status",
            "output",
            "valid",
            "failed",
            "errors",
        ] {
            assert!(keys.contains(&k), "item {i} lacks {k}: {r}");
        }
        assert_eq!(r["file"], input.as_str());
        assert_eq!(r["index"], i);
        match r["status"].as_u64() {
            Some(200) => {
                assert_eq!(r["valid"], true, "{r}");
                let path = r["output"].as_str().expect("output path");
                let number = r["invoice_number"].as_str().expect("number");
                assert_eq!(Path::new(path), out.join(format!("{number}.xml")));
                assert_eq!(xml_root(&std::fs::read(path).expect("written")), "Invoice");
            }
            _ => {
                assert_eq!(r["valid"], false, "{r}");
                assert!(r["output"].is_null(), "{r}");
                let errors = r["errors"].as_array().expect("errors");
                assert!(!errors.is_empty(), "{r}");
                for e in errors {
                    let path = e["path"].as_str().expect("path");
                    assert!(path.starts_with(&format!("invoices[{i}]")), "{e}");
                    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
                }
            }
        }
    }
    assert_eq!(names_in(&out).len(), 2);
}

#[test]
fn rule_failures_carry_the_json_field_and_the_xml_is_still_written() {
    let dir = tempdir();
    let input = data("convert/taxstar/invalid/exempt-only-tax-invoice.json");
    let run_with = |extra: &[&str]| run(&taxstar_json(Some(dir.path()), &input, extra), None);
    let o = run_with(&["--valid-only"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v[0]["status"], 200);
    assert_eq!(v[0]["valid"], false);
    assert!(v[0]["output"].is_null());
    assert!(names_in(dir.path()).is_empty(), "--valid-only wrote an invalid invoice");
    let f = &v[0]["failed"][0];
    assert_eq!(f["id"], "ibr-151-ae");
    assert_eq!(f["json_path"], "invoice_type");
    assert_eq!(f["flag"], "fatal");
    for k in ["location", "message", "terms", "fix"] {
        assert!(!f[k].is_null(), "failure lacks {k}: {f}");
    }
    let o = run_with(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(names_in(dir.path()), ["FB-2026-0218.xml"]);
}

#[test]
fn usage_and_configuration_errors_exit_two() {
    let valid = data("convert/taxstar/valid/standard-consulting.json");
    let bulk = data("convert/taxstar/valid/bulk-three.json");
    let empty = tempdir();
    let file_out = empty.path().join("several.xml");
    let file_out = file_out.to_string_lossy();
    let cases: [(&[&str], &str); 6] = [
        (&["convert", &valid], "--from"),
        (&["convert", "--from", "sap", &valid], "sap"),
        (
            &[
                "convert",
                "--from",
                "taxstar",
                "--entities",
                "/nonexistent/entities.json",
                &valid,
            ],
            "/nonexistent/entities.json",
        ),
        (
            &["convert", "--from", "taxstar", "--entities", &entities(), &bulk],
            "give a directory with -o",
        ),
        (
            &["convert", "--from", "taxstar", &empty.path().to_string_lossy()],
            "no JSON inputs",
        ),
        (
            &[
                "convert",
                "--from",
                "taxstar",
                "--entities",
                &entities(),
                "-o",
                &file_out,
                &bulk,
            ],
            "names a file",
        ),
    ];
    for (args, says) in cases {
        let o = pintae(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn broken_json_is_reported_with_line_and_column() {
    let o = run(
        &taxstar_json(None, "-", &[]),
        Some(b"{\n  \"invoice_number\": \"X-1\",\n  \"date\": 2026-07-01\n}"),
    );
    assert_eq!(o.status.code(), Some(1));
    // no XML, so stdout stays empty; the report goes where it would with XML
    assert!(o.stdout.is_empty());
    let v: Value = serde_json::from_slice(&o.stderr).expect("one JSON report line on stderr");
    assert_eq!(v["status"], 400);
    assert_eq!(v["errors"][0]["line"], 3);
    assert!(v["errors"][0]["column"].as_u64().is_some());
}

// ---------------------------------------------------------------- batches

/// File names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// 1,000 Taxstar inputs: the project's single-invoice valid fixtures
/// renumbered `BATCH-0000`…, with every tenth one broken in one of five
/// ways. Returns the directory and the numbers meant to convert.
fn batch(dir: &Path) -> Vec<String> {
    let fixtures = pintae_corpus::taxstar_single_invoices().expect("fixtures");
    assert!(fixtures.len() >= 30);
    let mut good = Vec::new();
    for i in 0..1000 {
        let number = format!("BATCH-{i:04}");
        let mut v = fixtures[i % fixtures.len()].clone();
        v["invoice_number"] = Value::String(number.clone());
        let pretty = serde_json::to_vec_pretty(&v).expect("JSON");
        let bytes: Vec<u8> = if i % 10 != 3 {
            good.push(number);
            pretty
        } else {
            match (i / 10) % 5 {
                0 => pretty[..pretty.len() / 2].to_vec(),
                1 => {
                    let mut b = pretty;
                    b.insert(10, 0xff);
                    b
                }
                2 => Vec::new(),
                3 => {
                    v["line_items"] = Value::String("none".into());
                    serde_json::to_vec(&v).expect("JSON")
                }
                _ => {
                    v.as_object_mut().expect("object").remove("date");
                    serde_json::to_vec(&v).expect("JSON")
                }
            }
        };
        std::fs::write(dir.join(format!("in-{i:04}.json")), bytes).expect("write input");
    }
    good
}

/// Every `*.xml` in `out` is byte-identical to the same file of a complete
/// run; anything else is a temporary file of ours. Returns how many XML
/// files there are.
fn only_whole_outputs(out: &Path, complete: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut n = 0;
    for name in names_in(out) {
        if name.ends_with(".xml") {
            let bytes = std::fs::read(out.join(&name)).expect("read output");
            assert_eq!(
                Some(&bytes),
                complete.get(&name),
                "{name} differs from the complete run's (partial?)"
            );
            n += 1;
        } else {
            assert!(
                name.starts_with(".pintae-") && name.ends_with(".tmp"),
                "unexpected file {name} in the output directory"
            );
        }
    }
    n
}

/// When a signal is sent to a running batch.
#[derive(Clone, Copy, Debug)]
enum KillPoint {
    /// This long after the start: inputs are being converted.
    AfterStart(Duration),
    /// Once this many XML files are in place: files are being written.
    XmlFiles(usize),
}

/// While converting, as writing starts, and midway through writing.
const KILL_POINTS: [KillPoint; 3] = [
    KillPoint::AfterStart(Duration::from_millis(300)),
    KillPoint::XmlFiles(1),
    KillPoint::XmlFiles(300),
];

/// Starts a batch into `out`, sends `signal` at `at`, and returns the exit
/// status.
fn interrupt_batch(args: &[String], out: &Path, at: KillPoint, signal: &str) -> Option<i32> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = command(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pintae runs");
    let start = Instant::now();
    let xml_files = || names_in(out).iter().filter(|n| n.ends_with(".xml")).count();
    let reached = || match at {
        KillPoint::AfterStart(d) => start.elapsed() >= d,
        KillPoint::XmlFiles(n) => xml_files() >= n,
    };
    while !reached() && start.elapsed() < Duration::from_secs(120) {
        if child.try_wait().expect("status").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success() || child.try_wait().expect("status").is_some());
    child.wait().expect("pintae ends").code()
}

/// How many temporary files are in `out`.
fn temporaries(out: &Path) -> usize {
    names_in(out).iter().filter(|n| n.ends_with(".tmp")).count()
}

#[test]
fn batch_with_broken_inputs_and_interruptions_never_leaves_partial_files() {
    let work = tempdir();
    let inputs = work.path().join("in");
    std::fs::create_dir(&inputs).expect("mkdir");
    let good = batch(&inputs);
    assert_eq!(good.len(), 900);
    let inputs_s = inputs.to_string_lossy().into_owned();

    // a complete run: every good input converted and valid, every bad one reported
    let out = work.path().join("complete");
    let o = run(&taxstar_json(Some(&out), &inputs_s, &[]), None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report = json_lines(&o);
    assert_eq!(report.len(), 1000);
    let mut bad_reported = 0;
    for r in &report {
        let file = r["file"].as_str().expect("file");
        let i: usize = file[file.len() - 9..file.len() - 5].parse().expect("index in name");
        if i % 10 == 3 {
            assert_eq!(r["valid"], false, "{r}");
            assert_eq!(r["status"], 400, "{r}");
            assert!(r["output"].is_null(), "{r}");
            assert!(!r["errors"].as_array().expect("errors").is_empty(), "{r}");
            bad_reported += 1;
        } else {
            assert_eq!(r["valid"], true, "{r}");
            assert_eq!(r["invoice_number"], format!("BATCH-{i:04}"));
        }
    }
    assert_eq!(bad_reported, 100);
    let expected: Vec<String> = good.iter().map(|n| format!("{n}.xml")).collect();
    assert_eq!(names_in(&out), expected, "exactly the good inputs are written");
    let complete: BTreeMap<String, Vec<u8>> = expected
        .iter()
        .map(|n| (n.clone(), std::fs::read(out.join(n)).expect("output")))
        .collect();
    for xml in complete.values() {
        assert!(matches!(xml_root(xml).as_str(), "Invoice" | "CreditNote"));
    }

    // killed outright at several points: whatever XML is there is whole,
    // and a rerun into the same directory removes the temporaries left and
    // finishes the job
    for (k, at) in KILL_POINTS.into_iter().enumerate() {
        let out = work.path().join(format!("killed-{k}"));
        let args = taxstar_json(Some(&out), &inputs_s, &[]);
        let code = interrupt_batch(&args, &out, at, "KILL");
        let n = only_whole_outputs(&out, &complete);
        eprintln!(
            "SIGKILL at {at:?}: exit {code:?}, {n} of 900 XML files, {} temporaries",
            temporaries(&out)
        );
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(
            names_in(&out),
            expected,
            "the rerun completes the outputs, no temporaries left"
        );
        assert_eq!(only_whole_outputs(&out, &complete), 900);
    }

    // asked to stop (SIGTERM, as Ctrl-C): writes under way finish, nothing
    // else starts, no temporary file stays
    for (k, at) in KILL_POINTS.into_iter().enumerate() {
        let out = work.path().join(format!("terminated-{k}"));
        let args = taxstar_json(Some(&out), &inputs_s, &[]);
        let code = interrupt_batch(&args, &out, at, "TERM");
        let n = only_whole_outputs(&out, &complete);
        eprintln!("SIGTERM at {at:?}: exit {code:?}, {n} of 900 XML files");
        assert!(
            code == Some(130) || (code == Some(1) && n == 900),
            "an interrupted run exits 130 (or had finished): {code:?}"
        );
        assert_eq!(temporaries(&out), 0, "temporary files left: {:?}", names_in(&out));
    }
}
