//! `multipleOf`, decided exactly on the numbers as written.
//!
//! JSON Schema defines `multipleOf` on the numbers' values ("division by
//! this keyword's value results in an integer"). `jsonschema` divides in
//! `f64` when the divisor is fractional, so an integer above 2^53 is read
//! rounded: `9007199254740993` (1.5 x 6004799503160662) was refused for
//! `multipleOf: 1.5`. Here an integer is its exact value and a fraction is
//! the shortest decimal that reads back as the same `f64` (what the JSON
//! text said), and the test is integer arithmetic on those decimals.

use serde_json::{Map, Number, Value};

/// A number as `digits x 10^exponent`. Exact for every `u64` and `i64`, and
/// for every `f64` through its shortest round-trip decimal (at most 17
/// significant digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    digits: u128,
    exponent: i32,
}

impl Decimal {
    fn of(number: &Number) -> Option<Self> {
        if let Some(value) = number.as_u64() {
            return Some(Self { digits: u128::from(value), exponent: 0 });
        }
        if let Some(value) = number.as_i64() {
            return Some(Self { digits: u128::from(value.unsigned_abs()), exponent: 0 });
        }
        Self::of_float(number.as_f64()?)
    }

    /// `{:e}` prints the shortest decimal that reads back as `value`, e.g.
    /// `7.5e-3`: digits `75`, exponent `-4`.
    fn of_float(value: f64) -> Option<Self> {
        if !value.is_finite() {
            return None;
        }
        let text = format!("{:e}", value.abs());
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}").parse().ok()?;
        let fraction_len = i32::try_from(fraction.len()).ok()?;
        Some(Self { digits, exponent: exponent - fraction_len })
    }
}

/// `(a * b) mod m` without overflow, for `a, b < m`.
fn mul_mod(a: u128, b: u128, m: u128) -> u128 {
    // Shift-and-add: m stays below 2^127 for any divisor read from JSON
    // (at most 20 digits), so `2 * x` cannot overflow.
    let (mut result, mut a, mut b) = (0u128, a % m, b);
    while b > 0 {
        if b & 1 == 1 {
            result = (result + a) % m;
        }
        a = (a * 2) % m;
        b >>= 1;
    }
    result
}

fn pow10_mod(exponent: u32, m: u128) -> u128 {
    (0..exponent).fold(1 % m, |power, _| mul_mod(power, 10, m))
}

/// Whether `value / divisor` is an integer; `divisor` is positive (the
/// meta-schema says so).
fn is_multiple(value: Decimal, divisor: Decimal) -> bool {
    if value.digits == 0 {
        return true;
    }
    if divisor.digits == 0 {
        return false;
    }
    // value / divisor = (a / m) * 10^(p - e).
    let shift = value.exponent - divisor.exponent;
    match u32::try_from(shift) {
        // p >= e: m | a * 10^shift.
        Ok(shift) => mul_mod(value.digits, pow10_mod(shift, divisor.digits), divisor.digits) == 0,
        // p < e: m * 10^(e - p) | a, impossible once it exceeds a.
        Err(_) => {
            let scaled = u32::try_from(-i64::from(shift))
                .ok()
                .and_then(|power| 10u128.checked_pow(power))
                .and_then(|power| power.checked_mul(divisor.digits));
            scaled.is_some_and(|scaled| value.digits.is_multiple_of(scaled))
        }
    }
}

#[derive(Debug)]
struct MultipleOf {
    divisor: Decimal,
    written: Number,
}

impl<'i> jsonschema::Keyword<'i> for MultipleOf {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(format!("{instance} is not a multiple of {}", self.written)))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match instance {
            // An unrepresentable number (none reaches here from JSON text)
            // is refused rather than waved through.
            Value::Number(number) => Decimal::of(number).is_some_and(|value| is_multiple(value, self.divisor)),
            _ => true,
        }
    }
}

/// The factory `jsonschema` calls for each `multipleOf` of a contract. The
/// meta-schema has already refused a divisor that is not a positive number.
pub(super) fn keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>> {
    let divisor = value.as_number().and_then(|number| Decimal::of(number).map(|divisor| (divisor, number.clone())));
    match divisor {
        Some((divisor, written)) => Ok(Box::new(MultipleOf { divisor, written })),
        None => {
            Err(jsonschema::ValidationError::custom(format!("`multipleOf` must be a positive number, not {value}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Decimal {
        let number: Number = serde_json::from_str(text).unwrap_or_else(|_| Number::from(0));
        Decimal::of(&number).unwrap_or(Decimal { digits: 0, exponent: 0 })
    }

    #[test]
    fn shortest_decimals_are_read_as_written() {
        assert_eq!(decimal("0.0075"), Decimal { digits: 75, exponent: -4 });
        assert_eq!(decimal("1.5"), Decimal { digits: 15, exponent: -1 });
        assert_eq!(decimal("9007199254740993"), Decimal { digits: 9_007_199_254_740_993, exponent: 0 });
        assert_eq!(decimal("1e300"), Decimal { digits: 1, exponent: 300 });
    }

    #[test]
    fn integers_past_two_to_the_53_are_exact() {
        assert!(is_multiple(decimal("9007199254740993"), decimal("1.5")));
        assert!(!is_multiple(decimal("9007199254740994"), decimal("1.5")));
        assert!(is_multiple(decimal("18446744073709551615"), decimal("5")));
        assert!(!is_multiple(decimal("18446744073709551615"), decimal("2")));
    }

    #[test]
    fn decimal_fractions_divide_as_decimals() {
        assert!(is_multiple(decimal("0.0075"), decimal("0.0001")));
        assert!(is_multiple(decimal("0.3"), decimal("0.1")));
        assert!(!is_multiple(decimal("0.00751"), decimal("0.0001")));
        assert!(!is_multiple(decimal("1e300"), decimal("7e-5")));
        assert!(is_multiple(decimal("7e300"), decimal("7e-5")));
        assert!(!is_multiple(decimal("1"), decimal("1e40")));
        assert!(is_multiple(decimal("0"), decimal("1e-40")));
    }
}
