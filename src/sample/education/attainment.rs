//! Termly progress judgements and statutory results (KS2, KS4), drawn from one latent
//! attainment per child.

use super::{
    YearState, followed_on, in_care, moves_in_year_before, school_on, sen_effect, years_in_care,
    ymd,
};
use crate::contract::{AcademicYear, Term};
use crate::row;
use crate::sample::draw::{chance, normal};
use crate::sample::life::Life;
use crate::sample::writer::Cell;
use crate::sample::{Rows, SampleError};
use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

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

/// One child in one academic year, as the attainment rows need them.
#[derive(Clone, Copy)]
pub(super) struct Pupil<'a> {
    pub life: &'a Life,
    /// Age on 31 August at the start of the year.
    pub age31: i32,
    /// SEN provision code (`N`, `K`, `E`).
    pub sen: &'a str,
    /// The terms (as indices) in which the child had funded tuition so far.
    pub tuition_terms: &'a [i32],
    pub state: &'a YearState,
}

impl<'a> Pupil<'a> {
    /// The child's year as the attainment rows see it.
    pub fn new(
        life: &'a Life,
        age31: i32,
        sen: &'a str,
        tuition_terms: &'a [i32],
        state: &'a YearState,
    ) -> Self {
        Pupil {
            life,
            age31,
            sen,
            tuition_terms,
            state,
        }
    }

    /// Its fields, to be named one by one in the rows' code.
    fn parts(self) -> (&'a Life, i32, &'a str, &'a [i32], &'a YearState) {
        (
            self.life,
            self.age31,
            self.sen,
            self.tuition_terms,
            self.state,
        )
    }
}

pub(super) fn progress(
    rng: &mut ChaCha8Rng,
    pupil: Pupil<'_>,
    term: Term,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let (life, age31, sen, tuition_terms, state) = pupil.parts();
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

pub(super) fn results(
    pupil: Pupil<'_>,
    year: AcademicYear,
    rng: &mut ChaCha8Rng,
    out: &mut dyn Rows,
) -> Result<(), SampleError> {
    let (life, age31, sen, tuition_terms, state) = pupil.parts();
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
