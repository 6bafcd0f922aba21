//! The converter fixtures in `testdata/convert/`: valid ones convert to XML
//! the bundled rules accept (and, with `../shared`, the official oracle:
//! Schematron and UBL XSD); invalid ones give exactly the field errors and
//! rule failures their `.expected` files list; output is deterministic;
//! the seeds' own examples convert and name what they lack.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pintae_convert::{check, evatra, taxstar, Converted, Entities};
use serde_json::Value;

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(pintae_corpus::workspace_dir().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn entities() -> Entities {
    let bytes =
        std::fs::read(pintae_corpus::workspace_dir().join("testdata/convert/entities.json")).unwrap_or_default();
    Entities::from_entities_json(&bytes).unwrap_or_else(|e| panic!("entities.json: {e}"))
}

fn convert(platform: &str, path: &Path, ents: &Entities) -> Vec<Converted> {
    let bytes = std::fs::read(path).unwrap_or_default();
    match platform {
        "taxstar" => taxstar::convert(&bytes, ents),
        _ => vec![evatra::convert(&bytes)],
    }
}

/// Converts every valid fixture; checks them with the bundled rules and
/// returns the XML files written to `out`.
fn valid_fixtures(platform: &str, out: &Path) -> Vec<PathBuf> {
    let ents = entities();
    let mut written = Vec::new();
    let inputs = files(&format!("testdata/convert/{platform}/valid"), "json");
    assert!(
        inputs.len() >= if platform == "taxstar" { 40 } else { 20 },
        "too few {platform} fixtures"
    );
    for f in inputs {
        for (i, c) in convert(platform, &f, &ents).into_iter().enumerate() {
            assert!(c.errors.is_empty(), "{}: {:?}", f.display(), c.errors);
            let k = check(&c).unwrap_or_else(|| panic!("{}: nothing converted", f.display()));
            let failed: Vec<_> = k.failed.iter().map(|m| (&m.failure.id, &m.json_path)).collect();
            assert!(
                k.valid(),
                "{}: bundled rules: {failed:?} {:?}",
                f.display(),
                k.report.input_error
            );
            let again = convert(platform, &f, &ents);
            let xml = &c.written.as_ref().map(|w| w.xml.clone()).unwrap_or_default();
            assert_eq!(
                again[i].written.as_ref().map(|w| &w.xml),
                Some(xml),
                "{}: not deterministic",
                f.display()
            );
            let name = format!(
                "{}-{i}.xml",
                f.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            let p = out.join(name);
            std::fs::write(&p, xml).unwrap_or_else(|e| panic!("{e}"));
            written.push(p);
        }
    }
    written
}

/// Runs the official oracle (Schematron + XSD) on `xml` and asserts every
/// file passes.
fn oracle_accepts(xml: &[PathBuf]) {
    let Some(shared) = pintae_corpus::shared_or_skip("the oracle on converted fixtures") else {
        return;
    };
    let out = std::process::Command::new(shared.join("tools/oracle"))
        .args(xml)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the oracle: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("oracle said {line}: {e}"));
        seen += 1;
        let failed = v["failed"].as_array().map_or(0, Vec::len);
        let xsd = v["xsd"]["valid"].as_bool();
        assert!(
            failed == 0 && xsd == Some(true) && v.get("error").is_none(),
            "oracle rejects: {line}"
        );
    }
    assert_eq!(
        seen,
        xml.len(),
        "oracle answered for {seen} of {} files: {}",
        xml.len(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn valid_taxstar_fixtures_pass_bundled_rules_and_oracle() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let xml = valid_fixtures("taxstar", dir.path());
    oracle_accepts(&xml);
}

#[test]
fn valid_evatra_fixtures_pass_bundled_rules_and_oracle() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let xml = valid_fixtures("evatra", dir.path());
    oracle_accepts(&xml);
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn pairs(v: &Value) -> BTreeSet<(String, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())))
        .collect()
}

fn invalid_fixtures(platform: &str) {
    let ents = entities();
    let inputs = files(&format!("testdata/convert/{platform}/invalid"), "json");
    assert!(!inputs.is_empty());
    for f in inputs {
        let exp_text =
            std::fs::read_to_string(f.with_extension("expected")).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let exp: Value = serde_json::from_str(&exp_text).unwrap_or_else(|e| panic!("{e}"));
        let exp = exp.as_array().cloned().unwrap_or_default();
        let got = convert(platform, &f, &ents);
        assert_eq!(got.len(), exp.len(), "{}: number of invoices", f.display());
        for (c, e) in got.iter().zip(&exp) {
            let what = format!("{} {:?}", f.display(), c.index);
            assert_eq!(
                u64::from(c.status.code()),
                e["status"].as_u64().unwrap_or(0),
                "{what}: status; errors {:?}",
                c.errors
            );
            let errors: BTreeSet<String> = c.errors.iter().map(|i| i.path.clone()).collect();
            assert_eq!(errors, strings(&e["errors"]), "{what}: field errors {:?}", c.errors);
            let failed: BTreeSet<(String, String)> = check(c)
                .map(|k| {
                    k.failed
                        .iter()
                        .map(|m| (m.failure.id.clone(), m.json_path.clone()))
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(failed, pairs(&e["failed"]), "{what}: failed rules");
            if let Some(w) = e.get("warnings") {
                let warned: BTreeSet<String> = c.warnings.iter().map(|i| i.path.clone()).collect();
                assert_eq!(warned, strings(w), "{what}: warnings");
            }
        }
    }
}

#[test]
fn invalid_taxstar_fixtures_report_their_fields() {
    invalid_fixtures("taxstar");
}

#[test]
fn invalid_evatra_fixtures_report_their_fields() {
    invalid_fixtures("evatra");
}

/// The JSON example in a seed document: the object that starts at the
/// first `{` after `marker`.
fn seed_json(seed: &str, marker: &str) -> Option<String> {
    let dir = pintae_corpus::shared_or_skip("the seeds' examples")?.join("seeds");
    let file = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(seed)))?;
    let text = std::fs::read_to_string(file).ok()?;
    let start = text.find(marker)? + marker.len();
    let open = start + text[start..].find('{')?;
    let mut depth = 0i32;
    for (i, ch) in text[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[open..=open + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

fn failed_set(c: &Converted) -> BTreeSet<(String, String)> {
    check(c)
        .map(|k| {
            k.failed
                .iter()
                .map(|m| (m.failure.id.clone(), m.json_path.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn seed_taxstar_example_converts_and_names_what_it_lacks() {
    let Some(body) = seed_json("001_", "Push invoice") else {
        eprintln!("skipped: ../shared/seeds not found");
        return;
    };
    let ent =
        std::fs::read(pintae_corpus::workspace_dir().join("testdata/convert/seed-entity.json")).unwrap_or_default();
    let ents = Entities::from_entity_json(&ent).unwrap_or_else(|e| panic!("{e}"));
    let got = taxstar::convert(body.as_bytes(), &ents);
    assert_eq!(got.len(), 1);
    assert!(got[0].errors.is_empty(), "{:?}", got[0].errors);
    // the seed's buyer has no street or emirate, a TRN that is not a UAE
    // TRN, and no due date: PINT-AE needs all four
    assert_eq!(
        failed_set(&got[0]),
        set(&[
            ("ibr-127-ae", "due_date"),
            ("ibr-144-ae", "buyer.address_line1"),
            ("ibr-132-ae", "buyer.trn")
        ])
    );
    // with those four fields the same body is a valid PINT-AE invoice
    let mut v: Value = serde_json::from_str(&body).unwrap_or_default();
    v["due_date"] = "2026-07-15".into();
    v["buyer"]["address_line1"] = "Office 12, Business Bay".into();
    v["buyer"]["region"] = "Dubai".into();
    v["buyer"]["trn"] = "100987654300003".into();
    let fixed = taxstar::convert(v.to_string().as_bytes(), &ents);
    assert!(fixed[0].errors.is_empty(), "{:?}", fixed[0].errors);
    assert!(failed_set(&fixed[0]).is_empty(), "{:?}", failed_set(&fixed[0]));
}

#[test]
fn seed_evatra_example_converts_and_lists_what_it_lacks() {
    let Some(body) = seed_json("002_", "--data-raw '") else {
        eprintln!("skipped: ../shared/seeds not found");
        return;
    };
    let c = evatra::convert(body.as_bytes());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let sup = "ublDto.AccountingSupplierParty.Party";
    let cus = "ublDto.AccountingCustomerParty.Party";
    let expected = [
        ("ibr-154-ae", "ublDto.ProfileExecutionID".to_string()),
        (
            "ibr-172-ae",
            format!("{sup}.PartyLegalEntity[0].CompanyID.schemeAgencyName"),
        ),
        ("ibr-143-ae", format!("{sup}.PostalAddress.CityName")),
        (
            "ibr-101-ae",
            format!("{cus}.PartyLegalEntity[0].CompanyID.schemeAgencyName"),
        ),
        ("ibr-144-ae", format!("{cus}.PostalAddress.CityName")),
        ("ibr-133-ae", format!("{cus}.PartyTaxScheme[0].TaxScheme.ID")),
        (
            "ibr-104-ae",
            "ublDto.InvoiceLine[0].ItemPriceExtension.TaxTotal.TaxAmount".to_string(),
        ),
        (
            "ibr-194-ae",
            "ublDto.InvoiceLine[0].ItemPriceExtension.Amount".to_string(),
        ),
        (
            "ibr-126-ae",
            "ublDto.InvoiceLine[0].Price.AllowanceCharge.BaseAmount".to_string(),
        ),
    ];
    let expected: BTreeSet<(String, String)> = expected.iter().map(|(a, b)| (a.to_string(), b.clone())).collect();
    assert_eq!(failed_set(&c), expected);
    // platform-only keys are not emitted, nothing is dropped silently
    let xml = String::from_utf8(c.written.map(|w| w.xml).unwrap_or_default()).unwrap_or_default();
    for k in ["CompanyId", "PartnerUuid", "EASY_INVOICE", "UAE_PINT", "receiverEmails"] {
        assert!(!xml.contains(k), "{k} emitted");
    }
    assert!(
        !xml.contains("<cbc:PeppolParticipantId") && !xml.contains("></cbc:"),
        "empty or platform elements emitted"
    );
}
