//! The rule sets bundled with pintae, read from the project's own rule files
//! (`rules/`, embedded at build time; see `rules/README.md` for the format).
//!
//! Each rule set is parsed and compiled once per process, on first use, and
//! then shared by every thread. [`choose`] picks the rule set for a document
//! from its `cbc:CustomizationID`, as the network does.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::schematron::def::{
    BodyDef, CheckDef, FunctionDef, LetDef, MessageDef, PatternDef, RuleDef, RuleDoc, SchemaDef,
};
use crate::schematron::{CheckKind, SchemaError};
use crate::validate::Validator;

mod files {
    include!(concat!(env!("OUT_DIR"), "/bundled_files.rs"));
}

/// A bundled rule file that cannot be used (a bug in `rules/`, caught by the
/// tests; never caused by a document).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file is missing or not valid TOML for its role.
    #[error("rules/{file}: {message}")]
    File {
        /// Path under `rules/`.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An expression does not compile.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// No rule set has this id.
    #[error("unknown rule set \"{id}\"; known: {known}")]
    UnknownRuleSet {
        /// The id asked for.
        id: String,
        /// The known ids, comma-separated.
        known: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSetFile {
    id: String,
    version: String,
    valid_from: String,
    title: String,
    description: String,
    /// `cbc:CustomizationID` values this rule set is chosen for.
    #[serde(default)]
    specifications: Vec<String>,
    /// Prefixes of `cbc:CustomizationID` this rule set is chosen for.
    #[serde(default)]
    specification_prefixes: Vec<String>,
    #[serde(default)]
    based_on: Option<String>,
    #[serde(default)]
    part: Vec<PartFile>,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartFile {
    name: String,
    files: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    id: String,
    test: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    namespaces: BTreeMap<String, String>,
    #[serde(default)]
    function: Vec<FunctionFile>,
    #[serde(default, rename = "let")]
    lets: Vec<LetFile>,
    #[serde(default)]
    context: Vec<ContextFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LetFile {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionFile {
    name: String,
    /// `[name]` or `[name, sequence type]`.
    #[serde(default)]
    params: Vec<Vec<String>>,
    returns: Option<String>,
    body: Vec<StatementFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementFile {
    #[serde(default, rename = "let")]
    var: Option<String>,
    #[serde(default)]
    select: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    sequence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFile {
    pattern: String,
    #[serde(rename = "match")]
    matches: String,
    #[serde(default)]
    lets: Vec<LetFile>,
    #[serde(default)]
    rule: Vec<RuleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    flag: String,
    #[serde(default)]
    report: bool,
    #[serde(default)]
    terms: Vec<String>,
    test: String,
    message: String,
    explanation: String,
    fix: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeListFile {
    id: String,
    title: String,
    source: String,
    codes: Vec<Vec<String>>,
}

/// A code list of the bundled rules (`rules/codelists/*.toml`).
#[derive(Clone, Debug)]
pub struct CodeList {
    /// Identifier used in rule tests as `{codes:ID}`.
    pub id: String,
    /// What the list is.
    pub title: String,
    /// Where its codes come from.
    pub source: String,
    /// Codes with their names (empty when the source gives none), in the
    /// order the rules use them.
    pub codes: Vec<(String, String)>,
}

/// One rule of a bundled rule set, with its documentation.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// The official id (`ibr-128-ae`, `BR-CO-15`).
    pub id: String,
    /// `fatal` or `warning`.
    pub flag: String,
    /// True for a report (fires when the test is true).
    pub report: bool,
    /// The part (schema) of the rule set the rule belongs to.
    pub part: String,
    /// The pattern the rule's context belongs to.
    pub pattern: String,
    /// The context the rule is checked on (an XSLT match pattern).
    pub context: String,
    /// The test as written in the rule file (code lists as `{codes:ID}`).
    pub test: String,
    /// Business terms concerned.
    pub terms: Vec<String>,
    /// What a failure means, in one sentence.
    pub message: String,
    /// Why the rule exists and how it behaves.
    pub explanation: String,
    /// What to change.
    pub fix: String,
    /// Remarks on odd official behaviour the rule reproduces.
    pub note: Option<String>,
    /// Expression selecting the offending value shown in reports.
    pub value: Option<String>,
    /// Code lists the test uses.
    pub codelists: Vec<String>,
}

/// A bundled rule set: its identity and its rules, ready to compile.
#[derive(Debug)]
pub struct RuleSet {
    /// `pint-ae-billing`.
    pub id: String,
    /// `1.0.4`.
    pub version: String,
    /// The date from which the official rules apply (ISO 8601).
    pub valid_from: String,
    /// Human title.
    pub title: String,
    /// What the rule set is for.
    pub description: String,
    /// `cbc:CustomizationID` values it is chosen for.
    pub specifications: Vec<String>,
    /// `cbc:CustomizationID` prefixes it is chosen for.
    pub specification_prefixes: Vec<String>,
    label: String,
    /// Where the rules come from, read on first use.
    source: Source,
    content: OnceLock<Result<Content, String>>,
    validator: OnceLock<Result<Validator, String>>,
}

/// The rule files of a rule set (parsed on first use, so a process that
/// checks only PINT-AE never holds the EN 16931 rules).
#[derive(Debug)]
struct Source {
    /// `ruleset.toml`'s path.
    path: String,
    based_on: Option<String>,
    part: Vec<PartFile>,
    overrides: Vec<OverrideFile>,
}

/// A rule set's parsed rules.
#[derive(Debug)]
struct Content {
    rules: Vec<RuleInfo>,
    parts: Vec<SchemaDef>,
}

impl RuleSet {
    /// `id@version`, as reports name it.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Every rule, in run order (read on first call, then shared).
    pub fn rules(&self) -> Result<&[RuleInfo], BundleError> {
        Ok(&self.content()?.rules)
    }

    /// The compiled validator (compiled on first call, then shared). The
    /// rule files it is compiled from are not kept, unless [`Self::rules`]
    /// or [`Self::parts`] asked for them first.
    pub fn validator(&self) -> Result<&Validator, BundleError> {
        let v = self.validator.get_or_init(|| {
            let fresh;
            let parts = match self.content.get() {
                Some(c) => &c.as_ref()?.parts,
                None => {
                    fresh = self.read().map_err(|e| e.to_string())?;
                    &fresh.parts
                }
            };
            let mut schemas = Vec::new();
            for p in parts {
                schemas.push(p.compile().map_err(|e| e.to_string())?);
            }
            Ok(Validator::new(schemas))
        });
        v.as_ref().map_err(|message| self.error(message))
    }

    /// The schema definitions (one per part), for tools and tests.
    pub fn parts(&self) -> Result<&[SchemaDef], BundleError> {
        Ok(&self.content()?.parts)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Result<Option<&RuleInfo>, BundleError> {
        Ok(self.rules()?.iter().find(|r| r.id == id))
    }

    fn error(&self, message: &str) -> BundleError {
        BundleError::File {
            file: self.source.path.clone(),
            message: message.to_string(),
        }
    }

    fn content(&self) -> Result<&Content, BundleError> {
        self.content
            .get_or_init(|| self.read().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|message| self.error(message))
    }

    /// Reads the rule files: the base set's rules (copied), then this set's
    /// parts, then its overrides.
    fn read(&self) -> Result<Content, BundleError> {
        let src = &self.source;
        let lists = codelists()?;
        let (mut parts, mut rules) = match &src.based_on {
            Some(base) => {
                let b = ruleset(base).map_err(|e| self.error(&format!("based_on: {e}")))?;
                (b.parts()?.to_vec(), b.rules()?.to_vec())
            }
            None => (Vec::new(), Vec::new()),
        };
        let dir = src.path.trim_end_matches("ruleset.toml");
        for part in &src.part {
            let (def, infos) = load_part(files::FILES, dir, part, lists)?;
            parts.push(def);
            rules.extend(infos);
        }
        for o in &src.overrides {
            apply_override(&src.path, o, &mut parts, &mut rules, lists)?;
        }
        Ok(Content { rules, parts })
    }
}

/// The code lists and the rule sets, read from the embedded files once.
struct Bundle {
    lists: BTreeMap<String, CodeList>,
    sets: Vec<RuleSet>,
}

fn bundle() -> Result<&'static Bundle, BundleError> {
    static BUNDLE: OnceLock<Result<Bundle, String>> = OnceLock::new();
    BUNDLE
        .get_or_init(|| load(files::FILES).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| BundleError::File {
            file: String::new(),
            message: message.clone(),
        })
}

/// Every bundled rule set, parsed on first call.
pub fn rulesets() -> Result<&'static [RuleSet], BundleError> {
    Ok(&bundle()?.sets)
}

/// The bundled code lists, parsed on first call.
pub fn codelists() -> Result<&'static BTreeMap<String, CodeList>, BundleError> {
    Ok(&bundle()?.lists)
}

/// The rule set with this id (`pint-ae-billing`, or `pint-ae-billing@1.0.4`).
pub fn ruleset(id: &str) -> Result<&'static RuleSet, BundleError> {
    let sets = rulesets()?;
    sets.iter()
        .find(|s| s.id == id || s.label() == id)
        .ok_or_else(|| BundleError::UnknownRuleSet {
            id: id.to_string(),
            known: sets.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "),
        })
}

/// Why no rule set could be chosen for a document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum ChoiceError {
    /// The document has no `cbc:CustomizationID`.
    #[error("the document has no cbc:CustomizationID (specification identifier, BT-24); pass --ruleset to choose one of: {known}")]
    NoSpecification {
        /// Known specification identifiers.
        known: String,
    },
    /// The identifier belongs to no bundled rule set.
    #[error("unknown specification identifier \"{found}\" (cbc:CustomizationID); known: {known}")]
    UnknownSpecification {
        /// The identifier found.
        found: String,
        /// Known specification identifiers.
        known: String,
    },
}

/// Picks the rule set for a document from its `cbc:CustomizationID` (the
/// first child of that name under the root): an exact identifier first, then
/// the longest matching prefix.
pub fn choose(customization_id: Option<&str>) -> Result<&'static RuleSet, ChoiceError> {
    let sets = rulesets().map_err(|e| ChoiceError::NoSpecification { known: e.to_string() })?;
    let known = || {
        sets.iter()
            .flat_map(|s| {
                s.specifications
                    .iter()
                    .cloned()
                    .chain(s.specification_prefixes.iter().map(|p| format!("{p}…")))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(found) = customization_id.map(str::trim) else {
        return Err(ChoiceError::NoSpecification { known: known() });
    };
    if let Some(s) = sets.iter().find(|s| s.specifications.iter().any(|x| x == found)) {
        return Ok(s);
    }
    sets.iter()
        .flat_map(|s| s.specification_prefixes.iter().map(move |p| (p, s)))
        .filter(|(p, _)| found.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, s)| s)
        .ok_or_else(|| ChoiceError::UnknownSpecification {
            found: found.to_string(),
            known: known(),
        })
}

fn file<'a>(files: &'a [(&str, &str)], path: &str) -> Result<&'a str, BundleError> {
    files
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| *t)
        .ok_or_else(|| BundleError::File {
            file: path.to_string(),
            message: "missing".into(),
        })
}

fn parse_toml<T: serde::de::DeserializeOwned>(path: &str, text: &str) -> Result<T, BundleError> {
    toml::from_str(text).map_err(|e| BundleError::File {
        file: path.to_string(),
        message: e.to_string(),
    })
}

fn load_codelists(files: &[(&str, &str)]) -> Result<BTreeMap<String, CodeList>, BundleError> {
    let mut out = BTreeMap::new();
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("codelists/")) {
        let f: CodeListFile = parse_toml(path, text)?;
        let mut codes = Vec::with_capacity(f.codes.len());
        for c in f.codes {
            let mut it = c.into_iter();
            let code = it.next().ok_or_else(|| BundleError::File {
                file: path.to_string(),
                message: "an empty entry in codes".into(),
            })?;
            codes.push((code, it.next().unwrap_or_default()));
        }
        out.insert(
            f.id.clone(),
            CodeList {
                id: f.id,
                title: f.title,
                source: f.source,
                codes,
            },
        );
    }
    Ok(out)
}

/// Replaces `{codes:ID}` with the XPath string literal `' c1 c2 … '` and
/// `{codes:ID|}` with `c1|c2|…` (for use inside a regular expression).
fn expand(
    test: &str,
    lists: &BTreeMap<String, CodeList>,
    used: &mut Vec<String>,
    at: &str,
) -> Result<String, BundleError> {
    let mut out = String::with_capacity(test.len());
    let mut rest = test;
    while let Some(i) = rest.find("{codes:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        let end = after.find('}').ok_or_else(|| BundleError::File {
            file: at.to_string(),
            message: "unclosed {codes:…}".into(),
        })?;
        let (id, alternation) = match after[..end].strip_suffix('|') {
            Some(id) => (id, true),
            None => (&after[..end], false),
        };
        let list = lists.get(id).ok_or_else(|| BundleError::File {
            file: at.to_string(),
            message: format!("unknown code list {id}"),
        })?;
        if !used.iter().any(|u| u == id) {
            used.push(id.to_string());
        }
        let codes = list.codes.iter().map(|(c, _)| c.as_str());
        if alternation {
            out.push_str(&codes.collect::<Vec<_>>().join("|"));
        } else {
            out.push_str("' ");
            for c in codes {
                out.push_str(c);
                out.push(' ');
            }
            out.push('\'');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn load(files: &[(&str, &str)]) -> Result<Bundle, BundleError> {
    let lists = load_codelists(files)?;
    let mut sets: Vec<RuleSet> = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with("/ruleset.toml")) {
        let f: RuleSetFile = parse_toml(path, text)?;
        sets.push(RuleSet {
            label: format!("{}@{}", f.id, f.version),
            id: f.id,
            version: f.version,
            valid_from: f.valid_from,
            title: f.title,
            description: f.description,
            specifications: f.specifications,
            specification_prefixes: f.specification_prefixes,
            source: Source {
                path: path.to_string(),
                based_on: f.based_on,
                part: f.part,
                overrides: f.overrides,
            },
            content: OnceLock::new(),
            validator: OnceLock::new(),
        });
    }
    sets.sort_by(|a, b| a.id.cmp(&b.id));
    for s in &sets {
        if let Some(base) = &s.source.based_on {
            if !sets.iter().any(|b| &b.id == base && b.source.based_on.is_none()) {
                return Err(s.error(&format!("based_on: no rule set {base} (without a base of its own)")));
            }
        }
    }
    Ok(Bundle { lists, sets })
}

fn apply_override(
    path: &str,
    o: &OverrideFile,
    parts: &mut [SchemaDef],
    rules: &mut [RuleInfo],
    lists: &BTreeMap<String, CodeList>,
) -> Result<(), BundleError> {
    let info = rules
        .iter_mut()
        .find(|r| r.id == o.id)
        .ok_or_else(|| BundleError::File {
            file: path.to_string(),
            message: format!("override of unknown rule {}", o.id),
        })?;
    let mut used = Vec::new();
    let expanded = expand(&o.test, lists, &mut used, path)?;
    let mut found = false;
    for c in parts
        .iter_mut()
        .flat_map(|p| p.patterns.iter_mut())
        .flat_map(|p| p.rules.iter_mut())
        .flat_map(|r| r.checks.iter_mut())
        .filter(|c| c.id.as_deref() == Some(o.id.as_str()))
    {
        c.test = expanded.clone();
        found = true;
    }
    if !found {
        return Err(BundleError::File {
            file: path.to_string(),
            message: format!("override of {}: no such check", o.id),
        });
    }
    info.test = o.test.clone();
    info.codelists = used;
    if let Some(n) = &o.note {
        info.note = Some(n.clone());
    }
    Ok(())
}

fn load_part(
    files: &[(&str, &str)],
    dir: &str,
    part: &PartFile,
    lists: &BTreeMap<String, CodeList>,
) -> Result<(SchemaDef, Vec<RuleInfo>), BundleError> {
    let mut def = SchemaDef {
        name: part.name.clone(),
        ..SchemaDef::default()
    };
    let mut infos = Vec::new();
    for name in &part.files {
        let path = format!("{dir}{name}");
        let f: RulesFile = parse_toml(&path, file(files, &path)?)?;
        for (p, u) in f.namespaces {
            if !def.namespaces.iter().any(|(q, _)| *q == p) {
                def.namespaces.push((p, u));
            }
        }
        for func in f.function {
            def.functions.push(function(&path, func)?);
        }
        for l in f.lets {
            def.lets.push(LetDef {
                name: l.name,
                value: l.value,
                at: path.clone(),
            });
        }
        for ctx in f.context {
            let pattern = match def
                .patterns
                .iter_mut()
                .position(|p| p.id.as_deref() == Some(&ctx.pattern))
            {
                Some(i) => &mut def.patterns[i],
                None => {
                    def.patterns.push(PatternDef {
                        id: Some(ctx.pattern.clone()),
                        at: path.clone(),
                        ..PatternDef::default()
                    });
                    let last = def.patterns.len() - 1;
                    &mut def.patterns[last]
                }
            };
            let mut rule = RuleDef {
                context: ctx.matches.clone(),
                lets: ctx
                    .lets
                    .into_iter()
                    .map(|l| LetDef {
                        name: l.name,
                        value: l.value,
                        at: format!("{path}: context {}", ctx.matches),
                    })
                    .collect(),
                checks: Vec::new(),
                at: format!("{path}: context {}", ctx.matches),
            };
            for r in ctx.rule {
                let at = format!("{path}: rule {}", r.id);
                let mut used = Vec::new();
                let test = expand(&r.test, lists, &mut used, &at)?;
                rule.checks.push(CheckDef {
                    kind: if r.report { CheckKind::Report } else { CheckKind::Assert },
                    id: Some(r.id.clone()),
                    flag: Some(r.flag.clone()),
                    test,
                    message: vec![MessageDef::Text(r.message.clone())],
                    doc: Some(Arc::new(RuleDoc {
                        terms: r.terms.clone(),
                        fix: r.fix.clone(),
                        value: r.value.clone(),
                    })),
                    at,
                });
                infos.push(RuleInfo {
                    id: r.id,
                    flag: r.flag,
                    report: r.report,
                    part: part.name.clone(),
                    pattern: ctx.pattern.clone(),
                    context: ctx.matches.clone(),
                    test: r.test,
                    terms: r.terms,
                    message: r.message,
                    explanation: r.explanation,
                    fix: r.fix,
                    note: r.note,
                    value: r.value,
                    codelists: used,
                });
            }
            pattern.rules.push(rule);
        }
    }
    Ok((def, infos))
}

fn function(path: &str, f: FunctionFile) -> Result<FunctionDef, BundleError> {
    let at = format!("{path}: function {}", f.name);
    let mut params = Vec::new();
    for p in f.params {
        let mut it = p.into_iter();
        let name = it.next().ok_or_else(|| BundleError::File {
            file: at.clone(),
            message: "a parameter needs a name".into(),
        })?;
        params.push((name, it.next()));
    }
    let mut body = Vec::new();
    for s in f.body {
        body.push(match (s.var, s.select, s.text, s.value, s.sequence) {
            (Some(name), select, text, None, None) if select.is_some() != text.is_some() => BodyDef::Variable {
                name,
                select,
                text: text.unwrap_or_default(),
            },
            (None, None, None, Some(v), None) => BodyDef::ValueOf(v),
            (None, None, None, None, Some(v)) => BodyDef::Sequence(v),
            _ => {
                return Err(BundleError::File {
                    file: at,
                    message: "a statement is { let, select | text }, { value } or { sequence }".into(),
                })
            }
        });
    }
    Ok(FunctionDef {
        name: f.name,
        params,
        returns: f.returns,
        body,
        at,
    })
}

/// How [`validate`] picks the rule set.
#[derive(Clone, Copy, Debug)]
pub enum Selection<'a> {
    /// From the document's `cbc:CustomizationID`.
    Auto,
    /// This rule set, whatever the document says.
    Fixed(&'a RuleSet),
}

/// Checks a document with the bundled rules. Never fails: a document no rule
/// set applies to, like a broken one, is a report with `input_error` set.
pub fn validate(bytes: &[u8], selection: Selection<'_>) -> crate::validate::Report {
    crate::validate::validate_with(bytes, move |doc: &roxmltree::Document<'_>| {
        let set = match selection {
            Selection::Fixed(s) => s,
            Selection::Auto => choose(customization_id(doc))
                .map_err(|e| crate::input::InputError::NoRuleSet { reason: e.to_string() })?,
        };
        let v = set
            .validator()
            .map_err(|e| crate::input::InputError::NoRuleSet { reason: e.to_string() })?;
        Ok((v, Some(set.label.clone())))
    })
}

/// The text of the first `cbc:CustomizationID` child of the root element.
pub fn customization_id<'a>(doc: &'a roxmltree::Document<'_>) -> Option<&'a str> {
    doc.root_element()
        .children()
        .find(|c| c.has_tag_name((pintae_model::ns::CBC, "CustomizationID")))
        .map(|c| c.text().unwrap_or(""))
}
