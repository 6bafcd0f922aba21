//! Property tests: `xs:decimal` arithmetic is exact. Results are checked
//! against a reference in scaled 128-bit integers (amounts with up to 6
//! fractional digits), in big integers (operands with up to 28 digits on
//! either side of the point, whose results a 96-bit decimal cannot hold),
//! and through the whole XPath pipeline (literal → arithmetic →
//! comparison), which is how the rules use money. Untyped amounts read as
//! doubles (`xs:double` lexical forms) are checked against Rust's own
//! correctly rounded parser.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, Zero};
use pintae_rules::xpath::value::{arith, parse_double, ArithOp, Atomic};
use pintae_rules::xpath::XPath;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A decimal `units / 10^scale` with up to 28 digits on either side of the
/// point: the whole range of a 96-bit decimal, where sums and products no
/// longer fit it.
fn wide() -> impl Strategy<Value = (i128, u32)> {
    let max = 79_228_162_514_264_337_593_543_950_335i128;
    prop_oneof![(-max..=max, 0u32..=28), (-10i128.pow(12)..10i128.pow(12), 20u32..=28)]
}

/// Decimals with 28 fractional digits one unit away from a half
/// (`7.4999999999999999999999999999`), where a sum with 0.5 no longer fits
/// a 96-bit decimal.
fn near_halves() -> impl Strategy<Value = (i128, u32)> {
    (-7i128..=7, prop_oneof![Just(-1i128), Just(1i128)], any::<bool>()).prop_map(|(i, d, neg)| {
        let units = i.abs() * 10i128.pow(28) + 5 * 10i128.pow(27) + d;
        (if neg { -units } else { units }, 28)
    })
}

/// A decimal `units / 10^scale` and its text.
fn amount() -> impl Strategy<Value = (i128, u32)> {
    (-10_000_000_000i128..10_000_000_000i128, 0u32..=6)
}

fn text(units: i128, scale: u32) -> String {
    Decimal::from_i128_with_scale(units, scale).to_string()
}

/// Reference: both operands at a common scale of 12, as integers.
fn scaled(units: i128, scale: u32) -> i128 {
    units * 10i128.pow(12 - scale)
}

/// The scale the official processor counts for a decimal divisor or
/// dividend `units / 10^scale`: 0 for a decimal of scale 0 (pintae's form
/// of a decimal the processor made from an integer or a double, whose
/// scale it keeps), else the scale once trailing zeros (integer digits
/// included) are gone.
fn counted_scale(units: i128, scale: u32) -> i64 {
    if scale == 0 {
        return 0;
    }
    let mut s = i64::from(scale);
    let mut u = units;
    while u != 0 && u % 10 == 0 {
        u /= 10;
        s -= 1;
    }
    if units == 0 {
        0
    } else {
        s
    }
}

fn pow10(n: i64) -> BigInt {
    BigInt::from(10).pow(u32::try_from(n).expect("non-negative"))
}

/// Reference: the canonical `xs:decimal` text of `units / 10^scale` (no
/// trailing fractional zeros, no point for an integer).
fn canonical_big(units: &BigInt, scale: i64) -> String {
    let p = pow10(scale);
    let (int, frac) = units.abs().div_rem(&p);
    let sign = if units.sign() == Sign::Minus { "-" } else { "" };
    let mut s = format!("{sign}{int}");
    if !frac.is_zero() {
        s.push('.');
        s.push_str(format!("{frac:0w$}", w = scale as usize).trim_end_matches('0'));
    }
    s
}

fn decimal_of(a: &Atomic) -> Decimal {
    match a {
        Atomic::Decimal(d) => *d,
        Atomic::Integer(i) => Decimal::from_i128_with_scale(*i, 0),
        other => panic!("not a decimal: {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_sub_mul_are_exact((a, sa) in amount(), (b, sb) in amount()) {
        let x = Atomic::Decimal(Decimal::from_i128_with_scale(a, sa));
        let y = Atomic::Decimal(Decimal::from_i128_with_scale(b, sb));
        let (ra, rb) = (scaled(a, sa), scaled(b, sb));
        let sum = decimal_of(&arith(ArithOp::Add, &x, &y).expect("add"));
        prop_assert_eq!(sum, Decimal::from_i128_with_scale(ra + rb, 12));
        let diff = decimal_of(&arith(ArithOp::Sub, &x, &y).expect("sub"));
        prop_assert_eq!(diff, Decimal::from_i128_with_scale(ra - rb, 12));
        let prod = decimal_of(&arith(ArithOp::Mul, &x, &y).expect("mul"));
        prop_assert_eq!(prod, Decimal::from_i128_with_scale(a * b, sa + sb));
    }

    #[test]
    fn division_keeps_the_official_digits((a, sa) in amount(), (b, sb) in amount()) {
        prop_assume!(b != 0);
        let x = Atomic::Decimal(Decimal::from_i128_with_scale(a, sa));
        let y = Atomic::Decimal(Decimal::from_i128_with_scale(b, sb));
        let q = arith(ArithOp::Div, &x, &y).expect("div").to_str().to_string();
        // reference, in big integers: the quotient at the official
        // processor's number of fractional digits, rounded to the nearest
        // and an exact tie toward zero (HALF_DOWN)
        let digits = 18.max(counted_scale(a, sa) - counted_scale(b, sb) + 18);
        let num = BigInt::from(a.abs()) * pow10(i64::from(sb) + digits);
        let den = BigInt::from(b.abs()) * pow10(i64::from(sa));
        let (t, r) = num.div_rem(&den);
        let t = if r * 2 > den { t + 1 } else { t };
        let t = if (a < 0) != (b < 0) { -t } else { t };
        prop_assert_eq!(q, canonical_big(&t, digits));
    }

    #[test]
    fn totals_compare_exactly_through_xpath((a, sa) in amount(), (b, sb) in amount()) {
        // the classic float trap: the sum of two amounts equals its exact text
        let (ta, tb) = (text(a, sa), text(b, sb));
        let total = Decimal::from_i128_with_scale(a, sa) + Decimal::from_i128_with_scale(b, sb);
        let expr = format!("xs:decimal('{ta}') + xs:decimal('{tb}') = xs:decimal('{total}')");
        let x = XPath::compile(&expr, &[]).expect("compiles");
        let doc = roxmltree::Document::parse("<a/>").expect("doc");
        prop_assert!(x.evaluate_bool(doc.root_element()).expect("evaluates"), "{}", expr);
    }

    #[test]
    fn round_is_half_up((a, sa) in amount()) {
        let x = Decimal::from_i128_with_scale(a, sa);
        let expr = format!("round(xs:decimal('{x}'))");
        let got = XPath::compile(&expr, &[]).expect("compiles")
            .evaluate_strings(roxmltree::Document::parse("<a/>").expect("doc").root_element())
            .expect("evaluates");
        // reference: floor(x + 1/2) in integers
        let twice = scaled(a, sa) * 2 + 10i128.pow(12);
        let want = twice.div_euclid(2 * 10i128.pow(12));
        prop_assert_eq!(got, vec![want.to_string()]);
    }

    #[test]
    fn wide_add_sub_mul_are_exact((a, sa) in wide(), (b, sb) in wide()) {
        let x = Atomic::Decimal(Decimal::from_i128_with_scale(a, sa));
        let y = Atomic::Decimal(Decimal::from_i128_with_scale(b, sb));
        // reference: both at the larger scale, in big integers
        let s = sa.max(sb);
        let ra = BigInt::from(a) * pow10(i64::from(s - sa));
        let rb = BigInt::from(b) * pow10(i64::from(s - sb));
        let text = |op| arith(op, &x, &y).expect("exact").to_str().to_string();
        prop_assert_eq!(text(ArithOp::Add), canonical_big(&(&ra + &rb), i64::from(s)));
        prop_assert_eq!(text(ArithOp::Sub), canonical_big(&(&ra - &rb), i64::from(s)));
        let prod = BigInt::from(a) * BigInt::from(b);
        prop_assert_eq!(text(ArithOp::Mul), canonical_big(&prod, i64::from(sa + sb)));
    }

    #[test]
    fn wide_round_is_half_up((a, sa) in prop_oneof![wide(), near_halves()]) {
        let x = Decimal::from_i128_with_scale(a, sa);
        let expr = format!("round({x})");
        let got = XPath::compile(&expr, &[]).expect("compiles")
            .evaluate_strings(roxmltree::Document::parse("<a/>").expect("doc").root_element())
            .expect("evaluates");
        // reference: floor(x + 1/2) in big integers
        let p = pow10(i64::from(sa));
        let twice: BigInt = BigInt::from(a) * 2 + &p;
        let want = twice.div_floor(&(p * 2));
        prop_assert_eq!(got, vec![want.to_string()]);
    }

    /// Numerals of every length around the fast path's bound (16 bytes),
    /// with and without a point or sign, read as the double nearest them.
    #[test]
    fn numerals_read_as_the_nearest_double(
        text in "-?[0-9]{0,12}[.]?[0-9]{0,9}|-?[0-9]{14,18}|-?[.][0-9]{1,17}|-?9{15,17}[.]?9{0,2}"
    ) {
        let want = text.parse::<f64>().ok();
        let got = parse_double(&text);
        prop_assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{}", text);
    }
}
