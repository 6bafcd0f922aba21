//! Reading platform JSON field by field, recording every problem with the
//! JSON path of the field behind it.

use std::str::FromStr;

use compact_str::CompactString;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::FieldIssue;
use pintae_model::element::kind_of as kind;

/// Where problems go while one input is read.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    pub errors: Vec<FieldIssue>,
    pub warnings: Vec<FieldIssue>,
}

impl Issues {
    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(FieldIssue::new(path, message));
    }

    pub fn error_term(&mut self, path: &str, term: &str, message: impl Into<String>) {
        let mut i = FieldIssue::new(path, message);
        i.term = Some(term.to_string());
        self.errors.push(i);
    }

    pub fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.warnings.push(FieldIssue::new(path, message));
    }
}

/// `parent.key` (or `key` at the top).
pub(crate) fn join(parent: &str, key: &str) -> CompactString {
    if parent.is_empty() {
        return CompactString::from(key);
    }
    // pushed, not formatted: every field read builds one (inline, without
    // an allocation, when it has at most 24 bytes)
    let mut p = CompactString::with_capacity(parent.len() + 1 + key.len());
    p.push_str(parent);
    p.push('.');
    p.push_str(key);
    p
}

/// One JSON object being read: its path and fields.
pub(crate) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
}

impl<'a> Obj<'a> {
    /// The object at `path`, or an error naming what was found instead.
    pub fn new(v: &'a Value, path: &str, is: &mut Issues) -> Option<Obj<'a>> {
        match v {
            Value::Object(map) => Some(Obj {
                map,
                path: path.to_string(),
            }),
            other => {
                is.error(
                    if path.is_empty() { "$" } else { path },
                    format!("expected an object, found {}", kind(other)),
                );
                None
            }
        }
    }

    pub fn at(&self, key: &str) -> CompactString {
        join(&self.path, key)
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string field (numbers are taken as their text); blank is absent.
    pub fn str(&self, key: &str, is: &mut Issues) -> Option<String> {
        match self.present(key)? {
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => match pintae_model::non_xml_char(s) {
                None => Some(s.trim().to_string()),
                Some(c) => {
                    is.error(&self.at(key), pintae_model::non_xml_char_message(c));
                    None
                }
            },
            Value::Number(n) => Some(n.as_str().to_string()),
            other => {
                is.error(&self.at(key), format!("expected a string, found {}", kind(other)));
                None
            }
        }
    }

    /// A required string field.
    pub fn req_str(&self, key: &str, is: &mut Issues) -> Option<String> {
        let v = self.str(key, is);
        if v.is_none() && !self.map.get(key).is_some_and(|v| !v.is_null() && !v.is_string()) {
            is.error(&self.at(key), "required");
        }
        v
    }

    /// A number field, exact (numbers keep their literal text; strings such
    /// as "12.50" are accepted too).
    pub fn dec(&self, key: &str, is: &mut Issues) -> Option<Decimal> {
        let v = self.present(key)?;
        // borrowed: a number keeps its literal text (`arbitrary_precision`)
        let text = match v {
            Value::Number(n) => n.as_str(),
            Value::String(s) if s.trim().is_empty() => return None,
            Value::String(s) => s.trim(),
            other => {
                is.error(&self.at(key), format!("expected a number, found {}", kind(other)));
                return None;
            }
        };
        match parse_decimal(text) {
            Some(d) => Some(d),
            None => {
                is.error(
                    &self.at(key),
                    format!(
                        "'{}' is not a number pintae can hold exactly (at most 28 digits)",
                        short(text)
                    ),
                );
                None
            }
        }
    }

    /// A required number field.
    pub fn req_dec(&self, key: &str, is: &mut Issues) -> Option<Decimal> {
        let had = self.present(key).is_some();
        let v = self.dec(key, is);
        if !had {
            is.error(&self.at(key), "required");
        }
        v
    }

    /// A boolean field.
    pub fn bool(&self, key: &str, is: &mut Issues) -> Option<bool> {
        match self.present(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                is.error(&self.at(key), format!("expected true or false, found {}", kind(other)));
                None
            }
        }
    }

    /// A nested object field.
    pub fn obj(&self, key: &str, is: &mut Issues) -> Option<Obj<'a>> {
        let v = self.present(key)?;
        Obj::new(v, &self.at(key), is)
    }

    /// An array field.
    pub fn arr(&self, key: &str, is: &mut Issues) -> Option<&'a Vec<Value>> {
        match self.present(key)? {
            Value::Array(a) => Some(a),
            other => {
                is.error(&self.at(key), format!("expected an array, found {}", kind(other)));
                None
            }
        }
    }

    /// Warns about keys not in `known`.
    pub fn unknown_keys(&self, known: &[&str], is: &mut Issues) {
        for (k, v) in self.map {
            if !known.contains(&k.as_str()) && !pintae_model::is_blank(v) {
                is.warn(&self.at(k), "unknown field: not converted");
            }
        }
    }
}

/// A decimal from JSON number text or a string: plain (`12.5`) or with an
/// exponent (`1.25e1`), within rust_decimal's range.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    if t.contains(['e', 'E']) {
        return Decimal::from_scientific(t).ok().map(|d| d.normalize());
    }
    let body = t.strip_prefix('-').unwrap_or(t);
    if body.is_empty()
        || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || body.bytes().filter(|&b| b == b'.').count() > 1
    {
        return None;
    }
    Decimal::from_str(t).ok()
}

pub(crate) fn short(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
