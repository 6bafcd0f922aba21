//! Leaf values of UBL documents: texts, identifiers, codes, amounts,
//! quantities, dates. Each parses from the text and attributes of an XML
//! element or from a UBL-shaped JSON value, and knows where it came from.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;
use rust_decimal::Decimal;

use crate::ModelError;

/// Where a part of a document came from in the converter's input (a JSON
/// path such as `line_items[2].tax_amount`), if anyone recorded it.
///
/// Provenance never makes two documents different: `Src` always compares
/// equal, so a document read back from XML equals the one that was written.
///
/// Paths of up to 24 bytes are kept inline, without an allocation: a
/// converted invoice records one for nearly every field.
#[derive(Clone, Default)]
pub struct Src(Option<CompactString>);

impl Src {
    /// A source at `path`.
    pub fn at(path: impl Into<CompactString>) -> Src {
        Src(Some(path.into()))
    }

    /// The recorded path, if any.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Records `path` unless a source is already recorded.
    pub fn set_if_unset(&mut self, path: &str) {
        if self.0.is_none() {
            self.0 = Some(CompactString::from(path));
        }
    }
}

impl PartialEq for Src {
    fn eq(&self, _: &Src) -> bool {
        true
    }
}

impl fmt::Debug for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(p) => write!(f, "Src({p})"),
            None => f.write_str("Src(-)"),
        }
    }
}

/// A leaf element: text content plus attributes.
pub trait Leaf: Sized {
    /// Attribute names this leaf carries (none unless said).
    const ATTRS: &'static [&'static str] = &[];

    /// The element's text (borrowed where the leaf keeps it as written, so
    /// writing a document does not copy every value).
    fn text(&self) -> Cow<'_, str>;

    /// Calls `k` with the element's text: [`Leaf::text`], except that
    /// numbers are formatted into a buffer on the stack instead of a new
    /// string (writing a document formats every amount).
    fn with_text<R>(&self, k: impl FnOnce(&str) -> R) -> R {
        k(&self.text())
    }

    /// The value of attribute `name` (one of [`Leaf::ATTRS`]), if set.
    fn attr(&self, name: &str) -> Option<&str> {
        let _ = name;
        None
    }

    /// Builds the leaf from text and a lookup of attribute values.
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError>;

    /// Where it came from.
    fn src(&self) -> &Src;

    /// Where it came from, to record it.
    fn src_mut(&mut self) -> &mut Src;
}

/// Room for any `Decimal` as text: 29 digits, a sign, a point and a
/// leading `0.` come to 32 bytes.
const DECIMAL_TEXT: usize = 48;

/// Text written into a buffer on the stack.
struct StackText {
    buf: [u8; DECIMAL_TEXT],
    len: usize,
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Calls `k` with `d` as text, formatted on the stack.
fn with_decimal_text<R>(d: &Decimal, k: impl FnOnce(&str) -> R) -> R {
    use fmt::Write as _;
    let mut t = StackText {
        buf: [0; DECIMAL_TEXT],
        len: 0,
    };
    if write!(t, "{d}").is_ok() {
        if let Ok(text) = std::str::from_utf8(&t.buf[..t.len]) {
            return k(text);
        }
    }
    // not reached: a decimal's text always fits
    k(&d.to_string())
}

fn opt(attr: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    attr(name).filter(|v| !v.is_empty())
}

fn bad(what: &str, text: &str, why: &str) -> ModelError {
    ModelError::Value {
        what: what.to_string(),
        text: truncate(text),
        why: why.to_string(),
    }
}

/// At most 60 characters of `s`, for messages.
pub(crate) fn truncate(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The `Leaf::src` / `Leaf::src_mut` pair: every leaf keeps its source in
/// a field named `src`.
macro_rules! src_accessors {
    () => {
        fn src(&self) -> &Src {
            &self.src
        }
        fn src_mut(&mut self) -> &mut Src {
            &mut self.src
        }
    };
}

macro_rules! leaf_struct {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Default)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
            /// Where it came from.
            pub src: Src,
        }
    };
}

leaf_struct!(
    /// Free text (`cbc:Note`, `cbc:Name`, …).
    Text { /// The text.
    value: String });

impl Text {
    /// A text.
    pub fn new(value: impl Into<String>) -> Text {
        Text {
            value: value.into(),
            src: Src::default(),
        }
    }
}

impl Leaf for Text {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.value)
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Text::new(text))
    }
    src_accessors!();
}

leaf_struct!(
    /// An identifier with its optional scheme attributes.
    Identifier {
        /// The identifier.
        value: String,
        /// `schemeID`.
        scheme_id: Option<String>,
        /// `schemeAgencyID` (BTAE-15/16: the registration type).
        scheme_agency_id: Option<String>,
        /// `schemeAgencyName` (BTAE-11/12: the issuing authority).
        scheme_agency_name: Option<String>,
    }
);

impl Identifier {
    /// An identifier without scheme.
    pub fn new(value: impl Into<String>) -> Identifier {
        Identifier {
            value: value.into(),
            ..Identifier::default()
        }
    }

    /// An identifier in scheme `scheme`.
    pub fn with_scheme(value: impl Into<String>, scheme: impl Into<String>) -> Identifier {
        Identifier {
            value: value.into(),
            scheme_id: Some(scheme.into()),
            ..Identifier::default()
        }
    }
}

impl Leaf for Identifier {
    const ATTRS: &'static [&'static str] = &["schemeID", "schemeAgencyID", "schemeAgencyName"];
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.value)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        match name {
            "schemeID" => self.scheme_id.as_deref(),
            "schemeAgencyID" => self.scheme_agency_id.as_deref(),
            "schemeAgencyName" => self.scheme_agency_name.as_deref(),
            _ => None,
        }
    }
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Identifier {
            value: text.to_string(),
            scheme_id: opt(attr, "schemeID"),
            scheme_agency_id: opt(attr, "schemeAgencyID"),
            scheme_agency_name: opt(attr, "schemeAgencyName"),
            src: Src::default(),
        })
    }
    src_accessors!();
}

leaf_struct!(
    /// A code from a code list, with its optional list attributes.
    Code {
        /// The code.
        value: String,
        /// `listID`.
        list_id: Option<String>,
        /// `listVersionID`.
        list_version_id: Option<String>,
        /// `name` (the code's name, e.g. on `cbc:PaymentMeansCode`).
        name: Option<String>,
    }
);

impl Code {
    /// A code.
    pub fn new(value: impl Into<String>) -> Code {
        Code {
            value: value.into(),
            ..Code::default()
        }
    }
}

impl Leaf for Code {
    const ATTRS: &'static [&'static str] = &["listID", "listVersionID", "name"];
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.value)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        match name {
            "listID" => self.list_id.as_deref(),
            "listVersionID" => self.list_version_id.as_deref(),
            "name" => self.name.as_deref(),
            _ => None,
        }
    }
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Code {
            value: text.to_string(),
            list_id: opt(attr, "listID"),
            list_version_id: opt(attr, "listVersionID"),
            name: opt(attr, "name"),
            src: Src::default(),
        })
    }
    src_accessors!();
}

/// Parses an ISO 4217 alphabetic code.
pub fn currency(code: &str) -> Result<iso_currency::Currency, ModelError> {
    iso_currency::Currency::from_code(code).ok_or_else(|| bad("currency", code, "not an ISO 4217 currency code"))
}

/// An ISO 4217 currency (`cbc:DocumentCurrencyCode`, `cbc:TaxCurrencyCode`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct CurrencyCode {
    /// The currency.
    pub value: iso_currency::Currency,
    /// Where it came from.
    pub src: Src,
}

impl CurrencyCode {
    /// The currency.
    pub fn new(value: iso_currency::Currency) -> CurrencyCode {
        CurrencyCode {
            value,
            src: Src::default(),
        }
    }
}

impl Leaf for CurrencyCode {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.value.code())
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(CurrencyCode::new(currency(text.trim())?))
    }
    src_accessors!();
}

/// An ISO 3166-1 country (`cac:Country/cbc:IdentificationCode`).
#[derive(Clone, Debug)]
pub struct CountryCode {
    /// The country.
    pub value: celes::Country,
    /// Where it came from.
    pub src: Src,
}

impl PartialEq for CountryCode {
    fn eq(&self, other: &CountryCode) -> bool {
        self.value.alpha2 == other.value.alpha2
    }
}

impl CountryCode {
    /// The country with ISO 3166-1 alpha-2 code `alpha2`.
    pub fn from_alpha2(alpha2: &str) -> Result<CountryCode, ModelError> {
        celes::Country::from_alpha2(alpha2)
            .map(|value| CountryCode {
                value,
                src: Src::default(),
            })
            .map_err(|_| bad("country", alpha2, "not an ISO 3166-1 alpha-2 code"))
    }

    /// A country given by alpha-2 or alpha-3 code or by name ("United Arab
    /// Emirates", "UAE" is not a name celes knows, "Oman").
    pub fn lookup(text: &str) -> Result<CountryCode, ModelError> {
        let t = text.trim();
        if t.len() == 2 {
            return CountryCode::from_alpha2(&t.to_ascii_uppercase());
        }
        let key: String = t
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        celes::Country::from_str(&key)
            .or_else(|_| celes::Country::from_str(&format!("the{key}")))
            .map(|value| CountryCode {
                value,
                src: Src::default(),
            })
            .map_err(|_| bad("country", text, "neither an ISO 3166-1 code nor a country name"))
    }
}

impl Leaf for CountryCode {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.value.alpha2)
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        CountryCode::from_alpha2(text.trim())
    }
    src_accessors!();
}

/// Parses a decimal as XML Schema writes it (`-12.50`, `3`, `.5`); no
/// exponent, no thousands separators.
pub fn decimal(text: &str) -> Result<Decimal, ModelError> {
    let t = text.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let ok = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
        && body != ".";
    if !ok {
        return Err(bad("decimal", text, "not a decimal number"));
    }
    Decimal::from_str(t.strip_prefix('+').unwrap_or(t))
        .map_err(|_| bad("decimal", text, "out of range (at most 28 significant digits)"))
}

/// An amount of money with its currency (`currencyID`).
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    /// The amount, exact.
    pub value: Decimal,
    /// The currency.
    pub currency: iso_currency::Currency,
    /// Where it came from.
    pub src: Src,
}

impl Amount {
    /// An amount.
    pub fn new(value: Decimal, currency: iso_currency::Currency) -> Amount {
        Amount {
            value,
            currency,
            src: Src::default(),
        }
    }
}

impl Leaf for Amount {
    const ATTRS: &'static [&'static str] = &["currencyID"];
    fn text(&self) -> Cow<'_, str> {
        Cow::Owned(self.value.to_string())
    }
    fn with_text<R>(&self, k: impl FnOnce(&str) -> R) -> R {
        with_decimal_text(&self.value, k)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        (name == "currencyID").then(|| self.currency.code())
    }
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        let code = opt(attr, "currencyID").ok_or_else(|| bad("amount", text, "has no currencyID"))?;
        Ok(Amount::new(decimal(text)?, currency(code.trim())?))
    }
    src_accessors!();
}

/// A quantity with its optional unit (`unitCode`, UN/ECE Rec 20).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Quantity {
    /// The quantity, exact.
    pub value: Decimal,
    /// `unitCode`.
    pub unit_code: Option<String>,
    /// Where it came from.
    pub src: Src,
}

impl Quantity {
    /// A quantity in `unit`.
    pub fn new(value: Decimal, unit: impl Into<String>) -> Quantity {
        Quantity {
            value,
            unit_code: Some(unit.into()),
            src: Src::default(),
        }
    }
}

impl Leaf for Quantity {
    const ATTRS: &'static [&'static str] = &["unitCode"];
    fn text(&self) -> Cow<'_, str> {
        Cow::Owned(self.value.to_string())
    }
    fn with_text<R>(&self, k: impl FnOnce(&str) -> R) -> R {
        with_decimal_text(&self.value, k)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        (name == "unitCode").then_some(self.unit_code.as_deref()).flatten()
    }
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Quantity {
            value: decimal(text)?,
            unit_code: opt(attr, "unitCode"),
            src: Src::default(),
        })
    }
    src_accessors!();
}

/// A plain number (`cbc:Percent`, `cbc:CalculationRate`, …).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Numeric {
    /// The number, exact.
    pub value: Decimal,
    /// Where it came from.
    pub src: Src,
}

impl Numeric {
    /// A number.
    pub fn new(value: Decimal) -> Numeric {
        Numeric {
            value,
            src: Src::default(),
        }
    }
}

impl Leaf for Numeric {
    fn text(&self) -> Cow<'_, str> {
        Cow::Owned(self.value.to_string())
    }
    fn with_text<R>(&self, k: impl FnOnce(&str) -> R) -> R {
        with_decimal_text(&self.value, k)
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Numeric::new(decimal(text)?))
    }
    src_accessors!();
}

/// Checks `YYYY-MM-DD` with a real month and day.
pub fn check_date(text: &str) -> Result<(), ModelError> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10);
    if !shape {
        return Err(bad("date", text, "not a date in the form YYYY-MM-DD"));
    }
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad("date", text, "month must be 01 to 12")),
    };
    if d == 0 || d > days {
        return Err(bad("date", text, "no such day in that month"));
    }
    Ok(())
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Date {
    /// The date as written.
    pub value: String,
    /// Where it came from.
    pub src: Src,
}

impl Date {
    /// A checked date.
    pub fn parse_str(text: &str) -> Result<Date, ModelError> {
        check_date(text.trim())?;
        Ok(Date {
            value: text.trim().to_string(),
            src: Src::default(),
        })
    }
}

impl Leaf for Date {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.value)
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Date::parse_str(text)
    }
    src_accessors!();
}

/// A boolean indicator (`true` / `false`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Indicator {
    /// The flag.
    pub value: bool,
    /// Where it came from.
    pub src: Src,
}

impl Indicator {
    /// An indicator.
    pub fn new(value: bool) -> Indicator {
        Indicator {
            value,
            src: Src::default(),
        }
    }
}

impl Leaf for Indicator {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if self.value { "true" } else { "false" })
    }
    fn parse(text: &str, _: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        match text.trim() {
            "true" | "1" => Ok(Indicator::new(true)),
            "false" | "0" => Ok(Indicator::new(false)),
            _ => Err(bad("indicator", text, "must be true or false")),
        }
    }
    src_accessors!();
}

leaf_struct!(
    /// An embedded binary object (base64 text with MIME code and file name).
    Binary {
        /// The base64 content.
        value: String,
        /// `mimeCode`.
        mime_code: Option<String>,
        /// `filename`.
        filename: Option<String>,
    }
);

impl Leaf for Binary {
    const ATTRS: &'static [&'static str] = &["mimeCode", "filename"];
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.value)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        match name {
            "mimeCode" => self.mime_code.as_deref(),
            "filename" => self.filename.as_deref(),
            _ => None,
        }
    }
    fn parse(text: &str, attr: &dyn Fn(&str) -> Option<String>) -> Result<Self, ModelError> {
        Ok(Binary {
            value: text.to_string(),
            mime_code: opt(attr, "mimeCode"),
            filename: opt(attr, "filename"),
            src: Src::default(),
        })
    }
    src_accessors!();
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Numbers formatted on the stack read as their own text does,
        /// at every scale and magnitude a decimal has.
        #[test]
        fn stack_formatted_numbers_read_as_their_text(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let d = Decimal::try_from_i128_with_scale(m % 79_228_162_514_264_337_593_543_950_336, scale).unwrap_or(Decimal::MAX);
            let a = Amount::new(d, iso_currency::Currency::AED);
            proptest::prop_assert_eq!(a.with_text(str::to_string), d.to_string());
            proptest::prop_assert_eq!(Numeric::new(d).with_text(str::to_string), d.to_string());
        }
    }

    #[test]
    fn the_longest_decimal_texts_fit_the_stack_buffer() {
        let smallest = Decimal::new(-1, 28);
        for d in [Decimal::MAX, Decimal::MIN, smallest, Decimal::new(i64::MIN, 28)] {
            let mut fitted = None;
            with_decimal_text(&d, |t| fitted = Some(t.to_string()));
            assert_eq!(fitted, Some(d.to_string()));
            assert!(d.to_string().len() <= DECIMAL_TEXT);
        }
    }

    #[test]
    fn decimals_keep_their_scale_and_refuse_floats_syntax() {
        assert_eq!(decimal("0.10").map(|d| d.to_string()).ok().as_deref(), Some("0.10"));
        assert_eq!(decimal("+3").map(|d| d.to_string()).ok().as_deref(), Some("3"));
        for t in ["1e3", "", ".", "1.2.3", "NaN", "12,5", "--1"] {
            assert!(decimal(t).is_err(), "{t}");
        }
    }

    #[test]
    fn dates_are_real_days() {
        assert!(check_date("2024-02-29").is_ok());
        for t in ["2023-02-29", "2026-13-01", "2026-1-01", "2026-04-31", "20260401"] {
            assert!(check_date(t).is_err(), "{t}");
        }
    }

    #[test]
    fn countries_by_code_or_name() {
        for t in ["AE", "ae", "United Arab Emirates", "ARE", "oman"] {
            assert!(CountryCode::lookup(t).is_ok(), "{t}");
        }
        assert_eq!(
            CountryCode::lookup("united arab emirates")
                .map(|c| c.text().into_owned())
                .ok()
                .as_deref(),
            Some("AE")
        );
        assert!(CountryCode::lookup("Atlantis").is_err());
    }
}
