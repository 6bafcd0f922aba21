//! The `pintae validate` contract: JSON lines, text report, exit codes
//! (0 valid, 1 invalid or unreadable, 2 usage), directories and stdin.
//! Uses the project's own demo rules, so it needs nothing from ../shared.

mod common;

use std::process::{Output, Stdio};

use common::{command, data, json_lines, pintae, root};

fn demo_sch() -> String {
    root()
        .join("testdata/schematron/pintae-demo.sch")
        .to_string_lossy()
        .into_owned()
}

/// `pintae validate --schematron <demo rules> --format json <testdata/FILE>`.
fn validate_json(file: &str) -> Output {
    pintae(
        &["validate", "--schematron", &demo_sch(), "--format", "json", &data(file)],
        None,
    )
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["failed"]
        .as_array()
        .map(|a| a.iter().map(|f| f["id"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn valid_document_with_warnings_exits_zero() {
    let o = validate_json("examples/coffee-roaster-invoice.xml");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_lines(&o);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["valid"], true);
    // three lines: the report fires as a warning; line 1 goes to the first
    // rule of its pattern (a warning), lines 2 and 3 to the second (no failure)
    assert_eq!(ids(&v[0]), ["demo-02", "demo-03"]);
    let f = &v[0]["failed"][0];
    assert_eq!(f["flag"], "warning");
    assert_eq!(f["location"], "/Invoice");
    assert_eq!(f["line"], 4);
    assert_eq!(f["message"], "The invoice has 3 lines.");
    assert!(f["column"].as_u64().is_some());
}

#[test]
fn invalid_document_exits_one_with_messages() {
    let o = validate_json("cli/negative-line.xml");
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v[0]["valid"], false);
    assert_eq!(ids(&v[0]), ["demo-03", "demo-04", "demo-05"]);
    let negative = &v[0]["failed"][1];
    assert_eq!(negative["message"], "Line 2 has a negative amount (-4.5).");
    assert_eq!(negative["location"], "/Invoice/cac:InvoiceLine[2]");
    assert_eq!(negative["line"], 11);
    assert_eq!(
        v[0]["failed"][2]["message"],
        "Amounts are in the document currency AED, not USD."
    );
}

#[test]
fn rule_error_is_never_valid() {
    // xs:decimal('12,50') raises FORG0001: the official validator aborts
    let o = validate_json("cli/bad-amount.xml");
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    assert_eq!(v[0]["valid"], false);
    let err = v[0]["error"].as_str().expect("error text");
    assert!(err.contains("FORG0001"), "{err}");
    assert_eq!(v[0]["rule_errors"][0]["location"], "/Invoice/cac:InvoiceLine[1]");
}

#[test]
fn directory_stdin_and_unreadable_documents() {
    let dir = data("robustness");
    let o = pintae(
        &["validate", "--schematron", &demo_sch(), "--format", "json", &dir],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o);
    let xml_files = std::fs::read_dir(&dir)
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "xml"))
        })
        .count();
    assert_eq!(v.len(), xml_files);
    let find = |name: &str| {
        v.iter()
            .find(|x| x["file"].as_str().is_some_and(|f| f.ends_with(name)))
            .expect("listed")
            .clone()
    };
    let dtd = find("billion-laughs.xml");
    assert_eq!(dtd["valid"], false);
    assert!(dtd["error"].as_str().is_some_and(|e| e.contains("DTD")));
    assert!(dtd.get("failed").is_none());
    assert_eq!(find("sbdh-wrapped.xml")["wrapped"]["kind"], "sbdh");

    let bytes = std::fs::read(data("examples/coffee-roaster-invoice.xml")).expect("example");
    let o = pintae(
        &["validate", "--schematron", &demo_sch(), "--format", "json", "-"],
        Some(&bytes),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_lines(&o)[0]["file"], "-");

    let o = pintae(
        &[
            "validate",
            "--schematron",
            &demo_sch(),
            "--format",
            "json",
            "no/such/file.xml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(json_lines(&o)[0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("cannot read")));
}

#[test]
fn text_report_for_people() {
    let o = pintae(
        &["validate", "--schematron", &demo_sch(), &data("cli/negative-line.xml")],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with(&format!(
            "{}: INVALID (2 fatal, 1 warning)",
            data("cli/negative-line.xml")
        )),
        "{out}"
    );
    // grouped by rule, fatal first: the message once, then where
    let fatal = out
        .find("fatal   demo-04: Line 2 has a negative amount (-4.5).")
        .expect("demo-04 group");
    let place = out.find("at 11:3  /Invoice/cac:InvoiceLine[2]").expect("its place");
    let warning = out.find("warning demo-03:").expect("warning group");
    assert!(fatal < place && place < warning, "{out}");
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        vec!["validate"],
        vec!["validate", "--ruleset", "no-such-ruleset", "x.xml"],
        vec!["validate", "--ruleset", "en16931-ubl", "--schematron", "a.sch", "x.xml"],
        vec!["rules", "show", "no-such-rule"],
        vec!["validate", "--schematron", "no/such.sch", "x.xml"],
        vec!["frobnicate"],
    ] {
        let o = pintae(&args, None);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.stderr.is_empty());
    }
    let bad_format = pintae(
        &["validate", "--schematron", &demo_sch(), "--format", "yaml", "x.xml"],
        None,
    );
    assert_eq!(bad_format.status.code(), Some(2));
}

#[test]
fn broken_schematron_is_a_configuration_error() {
    let dir = std::env::temp_dir().join(format!("pintae-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let sch = dir.join("broken.sch");
    std::fs::write(
        &sch,
        r#"<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><pattern><rule context="a"><assert test="count(">x</assert></rule></pattern></schema>"#,
    )
    .expect("write");
    let o = pintae(
        &[
            "validate",
            "--schematron",
            &sch.to_string_lossy(),
            &data("cli/negative-line.xml"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("XPST0003") && err.contains("broken.sch:1:"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn closed_pipe_is_success() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("pintae-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let example = std::fs::read(data("examples/coffee-roaster-invoice.xml")).expect("example");
    for i in 0..300 {
        std::fs::write(dir.join(format!("inv-{i:03}.xml")), &example).expect("write");
    }
    for format in ["json", "text"] {
        let mut child = command(&[
            "validate",
            "--schematron",
            &demo_sch(),
            "--format",
            format,
            &dir.to_string_lossy(),
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("a line");
        // the reader is dropped here: the pipe closes while pintae still writes
        let out = child.wait_with_output().expect("finishes");
        assert!(!first.is_empty());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

// ---- bundled rules (need no files from ../shared) ----

#[test]
fn bundled_rules_judge_the_example_without_any_files() {
    let o = pintae(
        &[
            "validate",
            "--format",
            "json",
            &data("examples/coffee-roaster-invoice.xml"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let v = &json_lines(&o)[0];
    assert_eq!(v["valid"], true);
    assert_eq!(v["ruleset"], "pint-ae-billing@1.0.4");
    assert_eq!(v["failed"].as_array().map(Vec::len), Some(0));
}

#[test]
fn bundled_failures_name_terms_values_and_fixes() {
    let file = data("cli/transfer-without-iban.xml");
    let o = pintae(&["validate", "--format", "json", &file], None);
    assert_eq!(o.status.code(), Some(1));
    let v = &json_lines(&o)[0];
    assert_eq!(v["valid"], false);
    let failed = v["failed"].as_array().expect("failed");
    let f = failed
        .iter()
        .find(|f| f["id"] == "ibr-192-ae")
        .expect("ibr-192-ae fires");
    assert_eq!(f["flag"], "fatal");
    assert!(f["terms"].as_array().is_some_and(|t| !t.is_empty()), "{f}");
    assert!(
        f["fix"]
            .as_str()
            .is_some_and(|x| x.contains("PayeeFinancialAccount/ID")),
        "{f}"
    );
    assert!(f["line"].as_u64().is_some_and(|l| l > 1));

    let text = pintae(&["validate", &file], None);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("INVALID") && out.contains("[pint-ae-billing@1.0.4]"),
        "{out}"
    );
    assert!(out.contains("fatal   ibr-192-ae"), "{out}");
    assert!(out.contains("terms: ") && out.contains("fix: "), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colours when stdout is not a terminal: {out}"
    );
}

#[test]
fn a_chosen_rule_set_overrides_the_specification_identifier() {
    let file = data("cli/unknown-specification.xml");
    let auto = pintae(&["validate", "--format", "json", &file], None);
    assert_eq!(auto.status.code(), Some(1));
    let e = json_lines(&auto)[0]["error"].as_str().unwrap_or_default().to_string();
    assert!(
        e.contains("urn:example:my-own-spec") && e.contains("urn:peppol:pint:billing-1@ae-1"),
        "{e}"
    );
    let forced = pintae(
        &["validate", "--ruleset", "pint-ae-billing", "--format", "json", &file],
        None,
    );
    let v = &json_lines(&forced)[0];
    assert_eq!(v["ruleset"], "pint-ae-billing@1.0.4");
    let ids: Vec<&str> = v["failed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"aligned-ibrp-001-ae"),
        "the specification identifier itself is wrong: {ids:?}"
    );
}

#[test]
fn rules_list_and_show() {
    let o = pintae(&["rules", "list", "--ruleset", "pint-ae-billing"], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("pint-ae-billing@1.0.4"), "{out}");
    assert_eq!(out.lines().count(), 303, "a header and 302 rules");
    let o = pintae(&["rules", "list", "--format", "json"], None);
    let n = json_lines(&o).len();
    assert!(n > 1500, "all three rule sets: {n}");
    let o = pintae(&["rules", "show", "ibr-128-ae"], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "ibr-128-ae (fatal)",
        "CountrySubentity",
        "Business terms:",
        "Fix:",
        "Test:",
        "Checked on:",
    ] {
        assert!(out.contains(want), "{want} missing from:\n{out}");
    }
}
