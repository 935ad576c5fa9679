//! The synthetic cohort generator (`cohort sample`): a whole Virtual School's files,
//! deterministic for a seed, calibrated near the national figures, with documented
//! relationships planted for the analyses to find.
//!
//! Children are generated one at a time, each from its own random stream, and their rows
//! are streamed to the files, so memory does not grow with the number of children.

mod draw;
mod education;
mod life;
pub mod returns;
mod school_days;
mod schools;
pub mod writer;

use crate::contract::{AcademicYear, Contract};
use crate::row;
use chrono::NaiveDate;
use life::Population;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use schools::School;
use std::collections::BTreeMap;
use std::path::Path;
use writer::{Cell, TableWriter};

/// How tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    /// CSV for small tables, Parquet for attendance marks.
    Mixed,
    Csv,
    Parquet,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    /// Children looked after during the window (the wider cohort adds half as many again).
    pub children: usize,
    /// Academic years, ending with `last_year`.
    pub years: u32,
    pub seed: u64,
    pub format: SampleFormat,
    pub last_year: AcademicYear,
}

/// Files written and their rows.
#[derive(Debug, Clone, Default)]
pub struct SampleSummary {
    pub files: Vec<(String, u64)>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("invalid sample settings: {0}")]
    Settings(String),
}

/// Where generated rows go, by contract table name.
pub trait Rows {
    fn put(&mut self, table: &'static str, row: Vec<Cell>) -> Result<(), SampleError>;
}

struct Writers {
    tables: BTreeMap<&'static str, TableWriter>,
}

impl Rows for Writers {
    fn put(&mut self, table: &'static str, row: Vec<Cell>) -> Result<(), SampleError> {
        match self.tables.get_mut(table) {
            Some(w) => w.write(row),
            None => Err(SampleError::Settings(format!(
                "no table `{table}` in the contract"
            ))),
        }
    }
}

/// The fixed surroundings every child is generated in.
pub struct World {
    pub years: Vec<AcademicYear>,
    pub days: Vec<Vec<NaiveDate>>,
    pub schools: Vec<School>,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
}

impl World {
    fn days_of(&self, year: AcademicYear) -> &[NaiveDate] {
        self.years
            .iter()
            .position(|y| *y == year)
            .map_or(&[], |i| self.days[i].as_slice())
    }

    /// One school in four closes for a day each spring (a planned closure, mark `#`).
    fn closed(&self, school: usize, date: NaiveDate) -> bool {
        if !school.is_multiple_of(4) {
            return false;
        }
        let year = AcademicYear::containing(date);
        let days = self.days_of(year);
        let spring = crate::contract::Term {
            year,
            season: crate::contract::Season::Spring,
        };
        days.iter()
            .filter(|d| **d >= spring.first_day())
            .nth(9)
            .is_some_and(|d| *d == date)
    }
}

const TABLES: &[&str] = &[
    "header",
    "episodes",
    "oc2",
    "oc3",
    "wider_cohort",
    "schools",
    "enrolments",
    "attendance",
    "suspensions",
    "ks2_results",
    "ks4_results",
    "progress",
    "peps",
    "pp_plus",
    "sdq",
    "sen",
    "post16",
];

/// Writes a synthetic data set to `out`; each file appears only when complete.
pub fn generate(config: &SampleConfig, out: &Path) -> Result<SampleSummary, SampleError> {
    if config.children == 0 || config.years == 0 || config.years > 20 {
        return Err(SampleError::Settings(
            "--children must be at least 1 and --years between 1 and 20".into(),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| SampleError::Write {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let contract = Contract::current();
    let mut writers = Writers {
        tables: BTreeMap::new(),
    };
    for name in TABLES {
        let table = contract
            .table(name)
            .ok_or_else(|| SampleError::Settings(format!("no table `{name}` in the contract")))?;
        let parquet = match config.format {
            SampleFormat::Csv => false,
            SampleFormat::Parquet => true,
            SampleFormat::Mixed => *name == "attendance",
        };
        writers
            .tables
            .insert(table.name, TableWriter::create(out, table, parquet)?);
    }
    let first = AcademicYear::new(config.last_year.start - config.years as i32 + 1);
    let years: Vec<AcademicYear> = (0..config.years as i32)
        .map(|i| AcademicYear::new(first.start + i))
        .collect();
    let mut school_rng = ChaCha8Rng::seed_from_u64(config.seed);
    let world = World {
        days: years.iter().map(|y| school_days::school_days(*y)).collect(),
        schools: schools::schools(&mut school_rng, config.children),
        window_start: first.first_day(),
        window_end: config.last_year.last_day(),
        years,
    };
    for s in &world.schools {
        writers.put(
            "schools",
            row![
                s.urn.as_str(),
                s.name.as_str(),
                s.phase(),
                s.school_type,
                s.trust.clone(),
                s.in_authority
            ],
        )?;
    }
    let wider = config.children / 2;
    for index in 0..config.children + wider {
        let population = if index < config.children {
            Population::Cla
        } else if index % 2 == 0 {
            Population::Cpic
        } else {
            Population::Cwsw
        };
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(index as u64 + 1);
        let life = life::draw(&mut rng, &world, index + 1, population);
        write_life(&life, &world, &mut writers)?;
        education::simulate(&mut rng, &life, &world, &mut writers)?;
    }
    let mut summary = SampleSummary::default();
    for (_, w) in std::mem::take(&mut writers.tables) {
        summary.files.push(w.finish()?);
    }
    Ok(summary)
}

fn write_life(life: &life::Life, world: &World, out: &mut Writers) -> Result<(), SampleError> {
    let id = life.id.as_str();
    if life.population == Population::Cla {
        let number: u64 = id[2..].parse().unwrap_or(0);
        let upn = if number.is_multiple_of(29) {
            "UN2".to_string()
        } else {
            format!("A{:012}", 801_000_000_000 + number * 7)
        };
        let mother = (life.sex == "F").then_some(0i64);
        out.put(
            "header",
            row![id, life.sex, life.dob, life.ethnic, upn, mother, Cell::Null],
        )?;
        for (i, e) in life.episodes.iter().enumerate() {
            let post = |n: usize| format!("AB{}", 1 + (n % 9));
            out.put(
                "episodes",
                row![
                    id,
                    e.decom,
                    e.rne,
                    e.ls,
                    "N1",
                    e.place,
                    e.provider,
                    e.dec,
                    e.rec,
                    e.reason_change,
                    post(number as usize),
                    post(number as usize + i),
                    Cell::Null
                ],
            )?;
        }
    }
    for m in &life.memberships {
        out.put(
            "wider_cohort",
            row![id, m.cohort, life.dob, life.sex, m.start, m.end],
        )?;
    }
    for e in &life.enrolments {
        out.put(
            "enrolments",
            row![
                id,
                world.schools[e.school].urn.as_str(),
                e.start,
                e.end,
                world.schools[e.school].provision()
            ],
        )?;
    }
    Ok(())
}

/// What the generator plants, for the sample README and for the tests that look for it.
pub fn planted_relationships() -> &'static str {
    PLANTED
}

const PLANTED: &str = "## What the generator plants

Every child is drawn from a few hidden traits (prior ability, a propensity to be absent, \
a propensity to be suspended, how often their placements move) and every outcome from \
those traits plus the effects below. The analyses should find these, with the sign shown, \
and should not find the ones listed as independent.

| Relationship | Where it is drawn | Sign |
|---|---|---|
| Placement moves in the previous 12 months lower attainment and progress (0.3 standard deviations a move) | `attainment_z` | barrier |
| Placement moves raise absence, for a year and sharply in the 15 days after a move | `absence_rate`, `attendance` | barrier |
| Higher absence lowers attainment (0.05 standard deviations a percentage point) | `attainment_z` | barrier |
| An EHC plan (0.9 SD) or SEN support (0.4 SD) lowers attainment | `attainment_z` | barrier |
| SEMH as primary need raises absence, suspensions, SDQ scores and NEET | several | barrier |
| A higher SDQ score lowers attainment (0.03 SD a point) | `attainment_z` | barrier |
| More than three years in care raises attainment (0.2 SD) | `attainment_z` | facilitator |
| Approved PP+ tuition raises progress for the next three terms and statutory results that year | `progress`, `results` | facilitator |
| PP+ mentoring has no effect on anything | `pp_plus` | none |
| Team East completes PEPs on time less often (62% against 85%) | `peps` | late PEPs cluster |
| A late PEP is more often rated amber or red | `peps` | |
| Lower attainment goes with being NEET as a care leaver | `neet_probability` | barrier |

Left independent of every outcome: sex, ethnicity, whether the school is inside the \
authority, the PEP QA rating and the PEP's designated teacher and child's voice flags. \
An analysis that calls any of these a facilitator or barrier on this data is wrong.

Calibration (the national CLA figures in the domain reference, section 9): overall absence \
about 9%, persistent absence about 20%, severe absence about 6%, KS2 reading, writing and \
maths at the expected standard about 35%, Attainment 8 about 18, grade 4 or above in English \
and maths about 18%, one or more suspensions about 10%, SDQ mean about 14.7, care leavers \
aged 19 to 21 NEET about 39%.

Also in the data, on purpose: a second care spell for some children (a new episode with \
RNE = S), children on short breaks only (legal status V3, outside every cohort), a share of \
interim care orders (C1) becoming full orders (C2), placement codes that follow the 2024 \
change (H5 until March 2024, K3 from April 2024), attendance marks that follow the \
August 2024 code change, a planned closure day (`#`) in some schools, suspension days \
marked `E`, gaps out of school after some moves, alternative provision for some \
secondary pupils, and a sudden fall in attendance in the last four weeks of some terms \
(for the attendance alerts).";
