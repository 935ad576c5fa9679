//! A child's school years, term by term: attendance marks, suspensions, PEPs, PP+
//! requests, termly progress, SDQ, SEN, statutory results and post-16 activity.
//! Every planted relationship is written here, where the outcome is drawn.

use super::World;
use super::draw::{chance, logistic, normal, normal_cdf, pick, poisson};
use super::life::{Life, Population, age_on, birthday};
use super::writer::Cell;
use super::{Rows, SampleError};
use crate::contract::{AcademicYear, Term};
use crate::row;
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

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
            progress(rng, life, term, age31, sen, &tuition_terms, &state, out)?;
            post16(rng, life, term, age31, neet_tendency, out)?;
        }
        results(rng, life, year, age31, sen, &tuition_terms, &state, out)?;
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

/// Suspensions in the year; returns the school days the child is suspended (marked `E`).
fn suspensions(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    year: AcademicYear,
    age31: i32,
    sen: &str,
    out: &mut dyn Rows,
) -> Result<BTreeSet<NaiveDate>, SampleError> {
    let mut suspended = BTreeSet::new();
    if !(5..=15).contains(&age31) {
        return Ok(suspended);
    }
    let days = world.days_of(year);
    let enrolled: Vec<(NaiveDate, usize)> = days
        .iter()
        .filter(|&&d| followed_on(life, d))
        .filter_map(|&d| school_on(life, d).map(|s| (d, s)))
        .collect();
    if enrolled.is_empty() {
        return Ok(suspended);
    }
    let share = enrolled.len() as f64 / days.len().max(1) as f64;
    let rate = 0.045
        * share
        * (0.9 * life.behaviour
            + 0.8 * semh(life)
            + 0.5 * f64::from(u8::from(age31 >= 11))
            + 0.3 * f64::from(u8::from(life.move_rate > 1.0))
            + 0.2 * f64::from(u8::from(sen == "E")))
        .exp();
    let mut starts: Vec<usize> = (0..poisson(rng, rate))
        .map(|_| rng.random_range(0..enrolled.len()))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    for i in starts {
        let (date, school) = enrolled[i];
        let kind = if age31 >= 11 && chance(rng, 0.01) {
            "permanent"
        } else if chance(rng, 0.08) {
            "lunchtime"
        } else {
            "suspension"
        };
        let days_out = match kind {
            "suspension" => pick(rng, &[(1u32, 40.0), (2, 25.0), (3, 20.0), (5, 15.0)]),
            _ => 0,
        };
        let sessions = match kind {
            "lunchtime" => 1,
            _ => i64::from(days_out) * 2,
        };
        for (d, s) in enrolled.iter().skip(i).take(days_out as usize) {
            if *s == school {
                suspended.insert(*d);
            }
        }
        let r1 = pick(rng, REASONS);
        let r2 = chance(rng, 0.3)
            .then(|| pick(rng, REASONS))
            .filter(|r| *r != r1);
        let r3 = r2.and_then(|r2| {
            chance(rng, 0.3)
                .then(|| pick(rng, REASONS))
                .filter(|r| *r != r1 && *r != r2)
        });
        let urn = world.schools[school].urn.as_str();
        out.put(
            "suspensions",
            row![life.id.as_str(), urn, date, kind, sessions, r1, r2, r3],
        )?;
    }
    Ok(suspended)
}

/// A child's absence rate for a year: a latent propensity pushed by the planted
/// effects, mapped onto the national shape (most low, a fifth persistent, a few severe).
fn absence_rate(life: &Life, year: AcademicYear, age31: i32) -> f64 {
    let s = life.absence
        + 0.35 * semh(life)
        + 0.3 * moves_in_year_before(life, year.first_day())
        + 0.2 * f64::from(u8::from(age31 >= 11))
        + 0.04 * f64::from(year.start - 2022)
        - 0.2;
    let u = normal_cdf(s / 1.1);
    if u > 0.96 {
        0.5 + (u - 0.96) / 0.04 * 0.2
    } else if u > 0.84 {
        0.10 + (u - 0.84) / 0.12 * 0.18
    } else {
        0.005 + (u / 0.84).powi(2) * 0.06
    }
}

#[allow(clippy::too_many_arguments)]
fn attendance(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    year_index: usize,
    term: Term,
    age31: i32,
    suspended: &BTreeSet<NaiveDate>,
    state: &mut YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !(4..=15).contains(&age31) {
        return Ok(());
    }
    let days: Vec<NaiveDate> = world.days[year_index]
        .iter()
        .copied()
        .filter(|&d| d >= term.first_day() && d <= term.last_day())
        .collect();
    let base = absence_rate(life, term.year, age31);
    let term_rate = (base * (0.2 * normal(rng)).exp()).min(0.95);
    // A crisis late in some terms: the child's attendance drops sharply in the last four weeks.
    let crisis_from = if chance(rng, 0.03) {
        days.len().saturating_sub(20)
    } else {
        usize::MAX
    };
    for (i, &d) in days.iter().enumerate() {
        if !followed_on(life, d) {
            continue;
        }
        let Some(school) = school_on(life, d) else {
            continue;
        };
        let urn = world.schools[school].urn.as_str();
        let (am, pm): (&str, &str) = if world.closed(school, d) {
            ("#", "#")
        } else if suspended.contains(&d) {
            ("E", "E")
        } else {
            let mut r = term_rate;
            if i >= crisis_from {
                r += 0.35;
            }
            if life
                .moves
                .iter()
                .any(|&m| d >= m && d < m + Duration::days(15))
            {
                r += 0.25;
            }
            let u: f64 = rng.random();
            if u < r {
                let code = absence_code(rng, d, r);
                (code, code)
            } else if u < r * 1.08 {
                ("/", absence_code(rng, d, r))
            } else if chance(rng, 0.004) {
                let code = if chance(rng, 0.5) { "V" } else { "P" };
                (code, code)
            } else if chance(rng, 0.03) {
                ("L", "\\")
            } else {
                ("/", "\\")
            }
        };
        for (session, mark) in [("AM", am), ("PM", pm)] {
            if mark != "#" {
                state.possible += 1;
                if !matches!(mark, "/" | "\\" | "L" | "V" | "P") {
                    state.absent += 1;
                }
            }
            out.put("attendance", row![life.id.as_str(), urn, d, session, mark])?;
        }
    }
    Ok(())
}

fn absence_code(rng: &mut ChaCha8Rng, d: NaiveDate, r: f64) -> &'static str {
    let unauthorised = chance(rng, if r > 0.1 { 0.45 } else { 0.25 });
    if unauthorised {
        pick(rng, &[("O", 55.0), ("N", 15.0), ("G", 15.0), ("U", 15.0)])
    } else if new_codes(d) {
        pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 15.0),
                ("C", 10.0),
                ("C2", 7.0),
                ("R", 3.0),
            ],
        )
    } else {
        pick(
            rng,
            &[
                ("I", 60.0),
                ("M", 15.0),
                ("C", 15.0),
                ("H", 3.0),
                ("R", 3.0),
            ],
        )
    }
}

fn due_date(term: Term) -> NaiveDate {
    term.first_day() + Duration::days(45)
}

/// Termly PEPs for looked-after children aged 3 to 17; Team East's are more often late.
fn peps(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    term: Term,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let due = due_date(term);
    if !in_care(life, due) || !(3..=17).contains(&age_on(life.dob, due)) {
        return Ok(());
    }
    let on_time = chance(rng, if life.team == "Team East" { 0.62 } else { 0.85 });
    let completed = if on_time {
        Some(due - Duration::days(rng.random_range(0..14)))
    } else if chance(rng, 0.9) {
        Some(due + Duration::days(rng.random_range(1..40)))
    } else {
        None
    };
    let held =
        completed.map(|c| (c - Duration::days(rng.random_range(0..10))).max(term.first_day()));
    let qa = completed.map(|_| {
        if on_time {
            pick(rng, &[("green", 70.0), ("amber", 22.0), ("red", 8.0)])
        } else {
            pick(rng, &[("green", 45.0), ("amber", 35.0), ("red", 20.0)])
        }
    });
    let urn = school_on(life, due).map(|s| world.schools[s].urn.as_str());
    let voice = chance(rng, if age_on(life.dob, due) < 6 { 0.4 } else { 0.85 });
    out.put(
        "peps",
        row![
            life.id.as_str(),
            term.to_string(),
            urn,
            due,
            held,
            completed,
            qa,
            life.team,
            chance(rng, 0.9),
            voice
        ],
    )?;
    Ok(())
}

/// PP+ requests for looked-after children of school age; approved tuition is remembered.
fn pp_plus(
    rng: &mut ChaCha8Rng,
    life: &Life,
    world: &World,
    term: Term,
    age31: i32,
    tuition_terms: &mut Vec<i32>,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let due = due_date(term);
    if !in_care(life, due) || !(4..=15).contains(&age31) {
        return Ok(());
    }
    let Some(school) = school_on(life, due) else {
        return Ok(());
    };
    let p = 0.35 + if life.ability < 0.0 { 0.15 } else { 0.0 };
    if !chance(rng, p) {
        return Ok(());
    }
    let n = if chance(rng, 0.2) { 2 } else { 1 };
    for k in 1..=n {
        let (name, tier, lo, hi) = pick(rng, INTERVENTIONS);
        let amount = f64::from(rng.random_range(lo / 10..=hi / 10) * 10);
        let approved = chance(rng, 0.9);
        let target = chance(rng, 0.85).then(|| TARGETS[rng.random_range(0..TARGETS.len())]);
        if approved && name == "tuition" {
            tuition_terms.push(term.ordinal());
        }
        out.put(
            "pp_plus",
            row![
                format!("{}-{}-{k}", life.id, term),
                life.id.as_str(),
                world.schools[school].urn.as_str(),
                term.to_string(),
                amount,
                tier,
                name,
                target,
                if approved { "approved" } else { "declined" }
            ],
        )?;
    }
    Ok(())
}

/// The attainment latent: ability less the planted barriers plus the planted facilitators.
fn attainment_z(
    life: &Life,
    sen: &str,
    date: NaiveDate,
    absence_pct: f64,
    sdq: Option<i64>,
    tuition: f64,
) -> f64 {
    life.ability
        - sen_effect(sen)
        - 0.3 * moves_in_year_before(life, date)
        - 0.05 * (absence_pct - 9.0)
        - 0.03 * (sdq.map_or(14.7, |s| s as f64) - 14.7)
        + 0.25 * tuition
        + if years_in_care(life, date) > 3.0 {
            0.2
        } else {
            0.0
        }
}

#[allow(clippy::too_many_arguments)]
fn progress(
    rng: &mut ChaCha8Rng,
    life: &Life,
    term: Term,
    age31: i32,
    sen: &str,
    tuition_terms: &[i32],
    state: &YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let end = term.last_day();
    if !in_care(life, end) || !(5..=15).contains(&age31) || school_on(life, end).is_none() {
        return Ok(());
    }
    let funded = tuition_terms
        .iter()
        .any(|&t| t < term.ordinal() && t >= term.ordinal() - 3);
    let z = attainment_z(life, sen, end, state.absence_pct(), state.sdq, 0.0)
        + if funded { 0.6 } else { 0.0 }
        + 0.3 * normal(rng);
    let subjects: &[&str] = if age31 < 11 {
        &["reading", "writing", "maths"]
    } else {
        &["english", "maths", "science"]
    };
    let rank = |j: &str| match j {
        "below" => 0,
        "working_towards" => 1,
        "expected" => 2,
        _ => 3,
    };
    let target = if sen == "E" {
        "working_towards"
    } else if life.ability > 1.2 {
        "above"
    } else {
        "expected"
    };
    for subject in subjects {
        let zs = z + 0.4 * normal(rng);
        let judgement = if zs < -0.9 {
            "below"
        } else if zs < -0.1 {
            "working_towards"
        } else if zs < 0.9 {
            "expected"
        } else {
            "above"
        };
        out.put(
            "progress",
            row![
                life.id.as_str(),
                term.to_string(),
                *subject,
                judgement,
                target,
                rank(judgement) >= rank(target)
            ],
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn results(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    age31: i32,
    sen: &str,
    tuition_terms: &[i32],
    state: &YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let test_day = ymd(year.start + 1, 5, 12);
    if !(age31 == 10 || age31 == 15)
        || !followed_on(life, test_day)
        || school_on(life, test_day).is_none()
    {
        return Ok(());
    }
    let first = year.terms()[0].ordinal();
    let tuition = f64::from(u8::from(tuition_terms.iter().any(|&t| t >= first - 1)));
    let z = attainment_z(life, sen, test_day, state.absence_pct(), state.sdq, tuition)
        + 0.4 * normal(rng);
    if age31 == 10 {
        let z = z - 0.15;
        if sen == "E" && chance(rng, 0.3) {
            out.put(
                "ks2_results",
                row![
                    life.id.as_str(),
                    year.to_string(),
                    Cell::Null,
                    Cell::Null,
                    Cell::Null,
                    "WTS"
                ],
            )?;
            return Ok(());
        }
        let score = |rng: &mut ChaCha8Rng| {
            (100.0 + 6.0 * (z + 0.5 * normal(rng)))
                .round()
                .clamp(80.0, 120.0) as i64
        };
        let (reading, maths, gps) = (score(rng), score(rng), score(rng));
        let w = z + 0.5 * normal(rng);
        let writing = if w < -0.1 {
            "WTS"
        } else if w < 1.3 {
            "EXS"
        } else {
            "GDS"
        };
        out.put(
            "ks2_results",
            row![
                life.id.as_str(),
                year.to_string(),
                reading,
                maths,
                gps,
                writing
            ],
        )?;
    } else {
        let entered = !chance(rng, 0.18 + 0.15 * f64::from(u8::from(sen == "E")));
        let a8: f64 = if entered {
            (23.5 + 13.0 * z).clamp(0.0, 90.0)
        } else {
            rng.random_range(0.0..6.0)
        };
        let a8 = (a8 * 2.0).round() / 2.0;
        let grade = |rng: &mut ChaCha8Rng| {
            (a8 / 10.0 * 1.15 + 0.9 * normal(rng))
                .round()
                .clamp(0.0, 9.0) as i64
        };
        let (english, maths) = (grade(rng), grade(rng));
        let p8 = (year.start < 2024).then(|| ((-1.3 + 0.9 * z) * 100.0).round() / 100.0);
        out.put(
            "ks4_results",
            row![life.id.as_str(), year.to_string(), english, maths, a8, p8],
        )?;
    }
    Ok(())
}

/// OC2 rows: looked after continuously for the 12 months to 31 March.
fn oc2(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    state: &YearState,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let collection = year.start + 1;
    let march = ymd(collection, 3, 31);
    let twelve = life
        .spells
        .iter()
        .any(|&(s, e)| s <= ymd(collection - 1, 4, 1) && e.is_none_or(|e| e > march));
    if life.short_breaks || !twelve {
        return Ok(());
    }
    let age = age_on(life.dob, march);
    let (score, reason) = if (4..=16).contains(&age) {
        match state.sdq {
            Some(s) => (Some(s), None),
            None => (None, Some("SDQ4")),
        }
    } else {
        (None, Some("SDQ1"))
    };
    let older = age >= 10;
    let misuse = older && chance(rng, 0.04);
    let flag = |rng: &mut ChaCha8Rng, p: f64| i64::from(chance(rng, p));
    let convicted = older.then(|| flag(rng, 0.03));
    out.put(
        "oc2",
        row![
            life.id.as_str(),
            i64::from(collection),
            life.dob,
            score,
            reason,
            convicted,
            flag(rng, 0.9),
            flag(rng, 0.85),
            flag(rng, 0.85),
            flag(rng, 0.88),
            older.then_some(i64::from(misuse)),
            misuse.then(|| flag(rng, 0.6)),
            misuse.then(|| flag(rng, 0.8))
        ],
    )?;
    Ok(())
}

fn neet_probability(life: &Life, sen: &str, age: i32, tendency: f64) -> f64 {
    logistic(
        -0.3 + 0.6 * tendency - 0.5 * (life.ability - 0.5 * sen_effect(sen))
            + 0.5 * semh(life)
            + 0.15 * f64::from(age - 19),
    )
}

fn activity(rng: &mut ChaCha8Rng, neet: bool) -> &'static str {
    if neet {
        pick(rng, &[("G5", 60.0), ("G6", 20.0), ("G4", 20.0)])
    } else {
        pick(
            rng,
            &[
                ("F2", 25.0),
                ("F5", 25.0),
                ("P5", 15.0),
                ("F1", 15.0),
                ("F4", 10.0),
                ("P2", 10.0),
            ],
        )
    }
}

/// OC3 rows for care leavers around their 18th to 21st birthdays. Lower attainment and
/// SEMH needs are planted to go with being NEET.
fn oc3(
    rng: &mut ChaCha8Rng,
    life: &Life,
    year: AcademicYear,
    sen: &str,
    tendency: f64,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !life.care_leaver {
        return Ok(());
    }
    let collection = year.start + 1;
    let birthday_year = if life.dob.month() >= 4 {
        collection - 1
    } else {
        collection
    };
    let age = birthday_year - life.dob.year();
    if !(18..=21).contains(&age) || birthday(life.dob, age) > ymd(collection, 3, 31) {
        return Ok(());
    }
    let in_touch = pick(
        rng,
        &[("YES", 88.0), ("NO", 5.0), ("REFU", 4.0), ("NREQ", 3.0)],
    );
    let (activ, accom) = if in_touch == "YES" {
        let neet = chance(rng, neet_probability(life, sen, age, tendency));
        let accom_kind = pick(
            rng,
            &[
                ("B", 10.0),
                ("C", 10.0),
                ("E", 15.0),
                ("G", 20.0),
                ("H", 10.0),
                ("K", 15.0),
                ("R", 5.0),
                ("S", 5.0),
                ("T", 5.0),
                ("U", 5.0),
            ],
        );
        let suffix = if chance(rng, 0.88) { "1" } else { "2" };
        let accom = match (accom_kind, suffix) {
            ("H", _) => "H1".to_string(),
            (k, s) => format!("{k}{s}"),
        };
        (Some(activity(rng, neet)), Some(accom))
    } else {
        (None, None)
    };
    out.put(
        "oc3",
        row![
            life.id.as_str(),
            i64::from(collection),
            life.dob,
            in_touch,
            activ,
            accom
        ],
    )?;
    Ok(())
}

/// Termly post-16 activity for young people in care aged 16-17 and care leavers to 21.
fn post16(
    rng: &mut ChaCha8Rng,
    life: &Life,
    term: Term,
    age31: i32,
    tendency: f64,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    if !(16..=21).contains(&age31) || life.population != Population::Cla || life.short_breaks {
        return Ok(());
    }
    let mid = term.first_day() + Duration::days(30);
    let left = life.care_leaver && birthday(life.dob, 18) <= mid;
    if !(in_care(life, mid) || left) {
        return Ok(());
    }
    let age = age_on(life.dob, mid);
    let p = if in_care(life, mid) {
        0.18 + 0.1 * f64::from(u8::from(tendency > 1.0))
    } else {
        neet_probability(life, life.sen, age.max(18), tendency)
    };
    let neet = chance(rng, p);
    let activ = if !neet && age < 18 {
        pick(rng, &[("F2", 80.0), ("F4", 10.0), ("F5", 10.0)])
    } else {
        activity(rng, neet)
    };
    let provider = (!neet).then(|| COLLEGES[rng.random_range(0..COLLEGES.len())]);
    out.put(
        "post16",
        row![life.id.as_str(), term.to_string(), activ, provider],
    )?;
    Ok(())
}
