//! A child's school years, term by term: attendance marks, suspensions, PEPs, PP+
//! requests, termly progress, SDQ, SEN, statutory results and post-16 activity.
//! Every planted relationship is written here, where the outcome is drawn, in the file
//! named for the table it writes; this one walks the years and holds what they share.

mod attainment;
mod attendance;
mod outcomes;
mod peps;

use super::World;
use super::draw::{chance, normal, pick};
use super::life::{Life, Population, age_on};
use super::writer::Cell;
use super::{Rows, SampleError};
use crate::contract::AcademicYear;
use crate::row;
use attainment::{Pupil, progress, results};
use attendance::{attendance, suspensions};
use chrono::{Duration, NaiveDate};
use outcomes::{oc2, oc3, post16};
use peps::{peps, pp_plus};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The date the 2024 attendance code set starts.
fn new_codes(date: NaiveDate) -> bool {
    date >= ymd(2024, 8, 19)
}

const REASONS: &[(&str, f64)] = &[
    ("DB", 30.0),
    ("VA", 20.0),
    ("PA", 12.0),
    ("PP", 12.0),
    ("VP", 8.0),
    ("DM", 5.0),
    ("DA", 4.0),
    ("BU", 3.0),
    ("OW", 3.0),
    ("MT", 3.0),
];

/// PP+ interventions: name, EEF tier, amount range. Tuition is planted to help progress;
/// mentoring is planted to do nothing.
/// An intervention's name, EEF tier and the range of amounts requested, in pounds.
type Intervention = (&'static str, &'static str, u32, u32);

const INTERVENTIONS: &[(Intervention, f64)] = &[
    (("tuition", "2", 300, 900), 30.0),
    (("speech and language therapy", "2", 400, 1200), 10.0),
    (("mentoring", "3", 200, 800), 25.0),
    (("therapeutic support", "3", 500, 1500), 15.0),
    (("teaching assistant support", "1", 300, 1000), 10.0),
    (("staff training", "1", 150, 500), 10.0),
];

const TARGETS: &[&str] = &[
    "Reading age up by six months",
    "Secure times tables to 12",
    "Attend every session this half term",
    "Join one club or activity",
    "Use a calm plan in lessons",
    "Write at length with paragraphs",
];

const COLLEGES: &[&str] = &[
    "Riverside College",
    "Northgate Training",
    "Castlegate Sixth Form",
    "City Apprenticeships",
];

/// What the child's year so far says about them, used by later draws.
struct YearState {
    possible: u32,
    absent: u32,
    sdq: Option<i64>,
}

impl YearState {
    fn absence_pct(&self) -> f64 {
        if self.possible == 0 {
            9.0
        } else {
            100.0 * f64::from(self.absent) / f64::from(self.possible)
        }
    }
}

/// Simulates every year of the window for one child, writing rows as it goes.
pub fn simulate(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let mut sen = life.sen;
    let mut tuition_terms: Vec<i32> = Vec::new();
    let neet_tendency = normal(rng);
    for (year_index, &year) in world.years.iter().enumerate() {
        let age31 = age_on(life.dob, year.age_date());
        if year_index > 0 && sen == "K" && chance(rng, 0.05) {
            sen = "E";
        }
        let followed_in_year = followed_between(life, year.first_day(), year.last_day());
        if followed_in_year && (3..=17).contains(&age31) {
            let need = (sen != "N").then_some(life.need).flatten();
            out.put("sen", row![life.id.as_str(), year.to_string(), sen, need])?;
        }
        let sdq = sdq(rng, life, year, out)?;
        let mut state = YearState {
            possible: 0,
            absent: 0,
            sdq,
        };
        let suspended = suspensions(rng, life, world, year, age31, sen, out)?;
        for term in year.terms() {
            attendance(
                rng, life, world, year_index, term, age31, &suspended, &mut state, out,
            )?;
            peps(rng, life, world, term, out)?;
            pp_plus(rng, life, world, term, age31, &mut tuition_terms, out)?;
            let pupil = Pupil::new(life, age31, sen, &tuition_terms, &state);
            progress(rng, pupil, term, out)?;
            post16(rng, life, term, age31, neet_tendency, out)?;
        }
        let pupil = Pupil::new(life, age31, sen, &tuition_terms, &state);
        results(pupil, year, rng, out)?;
        oc2(rng, life, year, &state, out)?;
        oc3(rng, life, year, sen, neet_tendency, out)?;
    }
    Ok(())
}

fn followed_on(life: &Life, d: NaiveDate) -> bool {
    super::life::followed(life)
        .iter()
        .any(|&(s, e)| s <= d && e.is_none_or(|e| d <= e))
}

fn followed_between(life: &Life, from: NaiveDate, to: NaiveDate) -> bool {
    super::life::followed(life)
        .iter()
        .any(|&(s, e)| s <= to && e.is_none_or(|e| e >= from))
}

/// Looked after on `d` (short breaks do not count).
fn in_care(life: &Life, d: NaiveDate) -> bool {
    !life.short_breaks
        && life
            .spells
            .iter()
            .any(|&(s, e)| s <= d && e.is_none_or(|e| d <= e))
}

fn school_on(life: &Life, d: NaiveDate) -> Option<usize> {
    life.enrolments
        .iter()
        .find(|e| e.start <= d && e.end.is_none_or(|end| d <= end))
        .map(|e| e.school)
}

fn moves_in_year_before(life: &Life, d: NaiveDate) -> f64 {
    life.moves
        .iter()
        .filter(|&&m| m <= d && m > d - Duration::days(365))
        .count() as f64
}

fn years_in_care(life: &Life, d: NaiveDate) -> f64 {
    life.spells
        .iter()
        .filter(|s| s.0 <= d)
        .map(|s| (d - s.0).num_days() as f64 / 365.25)
        .fold(0.0, f64::max)
}

fn sen_effect(sen: &str) -> f64 {
    match sen {
        "E" => 0.9,
        "K" => 0.4,
        _ => 0.0,
    }
}

fn semh(life: &Life) -> f64 {
    if life.need == Some("SEMH") { 1.0 } else { 0.0 }
}

/// One SDQ a year for looked-after children aged 4 to 17, completed in spring.
fn sdq(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    out: &mut dyn Rows,
) -> Result<Option<i64>, SampleError> {
    if life.population != Population::Cla {
        return Ok(None);
    }
    let date = ymd(year.start + 1, 2, 1) + Duration::days(rng.random_range(0..60));
    let age = age_on(life.dob, date);
    if !in_care(life, date) || !(4..=17).contains(&age) {
        return Ok(None);
    }
    if chance(rng, 0.1) {
        let reason = pick(rng, &[("SDQ2", 30.0), ("SDQ4", 40.0), ("SDQ5", 30.0)]);
        out.put("sdq", row![life.id.as_str(), date, Cell::Null, reason])?;
        return Ok(None);
    }
    let score = (life.sdq_base + 2.5 * normal(rng) - 0.3 * years_in_care(life, date))
        .round()
        .clamp(0.0, 40.0) as i64;
    out.put("sdq", row![life.id.as_str(), date, score, Cell::Null])?;
    Ok(Some(score))
}
