//! `pintae-rulegen`: maintenance of `rules/` and `docs/rules/`.
//!
//!     pintae-rulegen draft          # (re)draft rules/ from ../shared; keeps existing texts
//!     pintae-rulegen draft --retext # … and re-draft every message, explanation and fix:
//!                                   # hand-written texts are overwritten (notes are kept)
//!     pintae-rulegen docs           # regenerate docs/rules/*.md from the bundled rules

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pintae_corpus::workspace_dir;
use pintae_rulegen::draft::{self, CodeLists, Texts};
use pintae_rules::bundled;
use pintae_rules::schematron::SchemaDef;

fn shared() -> Result<PathBuf> {
    pintae_corpus::shared_dir().context("../shared not found (set PINTAE_SHARED)")
}

fn read(shared: &Path, rel: &str) -> Result<SchemaDef> {
    let text = std::fs::read_to_string(shared.join("reference").join(rel)).with_context(|| rel.to_string())?;
    SchemaDef::from_schematron(rel, &text).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Texts of the rules already in `rules/` (as built into this binary).
fn kept(ruleset: &str) -> BTreeMap<String, Texts> {
    let Ok(set) = bundled::ruleset(ruleset) else {
        return BTreeMap::new();
    };
    set.rules()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                Texts {
                    terms: r.terms.clone(),
                    message: r.message.clone(),
                    explanation: r.explanation.clone(),
                    fix: r.fix.clone(),
                    note: r.note.clone(),
                    value: r.value.clone(),
                },
            )
        })
        .collect()
}

struct Meta<'a> {
    id: &'a str,
    version: &'a str,
    valid_from: &'a str,
    title: &'a str,
    description: &'a str,
    specifications: &'a [&'a str],
    prefixes: &'a [&'a str],
}

fn ruleset_toml(m: &Meta, based_on: Option<&str>, parts: &[(&str, Vec<String>)], overrides: &str) -> String {
    let q = draft::toml_str;
    let list = |xs: &[&str]| xs.iter().map(|x| q(x)).collect::<Vec<_>>().join(", ");
    let mut s = format!(
        "# Rule set {}. Format: rules/README.md.\nid = {}\nversion = {}\nvalid_from = {}\ntitle = {}\ndescription = {}\nspecifications = [{}]\nspecification_prefixes = [{}]\n",
        m.id,
        q(m.id),
        q(m.version),
        q(m.valid_from),
        q(m.title),
        q(m.description),
        list(m.specifications),
        list(m.prefixes)
    );
    if let Some(b) = based_on {
        s.push_str(&format!("based_on = {}\n", q(b)));
    }
    for (name, files) in parts {
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        s.push_str(&format!("\n[[part]]\nname = {}\nfiles = [{}]\n", q(name), list(&files)));
    }
    s.push_str(overrides);
    s
}

fn draft_all() -> Result<()> {
    let shared = shared()?;
    let rules = workspace_dir().join("rules");
    let retext = std::env::args().any(|a| a == "--retext");
    let core = read(
        &shared,
        "pint-ae/billing/schematron/PINT-UBL-validation-preprocessed.sch",
    )?;
    let juris = read(
        &shared,
        "pint-ae/billing/schematron/PINT-jurisdiction-aligned-rules.sch",
    )?;
    let sb_core = read(
        &shared,
        "pint-ae/selfbilling/schematron/PINT-UBL-validation-preprocessed.sch",
    )?;
    let sb_juris = read(
        &shared,
        "pint-ae/selfbilling/schematron/PINT-jurisdiction-aligned-rules.sch",
    )?;
    let en = read(
        &shared,
        "en16931-ubl/schematron/EN16931-UBL-validation-preprocessed.sch",
    )?;
    let lists = CodeLists::build(
        &shared.join("reference/pint-ae/billing/codelist"),
        &[&core, &juris, &sb_core, &sb_juris, &en],
    )?;
    draft::write_lists(&rules.join("codelists"), &lists)?;

    // PINT-AE billing
    let dir = rules.join("pint-ae-billing");
    std::fs::create_dir_all(&dir)?;
    let keep = kept("pint-ae-billing");
    let core_files = draft::write_part(&dir, "core", &core, &lists, &keep, retext)?;
    let juris_files = draft::write_part(&dir, "jurisdiction", &juris, &lists, &keep, retext)?;
    let billing = Meta {
        id: "pint-ae-billing",
        version: "1.0.4",
        valid_from: "2026-05-25",
        title: "PINT-AE billing 1.0.4 (UAE Peppol: tax invoices and credit notes)",
        description: "The Peppol International (PINT) core rules and the UAE jurisdiction rules that the UAE Peppol network applies to tax invoices, commercial invoices and credit notes.",
        specifications: &["urn:peppol:pint:billing-1@ae-1"],
        prefixes: &["urn:peppol:pint:billing-1@ae-"],
    };
    std::fs::write(
        dir.join("ruleset.toml"),
        ruleset_toml(
            &billing,
            None,
            &[("core", core_files), ("jurisdiction", juris_files)],
            "",
        ),
    )?;

    // PINT-AE self-billing: the billing rules with the tests that differ
    let mut overrides = String::new();
    for (base, sb) in [(&core, &sb_core), (&juris, &sb_juris)] {
        for (a, b) in draft::checks(base).zip(draft::checks(sb)) {
            anyhow::ensure!(
                a.id == b.id,
                "self-billing files are not parallel to billing at {:?}",
                b.id
            );
            if a.test != b.test {
                overrides.push_str(&format!(
                    "\n[[override]]\nid = {}\ntest = {}\n",
                    draft::toml_str(b.id.as_deref().unwrap_or_default()),
                    draft::toml_str(&draft::canonical(&b.test, &lists)?)
                ));
            }
        }
    }
    let dir = rules.join("pint-ae-selfbilling");
    std::fs::create_dir_all(&dir)?;
    let sb = Meta {
        id: "pint-ae-selfbilling",
        version: "1.0.4",
        valid_from: "2026-05-25",
        title: "PINT-AE self-billing 1.0.4 (UAE Peppol: self-billed invoices and credit notes)",
        description: "The PINT-AE billing rules with the self-billing document types (389 self-billed invoice, 261 self-billed credit note).",
        specifications: &["urn:peppol:pint:selfbilling-1@ae-1"],
        prefixes: &["urn:peppol:pint:selfbilling-1@ae-"],
    };
    std::fs::write(
        dir.join("ruleset.toml"),
        ruleset_toml(&sb, Some("pint-ae-billing"), &[], &overrides),
    )?;

    // EN 16931
    let dir = rules.join("en16931-ubl");
    std::fs::create_dir_all(&dir)?;
    let keep = kept("en16931-ubl");
    let files = draft::write_part(&dir, "en16931", &en, &lists, &keep, retext)?;
    let enm = Meta {
        id: "en16931-ubl",
        version: "1.3.16",
        valid_from: "2026-04-10",
        title: "EN 16931 UBL 1.3.16 (CEN European e-invoicing standard)",
        description: "The CEN/TC 434 validation rules of the European semantic model EN 16931 bound to UBL 2.1: business rules (fatal) and syntax restrictions (warnings).",
        specifications: &["urn:cen.eu:en16931:2017"],
        prefixes: &["urn:cen.eu:en16931:2017#"],
    };
    std::fs::write(
        dir.join("ruleset.toml"),
        ruleset_toml(&enm, None, &[("en16931", files)], ""),
    )?;
    eprintln!("drafted rules/ ({} code lists)", lists.lists.len());
    Ok(())
}

fn main() -> Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("draft") => draft_all(),
        Some("docs") => {
            let dir = workspace_dir().join("docs/rules");
            std::fs::create_dir_all(&dir)?;
            for set in bundled::rulesets()? {
                let lists = bundled::codelists()?;
                std::fs::write(
                    dir.join(format!("{}.md", set.id)),
                    pintae_rulegen::docs::markdown(set, lists)?,
                )?;
            }
            eprintln!("wrote {}", dir.display());
            Ok(())
        }
        _ => anyhow::bail!("usage: pintae-rulegen draft | docs"),
    }
}
