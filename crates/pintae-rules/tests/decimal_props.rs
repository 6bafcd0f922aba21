//! Property tests: `xs:decimal` arithmetic is exact. Results are checked
//! against a reference in scaled 128-bit integers (amounts with up to 6
//! fractional digits), and through the whole XPath pipeline (literal →
//! arithmetic → comparison), which is how the rules use money.

use pintae_rules::xpath::value::{arith, ArithOp, Atomic};
use pintae_rules::xpath::XPath;
use proptest::prelude::*;
use rust_decimal::Decimal;

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

/// Reference: the canonical `xs:decimal` text of `units / 10^scale` (no
/// trailing fractional zeros, no point for an integer), for values past
/// `rust_decimal`'s 28 digits too.
fn canonical(units: i128, scale: u32) -> String {
    let p = 10i128.pow(scale);
    let (int, frac) = (units.abs() / p, units.abs() % p);
    let mut s = format!("{}{int}", if units < 0 { "-" } else { "" });
    if frac != 0 {
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
    fn division_rounds_to_eighteen_digits((a, sa) in amount(), (b, sb) in amount()) {
        prop_assume!(b != 0);
        let x = Atomic::Decimal(Decimal::from_i128_with_scale(a, sa));
        let y = Atomic::Decimal(Decimal::from_i128_with_scale(b, sb));
        // a quotient past 28 digits is a big decimal: compared as text
        let q = arith(ArithOp::Div, &x, &y).expect("div").to_str().to_string();
        // reference: a/b at 18 digits in integers, rounded to the nearest
        // and an exact tie toward zero (the official processor's HALF_DOWN)
        let num = a * 10i128.pow(sb) * 10i128.pow(18) * 10;
        let den = b * 10i128.pow(sa);
        let t = num / den; // 19 digits, truncated
        let last = t.abs() % 10;
        let up = last > 5 || (last == 5 && num % den != 0);
        let r = if up { t / 10 + t.signum() } else { t / 10 };
        prop_assert_eq!(q, canonical(r, 18));
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
}
