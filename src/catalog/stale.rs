//! A stale SSDA903 return is not today's roll (issue 29). A 2017-18 return under a 2024-25
//! term passed every check, and the board was told "600 children in care at the end of
//! Summer term 2025": every episode left open in 2018. Two signs are looked for:
//!
//! - the latest return ends more than one collection year before the term's own (the
//!   2024-25 term's collection year ends 31 March 2025, so the latest return must be for the
//!   collection year to 31 March 2024 or later). The latest return is the one its file or
//!   folder names (`903/2017-18/`, `2018_episodes.csv`); for one stacked file, the collection
//!   year of the latest episode date, once there are [`MIN_EPISODES`] episodes (an
//!   authority's return has new episodes every month; a folder of a handful, such as a
//!   test case, can go years without one);
//! - episodes still open for young people aged 18 or over (care ends at 18), in numbers: at
//!   least [`PAST_18_AT_LEAST`] young people and at least 1 in [`PAST_18_ONE_IN`] of those
//!   with an open episode, counted on the last day the episodes describe (or the term's
//!   last day, when earlier).
//!
//! Either is an error in `check`, `run` and `report` unless `--allow-stale` or
//! `allow_stale = true` in cohort.toml says otherwise; then it is a warning.

use super::Catalog;
use super::table::{LoadedTable, date32};
use crate::arrow::array::{Array, Date32Array, StringArray};
use crate::contract::Term;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};

/// Episodes a stacked file needs before its latest date tells how old the return is.
pub const MIN_EPISODES: usize = 20;

/// Open episodes of young people past 18 are a sign of a stale return from this many on.
pub const PAST_18_AT_LEAST: usize = 10;
/// ... and when they are at least one in this many of the children with an open episode.
pub const PAST_18_ONE_IN: usize = 20;

/// Why the 903 data looks stale for a term, in words (one line a reason).
#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    pub term: Term,
    pub reasons: Vec<String>,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the SSDA903 data looks stale for {}: its figures of children in care would describe the past, not this term:",
            self.term
        )?;
        for r in &self.reasons {
            write!(f, "\n  - {r}")?;
        }
        write!(
            f,
            "\n  Add the latest SSDA903 return, or, to use this data anyway, give --allow-stale (or set allow_stale = true in cohort.toml)"
        )
    }
}

/// The collection year (the calendar year of its 31 March) a date falls in.
pub fn collection_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year() + 1
    } else {
        d.year()
    }
}

/// Each non-null date of `column` in `t`'s rows, with the row's index.
fn dates(batches: &[crate::arrow::record_batch::RecordBatch], column: &str) -> Vec<Option<i32>> {
    let mut out = Vec::new();
    for b in batches {
        let Ok(i) = b.schema().index_of(column) else {
            return vec![];
        };
        match b.column(i).as_any().downcast_ref::<Date32Array>() {
            Some(a) => out.extend(a.iter()),
            None => out.extend(std::iter::repeat_n(None, b.num_rows())),
        }
    }
    out
}

fn texts(batches: &[crate::arrow::record_batch::RecordBatch], column: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let Ok(i) = b.schema().index_of(column) else {
            return vec![];
        };
        match b.column(i).as_any().downcast_ref::<StringArray>() {
            Some(a) => out.extend(a.iter().map(|v| v.map(str::to_string))),
            None => out.extend(std::iter::repeat_n(None, b.num_rows())),
        }
    }
    out
}

/// Whether the 903 episodes (with the header's dates of birth) look stale for `term`;
/// `return_year` is the latest collection year the episodes' files or folders name.
pub fn staleness(
    episodes: &LoadedTable,
    header: &LoadedTable,
    term: Term,
    return_year: Option<i32>,
) -> Option<Stale> {
    let (Ok(eps), Ok(head)) = (episodes.rows(), header.rows()) else {
        return None;
    };
    let decom = dates(&eps, "decom");
    let dec = dates(&eps, "dec");
    let child = texts(&eps, "child");
    let latest = decom.iter().chain(dec.iter()).flatten().max().copied()?;
    let latest = date32(latest);
    let mut reasons = Vec::new();
    let term_year = term.year.start + 1;
    let year = |y: i32| format!("{}-{:02}", y - 1, y.rem_euclid(100));
    let latest_return = match return_year {
        Some(y) => Some((
            y,
            format!(
                "the latest SSDA903 return is for the {} collection year",
                year(y)
            ),
        )),
        None if child.len() >= MIN_EPISODES => Some((
            collection_year(latest),
            format!(
                "the latest episode date is {latest}, in the {} collection year",
                year(collection_year(latest))
            ),
        )),
        None => None,
    };
    if let Some((y, what)) = latest_return
        && y < term_year - 1
    {
        reasons.push(format!(
            "{what}, more than a year before {term}'s ({}): the return ends years before the term",
            year(term_year)
        ));
    }
    // On the last day the episodes describe, or the term's, whichever is earlier.
    let on = latest.min(term.last_day());
    let dob: HashMap<String, NaiveDate> = texts(&head, "child")
        .into_iter()
        .zip(dates(&head, "dob"))
        .filter_map(|(c, d)| Some((c?, date32(d?))))
        .collect();
    let mut open: HashSet<&str> = HashSet::new();
    let mut past_18: HashSet<&str> = HashSet::new();
    for (i, c) in child.iter().enumerate() {
        let (Some(c), Some(start)) = (c, decom.get(i).copied().flatten()) else {
            continue;
        };
        let still_open = dec.get(i).copied().flatten().is_none_or(|d| date32(d) > on);
        if date32(start) > on || !still_open {
            continue;
        }
        open.insert(c.as_str());
        if let Some(b) = dob.get(c)
            && eighteenth(*b) <= on
        {
            past_18.insert(c.as_str());
        }
    }
    if past_18.len() >= PAST_18_AT_LEAST && past_18.len() * PAST_18_ONE_IN >= open.len() {
        reasons.push(format!(
            "{} of the {} children with an episode open on {on} were 18 or older that day (care ends at 18): episodes left open",
            past_18.len(),
            open.len()
        ));
    }
    (!reasons.is_empty()).then_some(Stale { term, reasons })
}

/// The 18th birthday (29 February's on 28 February in a year without one).
fn eighteenth(dob: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(dob.year() + 18, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(dob.year() + 18, dob.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

impl Catalog {
    /// Whether this folder's SSDA903 data looks stale for `term` (see the module's page).
    pub fn staleness(&self, term: Term) -> Option<Stale> {
        let named = self
            .files
            .iter()
            .filter(|f| f.table == "episodes")
            .filter_map(|f| super::returns::return_year(&self.dir, &f.path))
            .max();
        staleness(self.table("episodes")?, self.table("header")?, term, named)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::columns::ReadOptions;
    use crate::catalog::error::Problems;
    use crate::contract::Contract;
    use std::path::Path;

    fn table(name: &str, text: &str) -> LoadedTable {
        let c = Contract::current();
        let t = c.table(name).unwrap_or_else(|| panic!("{name}"));
        let mut p = Problems::default();
        crate::catalog::format::delimited::read_csv_text(
            t,
            Path::new(name),
            text,
            &ReadOptions::default(),
            &mut p,
        )
        .unwrap_or_else(|| panic!("{:?}", p.list))
    }

    /// `n` children born on `dob`, each with one episode from `decom`, open.
    fn data(n: usize, dob: &str, decom: &str) -> (LoadedTable, LoadedTable) {
        let mut h = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n".to_string();
        let mut e = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n".to_string();
        for i in 0..n {
            h.push_str(&format!("C{i},1,{dob},WBRI,,,\n"));
            e.push_str(&format!("C{i},{decom},S,C2,N1,U1,PR1,,,,,,\n"));
        }
        (table("episodes", &e), table("header", &h))
    }

    fn term(s: &str) -> Term {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_return_years_before_the_term_is_stale() {
        let summer = term("2024-25-summer");
        // Latest date 10/10/2017: collection year 2017-18 (to 31 March 2018). The 2024-25
        // term's is 2024-25; 2017-18 is more than one year before it.
        let (e, h) = data(MIN_EPISODES, "01/01/2010", "10/10/2017");
        let s = staleness(&e, &h, summer, None).unwrap_or_else(|| panic!("stale"));
        assert_eq!(s.reasons.len(), 1, "{s}");
        assert!(s.reasons[0].contains("the 2017-18 collection year"), "{s}");
        assert!(s.to_string().contains("--allow-stale"), "{s}");
        // The year before the term's (2023-24) is not stale: 10/10/2023 is in 2023-24.
        let (e, h) = data(MIN_EPISODES, "01/01/2010", "10/10/2023");
        assert_eq!(staleness(&e, &h, summer, None), None);
        // Two years before (2022-23) is.
        let (e, h) = data(MIN_EPISODES, "01/01/2010", "10/10/2022");
        assert!(staleness(&e, &h, summer, None).is_some());
        // A handful of episodes can go years without a new one: their date alone says nothing.
        let (e, h) = data(MIN_EPISODES - 1, "01/01/2010", "10/10/2017");
        assert_eq!(staleness(&e, &h, summer, None), None);
        // But a return that names its year (2017-18: 2018) is stale however small...
        let s = staleness(&e, &h, summer, Some(2018)).unwrap_or_else(|| panic!("stale"));
        assert!(
            s.reasons[0]
                .starts_with("the latest SSDA903 return is for the 2017-18 collection year"),
            "{s}"
        );
        // ... and one that names 2023-24 (2024) is not, whatever its dates.
        let (e, h) = data(MIN_EPISODES, "01/01/2010", "10/10/2017");
        assert_eq!(staleness(&e, &h, summer, Some(2024)), None);
    }

    #[test]
    fn episodes_open_past_18_in_numbers_are_stale() {
        // Born 01/01/2005: 18 on 01/01/2023, so 20 or older on 10/10/2024 (the latest date,
        // before the term's last day). 10 such children, all with open episodes: 10 >= 10
        // and 10 * 20 >= 10.
        let (e, h) = data(10, "01/01/2005", "10/10/2024");
        let s = staleness(&e, &h, term("2024-25-autumn"), None).unwrap_or_else(|| panic!("stale"));
        assert!(s.reasons[0].starts_with("10 of the 10 children"), "{s}");
        // Nine are not "in numbers".
        let (e, h) = data(9, "01/01/2005", "10/10/2024");
        assert_eq!(staleness(&e, &h, term("2024-25-autumn"), None), None);
        // Ten children still under 18 (born 2010) are not stale either.
        let (e, h) = data(10, "01/01/2010", "10/10/2024");
        assert_eq!(staleness(&e, &h, term("2024-25-autumn"), None), None);
    }
}
