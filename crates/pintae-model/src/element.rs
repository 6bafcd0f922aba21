//! The three ways a document part is moved: written as XML, read from XML,
//! read from UBL-shaped JSON. Leaves and aggregates implement [`Element`];
//! a field (`Option<T>` or `Vec<T>`) implements [`Field`].

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

use serde_json::Value;

use crate::value::{Leaf, Src};
use crate::ModelError;

/// Writes UBL XML (indented by two spaces, as quick-xml's indenting writer
/// lays it out) and records, for every element that has a [`Src`], which
/// input it came from (the [`SourceMap`]). The markup goes straight into one
/// buffer: a converted invoice is written per request, and an event writer
/// cost about four times as much per element.
pub struct XmlOut {
    xml: Vec<u8>,
    /// Open elements below the root.
    level: usize,
    /// Whether the next tag starts a new line (not after text).
    line_break: bool,
    location: String,
    /// Open elements; frames above `depth` are kept for reuse, so writing
    /// does not allocate per element.
    stack: Vec<Frame>,
    depth: usize,
    sources: SourceMap,
    failed: Option<String>,
}

struct Frame {
    len: usize,
    counts: Vec<(&'static str, u32)>,
}

/// `s` with `&`, `<`, `>`, `'` and `"` escaped (quick-xml's escaping,
/// which copies nothing when there is nothing to escape), appended to `out`.
fn push_escaped(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(quick_xml::escape::escape(s).as_bytes());
}

impl XmlOut {
    /// A writer that starts with the XML declaration.
    pub(crate) fn new(capacity: usize) -> XmlOut {
        let mut xml = Vec::with_capacity(capacity);
        xml.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?>"#);
        XmlOut {
            xml,
            level: 0,
            line_break: true,
            location: String::with_capacity(128),
            stack: Vec::with_capacity(12),
            depth: 0,
            // locations and paths take about as much room as the XML
            sources: SourceMap {
                text: String::with_capacity(capacity),
                entries: Vec::with_capacity(capacity / 64),
                sorted: OnceLock::new(),
            },
            failed: None,
        }
    }

    /// A new line and the indentation of the current level, unless the tag
    /// follows text.
    fn indent(&mut self) {
        if self.line_break {
            self.xml.push(b'\n');
            self.xml.resize(self.xml.len() + 2 * self.level, b' ');
        }
    }

    fn enter(&mut self, name: &'static str, src: &Src) {
        let len = self.location.len();
        self.location.push('/');
        self.location.push_str(name);
        if let Some(parent) = self.depth.checked_sub(1).and_then(|d| self.stack.get_mut(d)) {
            let n = match parent.counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    parent.counts.push((name, 1));
                    1
                }
            };
            self.location.push('[');
            if n < 10 {
                self.location.push(char::from(b'0' + n as u8));
            } else {
                // writing to a String cannot fail
                let _ = write!(self.location, "{n}");
            }
            self.location.push(']');
        }
        if let Some(p) = src.get() {
            self.sources.push(&self.location, p);
        }
        match self.stack.get_mut(self.depth) {
            Some(f) => {
                f.len = len;
                f.counts.clear();
            }
            None => self.stack.push(Frame {
                len,
                counts: Vec::new(),
            }),
        }
        self.depth += 1;
    }

    fn leave(&mut self) {
        if let Some(d) = self.depth.checked_sub(1) {
            self.depth = d;
            if let Some(f) = self.stack.get(d) {
                self.location.truncate(f.len);
            }
        }
    }

    /// Opens element `name` with attributes.
    pub(crate) fn start(&mut self, name: &'static str, attrs: &[(&str, &str)], src: &Src) {
        self.enter(name, src);
        self.indent();
        self.xml.push(b'<');
        self.xml.extend_from_slice(name.as_bytes());
        for &(k, v) in attrs {
            self.xml.push(b' ');
            self.xml.extend_from_slice(k.as_bytes());
            self.xml.extend_from_slice(b"=\"");
            push_escaped(&mut self.xml, v);
            self.xml.push(b'"');
        }
        self.xml.push(b'>');
        self.level += 1;
        self.line_break = true;
    }

    /// Closes element `name`.
    pub(crate) fn end(&mut self, name: &'static str) {
        self.level = self.level.saturating_sub(1);
        self.indent();
        self.xml.extend_from_slice(b"</");
        self.xml.extend_from_slice(name.as_bytes());
        self.xml.push(b'>');
        self.line_break = true;
        self.leave();
    }

    /// Writes a leaf element.
    pub(crate) fn leaf(&mut self, name: &'static str, text: &str, attrs: &[(&str, &str)], src: &Src) {
        // the readers refuse such values; this keeps the output well-formed
        // whatever a caller put in the model
        let bad = non_xml_char(text).or_else(|| attrs.iter().find_map(|(_, v)| non_xml_char(v)));
        if let (Some(c), None) = (bad, &self.failed) {
            let at = src.get().unwrap_or(name);
            self.failed = Some(format!("{at} {}", non_xml_char_message(c)));
        }
        self.start(name, attrs, src);
        push_escaped(&mut self.xml, text);
        self.line_break = false;
        self.end(name);
    }

    /// The XML and the source map.
    pub(crate) fn finish(self) -> Result<(Vec<u8>, SourceMap), ModelError> {
        match self.failed {
            Some(e) => Err(ModelError::Write(e)),
            None => {
                let mut xml = self.xml;
                xml.push(b'\n');
                Ok((xml, self.sources))
            }
        }
    }
}

/// Where the elements of a written document came from: element location
/// (`/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount[1]`, the form rule
/// failures use) → input path (`line_items[1].line_amount`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Every location and input path, one after the other.
    text: String,
    /// (location, input path) as ranges of `text`, in document order.
    entries: Vec<(Range<usize>, Range<usize>)>,
    /// Indexes of `entries` sorted by location, made on the first lookup
    /// (a valid document never needs it).
    sorted: OnceLock<Vec<usize>>,
}

impl SourceMap {
    fn push(&mut self, location: &str, path: &str) {
        let start = self.text.len();
        self.text.push_str(location);
        let mid = self.text.len();
        self.text.push_str(path);
        self.entries.push((start..mid, mid..self.text.len()));
    }

    fn location(&self, i: usize) -> &str {
        self.entries.get(i).map_or("", |(l, _)| &self.text[l.clone()])
    }

    fn path(&self, i: usize) -> &str {
        self.entries.get(i).map_or("", |(_, p)| &self.text[p.clone()])
    }

    fn sorted(&self) -> &[usize] {
        self.sorted.get_or_init(|| {
            let mut order: Vec<usize> = (0..self.entries.len()).collect();
            order.sort_unstable_by(|&a, &b| self.location(a).cmp(self.location(b)));
            order
        })
    }

    /// The input path of the element at `location` or, failing that, of its
    /// nearest ancestor that has one.
    pub fn lookup(&self, location: &str) -> Option<&str> {
        let mut loc = location;
        loop {
            if let Some(p) = self.get(loc) {
                return Some(p);
            }
            let cut = loc.rfind('/')?;
            if cut == 0 {
                return None;
            }
            loc = &loc[..cut];
        }
    }

    /// The input path recorded for exactly `location`.
    pub fn get(&self, location: &str) -> Option<&str> {
        let sorted = self.sorted();
        let i = sorted.binary_search_by(|&i| self.location(i).cmp(location)).ok()?;
        sorted.get(i).map(|&i| self.path(i))
    }

    /// All entries, in location order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sorted().iter().map(|&i| (self.location(i), self.path(i)))
    }

    /// How many elements have a recorded source.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no element has a recorded source.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A problem found in UBL-shaped JSON, at a JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonIssue {
    /// Where: `ublDto.InvoiceLine[0].Price.PriceAmount`.
    pub path: String,
    /// What.
    pub message: String,
}

/// What reading UBL-shaped JSON found besides the document.
#[derive(Debug, Default)]
pub struct JsonCx {
    /// Values that could not be read (wrong type, bad number, bad date…):
    /// the document is incomplete.
    pub errors: Vec<JsonIssue>,
    /// Keys the model does not know, and other things dropped.
    pub warnings: Vec<JsonIssue>,
}

impl JsonCx {
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(JsonIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(crate) fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.warnings.push(JsonIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Reports a key the model does not know, unless its value is empty.
    pub(crate) fn unknown(&mut self, path: &str, v: &Value) {
        if !is_blank(v) {
            self.warn(path, "unknown key: not part of a PINT-AE document, not converted");
        }
    }
}

/// Null, `""`, `{}` and `[]` (recursively): nothing to convert.
pub fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_blank),
        Value::Object(o) => o.values().all(is_blank),
        _ => false,
    }
}

/// The JSON type's name, for messages.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads XML back; collects the locations of elements the model does not
/// carry.
#[derive(Debug, Default)]
pub struct ReadCx {
    /// Elements skipped because the model has no place for them.
    pub skipped: Vec<String>,
}

/// A document part: a leaf or an aggregate.
pub trait Element: Sized {
    /// Writes the element as `name` (nothing when it is empty).
    fn write(&self, out: &mut XmlOut, name: &'static str);
    /// Reads the element from XML.
    fn read(node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<Self, ModelError>;
    /// Reads the element from UBL-shaped JSON at `path`; `None` when the
    /// value is empty or broken (broken values are reported in `cx`).
    fn from_json(v: &Value, path: &str, cx: &mut JsonCx) -> Option<Self>;
    /// Whether nothing is set (empty elements are never written).
    fn is_empty(&self) -> bool;
}

/// The first character of `s` that XML 1.0 cannot carry (control
/// characters other than tab, line feed and carriage return; U+FFFE and
/// U+FFFF), if any.
pub fn non_xml_char(s: &str) -> Option<char> {
    // every such character starts with a control byte or, for U+FFFE and
    // U+FFFF, 0xEF: text without either (nearly all) needs no decoding
    let suspect = |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0xEF;
    if !s.as_bytes().iter().any(suspect) {
        return None;
    }
    s.chars()
        .find(|&c| (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// What to say of a value holding `c`.
pub fn non_xml_char_message(c: char) -> String {
    format!("contains the character U+{:04X}, which XML cannot carry", u32::from(c))
}

/// `text` when XML can carry it, else `None` after an error at `path`.
fn xml_text(text: String, path: &str, cx: &mut JsonCx) -> Option<String> {
    match non_xml_char(&text) {
        None => Some(text),
        Some(c) => {
            cx.error(path, non_xml_char_message(c));
            None
        }
    }
}

/// The text of a JSON scalar, or `None` for blanks and non-scalars.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn leaf_write<T: Leaf>(leaf: &T, out: &mut XmlOut, name: &'static str) {
    let mut attrs: [(&str, &str); 3] = [("", ""); 3];
    let mut n = 0;
    for &a in T::ATTRS {
        if let Some(v) = leaf.attr(a) {
            attrs[n] = (a, v);
            n += 1;
        }
    }
    leaf.with_text(|text| out.leaf(name, text, &attrs[..n], leaf.src()));
}

pub(crate) fn leaf_read<T: Leaf>(node: roxmltree::Node<'_, '_>) -> Result<T, ModelError> {
    let text = node.text().unwrap_or("");
    T::parse(text, &|a| unqualified_attribute(node, a).map(str::to_string))
}

/// The value of the attribute `name` without a namespace (roxmltree's
/// `attribute("x")` would also take a namespaced one whose local name is
/// `x`).
pub fn unqualified_attribute<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.namespace().is_none() && a.name() == name)
        .map(|a| a.value())
}

pub(crate) fn leaf_from_json<T: Leaf>(v: &Value, path: &str, cx: &mut JsonCx) -> Option<T> {
    let parsed = match v {
        Value::Null => return None,
        Value::Array(_) => {
            if !is_blank(v) {
                cx.error(path, "expected a value, found an array");
            }
            return None;
        }
        Value::Object(o) => {
            let mut text = None;
            let mut unwritable = false;
            for (k, val) in o {
                let p = format!("{path}.{k}");
                if k == "Value" {
                    text = scalar_text(val);
                    if text.is_none() && !is_blank(val) {
                        cx.error(&p, format!("expected a string or number, found {}", kind_of(val)));
                    }
                    text = text.and_then(|t| xml_text(t, &p, cx));
                    unwritable |= text.is_none() && !is_blank(val);
                } else if T::ATTRS.contains(&k.as_str()) {
                    match scalar_text(val) {
                        None if !is_blank(val) => {
                            cx.error(&p, format!("expected a string, found {}", kind_of(val)));
                        }
                        Some(t) => unwritable |= xml_text(t, &p, cx).is_none(),
                        None => {}
                    }
                } else if !is_blank(val) {
                    cx.warn(&p, "attribute not carried by this element in PINT-AE, not converted");
                }
            }
            if unwritable {
                return None;
            }
            let text = text?;
            T::parse(&text, &|a| o.get(a).and_then(scalar_text))
        }
        scalar => match scalar_text(scalar).and_then(|t| xml_text(t, path, cx)) {
            Some(t) => T::parse(&t, &|_| None),
            None => return None,
        },
    };
    match parsed {
        Ok(mut leaf) => {
            leaf.src_mut().set_if_unset(path);
            Some(leaf)
        }
        Err(e) => {
            cx.error(path, e.to_string());
            None
        }
    }
}

macro_rules! leaf_elements {
    ($($t:ty),*) => {$(
        impl Element for $t {
            fn write(&self, out: &mut XmlOut, name: &'static str) {
                leaf_write(self, out, name)
            }
            fn read(node: roxmltree::Node<'_, '_>, _: &mut ReadCx) -> Result<Self, ModelError> {
                leaf_read(node)
            }
            fn from_json(v: &Value, path: &str, cx: &mut JsonCx) -> Option<Self> {
                leaf_from_json(v, path, cx)
            }
            fn is_empty(&self) -> bool {
                false
            }
        }
    )*};
}

use crate::value::{
    Amount, Binary, Code, CountryCode, CurrencyCode, Date, Identifier, Indicator, Numeric, Quantity, Text,
};
leaf_elements!(
    Text,
    Identifier,
    Code,
    CurrencyCode,
    CountryCode,
    Amount,
    Quantity,
    Numeric,
    Date,
    Indicator,
    Binary
);

/// A field of an aggregate: `Option<T>` (at most one) or `Vec<T>` (any
/// number).
pub trait Field {
    /// Writes the field's elements as `name`.
    fn write_field(&self, out: &mut XmlOut, name: &'static str);
    /// Takes one more XML child for this field.
    fn read_child(&mut self, node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<(), ModelError>;
    /// Takes the field's JSON value.
    fn json_field(&mut self, v: &Value, path: &str, cx: &mut JsonCx);
    /// Whether anything is set.
    fn is_set(&self) -> bool;
}

impl<T: Element> Field for Option<T> {
    fn write_field(&self, out: &mut XmlOut, name: &'static str) {
        if let Some(x) = self {
            if !x.is_empty() {
                x.write(out, name);
            }
        }
    }
    fn read_child(&mut self, node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<(), ModelError> {
        if self.is_some() {
            return Err(ModelError::Repeated {
                element: node.tag_name().name().to_string(),
                position: crate::position::element_start(node),
            });
        }
        *self = Some(T::read(node, cx)?);
        Ok(())
    }
    fn json_field(&mut self, v: &Value, path: &str, cx: &mut JsonCx) {
        match v {
            Value::Array(items) => {
                let present: Vec<(usize, &Value)> = items.iter().enumerate().filter(|(_, x)| !is_blank(x)).collect();
                match present.as_slice() {
                    [] => {}
                    [(i, x)] => *self = T::from_json(x, &format!("{path}[{i}]"), cx),
                    _ => cx.error(path, format!("at most one is allowed here, found {}", present.len())),
                }
            }
            _ => *self = T::from_json(v, path, cx),
        }
    }
    fn is_set(&self) -> bool {
        self.as_ref().is_some_and(|x| !x.is_empty())
    }
}

impl<T: Element> Field for Vec<T> {
    fn write_field(&self, out: &mut XmlOut, name: &'static str) {
        for x in self {
            if !x.is_empty() {
                x.write(out, name);
            }
        }
    }
    fn read_child(&mut self, node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<(), ModelError> {
        self.push(T::read(node, cx)?);
        Ok(())
    }
    fn json_field(&mut self, v: &Value, path: &str, cx: &mut JsonCx) {
        match v {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if let Some(t) = T::from_json(x, &format!("{path}[{i}]"), cx) {
                        self.push(t);
                    }
                }
            }
            _ => self.extend(T::from_json(v, path, cx)),
        }
    }
    fn is_set(&self) -> bool {
        self.iter().any(|x| !x.is_empty())
    }
}

/// The object behind an aggregate's JSON value; reports anything else.
pub(crate) fn json_object<'v>(v: &'v Value, path: &str, cx: &mut JsonCx) -> Option<&'v serde_json::Map<String, Value>> {
    match v {
        Value::Object(o) => Some(o),
        _ if is_blank(v) => None,
        _ => {
            cx.error(path, format!("expected an object, found {}", kind_of(v)));
            None
        }
    }
}

/// Whether an XML child is in the namespace of `prefix` (`cac` / `cbc`).
pub(crate) fn in_ns(node: roxmltree::Node<'_, '_>, prefix: &str) -> bool {
    let want = match prefix {
        "cac" => crate::ns::CAC,
        "cbc" => crate::ns::CBC,
        _ => crate::ns::EXT,
    };
    node.tag_name().namespace() == Some(want)
}

/// Reports an XML child the model has no place for.
pub(crate) fn skip(node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) {
    let mut path = Vec::new();
    let mut n = Some(node);
    while let Some(x) = n.filter(|x| x.is_element()) {
        path.push(x.tag_name().name());
        n = x.parent();
    }
    path.reverse();
    cx.skipped.push(format!("/{}", path.join("/")));
}

#[cfg(test)]
mod tests {
    use super::XmlOut;
    use crate::value::Src;

    #[test]
    fn characters_xml_cannot_carry() {
        let cases: [(&str, Option<char>); 8] = [
            ("Falcon Bay", None),
            ("tab\tline\nreturn\r", None),
            ("d\u{e9}j\u{e0} \u{641}\u{627}\u{62a}\u{648}\u{631}\u{629}", None),
            // starts with 0xEF like U+FFFE, but XML carries it
            ("\u{FFFD}\u{FEFF}", None),
            ("bell\u{7}", Some('\u{7}')),
            ("nul\u{0} then \u{1}", Some('\u{0}')),
            ("x\u{FFFE}", Some('\u{FFFE}')),
            ("\u{e9}\u{FFFF}", Some('\u{FFFF}')),
        ];
        for (text, bad) in cases {
            assert_eq!(super::non_xml_char(text), bad, "{text:?}");
        }
    }

    #[test]
    fn writer_indents_escapes_and_refuses_control_characters() {
        let none = Src::default();
        let mut out = XmlOut::new(64);
        out.start("Invoice", &[("xmlns", "urn:x")], &none);
        out.start("cac:Party", &[], &Src::at("seller"));
        out.leaf(
            "cbc:Name",
            "A & B <\"Co\"> 'Ltd'",
            &[("k", "1<2&\"3\"'")],
            &Src::at("seller.name"),
        );
        out.end("cac:Party");
        out.leaf("cbc:Note", "", &[], &none);
        out.end("Invoice");
        let (xml, sources) = out.finish().expect("well-formed");
        let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <Invoice xmlns=\"urn:x\">\n  <cac:Party>\n    \
            <cbc:Name k=\"1&lt;2&amp;&quot;3&quot;&apos;\">A &amp; B &lt;&quot;Co&quot;&gt; &apos;Ltd&apos;</cbc:Name>\n  \
            </cac:Party>\n  <cbc:Note></cbc:Note>\n</Invoice>\n";
        assert_eq!(String::from_utf8_lossy(&xml), expected);
        assert_eq!(sources.lookup("/Invoice/cac:Party[1]/cbc:Name[1]"), Some("seller.name"));

        let mut out = XmlOut::new(64);
        out.start("Invoice", &[], &none);
        out.leaf("cbc:Note", "bell \u{7}", &[], &Src::at("note"));
        out.end("Invoice");
        let err = out.finish().expect_err("U+0007 cannot be written").to_string();
        assert!(err.contains("note") && err.contains("U+0007"), "{err}");
    }
}
