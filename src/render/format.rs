//! Number and cell formatting for reports: one place decides how a percentage,
//! a count or an amount of money is written, so tables, charts and prose agree.

use crate::analysis::Unit;
use crate::run::Value;

/// What a figure that is not a number (NaN, infinite) is shown as.
const NOT_A_NUMBER: &str = "–";

/// Formats a number for display by unit: `percent` → "18.3%", `pts` (percentage points) →
/// "-35.7 pts", `per_100`, `mean`, `score` and `one_decimal` (a column mixing rates and
/// scores, as DfE publishes them) → one decimal,
/// `count` → "1,234", `pounds` → "£2,570" (no pence), `ratio` → two decimals. Halves round
/// away from zero; "-0.0" is written "0.0".
pub fn format_number(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    match unit {
        Unit::Percent => format!("{}%", fixed(value, 1)),
        Unit::Points => format!("{} pts", fixed(value, 1)),
        Unit::Per100 | Unit::Mean | Unit::Score | Unit::OneDecimal => fixed(value, 1),
        Unit::Count => fixed(value, 0),
        Unit::Pounds => pounds(value, 0),
        Unit::Ratio => fixed(value, 2),
    }
}

/// A number of no known unit: up to two decimals with trailing zeros trimmed.
pub fn format_plain(value: f64) -> String {
    if !value.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    trimmed(fixed(value, 2))
}

/// Formats a value for a table cell: numbers by `unit` when one is known (otherwise whole numbers
/// plain and fractions to two decimals), text as it is, null as an empty cell, dates as ISO 8601.
pub fn format_value(value: &Value, unit: Option<Unit>) -> String {
    match (value, unit) {
        (Value::Null, _) => String::new(),
        (Value::Bool(true), _) => "Yes".to_string(),
        (Value::Bool(false), _) => "No".to_string(),
        (Value::Int(i), Some(u)) => format_number(*i as f64, u),
        // Without a unit an integer may be a code or a year: no separators.
        (Value::Int(i), None) => i.to_string(),
        (Value::Float(x), _) if !x.is_finite() => String::new(),
        (Value::Float(x), Some(u)) => format_number(*x, u),
        (Value::Float(x), None) => format_plain(*x),
        (Value::Text(s), _) => s.clone(),
        (Value::Date(d), _) => d.format("%Y-%m-%d").to_string(),
        (Value::Suppressed, _) => value.to_string(),
    }
}

/// An axis tick label: the unit's style (%, £, separators) with exactly `decimals` places,
/// so that ticks 0, 2.5, 5 read "0.0", "2.5", "5.0" rather than mixing precisions.
pub(crate) fn format_tick(value: f64, unit: Unit, decimals: usize) -> String {
    if !value.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    match unit {
        Unit::Percent => format!("{}%", fixed(value, decimals)),
        Unit::Pounds => pounds(value, decimals),
        _ => fixed(value, decimals),
    }
}

/// "£1,234", with the minus sign before the pound sign.
fn pounds(value: f64, decimals: usize) -> String {
    let s = fixed(value, decimals);
    match s.strip_prefix('-') {
        Some(rest) => format!("-£{rest}"),
        None => format!("£{s}"),
    }
}

/// Removes trailing zeros after a decimal point, and the point itself if nothing follows it.
fn trimmed(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `value` to `decimals` places with thousands separators, halves rounded away from zero.
fn fixed(value: f64, decimals: usize) -> String {
    let decimals = decimals.min(6);
    let scale = 10f64.powi(decimals as i32);
    let scaled = (value * scale).round();
    if scaled.abs() >= 1e17 {
        // Too large to split exactly into integer digits; plain formatting is good enough.
        return group(&format!("{value:.decimals$}"));
    }
    let negative = scaled < 0.0;
    let digits = (scaled.abs() as u64).to_string();
    let digits = format!("{digits:0>width$}", width = decimals + 1);
    let (int_part, frac_part) = digits.split_at(digits.len() - decimals);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group(int_part));
    if decimals > 0 {
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

/// Inserts commas every three digits in the integer part of a plain decimal string.
fn group(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int_part, frac_part) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut grouped = String::with_capacity(int_part.len() + int_part.len() / 3);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac_part}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_are_formatted_by_unit() {
        assert_eq!(format_number(18.3333, Unit::Percent), "18.3%");
        assert_eq!(format_number(100.0, Unit::Percent), "100.0%");
        assert_eq!(format_number(12.5, Unit::Per100), "12.5");
        assert_eq!(format_number(17.2666, Unit::Mean), "17.3");
        assert_eq!(format_number(1234.0, Unit::Count), "1,234");
        assert_eq!(format_number(1234567.4, Unit::Count), "1,234,567");
        assert_eq!(format_number(999.5, Unit::Count), "1,000");
        assert_eq!(format_number(2570.0, Unit::Pounds), "£2,570");
        assert_eq!(format_number(2570.49, Unit::Pounds), "£2,570");
        assert_eq!(format_number(0.456, Unit::Ratio), "0.46");
        assert_eq!(format_number(3.0, Unit::Ratio), "3.00");
        assert_eq!(format_number(-35.67, Unit::Points), "-35.7 pts");
        assert_eq!(format_number(19.34, Unit::Score), "19.3");
    }

    #[test]
    fn unknown_units_trim_trailing_zeros() {
        assert_eq!(format_plain(2.5), "2.5");
        assert_eq!(format_plain(3.0), "3");
        assert_eq!(format_plain(1.23456), "1.23");
        assert_eq!(format_plain(12345.678), "12,345.68");
    }

    #[test]
    fn negatives_keep_their_sign_and_never_show_minus_zero() {
        assert_eq!(format_number(-1.25, Unit::Mean), "-1.3");
        assert_eq!(format_number(-17.34, Unit::Mean), "-17.3");
        assert_eq!(format_number(-0.04, Unit::Mean), "0.0");
        assert_eq!(format_number(-0.04, Unit::Percent), "0.0%");
        assert_eq!(format_number(-1234.0, Unit::Count), "-1,234");
        assert_eq!(format_number(-2570.0, Unit::Pounds), "-£2,570");
        assert_eq!(format_plain(-0.001), "0");
    }

    #[test]
    fn halves_round_away_from_zero_and_unit_names_ignore_case() {
        assert_eq!(format_number(0.25, Unit::Ratio), "0.25");
        assert_eq!(format_number(2.5, Unit::Count), "3");
        assert_eq!(format_number(18.25, Unit::Percent), "18.3%");
        // A unit's name is read ignoring case (`Unit`'s `FromStr`).
        assert_eq!(
            format_number(18.25, "Percent".parse().expect("unit")),
            "18.3%"
        );
        assert_eq!(format_number(f64::NAN, Unit::Percent), "–");
        assert_eq!(format_number(f64::INFINITY, Unit::Count), "–");
    }

    #[test]
    fn cells_are_formatted_by_type() {
        assert_eq!(format_value(&Value::Null, Some(Unit::Percent)), "");
        assert_eq!(
            format_value(&Value::Float(9.44), Some(Unit::Percent)),
            "9.4%"
        );
        assert_eq!(format_value(&Value::Float(9.0), None), "9");
        assert_eq!(format_value(&Value::Float(f64::NAN), Some(Unit::Count)), "");
        assert_eq!(format_value(&Value::Int(4200), Some(Unit::Count)), "4,200");
        assert_eq!(format_value(&Value::Int(2024), None), "2024");
        assert_eq!(
            format_value(&Value::Text("Year 10".into()), Some(Unit::Count)),
            "Year 10"
        );
        assert_eq!(format_value(&Value::Bool(true), None), "Yes");
        let date = NaiveDate::from_ymd_opt(2024, 9, 4)
            .map(Value::Date)
            .unwrap_or(Value::Null);
        assert_eq!(format_value(&date, None), "2024-09-04");
    }

    #[test]
    fn ticks_use_a_fixed_precision() {
        assert_eq!(format_tick(2.5, Unit::Percent, 1), "2.5%");
        assert_eq!(format_tick(20.0, Unit::Percent, 0), "20%");
        assert_eq!(format_tick(5000.0, Unit::Pounds, 0), "£5,000");
        assert_eq!(format_tick(1000.0, Unit::Count, 0), "1,000");
        assert_eq!(format_tick(-5.0, Unit::Mean, 0), "-5");
    }
}
