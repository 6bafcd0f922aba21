//! `xs:decimal` values beyond `rust_decimal` (more than 28 significant or
//! fractional digits), which the official processor holds exactly (Java's
//! `BigDecimal`). Values that fit are kept as [`Decimal`]; this type only
//! carries the rest, and every result that fits goes back to [`Decimal`].

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

/// An exact decimal: `m · 10^-scale` (1.0 and 1.00 differ in scale, so
/// values are compared with [`BigDec::cmp_value`], not `==`).
#[derive(Clone, Debug)]
pub struct BigDec {
    m: BigInt,
    scale: u32,
}

/// Most digits taken, leading zeros aside (a longer value is refused as too
/// large to hold, not computed on): far beyond any amount.
const MAX_DIGITS: usize = 400;

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

/// How many decimal zeros `m` ends with, at most `max` (0 for zero). Taken
/// 19 digits at a time, then in the last 64-bit remainder: one division
/// per digit made long zero tails quadratic (a hostile expression spent
/// 40% of its time there).
fn trailing_zeros(m: &BigInt, max: u32) -> u32 {
    const CHUNK: u32 = 19;
    const TEN_19: u64 = 10_000_000_000_000_000_000;
    if m.is_zero() || max == 0 {
        return 0;
    }
    let chunk = BigInt::from(TEN_19);
    let mut rest = m.abs();
    let mut zeros = 0;
    loop {
        let (q, r) = rest.div_rem(&chunk);
        // r < 10^19 fits in 64 bits; m is not zero, so neither is r before
        // q runs out
        let mut low = r.to_u64().unwrap_or(1);
        if low == 0 && max - zeros >= CHUNK {
            zeros += CHUNK;
            rest = q;
            continue;
        }
        if low == 0 {
            // fewer than 19 allowed: all of them are zeros
            return max;
        }
        while low % 10 == 0 && zeros < max {
            low /= 10;
            zeros += 1;
        }
        return zeros;
    }
}

impl BigDec {
    /// Parses an already validated decimal lexical form: optional sign,
    /// digits with at most one `.`, at least one digit.
    #[cold]
    #[inline(never)]
    pub fn parse(t: &str) -> Option<BigDec> {
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let int = int.trim_start_matches('0');
        if int.len() + frac.len() > MAX_DIGITS {
            return None;
        }
        let digits: String = int.chars().chain(frac.chars()).collect();
        let m = BigInt::parse_bytes(if digits.is_empty() { b"0" } else { digits.as_bytes() }, 10)?;
        let m = if neg { -m } else { m };
        Some(BigDec {
            m,
            scale: u32::try_from(frac.len()).ok()?,
        })
    }

    /// The same value.
    #[cold]
    #[inline(never)]
    pub fn from_decimal(d: &Decimal) -> BigDec {
        BigDec {
            m: BigInt::from(d.mantissa()),
            scale: d.scale(),
        }
    }

    /// The exact value of a finite double (its binary expansion, as Java's
    /// `new BigDecimal(double)` gives it: 0.1 is
    /// 0.1000000000000000055511151231257827021181583404541015625).
    #[cold]
    #[inline(never)]
    pub fn from_f64_exact(d: f64) -> Option<BigDec> {
        if !d.is_finite() {
            return None;
        }
        let bits = d.to_bits();
        let negative = bits >> 63 == 1;
        let exp = i32::try_from((bits >> 52) & 0x7ff).ok()?;
        let frac = bits & ((1u64 << 52) - 1);
        // value = mant · 2^e
        let (mant, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp - 1075)
        };
        let (m, scale) = if e >= 0 {
            (BigInt::from(mant) << e.unsigned_abs(), 0)
        } else {
            // mant / 2^k = mant · 5^k / 10^k
            let k = e.unsigned_abs();
            (BigInt::from(mant) * num_traits::pow(BigInt::from(5u8), k as usize), k)
        };
        Some(BigDec {
            m: if negative { -m } else { m },
            scale,
        })
    }

    /// An integer.
    #[cold]
    #[inline(never)]
    pub fn from_i128(i: i128) -> BigDec {
        BigDec {
            m: BigInt::from(i),
            scale: 0,
        }
    }

    /// The value as a [`Decimal`], when one holds it exactly.
    #[cold]
    #[inline(never)]
    pub fn to_decimal(&self) -> Option<Decimal> {
        let n = self.normalized();
        if n.scale > 28 {
            return None;
        }
        Decimal::try_from_i128_with_scale(n.m.to_i128()?, n.scale).ok()
    }

    /// Trailing fractional zeros dropped.
    fn normalized(&self) -> BigDec {
        // zero loses its whole scale
        let zeros = if self.m.is_zero() {
            self.scale
        } else {
            trailing_zeros(&self.m, self.scale)
        };
        if zeros == 0 {
            return self.clone();
        }
        BigDec {
            m: &self.m / pow10(zeros),
            scale: self.scale - zeros,
        }
    }

    /// Both mantissas at the larger scale.
    fn aligned(&self, o: &BigDec) -> (BigInt, BigInt, u32) {
        let s = self.scale.max(o.scale);
        (&self.m * pow10(s - self.scale), &o.m * pow10(s - o.scale), s)
    }

    /// `self + o`.
    #[cold]
    #[inline(never)]
    pub fn add(&self, o: &BigDec) -> BigDec {
        let (a, b, scale) = self.aligned(o);
        BigDec { m: a + b, scale }
    }

    /// `self - o`.
    #[cold]
    #[inline(never)]
    pub fn sub(&self, o: &BigDec) -> BigDec {
        let (a, b, scale) = self.aligned(o);
        BigDec { m: a - b, scale }
    }

    /// `self · o`.
    #[cold]
    #[inline(never)]
    pub fn mul(&self, o: &BigDec) -> BigDec {
        BigDec {
            m: &self.m * &o.m,
            scale: self.scale + o.scale,
        }
    }

    /// `self div o` at `scale` fractional digits, rounded to the nearest,
    /// an exact tie toward zero (the scale is the caller's:
    /// `value::decimal_quotient` gives the official processor's). `None`
    /// when `o` is zero.
    #[cold]
    #[inline(never)]
    pub fn div(&self, o: &BigDec, scale: u32) -> Option<BigDec> {
        if o.m.is_zero() {
            return None;
        }
        // self / o · 10^scale = m1 · 10^(scale + s2 - s1) / m2, and when
        // s1 is the larger, m1 / (m2 · 10^(s1 - scale - s2))
        let (num, den) = match (scale + o.scale).checked_sub(self.scale) {
            Some(up) => (&self.m * pow10(up), o.m.clone()),
            None => (self.m.clone(), &o.m * pow10(self.scale - scale - o.scale)),
        };
        let (q, r) = num.abs().div_rem(&den.abs());
        let q = if r * 2u8 > den.abs() { q + 1u8 } else { q };
        let negative = (self.m.sign() == Sign::Minus) != (o.m.sign() == Sign::Minus);
        Some(BigDec {
            m: if negative { -q } else { q },
            scale,
        })
    }

    /// The scale once trailing zeros are gone, integer digits included
    /// (Java's `stripTrailingZeros`); 0 for zero.
    #[cold]
    #[inline(never)]
    pub fn stripped_scale(&self) -> i64 {
        if self.m.is_zero() {
            return 0;
        }
        i64::from(self.scale) - i64::from(trailing_zeros(&self.m, u32::MAX))
    }

    /// The integer part of `self div o` (`idiv`); `None` when `o` is zero.
    #[cold]
    #[inline(never)]
    pub fn idiv(&self, o: &BigDec) -> Option<BigInt> {
        if o.m.is_zero() {
            return None;
        }
        let (a, b, _) = self.aligned(o);
        // truncating division
        Some(&a / &b)
    }

    /// `self mod o`: the remainder of the truncating division, with the
    /// sign of `self`; `None` when `o` is zero.
    #[cold]
    #[inline(never)]
    pub fn rem(&self, o: &BigDec) -> Option<BigDec> {
        if o.m.is_zero() {
            return None;
        }
        let (a, b, scale) = self.aligned(o);
        Some(BigDec { m: &a % &b, scale })
    }

    /// `-self`.
    #[cold]
    #[inline(never)]
    pub fn neg(&self) -> BigDec {
        BigDec {
            m: -&self.m,
            scale: self.scale,
        }
    }

    /// `abs(self)`.
    #[cold]
    #[inline(never)]
    pub fn abs(&self) -> BigDec {
        BigDec {
            m: self.m.abs(),
            scale: self.scale,
        }
    }

    /// The largest integer not above the value.
    #[cold]
    #[inline(never)]
    pub fn floor(&self) -> BigDec {
        BigDec {
            m: self.m.div_floor(&pow10(self.scale)),
            scale: 0,
        }
    }

    /// The smallest integer not below the value.
    #[cold]
    #[inline(never)]
    pub fn ceiling(&self) -> BigDec {
        self.neg().floor().neg()
    }

    /// `round()`: to the nearest integer, a tie toward positive infinity.
    #[cold]
    #[inline(never)]
    pub fn round(&self) -> BigDec {
        let half = BigDec {
            m: BigInt::from(5u8),
            scale: 1,
        };
        self.add(&half).floor()
    }

    /// Rounded to `precision` fractional digits (a negative precision
    /// rounds to a multiple of a power of ten), a tie to the even
    /// neighbour: `round-half-to-even`.
    #[cold]
    #[inline(never)]
    pub fn round_half_even(&self, precision: i64) -> BigDec {
        let scale = i64::from(self.scale);
        if precision >= scale {
            return self.clone();
        }
        // digits to drop; past the value's own digits the result is zero
        let drop = scale - precision;
        let digits = i64::try_from(self.m.magnitude().to_string().len()).unwrap_or(i64::MAX);
        if drop > digits + 1 {
            return BigDec {
                m: BigInt::zero(),
                scale: 0,
            };
        }
        let unit = pow10(u32::try_from(drop).unwrap_or(u32::MAX));
        let (q, r) = self.m.div_rem(&unit);
        let twice = r.abs() * 2u8;
        let away = match twice.cmp(&unit) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => q.is_odd(),
        };
        let q = if away {
            if self.m.is_negative() {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        match u32::try_from(precision) {
            Ok(p) => BigDec { m: q, scale: p },
            Err(_) => BigDec {
                m: q * pow10(u32::try_from(-precision).unwrap_or(u32::MAX)),
                scale: 0,
            },
        }
    }

    /// Whether the value is zero.
    #[cold]
    #[inline(never)]
    pub fn is_zero(&self) -> bool {
        self.m.is_zero()
    }

    /// The integer part, when 128 bits hold it.
    #[cold]
    #[inline(never)]
    pub fn trunc_i128(&self) -> Option<i128> {
        (&self.m / pow10(self.scale)).to_i128()
    }

    /// The nearest double.
    #[cold]
    #[inline(never)]
    pub fn to_f64(&self) -> f64 {
        self.canonical().parse().unwrap_or(f64::NAN)
    }

    /// The canonical `xs:decimal` string: no exponent, no trailing
    /// fractional zeros, no `.` for an integer, `0` for zero.
    #[cold]
    #[inline(never)]
    pub fn canonical(&self) -> String {
        let n = self.normalized();
        if n.m.is_zero() {
            return "0".into();
        }
        let digits = n.m.abs().to_string();
        let scale = n.scale as usize;
        let mut s = String::with_capacity(digits.len() + 3);
        if n.m.is_negative() {
            s.push('-');
        }
        if scale == 0 {
            s.push_str(&digits);
        } else if digits.len() > scale {
            let (i, f) = digits.split_at(digits.len() - scale);
            s.push_str(i);
            s.push('.');
            s.push_str(f);
        } else {
            s.push_str("0.");
            s.extend(std::iter::repeat_n('0', scale - digits.len()));
            s.push_str(&digits);
        }
        s
    }

    /// Exact order.
    #[cold]
    #[inline(never)]
    pub fn cmp_value(&self, o: &BigDec) -> Ordering {
        let (a, b, _) = self.aligned(o);
        a.cmp(&b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BigDec {
        BigDec::parse(s).expect(s)
    }

    /// The digit-by-digit definition [`trailing_zeros`] replaces.
    fn trailing_zeros_by_digits(m: &BigInt, max: u32) -> u32 {
        let ten = BigInt::from(10u8);
        let mut m = m.clone();
        let mut zeros = 0;
        while !m.is_zero() && zeros < max {
            let (q, r) = m.div_rem(&ten);
            if !r.is_zero() {
                break;
            }
            m = q;
            zeros += 1;
        }
        zeros
    }

    #[test]
    fn trailing_zeros_match_their_definition() {
        for digits in ["0", "1", "7", "10", "1000", "123000", "-5000", "9"] {
            for tail in [0usize, 1, 18, 19, 20, 37, 38, 39, 57, 100] {
                let m: BigInt = format!("{digits}{}", "0".repeat(tail)).parse().expect("integer");
                for max in [0u32, 1, 3, 18, 19, 20, 38, 40, 200, u32::MAX] {
                    assert_eq!(
                        trailing_zeros(&m, max),
                        trailing_zeros_by_digits(&m, max),
                        "{m} at most {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn canonical_forms() {
        for (s, c) in [
            (
                "9999999999999999999999999999999999999999",
                "9999999999999999999999999999999999999999",
            ),
            ("-0.000", "0"),
            ("+12.500", "12.5"),
            ("-.5", "-0.5"),
            (
                "0.00000000000000000000000000000001",
                "0.00000000000000000000000000000001",
            ),
            ("100", "100"),
            (&format!("{}1.5", "0".repeat(1000)), "1.5"),
        ] {
            assert_eq!(d(s).canonical(), c, "{s}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        let big = d("9999999999999999999999999999999999999999");
        assert_eq!(
            big.add(&d("1")).canonical(),
            "10000000000000000000000000000000000000000"
        );
        assert_eq!(
            d("1.23456789012345678901234567890123").mul(&d("3")).canonical(),
            "3.70370367037037036703703703670369"
        );
        assert_eq!(
            d("99999999999999999999999999999")
                .div(&d("7"), 18)
                .map(|q| q.canonical()),
            Some("14285714285714285714285714285.571428571428571429".into())
        );
        assert_eq!(d("-2.5").round().canonical(), "-2");
        assert_eq!(d("2.5").round().canonical(), "3");
        assert_eq!(d("-2.1").floor().canonical(), "-3");
        assert_eq!(d("-2.1").ceiling().canonical(), "-2");
        assert_eq!(d("7.5").rem(&d("2")).map(|r| r.canonical()), Some("1.5".into()));
        assert_eq!(d("-7.5").idiv(&d("2")).map(|q| q.to_string()), Some("-3".into()));
        assert!(d("1").div(&d("0"), 18).is_none());
    }

    #[test]
    fn doubles_convert_exactly() {
        let x = |f: f64| BigDec::from_f64_exact(f).map(|b| b.canonical());
        assert_eq!(
            x(0.1).as_deref(),
            Some("0.1000000000000000055511151231257827021181583404541015625")
        );
        assert_eq!(x(-2.5).as_deref(), Some("-2.5"));
        assert_eq!(x(-0.0).as_deref(), Some("0"));
        assert_eq!(x(1e20).as_deref(), Some("100000000000000000000"));
        assert!(x(f64::NAN).is_none());
    }

    #[test]
    fn fits_back_into_decimal_only_when_exact() {
        assert_eq!(d("12.50").to_decimal(), Some(Decimal::new(125, 1)));
        assert!(d("9999999999999999999999999999999999999999").to_decimal().is_none());
        assert!(d("0.00000000000000000000000000000001").to_decimal().is_none());
    }
}
