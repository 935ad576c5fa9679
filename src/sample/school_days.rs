//! The days schools are open in a synthetic academic year: weekdays in term, less the
//! Christmas, Easter and summer holidays and the three half-term weeks.

use crate::contract::AcademicYear;
use crate::contract::calendar::easter_sunday;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn week_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = d - Duration::days(d.weekday().num_days_from_monday() as i64);
    (monday, monday + Duration::days(4))
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// School days of one academic year, in order: about 190 of them.
pub fn school_days(year: AcademicYear) -> Vec<NaiveDate> {
    let y = year.start;
    let easter = easter_sunday(y + 1);
    let terms = [
        (ymd(y, 9, 3), ymd(y, 12, 19)),
        (ymd(y + 1, 1, 6), easter - Duration::days(10)),
        (easter + Duration::days(8), ymd(y + 1, 7, 21)),
    ];
    let half_terms = [
        week_of(ymd(y, 10, 27)),
        week_of(ymd(y + 1, 2, 17)),
        week_of(ymd(y + 1, 5, 28)),
    ];
    let mut days = Vec::with_capacity(200);
    for (start, end) in terms {
        let mut d = start;
        while d <= end {
            if is_weekday(d) && !half_terms.iter().any(|&(a, b)| d >= a && d <= b) {
                days.push(d);
            }
            d += Duration::days(1);
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_year_has_about_190_weekdays_and_no_holidays() {
        let days = school_days(AcademicYear::new(2024));
        assert!((180..=200).contains(&days.len()), "{}", days.len());
        assert!(days.iter().all(|d| is_weekday(*d)));
        // Christmas Day, Easter Monday 2025 (21 April) and 1 August are holidays.
        for holiday in [ymd(2024, 12, 25), ymd(2025, 4, 21), ymd(2025, 8, 1)] {
            assert!(!days.contains(&holiday), "{holiday}");
        }
        assert!(days.windows(2).all(|w| w[0] < w[1]));
    }
}
