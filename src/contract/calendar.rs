//! The school calendar: academic years, terms and their date ranges.
//!
//! Terms follow domain.md section 1: autumn is September to December, spring is
//! January to Easter Sunday, summer is Easter Monday to the end of the academic year. Running
//! summer on to 31 August is this project's own rule, so that every date of the academic year
//! belongs to exactly one term; DfE's school census terms differ (autumn from 1 August), which
//! changes nothing here since schools take no registers in August.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// An academic year, 1 September to 31 August, written `2024-25`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcademicYear {
    /// The calendar year in which the academic year starts (2024 for `2024-25`).
    pub start: i32,
}

/// One of the three school terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Season {
    Autumn,
    Spring,
    Summer,
}

/// A term of an academic year, written `2024-25-spring`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    pub year: AcademicYear,
    pub season: Season,
}

/// A term or academic year string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {expected}")]
pub struct CalendarParseError {
    pub value: String,
    pub expected: &'static str,
}

impl AcademicYear {
    pub fn new(start: i32) -> Self {
        AcademicYear { start }
    }

    /// The academic year that contains `date`.
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= 9 {
            AcademicYear::new(date.year())
        } else {
            AcademicYear::new(date.year() - 1)
        }
    }

    pub fn first_day(self) -> NaiveDate {
        ymd(self.start, 9, 1)
    }

    pub fn last_day(self) -> NaiveDate {
        ymd(self.start + 1, 8, 31)
    }

    /// DfE's persistent-absence threshold for this year, as a percentage of possible sessions
    /// missed (domain.md section 3): 20% to 2009/10, 15% to 2014/15, 10% from 2015/16, so a long
    /// trend judges each year by its own rule.
    pub fn persistent_absence_threshold(self) -> i64 {
        match self.start {
            ..=2009 => 20,
            2010..=2014 => 15,
            _ => 10,
        }
    }

    /// 31 August before the year starts: the date ages for year groups are taken on.
    pub fn age_date(self) -> NaiveDate {
        ymd(self.start, 8, 31)
    }

    /// The three terms of the year, in order.
    pub fn terms(self) -> [Term; 3] {
        [Season::Autumn, Season::Spring, Season::Summer].map(|season| Term { year: self, season })
    }

    pub fn next(self) -> Self {
        AcademicYear::new(self.start + 1)
    }

    pub fn previous(self) -> Self {
        AcademicYear::new(self.start - 1)
    }
}

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

impl FromStr for AcademicYear {
    type Err = CalendarParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CalendarParseError {
            value: s.to_string(),
            expected: "an academic year such as 2024-25",
        };
        let (a, b) = s.split_once('-').ok_or_else(err)?;
        // Digits only: `+024-25` is not the year 24.
        let digits = |x: &str, n: usize| x.len() == n && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(a, 4) || !digits(b, 2) {
            return Err(err());
        }
        let start: i32 = a.parse().map_err(|_| err())?;
        let end: i32 = b.parse().map_err(|_| err())?;
        if (start + 1).rem_euclid(100) != end {
            return Err(err());
        }
        Ok(AcademicYear::new(start))
    }
}

impl Season {
    pub fn as_str(self) -> &'static str {
        match self {
            Season::Autumn => "autumn",
            Season::Spring => "spring",
            Season::Summer => "summer",
        }
    }

    fn index(self) -> i32 {
        match self {
            Season::Autumn => 0,
            Season::Spring => 1,
            Season::Summer => 2,
        }
    }
}

impl Term {
    /// The term that contains `date`.
    pub fn containing(date: NaiveDate) -> Self {
        let year = AcademicYear::containing(date);
        let season = if date.month() >= 9 {
            Season::Autumn
        } else if date <= easter_sunday(date.year()) {
            Season::Spring
        } else {
            Season::Summer
        };
        Term { year, season }
    }

    pub fn first_day(self) -> NaiveDate {
        match self.season {
            Season::Autumn => self.year.first_day(),
            Season::Spring => ymd(self.year.start + 1, 1, 1),
            Season::Summer => easter_sunday(self.year.start + 1)
                .succ_opt()
                .unwrap_or_else(|| ymd(self.year.start + 1, 4, 1)),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self.season {
            Season::Autumn => ymd(self.year.start, 12, 31),
            Season::Spring => easter_sunday(self.year.start + 1),
            Season::Summer => self.year.last_day(),
        }
    }

    /// A number that orders terms and makes consecutive terms differ by one.
    pub fn ordinal(self) -> i32 {
        self.year.start * 3 + self.season.index()
    }

    pub fn from_ordinal(ordinal: i32) -> Self {
        let start = ordinal.div_euclid(3);
        let season = match ordinal.rem_euclid(3) {
            0 => Season::Autumn,
            1 => Season::Spring,
            _ => Season::Summer,
        };
        Term {
            year: AcademicYear::new(start),
            season,
        }
    }

    pub fn previous(self) -> Self {
        Term::from_ordinal(self.ordinal() - 1)
    }

    pub fn next(self) -> Self {
        Term::from_ordinal(self.ordinal() + 1)
    }

    /// The same term one academic year earlier.
    pub fn a_year_earlier(self) -> Self {
        Term::from_ordinal(self.ordinal() - 3)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.year, self.season.as_str())
    }
}

/// The forms a term may be written in, for error messages.
pub const TERM_FORMS: &str = "a term written YYYY-YY-autumn, YYYY-YY-spring or YYYY-YY-summer, such as 2024-25-spring (the season in any case: 2024-25-Summer is 2024-25-summer)";

impl FromStr for Term {
    type Err = CalendarParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CalendarParseError {
            value: s.to_string(),
            expected: TERM_FORMS,
        };
        let (year, season) = s.trim().rsplit_once('-').ok_or_else(err)?;
        let year: AcademicYear = year.parse().map_err(|_| err())?;
        let season = match season.to_ascii_lowercase().as_str() {
            "autumn" => Season::Autumn,
            "spring" => Season::Spring,
            "summer" => Season::Summer,
            _ => return Err(err()),
        };
        Ok(Term { year, season })
    }
}

/// A contract column that holds a term or an academic year: checked against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarColumn {
    /// `term`: a term such as `2024-25-autumn`.
    Term,
    /// `academic_year`: an academic year such as `2024-25`.
    AcademicYear,
}

impl CalendarColumn {
    /// The kind of a contract column by its name (`term`, `academic_year`), if it is one.
    pub fn of(column: &str) -> Option<Self> {
        match column {
            "term" => Some(CalendarColumn::Term),
            "academic_year" => Some(CalendarColumn::AcademicYear),
            _ => None,
        }
    }

    /// What a value must look like, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            CalendarColumn::Term => {
                "a term like 2024-25-autumn (YYYY-YY-autumn, -spring or -summer), with nothing before or after it"
            }
            CalendarColumn::AcademicYear => {
                "an academic year like 2024-25 (YYYY-YY, the second year following the first), with nothing before or after it"
            }
        }
    }

    /// The canonical spelling of `value`, exactly as written apart from the season's case
    /// (`2024-25-Summer` is `2024-25-summer`); no padding, hidden character or extra text.
    pub fn canonical(self, value: &str) -> Result<String, CalendarParseError> {
        let err = || CalendarParseError {
            value: value.to_string(),
            expected: self.expected(),
        };
        // Only ASCII letters, digits and hyphens can be part of either form; checking first
        // keeps the parsers' own leniency (trimming) from accepting anything else.
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(err());
        }
        match self {
            CalendarColumn::Term => value
                .parse::<Term>()
                .map(|t| t.to_string())
                .map_err(|_| err()),
            CalendarColumn::AcademicYear => value
                .parse::<AcademicYear>()
                .map(|y| y.to_string())
                .map_err(|_| err()),
        }
    }
}

/// Characters that print as nothing or reorder text (zero-width spaces and joiners, the
/// direction marks and embeddings, the byte-order mark): named in messages, never shown raw.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{00ad}')
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// A date from parts known to be valid; falls back to the first of the month.
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(year, month, 1))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persistent_absence_threshold_follows_the_year() {
        // domain.md section 3: 20% to 2009/10, 15% to 2014/15, 10% from 2015/16.
        let t = |y: i32| AcademicYear::new(y).persistent_absence_threshold();
        assert_eq!((t(2008), t(2009)), (20, 20));
        assert_eq!((t(2010), t(2014)), (15, 15));
        assert_eq!((t(2015), t(2024)), (10, 10));
    }

    #[test]
    fn easter_dates_match_published_ones() {
        // Published Easter Sundays: 2023-04-09, 2024-03-31, 2025-04-20.
        assert_eq!(easter_sunday(2023), ymd(2023, 4, 9));
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2025), ymd(2025, 4, 20));
    }

    #[test]
    fn terms_parse_print_and_cover_the_year() {
        let t: Term = "2024-25-spring".parse().unwrap();
        assert_eq!(t.to_string(), "2024-25-spring");
        assert_eq!(t.first_day(), ymd(2025, 1, 1));
        assert_eq!(t.last_day(), ymd(2025, 4, 20));
        assert_eq!(t.next().first_day(), ymd(2025, 4, 21));
        assert_eq!(Term::containing(ymd(2025, 4, 20)), t);
        assert_eq!(
            Term::containing(ymd(2024, 9, 1)).to_string(),
            "2024-25-autumn"
        );
        assert_eq!(t.a_year_earlier().to_string(), "2023-24-spring");
        assert_eq!(t.previous().to_string(), "2024-25-autumn");
        assert!("2024-26-spring".parse::<Term>().is_err());
        assert!("2024-25-winter".parse::<Term>().is_err());
        // The season is read in any case, so 2024-25-Summer is the summer term, not an error
        // nor another term; the message lists the valid forms.
        let summer: Term = "2024-25-Summer".parse().unwrap();
        assert_eq!(summer.to_string(), "2024-25-summer");
        assert_eq!(
            " 2024-25-AUTUMN ".parse::<Term>().unwrap().to_string(),
            "2024-25-autumn"
        );
        let e = "2024-25-Sumer".parse::<Term>().unwrap_err().to_string();
        assert!(
            e.contains("YYYY-YY-autumn, YYYY-YY-spring or YYYY-YY-summer"),
            "{e}"
        );
        assert_eq!("1999-00".parse::<AcademicYear>().unwrap().start, 1999);
        assert!("+024-25".parse::<AcademicYear>().is_err());
    }

    #[test]
    fn calendar_columns_take_one_spelling_and_nothing_else() {
        let term = CalendarColumn::of("term").unwrap();
        assert_eq!(term.canonical("2024-25-Summer").unwrap(), "2024-25-summer");
        assert_eq!(term.canonical("2024-25-summer").unwrap(), "2024-25-summer");
        for bad in [
            "2024-25-summer\u{0}",
            "2024-25-summer\u{200f}",
            "2024-25-\u{200b}summer",
            "2024-25-summer\u{1f600}",
            "2024-25-summer x",
            " 2024-25-summer",
            "2024-25-ſummer",
            "2024-25",
        ] {
            let e = term.canonical(bad).unwrap_err();
            assert!(e.expected.contains("a term like 2024-25-autumn"), "{bad}");
        }
        let year = CalendarColumn::of("academic_year").unwrap();
        assert_eq!(year.canonical("2024-25").unwrap(), "2024-25");
        assert!(year.canonical("2024-25-summer").is_err());
        assert!(year.canonical("2024/25").is_err());
        assert_eq!(CalendarColumn::of("YEAR"), None);
    }
}
