//! Cell values as authorities write them: `1.0` for 1, padding spaces, dates with an
//! optional midnight time. Ambiguous forms (a two-digit year) are errors, never guesses.

use crate::contract::DateFormat;
use chrono::{Datelike, NaiveDate};

/// The earliest and latest dates any column accepts: outside them a date is a typo.
pub const EARLIEST: (i32, u32, u32) = (1900, 1, 1);
pub const LATEST: (i32, u32, u32) = (2099, 12, 31);

/// A whole number, also when written with a zero fraction (`1.0`, `2.00`) as spreadsheets export it.
pub fn parse_integer(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    let (whole, fraction) = t.split_once('.')?;
    let digits = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b == b'0')
    {
        return None;
    }
    whole.parse::<i64>().ok()
}

/// A date in one of the contract's formats, or in a `chrono` pattern from `cohort.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatePattern {
    Contract(DateFormat),
    Custom(String),
}

impl DatePattern {
    /// How the date should look, for messages.
    pub fn example(&self) -> String {
        match self {
            DatePattern::Contract(f) => f.example().to_string(),
            DatePattern::Custom(p) => format!("`{p}`"),
        }
    }
}

/// Parses a date strictly: four-digit years only, a trailing midnight time (`00:00` or
/// `00:00:00`, as Excel exports dates) allowed, and the year from 1900 to 2099.
pub fn parse_date(text: &str, pattern: &DatePattern) -> Result<NaiveDate, String> {
    let t = strip_midnight(text.trim());
    let date = match pattern {
        DatePattern::Contract(DateFormat::Uk) => uk_date(t),
        DatePattern::Contract(DateFormat::Iso) => iso_date(t),
        DatePattern::Custom(p) => NaiveDate::parse_from_str(t, p).map_err(|_| String::new()),
    };
    let date = date.map_err(|why| {
        if why.is_empty() {
            format!("a date written {}", pattern.example())
        } else {
            format!("a date written {} ({why})", pattern.example())
        }
    })?;
    let (lo, hi) = (ymd(EARLIEST), ymd(LATEST));
    if date < lo || date > hi {
        return Err(format!(
            "a date written {} from {} to {} (a year of {} is a typo)",
            pattern.example(),
            lo.year(),
            hi.year(),
            date.year()
        ));
    }
    Ok(date)
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn strip_midnight(t: &str) -> &str {
    for suffix in [" 00:00:00", " 00:00", "T00:00:00", "T00:00"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            return rest;
        }
    }
    t
}

fn digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

const TWO_DIGIT_YEAR: &str = "a two-digit year is ambiguous: write the year in full";

/// `dd/mm/YYYY` (day and month may have one digit).
fn uk_date(t: &str) -> Result<NaiveDate, String> {
    let parts: Vec<&str> = t.split('/').collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(String::new());
    };
    if !digits(d, 1, 2) || !digits(m, 1, 2) {
        return Err(String::new());
    }
    if digits(y, 2, 2) {
        return Err(TWO_DIGIT_YEAR.into());
    }
    if !digits(y, 4, 4) {
        return Err(String::new());
    }
    calendar_date(y, m, d)
}

/// `YYYY-MM-DD`.
fn iso_date(t: &str) -> Result<NaiveDate, String> {
    let parts: Vec<&str> = t.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(String::new());
    };
    if digits(y, 2, 2) && digits(d, 2, 2) {
        return Err(TWO_DIGIT_YEAR.into());
    }
    if !digits(y, 4, 4) || !digits(m, 2, 2) || !digits(d, 2, 2) {
        return Err(String::new());
    }
    calendar_date(y, m, d)
}

fn calendar_date(y: &str, m: &str, d: &str) -> Result<NaiveDate, String> {
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(String::new());
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "no such day in the calendar".to_string())
}

/// Whether a user's date pattern is unambiguous: `%y` (two-digit year) is refused.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.contains("%y") {
        return Err(format!(
            "date format `{pattern}` uses `%y`, a two-digit year, which is ambiguous: use `%Y`"
        ));
    }
    if !pattern.contains("%Y") && !pattern.contains("%F") {
        return Err(format!(
            "date format `{pattern}` has no four-digit year (`%Y`)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UK: DatePattern = DatePattern::Contract(DateFormat::Uk);
    const ISO: DatePattern = DatePattern::Contract(DateFormat::Iso);

    #[test]
    fn integers_may_carry_a_zero_fraction_and_padding() {
        assert_eq!(parse_integer("1.0"), Some(1));
        assert_eq!(parse_integer(" 12 "), Some(12));
        assert_eq!(parse_integer("-3.00"), Some(-3));
        assert_eq!(parse_integer("1.5"), None);
        assert_eq!(parse_integer("1e3"), None);
        assert_eq!(parse_integer(".0"), None);
        assert_eq!(parse_integer("one"), None);
    }

    #[test]
    fn a_two_digit_year_is_an_error_not_the_year_16() {
        let e = parse_date("16/04/16", &UK).unwrap_err();
        assert!(e.contains("two-digit year"), "{e}");
        assert!(e.contains("dd/mm/YYYY"), "{e}");
        assert!(
            parse_date("16-04-16", &ISO)
                .unwrap_err()
                .contains("two-digit")
        );
    }

    #[test]
    fn dates_are_read_strictly_with_an_optional_midnight() {
        let d = NaiveDate::from_ymd_opt(2016, 4, 16).unwrap();
        assert_eq!(parse_date("16/04/2016", &UK), Ok(d));
        assert_eq!(parse_date("16/4/2016 00:00:00", &UK), Ok(d));
        assert_eq!(parse_date("2016-04-16", &ISO), Ok(d));
        assert_eq!(parse_date("2016-04-16T00:00:00", &ISO), Ok(d));
        assert!(parse_date("2016-04-16", &UK).is_err());
        assert!(parse_date("16/04/2016 13:45", &UK).is_err());
        assert!(
            parse_date("31/02/2016", &UK)
                .unwrap_err()
                .contains("no such day")
        );
        // Year 1850 is outside 1900-2099.
        assert!(parse_date("01/01/1850", &UK).unwrap_err().contains("1850"));
    }

    #[test]
    fn custom_patterns_must_have_a_full_year() {
        assert!(check_pattern("%d.%m.%y").is_err());
        assert!(check_pattern("%d.%m.%Y").is_ok());
        let p = DatePattern::Custom("%d.%m.%Y".into());
        assert_eq!(
            parse_date("16.04.2016", &p),
            Ok(NaiveDate::from_ymd_opt(2016, 4, 16).unwrap())
        );
    }
}
