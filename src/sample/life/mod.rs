//! One synthetic child's life story: who they are, the traits the generator plants
//! relationships through, their care spells and episodes (`care`), and their schools
//! (`enrolments`).

mod care;
mod enrolments;

use super::World;
use super::draw::{chance, date_between, normal, pick};
use care::care_history;
pub use care::followed;
use chrono::{Datelike, Duration, NaiveDate};
use enrolments::schools_for;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Which population a synthetic child belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// Looked after at some point in the window (in the SSDA903 files).
    Cla,
    /// Previously in care (adopted, special guardianship, child arrangements order).
    Cpic,
    /// With a social worker.
    Cwsw,
}

/// One SSDA903 episode.
#[derive(Debug, Clone)]
pub struct Episode {
    pub decom: NaiveDate,
    pub rne: &'static str,
    pub ls: &'static str,
    pub place: &'static str,
    pub provider: &'static str,
    pub dec: Option<NaiveDate>,
    pub rec: Option<&'static str>,
    pub reason_change: Option<&'static str>,
}

/// One period on a school's roll.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub school: usize,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A cohort membership outside care (CPIC or CWSW).
#[derive(Debug, Clone)]
pub struct Membership {
    pub cohort: &'static str,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// Everything fixed about a child before their school years are simulated.
#[derive(Debug, Clone)]
pub struct Life {
    pub id: String,
    pub population: Population,
    pub sex: &'static str,
    pub ethnic: &'static str,
    pub dob: NaiveDate,
    /// Prior ability, standard normal: the main driver of attainment.
    pub ability: f64,
    /// Propensity to be absent, standard normal before planted effects.
    pub absence: f64,
    /// Propensity to be suspended, standard normal before planted effects.
    pub behaviour: f64,
    /// Expected placement moves a year.
    pub move_rate: f64,
    /// SEN status (`N`, `K`, `E`) and primary need.
    pub sen: &'static str,
    pub need: Option<&'static str>,
    /// Usual SDQ total before noise.
    pub sdq_base: f64,
    pub team: &'static str,
    pub short_breaks: bool,
    pub episodes: Vec<Episode>,
    /// Care spells as (start, end) from the episodes, short breaks excluded.
    pub spells: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub moves: Vec<NaiveDate>,
    pub memberships: Vec<Membership>,
    pub enrolments: Vec<Enrolment>,
    /// Left care at 18 (a care leaver).
    pub care_leaver: bool,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The date a child born on `dob` turns `years`.
pub fn birthday(dob: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(dob.year() + years, dob.month(), dob.day())
        .unwrap_or_else(|| ymd(dob.year() + years, 3, 1))
}

/// Age in whole years on `date`.
pub fn age_on(dob: NaiveDate, date: NaiveDate) -> i32 {
    let mut age = date.year() - dob.year();
    if (date.month(), date.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

const ETHNICITY: &[(&str, f64)] = &[
    ("WBRI", 70.0),
    ("WOTH", 5.0),
    ("WIRT", 1.0),
    ("MWBC", 4.0),
    ("MWBA", 2.0),
    ("MWAS", 2.0),
    ("MOTH", 3.0),
    ("AIND", 1.0),
    ("APKN", 2.0),
    ("AOTH", 2.0),
    ("BCRB", 1.0),
    ("BAFR", 3.0),
    ("BOTH", 1.0),
    ("CHNE", 0.5),
    ("OOTH", 2.0),
    ("REFU", 0.5),
];

const NEEDS: &[(&str, f64)] = &[
    ("SEMH", 40.0),
    ("ASD", 14.0),
    ("SLCN", 12.0),
    ("MLD", 15.0),
    ("SPLD", 8.0),
    ("SLD", 3.0),
    ("PD", 2.0),
    ("OTH", 6.0),
];

const TEAMS: &[(&str, f64)] = &[
    ("Team North", 30.0),
    ("Team South", 30.0),
    ("Team East", 25.0),
    ("Children with Disabilities", 15.0),
];

/// Draws a child's whole story; `index` only names them.
pub fn draw(rng: &mut ChaCha8Rng, world: &World, index: usize, population: Population) -> Life {
    let end = world.window_end;
    let start = world.window_start;
    let age_at_end: i32 = match population {
        Population::Cla => pick(
            rng,
            &[
                (0, 4.0),
                (1, 3.0),
                (2, 3.0),
                (3, 3.0),
                (4, 3.0),
                (5, 3.5),
                (6, 3.5),
                (7, 3.5),
                (8, 3.5),
                (9, 3.5),
                (10, 6.0),
                (11, 6.5),
                (12, 6.5),
                (13, 6.5),
                (14, 7.0),
                (15, 7.0),
                (16, 8.0),
                (17, 8.0),
                (18, 3.0),
                (19, 3.0),
                (20, 2.5),
                (21, 2.5),
            ],
        ),
        _ => rng.random_range(4..=17),
    };
    let dob = ymd(end.year() - age_at_end, 8, 31) - Duration::days(rng.random_range(0..365));
    let sex = if chance(rng, 0.55) { "M" } else { "F" };
    let ethnic = pick(rng, ETHNICITY);
    let (e_rate, k_rate, ability_shift) = match population {
        Population::Cla => (0.28, 0.29, 0.0),
        Population::Cpic => (0.15, 0.25, 0.35),
        Population::Cwsw => (0.12, 0.25, 0.15),
    };
    let u: f64 = rng.random();
    let sen = if u < e_rate {
        "E"
    } else if u < e_rate + k_rate {
        "K"
    } else {
        "N"
    };
    let need = (sen != "N").then(|| pick(rng, NEEDS));
    let semh = need == Some("SEMH");
    let high_moves = population == Population::Cla && chance(rng, 0.25);
    let move_rate = if population != Population::Cla {
        0.0
    } else if high_moves {
        1.2
    } else {
        0.3
    };
    let ability = normal(rng) + ability_shift;
    let absence = normal(rng)
        + match population {
            Population::Cpic => -0.3,
            Population::Cwsw => 0.35,
            Population::Cla => 0.0,
        };
    let behaviour = normal(rng);
    let sdq_base = 14.6
        + if semh { 4.0 } else { 0.0 }
        + if high_moves { 1.5 } else { 0.0 }
        + 7.3 * normal(rng);
    let team = pick(rng, TEAMS);
    let mut life = Life {
        id: format!("VS{index:06}"),
        population,
        sex,
        ethnic,
        dob,
        ability,
        absence,
        behaviour,
        move_rate,
        sen,
        need,
        sdq_base,
        team,
        short_breaks: false,
        episodes: Vec::new(),
        spells: Vec::new(),
        moves: Vec::new(),
        memberships: Vec::new(),
        enrolments: Vec::new(),
        care_leaver: false,
    };
    match population {
        Population::Cla => care_history(rng, &mut life, start, end),
        Population::Cpic => life.memberships.push(Membership {
            cohort: "CPIC",
            start: date_between(rng, (start - Duration::days(5 * 365)).max(dob), start),
            end: None,
        }),
        Population::Cwsw => {
            let from = date_between(
                rng,
                start - Duration::days(2 * 365),
                end - Duration::days(60),
            );
            // A child born after the draw joins at birth; the membership runs from then.
            let from = from.max(dob);
            let until = from + Duration::days(rng.random_range(180..900));
            life.memberships.push(Membership {
                cohort: "CWSW",
                start: from,
                end: (until < end).then_some(until),
            });
        }
    }
    schools_for(rng, &mut life, world);
    life
}
