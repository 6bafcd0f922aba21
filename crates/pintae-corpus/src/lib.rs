//! Test corpora for parity testing against the official validator.
//!
//! Everything here is *derived at run time* from the third-party material in
//! `../shared` (never committed): the official examples, the documents
//! embedded in the CEN unit tests, deterministic mutants of the PINT-AE
//! examples, and examples scaled to many lines. The same functions feed the
//! exporter (which writes files for the oracle) and the tests (which
//! regenerate the documents in memory and compare with the stored verdicts).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
pub mod mutate;
pub mod scale;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A document of a corpus.
#[derive(Clone, Debug)]
pub struct Doc {
    /// Stable name, unique within its group (`cen/invoice/BR-01/2`).
    pub name: String,
    /// Rule set the oracle runs on it.
    pub ruleset: &'static str,
    /// The XML text.
    pub text: String,
}

/// The rule sets and the official schema files (relative to `reference/`).
pub const RULESETS: &[(&str, &[&str])] = &[
    (
        "pint-ae-billing",
        &[
            "pint-ae/billing/schematron/PINT-UBL-validation-preprocessed.sch",
            "pint-ae/billing/schematron/PINT-jurisdiction-aligned-rules.sch",
        ],
    ),
    (
        "pint-ae-selfbilling",
        &[
            "pint-ae/selfbilling/schematron/PINT-UBL-validation-preprocessed.sch",
            "pint-ae/selfbilling/schematron/PINT-jurisdiction-aligned-rules.sch",
        ],
    ),
    (
        "en16931-ubl",
        &["en16931-ubl/schematron/EN16931-UBL-validation-preprocessed.sch"],
    ),
];

/// Finds `../shared` (or `$PINTAE_SHARED`) from the workspace root.
pub fn shared_dir() -> Option<PathBuf> {
    let root = workspace_dir();
    if let Some(p) = std::env::var_os("PINTAE_SHARED") {
        // a relative path is taken from the workspace root, wherever the
        // test binary runs
        let p = root.join(PathBuf::from(p));
        return p.join("reference").is_dir().then_some(p);
    }
    let p = root.join("../shared");
    p.join("reference").is_dir().then_some(p)
}

/// `../shared`, or `None` after printing that `test` is skipped. When
/// `PINTAE_REQUIRE_SHARED` is set (as `.ci/run` does) a missing folder fails.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    match shared_dir() {
        Some(p) => Some(p),
        None => {
            if std::env::var_os("PINTAE_REQUIRE_SHARED").is_some() {
                panic!("{test}: ../shared is required (PINTAE_REQUIRE_SHARED is set) but was not found");
            }
            eprintln!("SKIPPED {test}: ../shared not found (set PINTAE_SHARED to run it)");
            None
        }
    }
}

/// Runs `check` over every XML document tests of positions and names look
/// at: the fixtures in `testdata/positions`, then, when `../shared` exists,
/// every document of the corpora. `check(name, text)` returns how many
/// things it compared (0 for text that is not well-formed); a fixture that
/// is not well-formed, or a group with too little compared, fails.
pub fn check_positions_corpora(label: &str, check: impl Fn(&str, &str) -> usize) {
    let dir = workspace_dir().join("testdata/positions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("testdata/positions") {
        let path = e.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture");
        let compared = check(&path.display().to_string(), &text);
        assert!(compared > 0, "{}: not well-formed", path.display());
        n += compared;
    }
    assert!(n >= 20, "{label}: only {n} compared in the fixtures");
    let Some(shared) = shared_or_skip(&format!("{label}/corpora")) else {
        return;
    };
    for group in GROUPS {
        let docs = self::group(&shared, group).expect("corpus");
        let compared: usize = docs.iter().map(|d| check(&d.name, &d.text)).sum();
        eprintln!(
            "{label}/{group}: {} documents, {compared} compared, all agree",
            docs.len()
        );
        assert!(
            compared > docs.len() * 10,
            "{label}/{group}: too few compared ({compared})"
        );
    }
}

/// The project's valid single-invoice Taxstar fixtures
/// (`testdata/convert/taxstar/valid`, bulk bodies left out), parsed and in
/// invoice-number order: the material batch tests and benchmarks renumber.
pub fn taxstar_single_invoices() -> Result<Vec<serde_json::Value>> {
    let dir = workspace_dir().join("testdata/convert/taxstar/valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut v = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let json: serde_json::Value =
            serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", f.display()))?;
        if json.get("invoices").is_none() {
            v.push(json);
        }
    }
    v.sort_by_key(|j| j["invoice_number"].as_str().unwrap_or("").to_string());
    Ok(v)
}

/// The workspace root (for `testdata/`).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn xml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    v.sort();
    Ok(v)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The official examples: PINT-AE billing and self-billing, EN 16931.
pub fn examples(shared: &Path) -> Result<Vec<Doc>> {
    let r = shared.join("reference");
    let mut out = Vec::new();
    for (dir, ruleset) in [
        ("pint-ae/billing/examples", "pint-ae-billing"),
        ("pint-ae/selfbilling/examples", "pint-ae-selfbilling"),
        ("en16931-ubl/examples", "en16931-ubl"),
    ] {
        for f in xml_files(&r.join(dir))? {
            let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
            out.push(Doc {
                name: format!("{dir}/{}", stem(&f)),
                ruleset,
                text,
            });
        }
    }
    Ok(out)
}

/// One CEN unit test document with the test's own expectations.
#[derive(Clone, Debug)]
pub struct UnitTest {
    /// The document.
    pub doc: Doc,
    /// Rule ids the test says must fire (`<error>`/`<warning>`).
    pub must_fire: Vec<String>,
    /// Rule ids the test says must not fire (`<success>`).
    pub must_not_fire: Vec<String>,
}

/// The documents embedded in the CEN unit tests.
pub fn cen_unit_tests(shared: &Path) -> Result<Vec<UnitTest>> {
    let base = shared.join("reference/en16931-ubl/unit-tests");
    let mut out = Vec::new();
    for kind in ["invoice", "creditnote"] {
        for f in xml_files(&base.join(kind))? {
            let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
            let doc = roxmltree::Document::parse(&text).with_context(|| format!("cannot parse {}", f.display()))?;
            let mut k = 0;
            for test in doc
                .root_element()
                .children()
                .filter(|c| c.has_tag_name("test") || c.tag_name().name() == "test")
            {
                let Some(payload) = test
                    .children()
                    .find(|c| c.is_element() && c.tag_name().name() != "assert")
                else {
                    continue;
                };
                k += 1;
                let ids = |what: &str| -> Vec<String> {
                    test.children()
                        .filter(|c| c.tag_name().name() == "assert")
                        .flat_map(|a| a.children().filter(move |c| c.tag_name().name() == what))
                        .filter_map(|c| c.text().map(|t| t.trim().to_string()))
                        .collect()
                };
                let mut must_fire = ids("error");
                must_fire.extend(ids("warning"));
                out.push(UnitTest {
                    doc: Doc {
                        name: format!("cen/{kind}/{}/{k}", stem(&f)),
                        ruleset: "en16931-ubl",
                        text: standalone(&doc, payload),
                    },
                    must_fire,
                    must_not_fire: ids("success"),
                });
            }
        }
    }
    Ok(out)
}

/// The text of an element as a standalone document: its source text with the
/// namespace declarations it inherits added to its start tag.
pub fn standalone(doc: &roxmltree::Document, el: roxmltree::Node) -> String {
    let text = &doc.input_text()[pintae_model::position::Spans::new(doc).element(el)];
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(text.len());
    let start_tag_end = text.find('>').unwrap_or(text.len());
    let start_tag = &text[..start_tag_end];
    let mut extra = String::new();
    for ns in el.namespaces() {
        let decl = match ns.name() {
            Some(p) => format!("xmlns:{p}="),
            None => "xmlns=".to_string(),
        };
        if !start_tag.contains(&decl) {
            extra.push_str(&format!(" {decl}\"{}\"", ns.uri()));
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}{}{}",
        &text[..name_end],
        extra,
        &text[name_end..]
    )
}

/// Every corpus group by name, for the exporter and the tests.
pub fn group(shared: &Path, name: &str) -> Result<Vec<Doc>> {
    match name {
        "examples" => examples(shared),
        "cen" => Ok(cen_unit_tests(shared)?.into_iter().map(|t| t.doc).collect()),
        "mutants" => mutate::mutants(&examples(shared)?),
        other => anyhow::bail!("unknown corpus group {other}"),
    }
}

/// The corpus groups.
pub const GROUPS: &[&str] = &["examples", "cen", "mutants"];

/// A verdict recorded from the oracle.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Expected {
    /// Document name.
    pub doc: String,
    /// Rule set the oracle ran.
    pub ruleset: String,
    /// Failed assertion ids, sorted (a multiset).
    pub failed: Vec<String>,
    /// Ids of failures flagged fatal, sorted.
    pub fatal: Vec<String>,
    /// Whether the oracle aborted with a dynamic error.
    pub error: bool,
}

/// Reads `testdata/oracle/<group>.jsonl`.
pub fn read_expected(group: &str) -> Result<Vec<Expected>> {
    let p = workspace_dir().join("testdata/oracle").join(format!("{group}.jsonl"));
    let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("bad line in {}: {l}", p.display())))
        .collect()
}
