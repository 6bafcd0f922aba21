//! Converters from the JSON invoices of UAE e-invoicing platforms to
//! PINT-AE UBL XML: Taxstar invoice bodies (single and bulk, [`taxstar`])
//! and Evatra `ublDto` requests ([`evatra`]).
//!
//! A conversion records where every element came from, so that
//! [`check`] can report each failed PINT-AE rule with the JSON path of the
//! input field behind it. The crate does no I/O: it takes bytes and returns
//! XML bytes and reports.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod entity;
pub mod evatra;
mod input;
pub mod taxstar;

use pintae_model::Written;
use pintae_rules::bundled;
use pintae_rules::Failure;
use serde::Serialize;

pub use entity::{Entities, Entity};

/// A problem with one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// JSON path of the field (`line_items[2].tax_amount`); `$` for the
    /// whole input.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The business term, when one applies (`IBT-084`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// Line in the input (JSON syntax errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column in the input (JSON syntax errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl FieldIssue {
    /// An issue at `path`.
    pub fn new(path: &str, message: impl Into<String>) -> FieldIssue {
        FieldIssue {
            path: path.to_string(),
            message: message.into(),
            term: None,
            line: None,
            column: None,
        }
    }
}

/// Input that is not JSON, or JSON that is not the expected shape.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// Not JSON at all.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser says.
        message: String,
    },
    /// JSON whose fields are wrong.
    #[error("{}", .0.iter().map(|i| format!("{}: {}", i.path, i.message)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldIssue>),
}

impl JsonError {
    /// The error as field issues.
    pub fn into_issues(self) -> Vec<FieldIssue> {
        match self {
            JsonError::Syntax { line, column, message } => vec![FieldIssue {
                path: "$".into(),
                message: format!("not valid JSON: {message}"),
                term: None,
                line: Some(line),
                column: Some(column),
            }],
            JsonError::Fields(v) => v,
        }
    }
}

/// Inputs nest at most this deep; deeper JSON is refused before parsing
/// (serde_json's own limit is 128).
const MAX_INPUT: usize = 64 << 20;

pub(crate) fn parse_json(bytes: &[u8]) -> Result<serde_json::Value, JsonError> {
    if bytes.len() > MAX_INPUT {
        return Err(JsonError::Syntax {
            line: 1,
            column: 1,
            message: format!("input is larger than {} MiB", MAX_INPUT >> 20),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        let message = match msg.find(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        JsonError::Syntax {
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// What became of one invoice, in the platform's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Converted (HTTP 200 in a bulk result).
    Converted,
    /// Field errors: nothing converted (400).
    Invalid,
    /// Same invoice number for the same entity earlier in the batch (409).
    Duplicate,
}

impl Status {
    /// The platform's per-item status code.
    pub fn code(self) -> u16 {
        match self {
            Status::Converted => 200,
            Status::Invalid => 400,
            Status::Duplicate => 409,
        }
    }
}

/// One converted (or refused) invoice.
#[derive(Clone, Debug)]
pub struct Converted {
    /// Position in a bulk body (`invoices[3]`), `None` for a single invoice.
    pub index: Option<usize>,
    /// The invoice number, when the input has one.
    pub invoice_number: Option<String>,
    /// The seller entity's id (Taxstar).
    pub entity_id: Option<String>,
    /// Converted, invalid or duplicate.
    pub status: Status,
    /// The XML and its source map (when converted).
    pub written: Option<Written>,
    /// Field errors (nothing is converted when there are any).
    pub errors: Vec<FieldIssue>,
    /// Things converted with a caveat, and unknown fields.
    pub warnings: Vec<FieldIssue>,
    /// Which input field supplies which element or business term.
    fields: FieldMap,
    /// What every JSON path of this invoice starts with (`invoices[3]` in a
    /// bulk body, empty otherwise).
    pub json_prefix: String,
}

impl Converted {
    fn refused(
        index: Option<usize>,
        invoice_number: Option<String>,
        errors: Vec<FieldIssue>,
        warnings: Vec<FieldIssue>,
    ) -> Converted {
        Converted {
            index,
            invoice_number,
            entity_id: None,
            status: Status::Invalid,
            written: None,
            errors,
            warnings,
            fields: FieldMap::default(),
            json_prefix: String::new(),
        }
    }

    fn with_prefix(mut self, prefix: &str) -> Converted {
        self.json_prefix = prefix.to_string();
        self
    }
}

/// Which input field supplies which element or business term, for rules
/// whose location alone is too coarse. Field paths are relative to the
/// invoice; `[]` stands for the index of the located array item.
#[derive(Clone, Copy, Debug, Default)]
pub struct FieldMap {
    /// Missing element (the end of what a fix hint asks to add) → field.
    pub elements: &'static [(&'static str, &'static str)],
    /// Business term → field.
    pub terms: &'static [(&'static str, &'static str)],
}

/// A rule failure with the input fields behind it.
#[derive(Clone, Debug, Serialize)]
pub struct MappedFailure {
    /// JSON path of the input field (or the nearest object) behind the
    /// failing element.
    pub json_path: String,
    /// The failure as the rule engine reports it (id, flag, message, XML
    /// location, terms, fix hint).
    #[serde(flatten)]
    pub failure: Failure,
}

/// The verdict on one converted invoice.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The rule engine's report on the XML.
    pub report: pintae_rules::Report,
    /// Every failed rule, with its input field.
    pub failed: Vec<MappedFailure>,
}

impl Checked {
    /// No fatal failure and no input error.
    pub fn valid(&self) -> bool {
        self.report.valid
    }
}

/// Validates a converted invoice with the bundled rules and maps every
/// failure to the JSON path of its input field. `None` when nothing was
/// converted.
pub fn check(c: &Converted) -> Option<Checked> {
    let w = c.written.as_ref()?;
    let report = bundled::validate(&w.xml, bundled::Selection::Auto);
    let failed = report
        .failed
        .iter()
        .map(|f| MappedFailure {
            json_path: json_path(c, w, f),
            failure: f.clone(),
        })
        .collect();
    Some(Checked { report, failed })
}

/// The input field behind a failure: the source of the failing element (or
/// its nearest recorded ancestor), made more precise by the element the
/// fix hint asks for and by the rule's business terms.
fn json_path(c: &Converted, w: &Written, f: &Failure) -> String {
    let base = w.sources.lookup(&f.location).unwrap_or("$").to_string();
    // of the elements the fix hint names, the first one that is absent
    let named: Vec<&str> = f.fix.as_deref().map(named_elements).unwrap_or_default();
    let resolved: Vec<(&str, bool, String)> = named
        .iter()
        .map(|n| {
            let (path, rest) = resolve(&w.sources, &f.location, n);
            let full = if rest.is_empty() {
                path
            } else {
                format!("{path}.{}", rest.replace('/', ".").replace('@', ""))
            };
            (*n, rest.is_empty(), full)
        })
        .collect();
    let pick = resolved.iter().find(|r| !r.1).or(resolved.first());
    let missing = pick.map(|r| r.0);
    let missing_path = pick.map(|r| r.2.clone());
    // the field that supplies the missing element, under the located object
    if let Some(m) = missing {
        for &(element, field) in c.fields.elements {
            if m.ends_with(element) {
                if let Some(p) = under(&base, &input::join(&c.json_prefix, field)) {
                    return p;
                }
            }
        }
    }
    // a business term whose field lies under the located object
    for t in &f.terms {
        for &(term, field) in c.fields.terms {
            if term != t {
                continue;
            }
            if let Some(p) = under(&base, &input::join(&c.json_prefix, field)) {
                return p;
            }
        }
    }
    // "Add X/Y" names the missing element below the location (UBL-shaped
    // inputs mirror the XML, so the path extends the same way)
    if c.fields.terms.is_empty() {
        if let Some(p) = missing_path {
            return p;
        }
    }
    base
}

/// Follows `rel` (`PartyLegalEntity/CompanyID/@schemeAgencyName`) down
/// from the element at `location` as far as the source map knows it:
/// the input path reached, and what is left of `rel`.
fn resolve(sources: &pintae_model::SourceMap, location: &str, rel: &str) -> (String, String) {
    let mut loc = location.to_string();
    let mut path = sources.lookup(location).unwrap_or("$").to_string();
    let steps: Vec<&str> = rel.split('/').collect();
    // the located element is itself the one named (`Set TaxScheme/ID …` at
    // a cbc:ID inside cac:TaxScheme)
    let here: Vec<&str> = location
        .split('/')
        .map(|s| s.split_once(':').map_or(s, |(_, l)| l))
        .map(|s| s.split_once('[').map_or(s, |(l, _)| l))
        .collect();
    if here.ends_with(&steps) {
        return (path, String::new());
    }
    for (i, step) in steps.iter().enumerate() {
        let found = ["cac", "cbc"].iter().find_map(|p| {
            let l = format!("{loc}/{p}:{step}[1]");
            sources.get(&l).map(|s| (l, s.to_string()))
        });
        match found {
            Some((l, s)) => {
                loc = l;
                path = s;
            }
            None => return (path, steps[i..].join("/")),
        }
    }
    (path, String::new())
}

/// The element paths a fix hint names (`Add StreetName. Add CityName.`,
/// `Change ProfileExecutionID so that …`, `Set TaxScheme/ID to VAT.`).
fn named_elements(fix: &str) -> Vec<&str> {
    fix.split(". ")
        .filter_map(|sentence| {
            let s = sentence.trim_start();
            ["Add ", "Change ", "Set ", "Make "]
                .iter()
                .find_map(|v| s.strip_prefix(v))
                .and_then(missing_element_path)
        })
        .collect()
}

/// `field` (with `[]` standing for the index of the located array item)
/// when it lies under `base`.
fn under(base: &str, field: &str) -> Option<String> {
    match field.split_once("[]") {
        Some((array, rest)) => {
            let tail = base.strip_prefix(array)?;
            let idx_end = tail.find(']')? + 1;
            tail.starts_with('[')
                .then(|| format!("{array}{}{rest}", &tail[..idx_end]))
        }
        None if base == "$" || field == base || field.starts_with(&format!("{base}.")) => Some(field.to_string()),
        None => None,
    }
}

/// The element path at the start of `rest` (`PostalAddress/CityName`,
/// `CompanyID/@schemeAgencyName`).
fn missing_element_path(rest: &str) -> Option<&str> {
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '/' || c == '@'))
        .unwrap_or(rest.len());
    let p = rest[..end].trim_end_matches('/');
    (!p.is_empty() && p.starts_with(|c: char| c.is_ascii_uppercase())).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_refine_located_paths() {
        assert_eq!(
            under("line_items[2]", "line_items[].tax_amount").as_deref(),
            Some("line_items[2].tax_amount")
        );
        assert_eq!(under("buyer", "buyer.city").as_deref(), Some("buyer.city"));
        assert_eq!(under("$", "payment_account_id").as_deref(), Some("payment_account_id"));
        assert_eq!(under("buyer", "seller.city"), None);
        assert_eq!(under("buyerx", "buyer.city"), None);
    }

    #[test]
    fn fix_hints_name_missing_elements() {
        assert_eq!(
            named_elements("Add PostalAddress/CityName."),
            vec!["PostalAddress/CityName"]
        );
        assert_eq!(
            named_elements("Add PartyTaxScheme/CompanyID (or satisfy …)"),
            vec!["PartyTaxScheme/CompanyID"]
        );
        assert_eq!(
            named_elements("Add StreetName. Add CityName. Add CountrySubentity."),
            vec!["StreetName", "CityName", "CountrySubentity"]
        );
        assert_eq!(
            named_elements("Add PartyLegalEntity/CompanyID/@schemeAgencyName. If it is wrong"),
            vec!["PartyLegalEntity/CompanyID/@schemeAgencyName"]
        );
        assert_eq!(
            named_elements("Change ProfileExecutionID so that it matches"),
            vec!["ProfileExecutionID"]
        );
        assert!(named_elements("Correct the value.").is_empty());
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = parse_json(b"{\n  \"a\": ,\n}")
            .err()
            .map(JsonError::into_issues)
            .unwrap_or_default();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].column), (Some(2), Some(8)));
    }
}
