//! Malformed and hostile input gives a clear error or a report: never a
//! panic, a hang, or unbounded memory. Fixtures live in
//! `testdata/robustness/` beside their expected outcome; the large cases are
//! generated here.

mod common;

use std::path::PathBuf;

use pintae_rules::input::InputError;
use pintae_rules::{Report, Validator};

fn fixtures() -> PathBuf {
    pintae_corpus::workspace_dir().join("testdata/robustness")
}

/// The bundled PINT-AE billing validator (needs no files).
fn pint_validator() -> &'static Validator {
    pintae_rules::bundled::ruleset("pint-ae-billing")
        .and_then(|s| s.validator())
        .unwrap_or_else(|e| panic!("bundled rules: {e}"))
}

fn kind(e: &InputError) -> &'static str {
    match e {
        InputError::NotUtf8 { .. } => "not_utf8",
        InputError::BadEncoding { .. } => "bad_encoding",
        InputError::UnknownEncoding { .. } => "unknown_encoding",
        InputError::EncodingMismatch { .. } => "encoding_mismatch",
        InputError::Dtd => "dtd",
        InputError::Xml { .. } => "xml",
        InputError::TooDeep { .. } => "too_deep",
        InputError::TooManyAttributes { .. } => "too_many_attributes",
        InputError::TooManyNamespaces { .. } => "too_many_namespaces",
        InputError::TooLarge { .. } => "too_large",
        InputError::NotUbl { .. } => "not_ubl",
        InputError::EmptyEnvelope => "empty_envelope",
        InputError::NoRuleSet { .. } => "no_ruleset",
    }
}

fn line_of(e: &InputError) -> Option<u32> {
    match e {
        InputError::NotUtf8 { line, .. }
        | InputError::BadEncoding { line, .. }
        | InputError::Xml { line, .. }
        | InputError::TooDeep { line, .. }
        | InputError::TooManyAttributes { line, .. }
        | InputError::TooManyNamespaces { line, .. } => Some(*line),
        _ => None,
    }
}

/// Checks one report against an expectation.
fn check(name: &str, r: &Report, exp: &serde_json::Value) {
    if let Some(k) = exp.get("input_error").and_then(|v| v.as_str()) {
        let e = r
            .input_error
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: expected input error {k}, got {r:?}"));
        assert_eq!(kind(e), k, "{name}: {e}");
        assert!(!r.valid, "{name}");
        assert!(!e.to_string().is_empty());
        if let Some(l) = exp.get("line").and_then(|v| v.as_u64()) {
            assert_eq!(line_of(e), Some(l as u32), "{name}: {e}");
        }
        return;
    }
    assert!(r.input_error.is_none(), "{name}: unexpected {:?}", r.input_error);
    if let Some(w) = exp.get("wrapped").and_then(|v| v.as_bool()) {
        assert_eq!(r.wrapped.is_some(), w, "{name}: wrapped");
    }
    if let Some(v) = exp.get("valid").and_then(|v| v.as_bool()) {
        assert_eq!(r.valid, v, "{name}: valid; failed {:?}", r.failed_ids());
    }
    if let Some(ids) = exp.get("failed").and_then(|v| v.as_array()) {
        let mut want: Vec<&str> = ids.iter().filter_map(|i| i.as_str()).collect();
        let mut got = r.failed_ids();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{name}: failed ids");
    }
    if let Some(lines) = exp.get("lines").and_then(|v| v.as_object()) {
        for (id, line) in lines {
            let f = r
                .failed
                .iter()
                .find(|f| &f.id == id)
                .unwrap_or_else(|| panic!("{name}: {id} did not fire"));
            assert_eq!(u64::from(f.line), line.as_u64().unwrap_or(0), "{name}: line of {id}");
        }
    }
}

#[test]
fn fixtures_with_expected_outcomes() {
    let rules = pint_validator();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "xml") {
            continue;
        }
        let name = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let exp_path = p.with_extension("expect.json");
        let exp: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&exp_path).unwrap_or_else(|_| panic!("{} has no expectation", p.display())),
        )
        .expect("expectation is JSON");
        let bytes = std::fs::read(&p).expect("fixture");
        let report = rules.validate(&bytes);
        check(&name, &report, &exp);
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} fixtures checked");
}

const UBL: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

/// An invoice root around `open` nested `<a>` elements, a text, and
/// `close` end tags.
fn nested(open: usize, close: usize) -> String {
    format!(
        "<Invoice xmlns=\"{UBL}\">{}x{}{}",
        "<a>".repeat(open),
        "</a>".repeat(close),
        if close == open { "</Invoice>" } else { "" }
    )
}

#[test]
fn too_deep_nesting_is_refused() {
    let limit = pintae_rules::input::MAX_DEPTH;
    let cases = [
        // far over the limit
        ("deep", 100_000, 100_000, "too_deep"),
        // one open element over the limit and no other markup: the fewest
        // `<` (2 * MAX_DEPTH + 2) a too-deep document can have
        ("least-tagged-deep", limit, limit, "too_deep"),
        // over the limit with too few `<` to be well-formed: the parser's
        ("unclosed-deep", limit, 0, "xml"),
    ];
    for (name, open, close, kind) in cases {
        let r = Validator::new(vec![]).validate(nested(open, close).as_bytes());
        check(name, &r, &serde_json::json!({"input_error": kind, "line": 1}));
    }
}

#[test]
fn nesting_just_under_the_limit_is_checked() {
    let d = pintae_rules::input::MAX_DEPTH - 1;
    let doc = nested(d - 1, d - 1);
    let r = Validator::new(vec![]).validate(doc.as_bytes());
    assert!(r.input_error.is_none(), "{:?}", r.input_error);
    let r = pint_validator().validate(doc.as_bytes());
    assert!(r.input_error.is_none());
    assert!(!r.valid, "a document of nothing but nesting is not a valid invoice");
}

#[test]
fn wide_start_tags_and_namespace_floods_are_refused() {
    let attributes: String = (0..60_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
    let declarations =
        |from: usize, to: usize| -> String { (from..to).map(|i| format!(" xmlns:p{i}=\"urn:p{i}\"")).collect() };
    let limit = pintae_rules::input::MAX_NAMESPACES;
    // one new prefix per level: the limit is passed at its last level
    let spreading: String = (0..=limit).map(|i| format!("<a{}>", declarations(i, i + 1))).collect();
    let cases = [
        (
            "many-attributes",
            format!("<Invoice xmlns=\"{UBL}\">\n<a{attributes}/></Invoice>"),
            "too_many_attributes",
            2,
        ),
        // as many attributes too
        (
            "flood-of-declarations",
            format!("<Invoice xmlns=\"{UBL}\"\n{}><a/></Invoice>", declarations(0, 60_000)),
            "too_many_attributes",
            1,
        ),
        // within the attributes a tag may have, more prefixes than may be in scope
        (
            "many-declarations",
            format!(
                "<Invoice xmlns=\"{UBL}\"\n{}><a/></Invoice>",
                declarations(0, limit + 10)
            ),
            "too_many_namespaces",
            1,
        ),
        (
            "spreading-declarations",
            format!(
                "<Invoice xmlns=\"{UBL}\">\n{spreading}{}</Invoice>",
                "</a>".repeat(limit + 1)
            ),
            "too_many_namespaces",
            2,
        ),
    ];
    for (name, doc, kind, line) in cases {
        let r = pint_validator().validate(doc.as_bytes());
        check(name, &r, &serde_json::json!({"input_error": kind, "line": line}));
    }
}

/// Some generators declare the namespaces again on every element: many
/// declarations, few in scope at once. Such a document is checked, with
/// the verdict of the same invoice written plainly.
#[test]
fn namespaces_declared_on_every_element_are_checked() {
    let plain =
        std::fs::read_to_string(pintae_corpus::workspace_dir().join("testdata/examples/coffee-roaster-invoice.xml"))
            .expect("bundled example");
    let again = " xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\"";
    // after the name of every start tag of a prefixed element
    let mut out = String::new();
    let mut rest = plain.as_str();
    while let Some(at) = rest.find("<ca").into_iter().chain(rest.find("<cb")).min() {
        let name_end = at
            + rest[at..]
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len() - at);
        out.push_str(&rest[..name_end]);
        out.push_str(again);
        rest = &rest[name_end..];
    }
    out.push_str(rest);
    assert!(out.matches("xmlns:cbc").count() > 2 * pintae_rules::input::MAX_NAMESPACES);
    let want = pint_validator().validate(plain.as_bytes());
    let got = pint_validator().validate(out.as_bytes());
    assert!(got.input_error.is_none(), "{:?}", got.input_error);
    assert_eq!(got.valid, want.valid);
    assert_eq!(got.failed_ids(), want.failed_ids());
}

#[test]
fn hundred_megabyte_text_node() {
    let big = "A".repeat(100 * 1024 * 1024);
    let doc = format!(
        "<Invoice xmlns=\"{UBL}\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\"><cbc:Note>{big}</cbc:Note></Invoice>"
    );
    drop(big);
    let r = pint_validator().validate(doc.as_bytes());
    assert!(r.input_error.is_none(), "{:?}", r.input_error);
    assert!(!r.valid || r.failed.is_empty());
}

#[test]
fn invalid_utf8_names_the_place() {
    let mut doc = format!("<Invoice xmlns=\"{UBL}\">\n  <Note>caf").into_bytes();
    doc.extend_from_slice(&[0xC3, 0x28]);
    doc.extend_from_slice(b"</Note>\n</Invoice>");
    let r = Validator::new(vec![]).validate(&doc);
    check(
        "invalid-utf8",
        &r,
        &serde_json::json!({"input_error": "not_utf8", "line": 2}),
    );
    match r.input_error {
        Some(InputError::NotUtf8 { column, .. }) => assert_eq!(column, 12),
        other => panic!("{other:?}"),
    }
}

#[test]
fn byte_order_mark_is_accepted() {
    let mut doc = vec![0xEF, 0xBB, 0xBF];
    doc.extend_from_slice(format!("<Invoice xmlns=\"{UBL}\"/>").as_bytes());
    let r = Validator::new(vec![]).validate(&doc);
    assert!(r.input_error.is_none(), "{:?}", r.input_error);
}

#[test]
fn arbitrary_bytes_never_panic() {
    // a deterministic sweep of short garbage; the fuzz target goes further
    let v = pint_validator();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for len in 0..200usize {
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(b"<>/=\"' aI:xmlns!?-[]CDATA&;#\n"[(state % 29) as usize]);
        }
        let r = v.validate(&bytes);
        assert!(!r.valid || r.failed.is_empty());
    }
}

#[test]
fn huge_ranges_are_refused_not_materialised() {
    use pintae_rules::xpath::{ErrorCode, XPath};
    let doc = roxmltree::Document::parse("<a/>").expect("doc");
    // found by the XPath fuzzer: a 10-million-item range took seconds and 400 MB
    for expr in [
        "for $i in 1 to 9919099 return $i + 1",
        "count(1 to 100000000)",
        "some $i in 1 to 99999999 satisfies false()",
    ] {
        let x = XPath::compile(expr, &[]).expect("compiles");
        let e = x.evaluate_strings(doc.root_element()).expect_err(expr);
        assert_eq!(e.code, ErrorCode::LIMIT, "{expr}");
    }
    let x = XPath::compile("count(for $i in 1 to 199999 return ())", &[]).expect("compiles");
    assert_eq!(
        x.evaluate_strings(doc.root_element()).expect("within the budget"),
        ["0"]
    );
    let x = XPath::compile("count(1 to 999999)", &[]).expect("compiles");
    assert_eq!(
        x.evaluate_strings(doc.root_element()).expect("within the range cap"),
        ["999999"]
    );
    // nested loops within the range cap still meet the evaluation budget
    let x = XPath::compile("count(for $i in 1 to 1000, $j in 1 to 1000 return 1)", &[]).expect("compiles");
    assert_eq!(
        x.evaluate_strings(doc.root_element()).expect_err("budget").code,
        ErrorCode::LIMIT
    );
}

#[test]
fn deeply_nested_schematron_is_refused() {
    let d = 100_000;
    let sch = format!(
        "<schema xmlns=\"http://purl.oclc.org/dsdl/schematron\" queryBinding=\"xslt2\">{}{}</schema>",
        "<title>".repeat(d),
        "</title>".repeat(d)
    );
    let e = pintae_rules::schematron::Schema::parse("deep.sch", &sch).expect_err("refused");
    assert!(
        e.to_string().contains("deep.sch:1:") && e.to_string().contains("nest deeper"),
        "{e}"
    );
}

/// The bundled example with non-ASCII characters in a comment, a name and
/// a code (the code makes rules fire on a value that has one), its XML
/// declaration naming `encoding`.
fn example_declared(encoding: &str) -> String {
    let text =
        std::fs::read_to_string(pintae_corpus::workspace_dir().join("testdata/examples/coffee-roaster-invoice.xml"))
            .expect("bundled example");
    let body = text.split_once("?>").map_or(text.as_str(), |(_, b)| b);
    let body = body.replacen("Corniche Cup Cafe", "Corniche Cup Café", 1).replacen(
        ">AED</cbc:DocumentCurrencyCode>",
        ">AÉD</cbc:DocumentCurrencyCode>",
        1,
    );
    assert!(body.contains("Café") && body.contains("AÉD"), "the example changed");
    format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>{body}")
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
        .collect()
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// A document in another encoding, as its declaration or byte order mark
/// says, gets the report of the same document in UTF-8: the same failures,
/// values, lines and columns.
#[test]
fn declared_encodings_give_the_utf8_report() {
    let rules = pint_validator();
    let reference = rules.validate(example_declared("UTF-8").as_bytes());
    assert!(reference.input_error.is_none(), "{:?}", reference.input_error);
    assert!(
        reference.failed.iter().any(|f| f.value.as_deref() == Some("AÉD")),
        "no rule reads the changed code: {:?}",
        reference.failed_ids()
    );
    let with_bom = [&[0xEF, 0xBB, 0xBF][..], example_declared("UTF-8").as_bytes()].concat();
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("UTF-8 with a byte order mark", with_bom),
        ("ISO-8859-1", latin1(&example_declared("ISO-8859-1"))),
        ("latin1", latin1(&example_declared("latin1"))),
        ("windows-1252", latin1(&example_declared("windows-1252"))),
        (
            "UTF-16LE with a byte order mark",
            utf16(&example_declared("UTF-16"), false, true),
        ),
        (
            "UTF-16BE with a byte order mark",
            utf16(&example_declared("UTF-16"), true, true),
        ),
        ("UTF-16LE without", utf16(&example_declared("UTF-16"), false, false)),
        ("UTF-16BE without", utf16(&example_declared("UTF-16"), true, false)),
    ];
    for (label, bytes) in variants {
        let r = rules.validate(&bytes);
        assert_eq!(r, reference, "{label}");
    }
}

/// Bytes the declared encoding does not have, and encodings pintae does not
/// know, are refused with the place or the name.
#[test]
fn bad_and_unknown_encodings_are_refused() {
    let rules = pint_validator();
    let line_of_cafe = example_declared("UTF-8")
        .lines()
        .position(|l| l.contains("Café"))
        .map(|i| i as u32 + 1);
    // US-ASCII has no é
    let r = rules.validate(example_declared("US-ASCII").as_bytes());
    match &r.input_error {
        Some(InputError::BadEncoding { encoding, line, .. }) => {
            assert_eq!(encoding, "US-ASCII");
            // the first é is in the comment on line 3
            assert_eq!(Some(*line), Some(3), "{:?}", r.input_error);
        }
        other => panic!("{other:?}"),
    }
    // an unpaired surrogate in UTF-16
    let text = example_declared("UTF-16");
    let mut units: Vec<u16> = text.encode_utf16().collect();
    let at = text
        .split("Café")
        .next()
        .map(|s| s.encode_utf16().count())
        .expect("Café");
    units[at] = 0xD800;
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let r = rules.validate(&[&[0xFF, 0xFE][..], &bytes].concat());
    match &r.input_error {
        Some(InputError::BadEncoding {
            encoding, line, column, ..
        }) => {
            assert_eq!(encoding, "UTF-16LE");
            assert_eq!(Some(*line), line_of_cafe);
            let col = text
                .lines()
                .nth(*line as usize - 1)
                .and_then(|l| l.find("Café"))
                .map(|c| c as u32 + 1);
            assert_eq!(Some(*column), col);
        }
        other => panic!("{other:?}"),
    }
    // UTF-16 declared in a text that is not
    let r = rules.validate(example_declared("UTF-16").as_bytes());
    assert!(
        matches!(&r.input_error, Some(InputError::BadEncoding { encoding, line: 1, column: 1, .. }) if encoding == "UTF-16"),
        "{:?}",
        r.input_error
    );
    let r = rules.validate(example_declared("x-no-such-encoding").as_bytes());
    assert!(
        matches!(&r.input_error, Some(InputError::UnknownEncoding { encoding }) if encoding == "x-no-such-encoding"),
        "{:?}",
        r.input_error
    );
    assert!(!r.valid);
}

/// The text of the root element of a document, as pintae decodes and
/// parses it; `None` when it refuses the document.
fn root_text(bytes: &[u8]) -> Option<String> {
    let text = pintae_rules::input::decode(bytes).ok()?;
    let doc = roxmltree::Document::parse(&text).ok()?;
    Some(doc.root_element().text().unwrap_or("").to_string())
}

/// Text in a declared encoding is read as the official processor reads the
/// file (`testdata/encodings/cases.txt`, its answers): its tables for
/// single-byte encodings, U+FFFD where it puts one, and a refusal of the
/// names it refuses.
#[test]
fn declared_encodings_read_as_the_official_processor_reads_them() {
    let cases = std::fs::read_to_string(pintae_corpus::workspace_dir().join("testdata/encodings/cases.txt"))
        .expect("testdata/encodings/cases.txt");
    let mut checked = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let [label, bytes, want] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("not label, bytes and characters: {line}");
        };
        let body: Vec<u8> = bytes
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).expect("a hex byte"))
            .collect();
        let doc = [
            format!("<?xml version=\"1.0\" encoding=\"{label}\"?><a>").as_bytes(),
            &body,
            b"</a>",
        ]
        .concat();
        let got = match root_text(&doc) {
            None => "refused".to_string(),
            Some(text) => text
                .chars()
                .map(|c| format!("{:x}", u32::from(c)))
                .collect::<Vec<_>>()
                .join(" "),
        };
        assert_eq!(got, want, "{label}: {bytes}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases");
}

/// After a byte order mark, the declaration still counts as the official
/// processor counts it: after UTF-8's, the name it gives decides the
/// encoding; a UTF-16 document may give only the names of UTF-16 of its
/// byte order (its answers, as `scripts/encoding-differential.py` reads
/// them).
#[test]
fn declarations_after_a_byte_order_mark_count() {
    let text = |name: &str| format!("<?xml version=\"1.0\" encoding=\"{name}\"?><a>é</a>");
    let utf16 = |name: &str, big_endian: bool| utf16(&text(name), big_endian, true);
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        (
            "UTF-8 mark, windows-1252 named",
            [
                &[0xEF, 0xBB, 0xBF][..],
                b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\xc3\xa9\x80</a>",
            ]
            .concat(),
            Some("\u{c3}\u{a9}\u{20ac}"),
        ),
        (
            "UTF-8 mark, UTF-8 named",
            [&[0xEF, 0xBB, 0xBF][..], text("UTF-8").as_bytes()].concat(),
            Some("é"),
        ),
        ("UTF-16BE, unicode named", utf16("unicode", true), Some("é")),
        ("UTF-16LE, unicode named", utf16("unicode", false), None),
        ("UTF-16LE, UTF-16LE named", utf16("UTF-16LE", false), Some("é")),
        ("UTF-16LE, UTF-16BE named", utf16("UTF-16BE", false), None),
        ("UTF-16LE, UTF-8 named", utf16("UTF-8", false), None),
        ("UTF-16BE, windows-1252 named", utf16("windows-1252", true), None),
    ];
    for (what, bytes, want) in cases {
        assert_eq!(root_text(&bytes).as_deref(), want, "{what}");
    }
    let r = pint_validator().validate(&utf16("UTF-8", false));
    assert!(
        matches!(&r.input_error, Some(InputError::EncodingMismatch { found, declared }) if found == "UTF-16LE" && declared == "UTF-8"),
        "{:?}",
        r.input_error
    );
}
