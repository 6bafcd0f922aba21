//! Reading untrusted invoice bytes: UTF-8 check, XML parsing with DTDs
//! refused and a node limit, UBL root check and SBDH envelope unwrapping.

use std::borrow::Cow;

use pintae_model::{ns, position, DocumentKind};
use serde::Serialize;

mod encodings;
mod names;
mod width;

pub use width::{MAX_ATTRIBUTES, MAX_NAMESPACES};

/// Most XML nodes a document may have (a 4,000-line invoice has ~300,000).
pub const MAX_NODES: u32 = 20_000_000;

/// Deepest element nesting accepted (UBL invoices nest about 10 deep).
/// Hostile depth is refused before parsing, so nothing that walks a
/// document level by level can run out of stack.
pub const MAX_DEPTH: usize = 256;

/// Why a document could not be checked at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputError {
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8 at line {line}, column {column} (byte {offset})")]
    NotUtf8 {
        /// 1-based line.
        line: u32,
        /// 1-based column (in characters).
        column: u32,
        /// Byte offset.
        offset: usize,
    },
    /// The bytes are not valid in the encoding the document declares (or
    /// its byte order mark shows).
    #[error("not valid {encoding} at line {line}, column {column} (byte {offset})")]
    BadEncoding {
        /// The encoding, by its standard name.
        encoding: String,
        /// 1-based line.
        line: u32,
        /// 1-based column (in characters).
        column: u32,
        /// Byte offset.
        offset: usize,
    },
    /// A UTF-16 document (by its byte order mark or its first bytes) whose
    /// XML declaration names an encoding it is not in, which the official
    /// processor refuses.
    #[error("the document is {found}, but its XML declaration names the encoding '{declared}'")]
    EncodingMismatch {
        /// The encoding the document's first bytes show.
        found: String,
        /// The name as declared.
        declared: String,
    },
    /// The XML declaration names an encoding pintae cannot read.
    #[error("the XML declaration names the encoding '{encoding}', which pintae cannot read")]
    UnknownEncoding {
        /// The name as declared.
        encoding: String,
    },
    /// The document declares a DTD (refused: entity expansion and external entities are attack vectors).
    #[error(
        "refused: the document has a DTD (<!DOCTYPE>); DTDs and entity declarations are not allowed in e-invoices"
    )]
    Dtd,
    /// Not well-formed XML.
    #[error("not well-formed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The parser's message.
        message: String,
    },
    /// Elements nested too deeply.
    #[error("refused: elements nest deeper than {limit} levels (line {line}, column {column})")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// 1-based line where the limit was passed.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// A start tag with too many attributes (namespace declarations
    /// included).
    #[error("refused: a start tag has more than {limit} attributes (line {line}, column {column})")]
    TooManyAttributes {
        /// The limit.
        limit: usize,
        /// 1-based line of the start tag.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// Too many namespace prefixes in scope at once.
    #[error("refused: more than {limit} namespace prefixes are in scope (line {line}, column {column})")]
    TooManyNamespaces {
        /// The limit.
        limit: usize,
        /// 1-based line of the start tag that passed it.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// Too many nodes.
    #[error("refused: the document has more than {limit} XML nodes")]
    TooLarge {
        /// The limit.
        limit: u32,
    },
    /// The root element is not a UBL Invoice or CreditNote (nor an SBDH envelope around one).
    #[error("the root element is {{{namespace}}}{name}, not a UBL 2.1 Invoice or CreditNote")]
    NotUbl {
        /// Root namespace URI.
        namespace: String,
        /// Root local name.
        name: String,
    },
    /// An SBDH envelope without an invoice inside.
    #[error("the SBDH envelope holds no UBL Invoice or CreditNote")]
    EmptyEnvelope,
    /// No bundled rule set applies to the document.
    #[error("no rule set for this document: {reason}")]
    NoRuleSet {
        /// Why (unknown or missing specification identifier).
        reason: String,
    },
}

/// Information about an SBDH envelope the document was wrapped in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// `sbdh`.
    pub kind: &'static str,
    /// Line of the wrapped document's start tag in the original input.
    pub payload_line: u32,
    /// Sender identifier from the header, if present.
    pub sender: Option<String>,
    /// Receiver identifier from the header, if present.
    pub receiver: Option<String>,
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    (line, column)
}

/// Decodes bytes to text as an XML parser does: UTF-8 unless a byte order
/// mark or the XML declaration says otherwise. UTF-8 and UTF-16 (with or
/// without a byte order mark) are recognised from the first bytes; any
/// other encoding a declaration names (`ISO-8859-1`, `windows-1252`, …) is
/// decoded to UTF-8 first, characters for characters, so lines and columns
/// stay those of the file. A UTF-8 text is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, InputError> {
    decode_text(bytes).map(xml11_line_ends)
}

/// XML 1.1 also ends lines with NEL (U+0085) and LINE SEPARATOR (U+2028),
/// which its parser reads as line feeds wherever they stand, in tags too;
/// roxmltree knows only XML 1.0's line ends, so an XML 1.1 text with either
/// gets line feeds in their place before it is parsed.
fn xml11_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    const ENDS: [char; 2] = ['\u{85}', '\u{2028}'];
    if pseudo_attribute(text.as_bytes(), b"version") != Some(b"1.1") || !text.contains(ENDS) {
        return text;
    }
    Cow::Owned(text.replace(ENDS, "\n"))
}

/// [`decode`] before XML 1.1's line ends.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, InputError> {
    // after a UTF-8 byte order mark, the declaration still names the encoding
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let utf16 = match bytes {
        [0xFE, 0xFF, rest @ ..] => Some((encoding_rs::UTF_16BE, rest)),
        [0xFF, 0xFE, rest @ ..] => Some((encoding_rs::UTF_16LE, rest)),
        // `<?` without a byte order mark
        [0, b'<', 0, b'?', ..] => Some((encoding_rs::UTF_16BE, bytes)),
        [b'<', 0, b'?', 0, ..] => Some((encoding_rs::UTF_16LE, bytes)),
        _ => None,
    };
    if let Some((encoding, rest)) = utf16 {
        let text = decode_as(encoding, rest)?;
        // the names the official processor takes in a UTF-16 document of that byte order
        let names = if encoding == encoding_rs::UTF_16LE {
            encodings::UTF16_LE
        } else {
            encodings::UTF16_BE
        };
        if let Some(label) = declared_encoding(text.as_bytes()) {
            if !names.iter().any(|n| is_name(label, n)) {
                return Err(InputError::EncodingMismatch {
                    found: encoding.name().to_string(),
                    declared: String::from_utf8_lossy(label).into_owned(),
                });
            }
        }
        return Ok(Cow::Owned(text));
    }
    let Some(label) = declared_encoding(bytes) else {
        return utf8(bytes).map(Cow::Borrowed);
    };
    // the names the official processor takes, read as it reads them
    // (`input/encodings.rs`, from its answers); it refuses any other
    let unknown = || InputError::UnknownEncoding {
        encoding: String::from_utf8_lossy(label).into_owned(),
    };
    let named = |names: &[&str]| names.iter().any(|n| is_name(label, n));
    if named(encodings::UTF8_STRICT) {
        return utf8(bytes).map(Cow::Borrowed);
    }
    if named(encodings::UTF8_REPLACING) {
        return Ok(utf8_replacing(bytes));
    }
    if named(encodings::ASCII) {
        return match bytes.iter().position(|b| !b.is_ascii()) {
            None => utf8(bytes).map(Cow::Borrowed),
            Some(offset) => Err(bad_encoding(
                "US-ASCII",
                std::str::from_utf8(&bytes[..offset]).unwrap_or(""),
                offset,
            )),
        };
    }
    if let Some(&(_, t)) = encodings::SINGLE_BYTE.iter().find(|(l, _)| is_name(label, l)) {
        let table = encodings::TABLES.get(t).ok_or_else(unknown)?;
        return Ok(Cow::Owned(single_byte(bytes, table)));
    }
    let Some(&(_, reader, replaces)) = encodings::MULTI_BYTE.iter().find(|(l, ..)| is_name(label, l)) else {
        // UTF-16 named in a text that is readable as ASCII is not UTF-16
        let utf16 = [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE];
        return Err(match encoding_rs::Encoding::for_label_no_replacement(label) {
            Some(e) if utf16.contains(&e) => bad_encoding("UTF-16", "", 0),
            _ => unknown(),
        });
    };
    // a few the official processor reads have no decoder here (ISO-2022-KR, …)
    let encoding = encoding_rs::Encoding::for_label_no_replacement(reader.as_bytes()).ok_or_else(unknown)?;
    if replaces {
        Ok(Cow::Owned(encoding.decode_without_bom_handling(bytes).0.into_owned()))
    } else {
        decode_as(encoding, bytes).map(Cow::Owned)
    }
}

/// `bytes` as UTF-8 with U+FFFD for each sequence that is not, as the
/// official processor's platform decoder reads them: a sequence is cut where
/// it stops being UTF-8 (`from_utf8_lossy`'s rule), except that an encoded
/// surrogate (0xED then 0xA0-0xBF, and a continuation byte if one follows)
/// is one sequence.
fn utf8_replacing(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                break;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let continues = |i: usize, lo: u8| bad.get(i).is_some_and(|b| (lo..=0xBF).contains(b));
                let len = if bad.first() == Some(&0xED) && continues(1, 0xA0) {
                    2 + usize::from(continues(2, 0x80))
                } else {
                    e.error_len().unwrap_or(bad.len())
                };
                out.push(char::REPLACEMENT_CHARACTER);
                rest = bad.get(len..).unwrap_or_default();
            }
        }
    }
    Cow::Owned(out)
}

/// Whether a declared encoding name is `name`, a lower-case name of
/// `input/encodings.rs`, in any case (white space around it makes it no
/// name, as the official processor reads it).
fn is_name(label: &[u8], name: &str) -> bool {
    label.eq_ignore_ascii_case(name.as_bytes())
}

/// `bytes` in a single-byte encoding whose bytes past ASCII are the
/// characters of `table` (U+FFFD for those it has none for, as the official
/// processor reads them).
fn single_byte(bytes: &[u8], table: &[u16; 128]) -> String {
    bytes
        .iter()
        .map(|&b| match b.checked_sub(0x80) {
            None => char::from(b),
            Some(i) => table
                .get(usize::from(i))
                .and_then(|&c| char::from_u32(u32::from(c)))
                .unwrap_or(char::REPLACEMENT_CHARACTER),
        })
        .collect()
}

/// Bytes not in `encoding` at byte `offset`, after the text `before`.
fn bad_encoding(encoding: &str, before: &str, offset: usize) -> InputError {
    let (line, column) = line_col(before, before.len());
    InputError::BadEncoding {
        encoding: encoding.to_string(),
        line,
        column,
        offset,
    }
}

/// The encoding named by the XML declaration at the start of `bytes`.
fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    pseudo_attribute(bytes, b"encoding")
}

/// The value of a pseudo-attribute (`version`, `encoding`) of the XML
/// declaration at the start of `bytes`.
fn pseudo_attribute<'b>(bytes: &'b [u8], name: &[u8]) -> Option<&'b [u8]> {
    pseudo_attributes(bytes)
        .find(|(n, ..)| *n == name)
        .map(|(_, _, value)| value)
}

/// The pseudo-attributes of the XML declaration at the start of `b`, if it
/// has one: (name, offset of the value, value). Reading stops at the first
/// one that is not `name = 'value'` (the text may not have been parsed yet).
fn pseudo_attributes(b: &[u8]) -> impl Iterator<Item = (&[u8], usize, &[u8])> {
    let end = if starts_with_declaration(b) {
        memchr::memmem::find(&b[5..], b"?>").map_or(0, |e| 5 + e)
    } else {
        0
    };
    let mut i = 5;
    std::iter::from_fn(move || {
        let decl = b.get(..end)?;
        let name_at = i + decl.get(i..)?.iter().position(|c| !c.is_ascii_whitespace())?;
        let eq = name_at + memchr::memchr(b'=', &decl[name_at..])?;
        let q_at = eq + 1 + decl[eq + 1..].iter().position(|c| !c.is_ascii_whitespace())?;
        let q = decl[q_at];
        if q != b'"' && q != b'\'' {
            return None;
        }
        let v_at = q_at + 1;
        let v_end = v_at + memchr::memchr(q, &decl[v_at..])?;
        i = v_end + 1;
        Some((decl[name_at..eq].trim_ascii_end(), v_at, &decl[v_at..v_end]))
    })
}

/// `bytes` as UTF-8, or where they stop being it.
fn utf8(bytes: &[u8]) -> Result<&str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
        let (line, column) = line_col(valid, offset);
        InputError::NotUtf8 { line, column, offset }
    })
}

/// `bytes` decoded from `encoding`, or where they stop being in it.
fn decode_as(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, InputError> {
    if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    // not valid: decode again up to the first bad sequence, for the place
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut pos = 0;
    let offset = loop {
        let rest = bytes.get(pos..).unwrap_or_default();
        text.reserve(rest.len().saturating_mul(3).saturating_add(16));
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        pos += read;
        match result {
            encoding_rs::DecoderResult::OutputFull => continue,
            encoding_rs::DecoderResult::Malformed(bad, after) => {
                break pos.saturating_sub(usize::from(bad) + usize::from(after));
            }
            encoding_rs::DecoderResult::InputEmpty => break pos,
        }
    };
    Err(bad_encoding(encoding.name(), &text, offset))
}

/// Finds where element nesting first exceeds `limit`, without parsing (a
/// byte scan that skips comments, CDATA, processing instructions and quoted
/// attribute values). Malformed input is left for the parser to report.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    // First a bound that does not look for the ends of start tags: every
    // start tag counts as opening an element, empty-element tags too, so
    // it is never below the real depth (an end tag is only ever counted
    // where the parser would also see one, since `<` cannot occur in an
    // attribute value or in text). Only when the bound is over the limit
    // is the exact scan needed.
    if !depth_bound_exceeds(text.as_bytes(), limit) {
        return None;
    }
    exact_too_deep(text, limit)
}

/// [`too_deep`]'s exact scan, which tells empty-element tags apart.
fn exact_too_deep(text: &str, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]) {
        let at = i + p;
        if let Some(end) = not_an_element(b, at) {
            i = end;
        } else if b.get(at + 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
            i = past(b, at, b">");
        } else {
            let j = start_tag_end(b, at, |_, _| {});
            if j >= b.len() || b[j - 1] != b'/' {
                depth += 1;
                if depth > limit {
                    return Some(at);
                }
            }
            i = j + 1;
        }
        if i >= b.len() {
            break;
        }
    }
    None
}

/// Whether the depth bound of [`too_deep`] goes over `limit`: start tags
/// counted without looking for their ends.
fn depth_bound_exceeds(b: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    // bytes before `resume` are inside a comment, CDATA section,
    // processing instruction or declaration
    let mut resume = 0;
    for at in memchr::memchr_iter(b'<', b) {
        if at < resume {
            continue;
        }
        if let Some(end) = not_an_element(b, at) {
            resume = end;
        } else if b.get(at + 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > limit {
                return true;
            }
        }
    }
    false
}

/// For markup at `at` that is neither a start nor an end tag (a processing
/// instruction, comment, CDATA section or declaration): where it ends.
fn not_an_element(b: &[u8], at: usize) -> Option<usize> {
    let rest = b.get(at..)?;
    match rest.get(1)? {
        b'?' => Some(past(b, at, b"?>")),
        b'!' if rest.starts_with(b"<!--") => Some(past(b, at + 4, b"-->")),
        b'!' if rest.starts_with(b"<![CDATA[") => Some(past(b, at + 9, b"]]>")),
        b'!' => Some(past(b, at, b">")),
        _ => None,
    }
}

/// The offset of the `>` that ends the start tag at `at` (the end of the
/// text when it has none), its quoted attribute values skipped; `outside`
/// is given each stretch of the tag outside them (`from..to`).
fn start_tag_end(b: &[u8], at: usize, mut outside: impl FnMut(usize, usize)) -> usize {
    let mut j = at + 1;
    while j < b.len() {
        match memchr::memchr3(b'>', b'"', b'\'', &b[j..]).map(|p| (j + p, b[j + p])) {
            None => break,
            Some((gt, b'>')) => {
                outside(j, gt);
                return gt;
            }
            Some((quote, q)) => {
                outside(j, quote);
                j = memchr::memchr(q, &b[quote + 1..]).map_or(b.len(), |e| quote + 1 + e + 1);
            }
        }
    }
    b.len()
}

/// Just past the first `pat` at or after `from` (the end when there is none).
fn past(b: &[u8], from: usize, pat: &[u8]) -> usize {
    let from = from.min(b.len());
    memchr::memmem::find(&b[from..], pat).map_or(b.len(), |p| from + p + pat.len())
}

/// Whether the depth scan is needed before parsing, given the number of
/// `<` in the text: only when there are more than `2 * limit + 1`. A
/// well-formed document nested deeper than `limit` has `limit + 1` elements
/// open at once (empty-element tags open none), each with a start and an
/// end tag, and every tag starts with a `<`. A malformed text with fewer
/// `<` is refused by the parser, which never nests deeper than the number
/// of start tags, so at most `2 * limit + 1` levels. Counting is part of a
/// vector scan ([`width::Bounds`]), several times cheaper than the depth
/// scan on a small invoice.
fn may_be_too_deep(tags: usize, limit: usize) -> bool {
    tags > 2 * limit + 1
}

/// Refuses hostile depth and width before parsing (see [`too_deep`] and
/// [`width`]): what roxmltree would take a long time over.
pub(crate) fn refuse_hostile_shape(text: &str) -> Result<(), InputError> {
    let bounds = width::Bounds::of(text.as_bytes());
    if may_be_too_deep(bounds.tags, MAX_DEPTH) {
        if let Some(at) = too_deep(text, MAX_DEPTH) {
            let (line, column) = line_col(text, at);
            return Err(InputError::TooDeep {
                limit: MAX_DEPTH,
                line,
                column,
            });
        }
    }
    if bounds.may_be_too_wide() {
        if let Some((at, wide)) = width::too_wide(text) {
            let (line, column) = line_col(text, at);
            return Err(match wide {
                width::Wide::Attributes => InputError::TooManyAttributes {
                    limit: MAX_ATTRIBUTES,
                    line,
                    column,
                },
                width::Wide::Namespaces => InputError::TooManyNamespaces {
                    limit: MAX_NAMESPACES,
                    line,
                    column,
                },
            });
        }
    }
    Ok(())
}

/// Parses XML with untrusted-input settings.
pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, InputError> {
    refuse_hostile_shape(text)?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        // no DTD, so no entity is ever resolved
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => InputError::Dtd,
        roxmltree::Error::NodesLimitReached => InputError::TooLarge { limit: MAX_NODES },
        other => {
            let p = other.pos();
            InputError::Xml {
                line: p.row,
                column: p.col,
                message: other.to_string(),
            }
        }
    })?;
    let xml11 = pseudo_attribute(text.as_bytes(), b"version") == Some(b"1.1");
    // XML 1.1 names are read by roxmltree as by the official parser
    let fault = missed_fault(text, xml11).or_else(|| {
        if xml11 {
            restricted_fault(text)
        } else {
            name_fault(&doc, text)
        }
    });
    if let Some((at, fault)) = fault {
        let (line, column) = line_col(text, at);
        return Err(InputError::Xml {
            line,
            column,
            message: format!("{fault} at {line}:{column}"),
        });
    }
    Ok(doc)
}

/// What roxmltree lets pass although an XML parser must refuse it, as the
/// official processor does: an XML declaration with a version other than
/// 1.0 or 1.1 or a `standalone` other than `yes` or `no`; a character
/// reference to a surrogate or past U+10FFFF (roxmltree reads U+FFFD); a
/// start tag that declares the default namespace, or the `xml` prefix,
/// twice; the prefix `xmlns` declared; a prefix bound to the empty name
/// outside XML 1.1 (`xml11`); a processing instruction named `xml`, with a
/// `:` in its target, or whose target runs into its text. Where, and what.
fn missed_fault(text: &str, xml11: bool) -> Option<(usize, String)> {
    let b = text.as_bytes();
    if let Some(fault) = declaration_fault(b) {
        return Some(fault);
    }
    // one vector scan: references start with `&`, declarations have an `=`
    // (a document has few of either), processing instructions a `?`
    let mut repeats = 0;
    let mut suspect = false;
    for at in memchr::memchr3_iter(b'&', b'=', b'?', b) {
        let fault = match b[at] {
            b'&' => reference_fault(b, at),
            b'=' => {
                suspect = suspect || declaration_suspect(b, at, xml11, &mut repeats);
                None
            }
            _ => at.checked_sub(1).and_then(|lt| pi_fault(text, lt, xml11)),
        };
        if fault.is_some() {
            return fault;
        }
    }
    if suspect {
        namespace_fault(b, xml11)
    } else {
        None
    }
}

/// A C1 control character or DEL written as itself in an XML 1.1 text,
/// which that version allows only as a character reference (roxmltree
/// takes it, as XML 1.0 does); C0 controls are refused by the parse.
fn restricted_fault(text: &str) -> Option<(usize, String)> {
    let (at, c) = text
        .char_indices()
        .find(|&(_, c)| matches!(c, '\u{7F}'..='\u{84}' | '\u{86}'..='\u{9F}'))?;
    Some((
        at,
        format!(
            "U+{:04X} must be written as a character reference in XML 1.1",
            u32::from(c)
        ),
    ))
}

/// Whether `c`, outside ASCII, may stand in a name after its first
/// character, as the official processor's parser reads names: by XML 1.0's
/// Appendix B, or in XML 1.1 by that version's (the fifth edition's) wider
/// classes.
fn name_char(c: char, xml11: bool) -> bool {
    let c = u32::from(c);
    if xml11 {
        return matches!(c, 0xB7 | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x37D | 0x37F..=0x1FFF
            | 0x200C..=0x200D | 0x203F..=0x2040 | 0x2070..=0x218F | 0x2C00..=0x2FEF
            | 0x3001..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF);
    }
    u16::try_from(c).is_ok_and(|c| in_table(names::NAME_START, c) || in_table(names::NAME_MORE, c))
}

/// Whether ASCII `c` may stand in a name after its first character (the
/// official processor's parser and roxmltree agree on ASCII).
fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':')
}

/// Whether `c` lies in one of the sorted inclusive ranges of `table`.
fn in_table(table: &[(u16, u16)], c: u16) -> bool {
    let k = table.partition_point(|&(_, hi)| hi < c);
    table.get(k).is_some_and(|&(lo, _)| lo <= c)
}

/// A name in an XML 1.0 document with a character outside ASCII that may
/// not stand where it does: roxmltree reads names by XML 1.0's fifth
/// edition (as XML 1.1 does), the official processor's parser by the
/// older, narrower classes of XML 1.0's Appendix B (`names`). Element,
/// attribute and processing-instruction names and declared prefixes are
/// each checked as a name of their own, so the part after a prefix's `:`
/// must start as a name does, as that parser asks. Where the first one
/// is, and what. Costs nothing on a text all in ASCII.
fn name_fault(doc: &roxmltree::Document<'_>, text: &str) -> Option<(usize, String)> {
    if !wide_name_suspect(text.as_bytes()) {
        return None;
    }
    // a prefix outside ASCII shows in the text as `xmlns:` and a byte past
    // 127 (the tree keeps every prefix in scope at every element, too many
    // to look at in every document)
    let b = text.as_bytes();
    let wide_prefix = memchr::memmem::find_iter(b, b"xmlns:").any(|at| {
        b[at + 6..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && **c != b'=')
            .any(|c| !c.is_ascii())
    });
    let mut first: Option<(usize, String)> = None;
    let mut note = |name: &str, what: &str| {
        if let Some(fault) = bad_name(text, name, what) {
            if first.as_ref().is_none_or(|(at, _)| fault.0 < *at) {
                first = Some(fault);
            }
        }
    };
    // nodes by id, in document order: cheaper than a traversal
    let nodes = (0..u32::MAX).map_while(|i| doc.get_node(roxmltree::NodeId::new(i)));
    for node in nodes {
        if node.is_element() {
            note(node.tag_name().name(), "an element name");
            for attribute in node.attributes() {
                note(attribute.name(), "an attribute name");
            }
            if wide_prefix {
                for prefix in node.namespaces().filter_map(|n| n.name()) {
                    note(prefix, "a namespace prefix");
                }
            }
        } else if let Some(pi) = node.pi() {
            note(pi.target, "a processing instruction's target");
        }
    }
    first
}

/// Whether some character outside ASCII may be part of a name: it follows
/// `<`, `</` or `<?` with only ASCII name characters between, or it
/// follows whitespace and the word it is in is followed by `=`. Never
/// false for a document with such a name (the first wide character of a
/// name is always so placed), seldom true for one without, and one look
/// at each byte: an invoice with Arabic text passes without walking its
/// tree.
fn wide_name_suspect(b: &[u8]) -> bool {
    const HIGH: u128 = u128::from_ne_bytes([0x80; 16]);
    let mut i = 0;
    while i < b.len() {
        // 64 bytes at a time through text in ASCII
        if let Some(chunk) = b[i..].first_chunk::<64>() {
            let (w, _) = chunk.as_chunks::<16>();
            let any = w.iter().fold(0, |acc, c| acc | u128::from_ne_bytes(*c));
            if any & HIGH == 0 {
                i += 64;
                continue;
            }
        }
        if b[i].is_ascii() {
            i += 1;
            continue;
        }
        // a run of bytes past 127 starts at `i`
        let before = b[..i].iter().rposition(|&c| !name_byte(c));
        let opener = |q: usize| q.checked_sub(1).map(|p| b[p]) == Some(b'<');
        match before.map(|q| (q, b[q])) {
            Some((_, b'<')) => return true,
            Some((q, b'/' | b'?')) if opener(q) => return true,
            Some((_, c)) if c.is_ascii_whitespace() => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c.is_ascii() && !name_byte(c))
                    .map_or(b.len(), |e| i + e);
                if b[end..].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'=') {
                    return true;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += b[i..].iter().position(u8::is_ascii).unwrap_or(b.len() - i);
    }
    false
}

/// The first character of `name` (a slice of `text`) outside ASCII that
/// XML 1.0's Appendix B does not allow where it stands: where it is in
/// `text`, and what.
#[inline]
fn bad_name(text: &str, name: &str, what: &str) -> Option<(usize, String)> {
    if name.bytes().all(|c| c < 0x80) {
        return None;
    }
    bad_wide_name(text, name, what)
}

/// [`bad_name`] for a name with a character outside ASCII.
#[cold]
fn bad_wide_name(text: &str, name: &str, what: &str) -> Option<(usize, String)> {
    let (i, c) = name.char_indices().find(|&(i, c)| {
        let allowed = if i == 0 {
            u16::try_from(u32::from(c)).is_ok_and(|c| in_table(names::NAME_START, c))
        } else {
            name_char(c, false)
        };
        !c.is_ascii() && !allowed
    })?;
    // names are slices of the text the document was parsed from
    let start = (name.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .filter(|&at| at < text.len())
        .unwrap_or(0);
    let place = if i == 0 { "start" } else { "be part of" };
    Some((
        start + i,
        format!("'{c}' (U+{:04X}) cannot {place} {what} in XML 1.0", u32::from(c)),
    ))
}

/// For a processing instruction at `lt` (`<?` outside comments and CDATA,
/// other than the XML declaration): a target named `xml` in any case, a
/// target with a `:` (the official processor takes only names without one,
/// in any XML version), or a target not followed by whitespace or `?>`.
/// The target is read as the official processor reads a name, so
/// `<?xml\u{7f}` is named `xml`.
fn pi_fault(text: &str, lt: usize, xml11: bool) -> Option<(usize, String)> {
    let b = text.as_bytes();
    if b.get(lt) != Some(&b'<') || (lt == 0 && starts_with_declaration(b)) {
        return None;
    }
    // `<?` is ASCII, so the target starts on a character boundary
    let target = text.get(lt + 2..)?;
    let len = target
        .char_indices()
        .find(|&(_, c)| !(u8::try_from(c).is_ok_and(name_byte) || name_char(c, xml11)))
        .map_or(target.len(), |(i, _)| i);
    let rest = target.as_bytes();
    let reserved = rest[..len].eq_ignore_ascii_case(b"xml");
    let colon = rest[..len].contains(&b':');
    let spaced = match rest.get(len) {
        Some(c) if c.is_ascii_whitespace() => true,
        Some(b'?') => rest.get(len + 1) == Some(&b'>'),
        _ => false,
    };
    if (!reserved && !colon && spaced) || in_section(b, lt) {
        return None;
    }
    let fault = if reserved {
        "a processing instruction cannot be named 'xml'"
    } else if colon {
        "a processing instruction's target cannot contain ':'"
    } else {
        "a processing instruction's target must be followed by whitespace or '?>'"
    };
    Some((lt, fault.to_string()))
}

/// Whether `b` starts with an XML declaration (`<?xml` and whitespace).
fn starts_with_declaration(b: &[u8]) -> bool {
    b.strip_prefix(b"<?xml")
        .and_then(|r| r.first())
        .is_some_and(u8::is_ascii_whitespace)
}

/// A version or `standalone` value the XML declaration may not have.
fn declaration_fault(b: &[u8]) -> Option<(usize, String)> {
    pseudo_attributes(b).find_map(|(name, at, value)| {
        let allowed: &[&[u8]] = match name {
            b"version" => &[b"1.0", b"1.1"],
            b"standalone" => &[b"yes", b"no"],
            _ => return None,
        };
        (!allowed.contains(&value)).then(|| {
            (
                at,
                format!(
                    "the XML declaration's {} cannot be '{}'",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(value)
                ),
            )
        })
    })
}

/// For a character reference at `at`, in text or an attribute value: a
/// number that is no character (a surrogate, or past U+10FFFF).
fn reference_fault(b: &[u8], at: usize) -> Option<(usize, String)> {
    let rest = b[at + 1..].strip_prefix(b"#")?;
    let (digits, radix) = match rest.strip_prefix(b"x") {
        Some(hex) => (&hex[..hex.iter().take_while(|c| c.is_ascii_hexdigit()).count()], 16),
        None => (&rest[..rest.iter().take_while(|c| c.is_ascii_digit()).count()], 10),
    };
    let n = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| u32::from_str_radix(d, radix).ok())?;
    if char::from_u32(n).is_none() && !in_section(b, at) {
        return Some((at, format!("the character reference to {n:#X} is to no character")));
    }
    None
}

/// Whether offset `p` lies inside a comment, CDATA section or processing
/// instruction (where `&#…;` is no reference).
fn in_section(b: &[u8], p: usize) -> bool {
    let mut i = 0;
    while let Some(q) = memchr::memchr(b'<', &b[i..p.min(b.len())]) {
        let at = i + q;
        match not_an_element(b, at) {
            Some(end) if end > p => return true,
            Some(end) => i = end,
            None => i = at + 1,
        }
    }
    false
}

/// Whether the `=` at `eq` may end a namespace declaration that
/// [`namespace_fault`] refuses: a second one of the default namespace or
/// of `xml` (counted in `repeats`), one of `xmlns`, or an empty binding.
/// The name before it is read backwards, up to the `=` before, so each
/// byte at most once.
fn declaration_suspect(b: &[u8], eq: usize, xml11: bool, repeats: &mut u32) -> bool {
    let name_end = b[..eq]
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    // most `=` are other attributes': their names end otherwise, their
    // values are not empty
    let before = &b[..name_end];
    let empty = matches!(b[eq + 1..].trim_ascii_start(), [q @ (b'"' | b'\''), r, ..] if q == r);
    if !empty && !before.ends_with(b"xmlns") && !before.ends_with(b":xml") {
        return false;
    }
    let name_len = before
        .iter()
        .rev()
        .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'<' | b'"' | b'\'' | b'=' | b'>'))
        .count();
    let at = name_end - name_len;
    if default_or_xml_at(b, at) {
        *repeats += 1;
    }
    *repeats > 1 || binding_fault_at(b, at, xml11).is_some()
}

/// A start tag that declares the default namespace, or the `xml` prefix, a
/// second time (an attribute given twice; roxmltree checks only other
/// prefixes for repeats), binds the prefix `xmlns`, or, unless the
/// document is XML 1.1 (`xml11`), binds a prefix to the empty name:
/// read tag by tag, for a document [`declaration_suspect`] found suspect.
fn namespace_fault(b: &[u8], xml11: bool) -> Option<(usize, String)> {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]) {
        let at = i + p;
        if let Some(end) = not_an_element(b, at) {
            i = end;
            continue;
        }
        if b.get(at + 1) == Some(&b'/') {
            i = past(b, at, b">");
            continue;
        }
        // a start tag: its attributes, name by name, values skipped
        let (mut default, mut xml) = (false, false);
        let mut j = at + 1;
        while j < b.len() && b[j] != b'>' {
            match b[j] {
                q @ (b'"' | b'\'') => {
                    j = memchr::memchr(q, &b[j + 1..]).map_or(b.len(), |e| j + 1 + e + 1);
                }
                c if c.is_ascii_whitespace() && default_or_xml_at(b, j + 1) => {
                    let (seen, name) = if b[j + 6] == b':' {
                        (&mut xml, "xmlns:xml")
                    } else {
                        (&mut default, "xmlns")
                    };
                    if *seen {
                        return Some((j + 1, format!("the attribute '{name}' is already defined")));
                    }
                    *seen = true;
                    j += 6;
                }
                c if c.is_ascii_whitespace() => {
                    if let Some(fault) = binding_fault_at(b, j + 1, xml11) {
                        return Some((j + 1, fault));
                    }
                    j += 1;
                }
                _ => j += 1,
            }
        }
        i = j + 1;
        if i >= b.len() {
            break;
        }
    }
    None
}

/// Whether `b[at..]` reads as a declaration of the default namespace or of
/// the `xml` prefix: `xmlns` or `xmlns:xml`, then `=` after optional
/// whitespace.
fn default_or_xml_at(b: &[u8], at: usize) -> bool {
    let Some(rest) = b.get(at..).and_then(|r| r.strip_prefix(b"xmlns")) else {
        return false;
    };
    let rest = rest.strip_prefix(b":xml").unwrap_or(rest);
    rest.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'=')
}

/// What is wrong, when `b[at..]` reads as a declaration that binds the
/// prefix `xmlns` (never allowed) or, outside XML 1.1 (`xml11`), a prefix
/// to the empty name (`xmlns:p=""`); whitespace may surround `=`.
fn binding_fault_at(b: &[u8], at: usize, xml11: bool) -> Option<String> {
    let rest = b.get(at..)?.strip_prefix(b"xmlns:")?;
    let len = rest.iter().position(|c| c.is_ascii_whitespace() || *c == b'=')?;
    let (prefix, rest) = rest.split_at(len);
    let rest = rest.trim_ascii_start().strip_prefix(b"=")?.trim_ascii_start();
    if prefix == b"xmlns" {
        return Some("the prefix 'xmlns' cannot be declared".to_string());
    }
    match rest {
        [q @ (b'"' | b'\''), r, ..] if r == q && !prefix.is_empty() && !xml11 => Some(format!(
            "the prefix '{}' is bound to an empty namespace name",
            String::from_utf8_lossy(prefix)
        )),
        _ => None,
    }
}

/// What a parsed input turned out to be.
pub enum Unwrapped {
    /// A bare UBL document.
    Bare(DocumentKind),
    /// An SBDH envelope; the payload must be parsed again from this text.
    Wrapped {
        /// The payload's text, with the namespace declarations it inherited
        /// from the envelope added to its start tag.
        payload: String,
        /// Line offset of the payload in the original input.
        envelope: Envelope,
    },
}

/// Checks the root: a UBL document, or an SBDH envelope around one.
pub fn classify(doc: &roxmltree::Document<'_>) -> Result<Unwrapped, InputError> {
    let root = doc.root_element();
    let tag = root.tag_name();
    if let Some(kind) = DocumentKind::from_root(tag.namespace(), tag.name()) {
        return Ok(Unwrapped::Bare(kind));
    }
    if tag.namespace() == Some(ns::SBDH) && tag.name() == "StandardBusinessDocument" {
        let payload = root
            .children()
            .filter(|c| c.is_element())
            .find(|c| DocumentKind::from_root(c.tag_name().namespace(), c.tag_name().name()).is_some())
            .ok_or(InputError::EmptyEnvelope)?;
        let text = doc.input_text();
        let start = position::element_start(payload);
        let end = position::element_end(text, start).ok_or(InputError::EmptyEnvelope)?;
        let slice = text.get(start..end).ok_or(InputError::EmptyEnvelope)?;
        // inherited namespace declarations, added to the payload's start tag
        let own = declared_prefixes(slice);
        let mut extra = String::new();
        for nsd in payload.namespaces() {
            if !own.contains(&nsd.name()) {
                match nsd.name() {
                    Some(p) => extra.push_str(&format!(" xmlns:{p}=\"{}\"", escape_attr(nsd.uri()))),
                    None => extra.push_str(&format!(" xmlns=\"{}\"", escape_attr(nsd.uri()))),
                }
            }
        }
        let name_end = slice
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(slice.len());
        let mut payload_text = String::with_capacity(slice.len() + extra.len());
        payload_text.push_str(&slice[..name_end]);
        payload_text.push_str(&extra);
        payload_text.push_str(&slice[name_end..]);
        let header = root
            .children()
            .find(|c| c.has_tag_name((ns::SBDH, "StandardBusinessDocumentHeader")));
        let ident = |who: &str| {
            header
                .and_then(|h| h.children().find(|c| c.has_tag_name((ns::SBDH, who))))
                .and_then(|s| s.children().find(|c| c.has_tag_name((ns::SBDH, "Identifier"))))
                .and_then(|i| i.text())
                .map(|t| t.trim().to_string())
        };
        let envelope = Envelope {
            kind: "sbdh",
            payload_line: doc.text_pos_at(start).row,
            sender: ident("Sender"),
            receiver: ident("Receiver"),
        };
        return Ok(Unwrapped::Wrapped {
            payload: payload_text,
            envelope,
        });
    }
    Err(InputError::NotUbl {
        namespace: tag.namespace().unwrap_or("").to_string(),
        name: tag.name().to_string(),
    })
}

/// Prefixes declared on the first start tag of `slice` (`None` = default namespace).
fn declared_prefixes(slice: &str) -> Vec<Option<&str>> {
    let end = slice.find('>').unwrap_or(slice.len());
    let tag = &slice[..end];
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(i) = rest.find("xmlns") {
        let after = &rest[i + 5..];
        if let Some(stripped) = after.strip_prefix(':') {
            let pend = stripped
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(stripped.len());
            out.push(Some(&stripped[..pend]));
        } else if after.trim_start().starts_with('=') {
            out.push(None);
        }
        rest = after;
    }
    out
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::{exact_too_deep, may_be_too_deep, too_deep, wide_name_suspect};
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "<a>",
        "</a>",
        "<b/>",
        "<c x='/>'>",
        "</c>",
        "<d\n/>",
        "t",
        "<!-- <a></a> -->",
        "<![CDATA[</a><a>]]>",
        "<?p <a>?>",
        "<!-- </a> -->",
    ];

    proptest! {
        /// The quick bound never lets through what the exact scan refuses:
        /// both ways give the same answer.
        #[test]
        fn quick_bound_agrees_with_the_exact_scan(
            pieces in proptest::collection::vec(0..PIECES.len(), 0..40),
            limit in 0usize..6,
            with_empty_elements in any::<bool>(),
        ) {
            // without empty-element tags the bound is the depth itself, so
            // any place where it counted differently would show
            let text: String = pieces
                .iter()
                .map(|&i| PIECES[i])
                .filter(|p| with_empty_elements || !p.ends_with("/>"))
                .collect();
            prop_assert_eq!(too_deep(&text, limit), exact_too_deep(&text, limit), "{}", text);
        }
    }

    /// A well-formed document from `ops`: 0 opens an element, 1 closes
    /// the innermost open one, 2 is an empty element, 3 text, 4 a comment
    /// holding markup; what is still open is closed at the end.
    fn well_formed(ops: &[u8]) -> String {
        let mut text = String::new();
        let mut open = 0usize;
        for op in ops {
            match op {
                0 => {
                    text.push_str("<e>");
                    open += 1;
                }
                1 if open > 0 => {
                    text.push_str("</e>");
                    open -= 1;
                }
                2 => text.push_str("<f/>"),
                3 => text.push('t'),
                _ => text.push_str("<!-- <g> -->"),
            }
        }
        text.push_str(&"</e>".repeat(open));
        text
    }

    proptest! {
        /// The `<` count lets a well-formed document skip the depth scan
        /// only when the scan would have passed it.
        #[test]
        fn few_tags_never_hide_a_too_deep_document(
            ops in proptest::collection::vec(0u8..5, 0..48),
            limit in 0usize..8,
        ) {
            let text = well_formed(&ops);
            if !may_be_too_deep(super::width::Bounds::of(text.as_bytes()).tags, limit) {
                prop_assert_eq!(exact_too_deep(&text, limit), None, "{}", text);
            }
        }
    }

    #[test]
    fn the_tag_count_bound_is_tight() {
        // `limit + 1` open elements and nothing else: `2 * limit + 2` tags,
        // the fewest a too-deep document can have
        for limit in 0..6 {
            let nest = |n: usize| format!("{}t{}", "<e>".repeat(n), "</e>".repeat(n));
            let deep = nest(limit + 1);
            assert!(
                may_be_too_deep(super::width::Bounds::of(deep.as_bytes()).tags, limit),
                "{deep}"
            );
            assert!(too_deep(&deep, limit).is_some(), "{deep}");
            let (fits, one_more) = (nest(limit), format!("{}<f/>", nest(limit)));
            assert!(
                !may_be_too_deep(super::width::Bounds::of(fits.as_bytes()).tags, limit),
                "{fits}"
            );
            assert!(
                !may_be_too_deep(super::width::Bounds::of(one_more.as_bytes()).tags, limit),
                "{one_more}"
            );
        }
    }

    #[test]
    fn depth_scan_skips_markup_that_is_not_an_element() {
        // each case nests exactly two open elements (a self-closing leaf
        // does not open a level)
        for doc in [
            "<a><b><c/></b></a>",
            "<a><b x='>'>t</b></a>",
            "<a><b x=\"<c>\"><c/></b></a>",
            "<a><!-- <c><d><e> --><b></b></a>",
            "<a><![CDATA[<c><d><e>]]><b></b></a>",
            "<?xml version='1.0'?><a><?pi <c><d>?><b></b></a>",
        ] {
            assert_eq!(too_deep(doc, 2), None, "{doc}");
            assert!(too_deep(doc, 1).is_some(), "{doc}");
        }
        assert_eq!(too_deep("<a><b><c>", 2), Some(6));
        // empty-element tags take the quick bound over the limit; the exact
        // scan then finds the real depth
        assert_eq!(too_deep("<a><b/><b/><b/><b/></a>", 2), None);
        assert_eq!(too_deep("", 0), None);
        assert_eq!(too_deep("<a x='", 0), Some(0));
    }

    /// Text around names: ASCII, Arabic and Arabic-Indic digits, spaces and
    /// line ends, and the `>` and quotes text may hold.
    fn filler() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("a"),
                Just("ملاحظة"),
                Just("٣٠"),
                Just(" "),
                Just("\n"),
                Just(">"),
                Just("\""),
                Just("x:y")
            ],
            0..90,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        /// Every name with a character past ASCII makes the text suspect,
        /// wherever it stands among other text, in or across the 64-byte
        /// blocks the scan skips at once.
        #[test]
        fn wide_names_are_always_suspect(
            before in filler(),
            after in filler(),
            wide in prop_oneof![Just('\u{0660}'), Just('\u{3400}'), Just('é'), Just('\u{1F600}')],
            shape in 0usize..7,
        ) {
            let named = match shape {
                0 => format!("<a{wide}b/>"),
                1 => format!("<p:{wide} xmlns:p='u'/>"),
                2 => format!("<e a{wide}='1'/>"),
                3 => format!("<e xmlns:{wide}='u'/>"),
                4 => format!("<?a{wide} x?>"),
                5 => format!("<e a='1'\n  b{wide}c = '2'/>"),
                _ => format!("<{wide}></{wide}>"),
            };
            let doc = format!("<r>{before}{named}{after}</r>");
            prop_assert!(wide_name_suspect(doc.as_bytes()), "{doc:?}");
        }

        /// Arabic text without `=` leaves the tree unwalked.
        #[test]
        fn wide_text_is_not_suspect(text in filler()) {
            let doc = format!("<r><n a='ملاحظة'>{text}</n></r>");
            prop_assert!(!wide_name_suspect(doc.as_bytes()), "{doc:?}");
        }
    }
}
