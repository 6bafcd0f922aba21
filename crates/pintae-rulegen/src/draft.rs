//! Drafts the project's rule files from the official artefacts' semantics:
//! each official assert becomes a rule whose test is the same expression
//! re-printed in the project's canonical style (code lists moved to data
//! files), and whose message, explanation and fix hint are written by the
//! project's own describer. Texts already in `rules/` (hand-edited) are
//! kept when the draft is redone.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use anyhow::{bail, Context, Result};
use pintae_rules::schematron::def::{BodyDef, CheckDef, SchemaDef};
use pintae_rules::xpath::ast::{Ast, AstKind};
use pintae_rules::xpath::{parser, print};

use crate::describe::{self, Lists};

/// A code list drafted from the official tests and genericode files.
#[derive(Clone, Debug)]
pub struct ListOut {
    /// List id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Provenance.
    pub source: String,
    /// Codes and names, in rule order.
    pub codes: Vec<(String, String)>,
}

struct Genericode {
    stem: String,
    title: String,
    names: HashMap<String, String>,
    order: Vec<String>,
}

fn read_gc(path: &Path) -> Result<Genericode> {
    let text = std::fs::read_to_string(path)?;
    let doc = roxmltree::Document::parse(&text)?;
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("ShortName"))
        .and_then(|n| n.text())
        .unwrap_or("")
        .to_string();
    let mut names = HashMap::new();
    let mut order = Vec::new();
    for row in doc.descendants().filter(|n| n.has_tag_name("Row")) {
        let col = |c: &str| {
            row.children()
                .find(|v| v.has_tag_name("Value") && v.attribute("ColumnRef") == Some(c))
                .and_then(|v| v.descendants().find(|s| s.has_tag_name("SimpleValue")))
                .and_then(|s| s.text())
                .map(str::to_string)
        };
        if let Some(id) = col("id") {
            names.insert(id.clone(), col("name").unwrap_or_default());
            order.push(id);
        }
    }
    Ok(Genericode {
        stem: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        title,
        names,
        order,
    })
}

/// Literal → code list, built from every test of every official file.
#[derive(Default)]
pub struct CodeLists {
    /// exact literal text → list id (space-separated lists)
    spaced: HashMap<String, String>,
    /// alternation text (inside a regex group) → list id
    alternations: HashMap<String, String>,
    /// The lists, in order of first use.
    pub lists: Vec<ListOut>,
    auto_ids: Vec<String>,
}

const MIN_CODES: usize = 6;

/// Names for the lists that match no genericode file exactly (keyed by the
/// name the draft would otherwise give them).
const NAMES: &[(&str, &str, &str)] = &[
    (
        "BR-CL-01-codes",
        "UNCL1001-invoice-en16931",
        "Invoice type codes (UNTDID 1001, EN 16931 selection)",
    ),
    (
        "BR-CL-01-codes-BR-CL-01",
        "UNCL1001-creditnote-en16931",
        "Credit note type codes (UNTDID 1001, EN 16931 selection)",
    ),
    (
        "BR-CL-03-codes",
        "ISO4217-en16931",
        "Currency codes (ISO 4217, EN 16931 list)",
    ),
    (
        "ibr-cl-03-codes",
        "ISO4217-pint",
        "Currency codes (ISO 4217, PINT list)",
    ),
    (
        "BR-CL-08-codes",
        "UNCL4451-en16931",
        "Text subject qualifiers (UNTDID 4451)",
    ),
    (
        "BR-CL-16-codes",
        "UNCL4461-en16931",
        "Payment means codes (UNTDID 4461, EN 16931 list)",
    ),
    (
        "ibr-cl-16-codes",
        "UNCL4461-pint",
        "Payment means codes (UNTDID 4461, PINT list)",
    ),
    (
        "BR-CL-17-codes",
        "UNCL5305-en16931",
        "VAT category codes (UNTDID 5305, EN 16931 selection)",
    ),
    ("BR-CL-22-codes", "VATEX-en16931", "VAT exemption reason codes (VATEX)"),
    (
        "BR-CL-25-codes",
        "EAS-en16931",
        "Electronic address schemes (EAS, EN 16931 list)",
    ),
    (
        "BR-CO-09-codes",
        "ISO3166-vat-prefix",
        "Country codes accepted as the prefix of a VAT identifier",
    ),
    (
        "ISO3166-ibr-010-ae",
        "ISO3166-passport",
        "Country codes accepted as a passport's issuing country",
    ),
    (
        "UNCL7143-BR-CL-13",
        "UNCL7143-en16931",
        "Item type identification codes (UNTDID 7143, EN 16931 order)",
    ),
    (
        "UNECERec20-BR-CL-23",
        "UNECERec20-en16931",
        "Units of measure (UN/ECE Rec 20 and 21, EN 16931 order)",
    ),
    ("ibr-139-ae-codes", "UNCL5305-ae", "VAT category codes used in the UAE"),
];

fn spaced_codes(s: &str) -> Option<Vec<&str>> {
    let toks: Vec<&str> = s.split(' ').filter(|t| !t.is_empty()).collect();
    let canonical = format!(" {} ", toks.join(" "));
    (toks.len() >= MIN_CODES && canonical == s).then_some(toks)
}

fn alternation(s: &str) -> Option<(usize, usize)> {
    static RE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\(([A-Z0-9]+(\|[A-Z0-9]+){19,})\)").expect("valid regex"));
    let m = RE.captures(s)?.get(1)?;
    Some((m.start(), m.end()))
}

fn literals(e: &Ast, out: &mut Vec<String>) {
    if let AstKind::String(s) = &e.kind {
        out.push(s.clone());
    }
    let mut v = |x: &Ast| literals(x, out);
    match &e.kind {
        AstKind::Call { args, .. } => args.iter().for_each(&mut v),
        AstKind::Sequence(items) => items.iter().for_each(&mut v),
        AstKind::Step { preds, .. } => preds.iter().for_each(&mut v),
        AstKind::Filter { base, preds } => {
            v(base);
            preds.iter().for_each(&mut v);
        }
        AstKind::Or(l, r)
        | AstKind::And(l, r)
        | AstKind::General(_, l, r)
        | AstKind::Value(_, l, r)
        | AstKind::NodeCmp(_, l, r)
        | AstKind::Range(l, r)
        | AstKind::Arith(_, l, r)
        | AstKind::Union(l, r)
        | AstKind::Intersect(l, r)
        | AstKind::Except(l, r)
        | AstKind::Path(l, r)
        | AstKind::PathDesc(l, r) => {
            v(l);
            v(r);
        }
        AstKind::FromRoot(x)
        | AstKind::FromRootDesc(x)
        | AstKind::Neg(x)
        | AstKind::Cast(x, ..)
        | AstKind::Castable(x, ..)
        | AstKind::InstanceOf(x, _)
        | AstKind::Treat(x, _) => v(x),
        AstKind::If(a, b, c) => {
            v(a);
            v(b);
            v(c);
        }
        AstKind::For(vars, body) | AstKind::Quantified(_, vars, body) => {
            vars.iter().for_each(|(_, x)| v(x));
            v(body);
        }
        _ => {}
    }
}

impl CodeLists {
    /// Finds every code-list literal in the tests, in order of first use.
    pub fn build(codelist_dir: &Path, defs: &[&SchemaDef]) -> Result<CodeLists> {
        let mut gcs = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(codelist_dir)?.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries.iter().filter(|p| p.extension().is_some_and(|x| x == "gc")) {
            gcs.push(read_gc(p)?);
        }
        let mut out = CodeLists::default();
        for def in defs {
            for check in checks(def) {
                let ast = parser::parse(&check.test).map_err(|e| anyhow::anyhow!("{e}"))?;
                let mut lits = Vec::new();
                literals(&ast, &mut lits);
                let rule = check.id.clone().unwrap_or_default();
                for l in lits {
                    if out.spaced.contains_key(&l) {
                        continue;
                    }
                    if let Some(codes) = spaced_codes(&l) {
                        let id = out.new_list(&gcs, &codes, &rule);
                        out.spaced.insert(l.clone(), id);
                    } else if let Some((a, b)) = alternation(&l) {
                        let alt = l[a..b].to_string();
                        if !out.alternations.contains_key(&alt) {
                            let codes: Vec<&str> = alt.split('|').collect();
                            let id = out.new_list(&gcs, &codes, &rule);
                            out.alternations.insert(alt, id);
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn new_list(&mut self, gcs: &[Genericode], codes: &[&str], rule: &str) -> String {
        let set: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
        let same = |g: &Genericode| g.order.len() == set.len() && g.order.iter().all(|c| set.contains(c.as_str()));
        let superset = |g: &Genericode| set.iter().all(|c| g.names.contains_key(*c));
        let codes_owned: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        // an existing list with the same codes in the same order
        if let Some(l) = self
            .lists
            .iter()
            .find(|l| l.codes.iter().map(|(c, _)| c).eq(codes_owned.iter()))
        {
            return l.id.clone();
        }
        let (mut id, title, gc) = if let Some(g) = gcs.iter().find(|g| same(g)) {
            (g.stem.clone(), g.title.clone(), Some(g))
        } else if let Some(g) = gcs.iter().filter(|g| superset(g)).min_by_key(|g| g.order.len()) {
            (
                format!("{}-{}", g.stem, rule),
                format!("{} (the codes {rule} accepts)", g.title),
                Some(g),
            )
        } else {
            (format!("{rule}-codes"), format!("Codes accepted by {rule}"), None)
        };
        if self.auto_ids.contains(&id) {
            id = format!("{id}-{rule}");
        }
        self.auto_ids.push(id.clone());
        let mut title = title;
        if let Some((_, new_id, new_title)) = NAMES.iter().find(|(auto, _, _)| *auto == id) {
            id = new_id.to_string();
            title = new_title.to_string();
        }
        let name = |c: &str| {
            gc.and_then(|g| g.names.get(c))
                .or_else(|| gcs.iter().find_map(|g| g.names.get(c)))
                .cloned()
                .unwrap_or_default()
        };
        self.lists.push(ListOut {
            id: id.clone(),
            title,
            source: format!(
                "the codes {rule} of the official artefacts accepts, in the order the rules list them; names from the PINT-AE 1.0.4 genericode lists where they have the code"
            ),
            codes: codes.iter().map(|c| (c.to_string(), name(c))).collect(),
        });
        id
    }

    fn title_of(&self, id: &str) -> Option<String> {
        self.lists
            .iter()
            .find(|l| l.id == id)
            .map(|l| format!("{} ({id})", l.title))
    }

    /// The literal's replacement in a rule file, if it is a code list.
    fn replace(&self, lit: &str) -> Option<String> {
        if let Some(id) = self.spaced.get(lit) {
            return Some(format!("{{codes:{id}}}"));
        }
        let (a, b) = alternation(lit)?;
        let id = self.alternations.get(&lit[a..b])?;
        Some(print::quote(&format!("{}{{codes:{id}|}}{}", &lit[..a], &lit[b..])))
    }
}

impl Lists for CodeLists {
    fn title(&self, literal: &str) -> Option<String> {
        if let Some(id) = self.spaced.get(literal) {
            return self.title_of(id);
        }
        let (a, b) = alternation(literal)?;
        self.title_of(self.alternations.get(&literal[a..b])?)
    }
}

/// Every check of a schema, in order.
pub fn checks(def: &SchemaDef) -> impl Iterator<Item = &CheckDef> {
    def.patterns
        .iter()
        .flat_map(|p| p.rules.iter())
        .flat_map(|r| r.checks.iter())
}

/// The canonical text of an expression, with code lists as `{codes:ID}`.
pub fn canonical(expr: &str, lists: &CodeLists) -> Result<String> {
    let ast = parser::parse(expr).map_err(|e| anyhow::anyhow!("{e}: {expr}"))?;
    Ok(print::to_xpath_with(&ast, &mut |lit| lists.replace(lit)))
}

/// A TOML string: a literal string when possible (no escapes to read).
pub fn toml_str(s: &str) -> String {
    if !s.contains('\'') && !s.contains('\n') && !s.chars().any(char::is_control) {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Business terms named in an official message: facts (`ibt-003` → `IBT-003`).
pub fn terms(message: &str) -> Vec<String> {
    static RE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)\b(ibt|ibg|btae|bt|bg)-?(\d+)(-\d+)?\b").expect("valid regex"));
    let mut out: Vec<String> = Vec::new();
    for c in RE.captures_iter(message) {
        let t = format!(
            "{}-{}{}",
            c[1].to_uppercase(),
            &c[2],
            c.get(3).map(|m| m.as_str()).unwrap_or("")
        );
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Texts kept from existing rule files (hand edits survive a redraft).
#[derive(Clone, Debug, Default)]
pub struct Texts {
    /// Business terms.
    pub terms: Vec<String>,
    /// Message.
    pub message: String,
    /// Explanation.
    pub explanation: String,
    /// Fix hint.
    pub fix: String,
    /// Note on odd official behaviour.
    pub note: Option<String>,
    /// Offending-value expression.
    pub value: Option<String>,
}

/// What kind of rule a check is, for the wording of its texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    NotInModel,
    Cardinality,
    DataType,
    CodeList,
    Calculation,
    VatCategory,
    Other,
}

fn family(id: &str) -> Family {
    let u = id.to_uppercase();
    if u.starts_with("UBL-CR") {
        Family::NotInModel
    } else if u.starts_with("UBL-SR") || u.starts_with("IBR-SR") {
        Family::Cardinality
    } else if u.starts_with("UBL-DT") || u.starts_with("BR-DEC") {
        Family::DataType
    } else if u.starts_with("BR-CL") || u.starts_with("IBR-CL") {
        Family::CodeList
    } else if u.starts_with("BR-CO") || u.starts_with("IBR-CO") {
        Family::Calculation
    } else if [
        "BR-S-", "BR-Z-", "BR-E-", "BR-AE-", "BR-O-", "BR-IC-", "BR-G-", "BR-AF-", "BR-AG-", "BR-B-",
    ]
    .iter()
    .any(|p| u.starts_with(p))
        || u.starts_with("ALIGNED-IBRP")
    {
        Family::VatCategory
    } else {
        Family::Other
    }
}

fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out: String = f.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

/// Drafts the texts of one rule from its test, context and family.
pub fn draft_texts(check: &CheckDef, ctx_words: &str, lists: &CodeLists, official_message: &str) -> Result<Texts> {
    let id = check.id.clone().unwrap_or_default();
    // a long list of contexts reads badly in a sentence
    let ctx_words = if ctx_words.len() > 60 {
        "this element"
    } else {
        ctx_words
    };
    let ast = parser::parse(&check.test).map_err(|e| anyhow::anyhow!("{e}"))?;
    let fam = family(&id);
    let req = describe::requirement(&ast, lists);
    let mut paths = Vec::new();
    describe::paths_in(&ast, &mut paths);
    let elements = if paths.is_empty() {
        "the values this rule reads".to_string()
    } else {
        paths.join(", ")
    };
    let warning = check.flag.as_deref() == Some("warning");
    let never = matches!(&ast.kind, AstKind::Call { name, args } if name == "true" && args.is_empty());
    let message = match (&req, fam) {
        _ if never => format!("Rule {id} has a test that always holds; it never fails."),
        (Some(_), Family::NotInModel) => sentence(&format!(
            "{} should not be sent: it is not part of the EN 16931 model",
            paths.first().cloned().unwrap_or_else(|| "this element".into())
        )),
        (Some(r), _) => sentence(&format!("In {ctx_words}, {r}")),
        (None, _) if paths.is_empty() => sentence(&format!("{ctx_words} fails rule {id}")),
        (None, _) => sentence(&format!("{ctx_words} fails rule {id}, which checks {elements}")),
    };
    let origin = {
        let l = id.to_lowercase();
        if l.starts_with("ibr-") && l.ends_with("-ae") {
            "A UAE rule of PINT-AE (specific to the UAE jurisdiction)."
        } else if l.starts_with("aligned-ibrp") {
            "A PINT rule on VAT categories, as aligned for the UAE."
        } else if l.starts_with("ibr-") {
            "A rule of the Peppol International (PINT) core model."
        } else if l.starts_with("ubl-") {
            "An EN 16931 rule on the use of the UBL syntax."
        } else {
            "A business rule of the European standard EN 16931."
        }
    };
    let what = match fam {
        Family::NotInModel => "EN 16931 uses only part of UBL 2.1. Elements outside the semantic model are not forbidden by UBL, but receivers following EN 16931 ignore them, so each one is flagged.",
        Family::Cardinality => "UBL allows this information more often than the semantic model does; a receiver would not know which occurrence to use.",
        Family::DataType => "The value must follow the data type the semantic model defines for it (decimal places, format, attributes).",
        Family::CodeList => "Coded values must come from the code list the specification names, so that receivers can process them automatically (the codes are listed with the rule).",
        Family::Calculation => "Totals must follow from the amounts they summarise. Amounts are compared as exact decimals, as the official rules do, so rounding must be done exactly as the formula says.",
        Family::VatCategory => "VAT information must be consistent per VAT category: the category code decides which rates, exemption reasons and breakdowns are allowed.",
        Family::Other => "",
    };
    let mut explanation = format!(
        "{origin} {what}{}Checked on {}. {}",
        if what.is_empty() { "" } else { " " },
        if ctx_words == "this element" {
            "each element the context matches".to_string()
        } else {
            format!("every {ctx_words}")
        },
        if warning {
            "A failure is a warning: the document stays valid."
        } else {
            "A failure is fatal: the document is rejected."
        }
    );
    if never {
        explanation.push_str(
            " The official rule's test is the constant true, so it can never fail; pintae keeps it for parity.",
        );
    }
    let fix = match fam {
        _ if never => "Nothing to do: this rule cannot fail.".to_string(),
        Family::NotInModel => format!(
            "Remove {} from the document.",
            paths.first().cloned().unwrap_or(elements.clone())
        ),
        Family::Cardinality => format!(
            "Keep a single {} and remove the others.",
            paths.first().cloned().unwrap_or(elements.clone())
        ),
        _ => match describe::fix(&ast, lists) {
            // "Add ID." says more as "Add ID to the DeliveryTerms."
            Some(f)
                if f.starts_with("Add ")
                    && f.matches('.').count() == 1
                    && !f.contains('(')
                    && ctx_words != "this element" =>
            {
                format!("{} to the {ctx_words}.", f.trim_end_matches('.'))
            }
            Some(f) => f,
            None if fam == Family::Calculation => {
                format!("Recompute {elements} so that the formula of the rule holds exactly.")
            }
            None => format!("Correct {elements} as the message says."),
        },
    };
    let _ = official_message;
    Ok(Texts {
        terms: terms(official_message),
        message,
        explanation,
        fix,
        note: None,
        value: None,
    })
}

/// Writes one part (`SchemaDef`) as TOML files, one per pattern; returns
/// the file names in order. Texts in `keep` are kept, except message,
/// explanation and fix when `retext` is set.
pub fn write_part(
    out_dir: &Path,
    prefix: &str,
    def: &SchemaDef,
    lists: &CodeLists,
    keep: &BTreeMap<String, Texts>,
    retext: bool,
) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for (pi, p) in def.patterns.iter().enumerate() {
        let pid = p.id.clone().unwrap_or_else(|| format!("pattern-{pi}"));
        let fname = format!("{prefix}-{}.toml", pid.to_lowercase());
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# {prefix}: pattern {pid}. Format: rules/README.md. Within a pattern the\n# first context that matches an element takes it; order matters.\n"
        );
        if pi == 0 {
            s.push_str("[namespaces]\n");
            for (pfx, uri) in &def.namespaces {
                let _ = writeln!(s, "{pfx} = {}", toml_str(uri));
            }
            s.push('\n');
            for f in &def.functions {
                let _ = writeln!(s, "[[function]]\nname = {}", toml_str(&f.name));
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|(n, t)| match t {
                        Some(t) => format!("[{}, {}]", toml_str(n), toml_str(t)),
                        None => format!("[{}]", toml_str(n)),
                    })
                    .collect();
                let _ = writeln!(s, "params = [{}]", params.join(", "));
                if let Some(r) = &f.returns {
                    let _ = writeln!(s, "returns = {}", toml_str(r));
                }
                s.push_str("body = [\n");
                for st in &f.body {
                    let line = match st {
                        BodyDef::Variable {
                            name,
                            select: Some(sel),
                            ..
                        } => {
                            format!(
                                "{{ let = {}, select = {} }}",
                                toml_str(name),
                                toml_str(&canonical(sel, lists)?)
                            )
                        }
                        BodyDef::Variable {
                            name,
                            select: None,
                            text,
                        } => {
                            format!("{{ let = {}, text = {} }}", toml_str(name), toml_str(text))
                        }
                        BodyDef::ValueOf(e) => format!("{{ value = {} }}", toml_str(&canonical(e, lists)?)),
                        BodyDef::Sequence(e) => format!("{{ sequence = {} }}", toml_str(&canonical(e, lists)?)),
                    };
                    let _ = writeln!(s, "  {line},");
                }
                s.push_str("]\n\n");
            }
            for l in &def.lets {
                let _ = writeln!(
                    s,
                    "[[let]]\nname = {}\nvalue = {}\n",
                    toml_str(&l.name),
                    toml_str(&canonical(&l.value, lists)?)
                );
            }
        }
        if !p.lets.is_empty() {
            bail!("pattern variables are not supported by the rule format");
        }
        for r in &p.rules {
            let ctx_src = canonical(&r.context, lists)?;
            let ctx_ast = parser::parse(&r.context).map_err(|e| anyhow::anyhow!("{e}"))?;
            let ctx_words = describe::context(&ctx_ast);
            let _ = writeln!(
                s,
                "[[context]]\npattern = {}\nmatch = {}",
                toml_str(&pid),
                toml_str(&ctx_src)
            );
            if !r.lets.is_empty() {
                let lets: Result<Vec<String>> = r
                    .lets
                    .iter()
                    .map(|l| {
                        Ok(format!(
                            "{{ name = {}, value = {} }}",
                            toml_str(&l.name),
                            toml_str(&canonical(&l.value, lists)?)
                        ))
                    })
                    .collect();
                let _ = writeln!(s, "lets = [{}]", lets?.join(", "));
            }
            s.push('\n');
            for c in &r.checks {
                let id = c.id.clone().context("an official check without id")?;
                let official_msg: String = c
                    .message
                    .iter()
                    .filter_map(|m| match m {
                        pintae_rules::schematron::def::MessageDef::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                let t = match keep.get(&id) {
                    Some(k) if retext => Texts {
                        note: k.note.clone(),
                        value: k.value.clone(),
                        ..draft_texts(c, &ctx_words, lists, &official_msg)?
                    },
                    Some(t) => t.clone(),
                    None => draft_texts(c, &ctx_words, lists, &official_msg)?,
                };
                let _ = writeln!(s, "[[context.rule]]\nid = {}", toml_str(&id));
                let _ = writeln!(s, "flag = {}", toml_str(c.flag.as_deref().unwrap_or("fatal")));
                if c.kind == pintae_rules::schematron::CheckKind::Report {
                    s.push_str("report = true\n");
                }
                let terms: Vec<String> = t.terms.iter().map(|x| toml_str(x)).collect();
                let _ = writeln!(s, "terms = [{}]", terms.join(", "));
                let _ = writeln!(s, "test = {}", toml_str(&canonical(&c.test, lists)?));
                if let Some(v) = &t.value {
                    let _ = writeln!(s, "value = {}", toml_str(v));
                }
                let _ = writeln!(s, "message = {}", toml_str(&t.message));
                let _ = writeln!(s, "explanation = {}", toml_str(&t.explanation));
                let _ = writeln!(s, "fix = {}", toml_str(&t.fix));
                if let Some(n) = &t.note {
                    let _ = writeln!(s, "note = {}", toml_str(n));
                }
                s.push('\n');
            }
        }
        std::fs::write(out_dir.join(&fname), s.trim_end().to_string() + "\n")?;
        files.push(fname);
    }
    Ok(files)
}

/// Writes the code list files.
pub fn write_lists(dir: &Path, lists: &CodeLists) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for l in &lists.lists {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "id = {}\ntitle = {}\nsource = {}\ncodes = [",
            toml_str(&l.id),
            toml_str(&l.title),
            toml_str(&l.source)
        );
        for (c, n) in &l.codes {
            if n.is_empty() {
                let _ = writeln!(s, "  [{}],", toml_str(c));
            } else {
                let _ = writeln!(s, "  [{}, {}],", toml_str(c), toml_str(n));
            }
        }
        s.push_str("]\n");
        std::fs::write(dir.join(format!("{}.toml", l.id)), s)?;
    }
    Ok(())
}
