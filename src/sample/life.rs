//! One synthetic child's life story: who they are, the traits the generator plants
//! relationships through, their care spells and episodes, and their schools.

use super::World;
use super::draw::{chance, date_between, normal, pick, poisson};
use super::schools::{Kind, School};
use chrono::{Datelike, Duration, NaiveDate};
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

const CHANGE_REASONS: &[(&str, f64)] = &[
    ("CARPL", 20.0),
    ("CHILD", 15.0),
    ("LAREQ", 20.0),
    ("PLACE", 15.0),
    ("CLOSE", 5.0),
    ("STAND", 10.0),
    ("OTHER", 15.0),
];

fn placement(rng: &mut ChaCha8Rng, age: i32, date: NaiveDate) -> (&'static str, &'static str) {
    let place = if age >= 16 && chance(rng, 0.45) {
        if date < ymd(2024, 4, 1) { "H5" } else { "K3" }
    } else if age >= 10 && chance(rng, 0.15) {
        "K2"
    } else {
        pick(
            rng,
            &[
                ("U4", 35.0),
                ("U5", 30.0),
                ("U1", 10.0),
                ("U2", 12.0),
                ("P1", 5.0),
                ("R1", 1.0),
            ],
        )
    };
    let provider = match place {
        "P1" => "PR0",
        "K2" | "H5" | "K3" => pick(rng, &[("PR4", 70.0), ("PR1", 20.0), ("PR5", 10.0)]),
        _ => pick(rng, &[("PR1", 60.0), ("PR4", 35.0), ("PR5", 5.0)]),
    };
    (place, provider)
}

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

fn care_history(rng: &mut ChaCha8Rng, life: &mut Life, start: NaiveDate, end: NaiveDate) {
    let dob = life.dob;
    let eighteen = birthday(dob, 18);
    if chance(rng, 0.03) && eighteen > start {
        // Short breaks only (V3): looked after in the return, outside every cohort count.
        life.short_breaks = true;
        let from = date_between(
            rng,
            (start - Duration::days(400)).max(dob),
            end - Duration::days(30),
        );
        life.episodes.push(Episode {
            decom: from,
            rne: "S",
            ls: "V3",
            place: "T3",
            provider: "PR1",
            dec: None,
            rec: None,
            reason_change: None,
        });
        return;
    }
    let (spell_start, mut spell_end, mut reason) = if eighteen <= end {
        // Leaves care at 18: a care leaver.
        life.care_leaver = true;
        let from = eighteen - Duration::days(rng.random_range(365..8 * 365));
        let reason = pick(rng, &[("E5", 50.0), ("E17", 30.0), ("E6", 20.0)]);
        (from.max(dob + Duration::days(1)), Some(eighteen), reason)
    } else {
        let earliest = (start - Duration::days(6 * 365)).max(dob + Duration::days(1));
        let from = date_between(rng, earliest, (end - Duration::days(30)).max(earliest));
        let age_at_start = age_on(dob, from);
        let mut until = None;
        let mut reason = "";
        if chance(rng, 0.35) {
            let d = from + Duration::days(rng.random_range(180..4 * 365));
            if d < end && d > start + Duration::days(60) {
                until = Some(d);
                reason = if age_at_start < 8 {
                    pick(
                        rng,
                        &[
                            ("E11", 35.0),
                            ("E45", 15.0),
                            ("E48", 20.0),
                            ("E41", 10.0),
                            ("E4A", 20.0),
                        ],
                    )
                } else {
                    pick(
                        rng,
                        &[
                            ("E4A", 45.0),
                            ("E4B", 10.0),
                            ("E48", 20.0),
                            ("E41", 10.0),
                            ("E13", 5.0),
                            ("E8", 10.0),
                        ],
                    )
                };
            }
        }
        (from, until, reason)
    };
    if reason.is_empty() {
        spell_end = None;
    }
    let mut spells = vec![(spell_start, spell_end, reason)];
    if let Some(first_end) = spell_end
        && matches!(reason, "E4A" | "E4B")
        && chance(rng, 0.25)
    {
        // Returns to care after a breakdown at home: a second spell starting RNE = S.
        let back = first_end + Duration::days(rng.random_range(60..240));
        if back < end - Duration::days(30) && back < eighteen {
            spells.push((back, None, ""));
        }
    }
    for (from, until, why) in spells {
        add_spell(rng, life, from, until, why, end);
    }
    spell_end = life.spells.last().and_then(|s| s.1);
    reason = life.episodes.last().and_then(|e| e.rec).unwrap_or_default();
    if let Some(left) = spell_end
        && matches!(
            reason,
            "E11" | "E12" | "E41" | "E45" | "E46" | "E47" | "E48"
        )
    {
        life.memberships.push(Membership {
            cohort: "CPIC",
            start: left,
            end: None,
        });
    }
}

fn add_spell(
    rng: &mut ChaCha8Rng,
    life: &mut Life,
    from: NaiveDate,
    until: Option<NaiveDate>,
    reason: &'static str,
    window_end: NaiveDate,
) {
    let dob = life.dob;
    let horizon = until.unwrap_or(window_end);
    // Events after the start: placement moves (Poisson in time) and, for interim orders,
    // the change to a full care order.
    let mut events: Vec<(NaiveDate, &'static str)> = Vec::new();
    let years = (horizon - from).num_days() as f64 / 365.25;
    for _ in 0..poisson(rng, life.move_rate * years) {
        events.push((
            date_between(rng, from + Duration::days(1), horizon - Duration::days(1)),
            "P",
        ));
    }
    let first_ls = pick(
        rng,
        &[("C2", 45.0), ("C1", 30.0), ("V2", 22.0), ("E1", 3.0)],
    );
    if first_ls == "C1" {
        let d = from + Duration::days(rng.random_range(90..300));
        if d < horizon {
            events.push((d, "L"));
        }
    }
    if reason == "E11" {
        let d = horizon - Duration::days(rng.random_range(90..200));
        if d > from {
            events.push((d, "B"));
        }
    }
    events.sort();
    events.dedup_by_key(|e| e.0);
    events.retain(|e| e.0 > from && e.0 < horizon);
    let (place, provider) = placement(rng, age_on(dob, from), from);
    let mut current = Episode {
        decom: from,
        rne: "S",
        ls: first_ls,
        place,
        provider,
        dec: None,
        rec: None,
        reason_change: None,
    };
    for (date, kind) in events {
        let mut next = current.clone();
        next.decom = date;
        next.rne = kind;
        next.reason_change = None;
        match kind {
            "P" => {
                let (p, pr) = placement(rng, age_on(dob, date), date);
                next.place = p;
                next.provider = pr;
                next.reason_change = Some(pick(rng, CHANGE_REASONS));
                life.moves.push(date);
            }
            "L" => next.ls = "C2",
            _ => {
                next.ls = "E1";
                next.place = "A6";
                next.provider = "PR1";
                life.moves.push(date);
            }
        }
        if next.place == "H5" && date >= ymd(2024, 4, 1) {
            // Semi-independent living became registered supported accommodation in April 2024.
            next.place = "K3";
        }
        current.dec = Some(date);
        current.rec = Some("X1");
        life.episodes.push(std::mem::replace(&mut current, next));
    }
    current.dec = until;
    current.rec = until.map(|_| reason);
    life.episodes.push(current);
    life.spells.push((from, until));
}

/// The periods the Virtual School follows the child: care spells and cohort memberships, merged.
pub fn followed(life: &Life) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut periods: Vec<(NaiveDate, Option<NaiveDate>)> = life.spells.clone();
    periods.extend(life.memberships.iter().map(|m| (m.start, m.end)));
    periods.sort();
    let mut merged: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for (s, e) in periods {
        if let Some(last) = merged.last_mut() {
            let touches = match last.1 {
                None => true,
                Some(le) => s <= le + Duration::days(1),
            };
            if touches {
                last.1 = match (last.1, e) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                continue;
            }
        }
        merged.push((s, e));
    }
    merged
}

fn choose_school(rng: &mut ChaCha8Rng, world: &World, kind: Kind, avoid: Option<usize>) -> usize {
    let in_authority = chance(rng, 0.65);
    let fits = |s: &School| s.kind == kind && s.in_authority == in_authority;
    let candidates: Vec<usize> = (0..world.schools.len())
        .filter(|&i| fits(&world.schools[i]) && Some(i) != avoid)
        .collect();
    let pool = if candidates.is_empty() {
        (0..world.schools.len())
            .filter(|&i| world.schools[i].kind == kind && Some(i) != avoid)
            .collect()
    } else {
        candidates
    };
    pool.get(rng.random_range(0..pool.len().max(1)))
        .copied()
        .unwrap_or(0)
}

fn schools_for(rng: &mut ChaCha8Rng, life: &mut Life, world: &World) {
    if life.short_breaks {
        return;
    }
    let reception = ymd(life.dob.year() + 4 + i32::from(life.dob.month() >= 9), 9, 1);
    let year7 = ymd(reception.year() + 7, 9, 1);
    let left_school = ymd(reception.year() + 12, 7, 31);
    let special = life.sen == "E" && chance(rng, 0.45);
    let kind_on = |d: NaiveDate| {
        if special {
            Kind::Special
        } else if d < year7 {
            Kind::Primary
        } else {
            Kind::Secondary
        }
    };
    for (from, until) in followed(life) {
        let from = from
            .max(reception)
            .max(world.window_start - Duration::days(365));
        let until = until.unwrap_or(world.window_end).min(left_school);
        if from > until {
            continue;
        }
        // Break points: the move to secondary and school moves that follow placement moves.
        let mut breaks: Vec<NaiveDate> = Vec::new();
        if year7 > from && year7 <= until && !special {
            breaks.push(year7);
        }
        for &m in &life.moves {
            if m > from && m < until && chance(rng, 0.3) {
                breaks.push(m);
            }
        }
        let ap_risk = life.behaviour > 1.6 && kind_on(until) == Kind::Secondary;
        breaks.sort();
        breaks.dedup();
        let mut start = from;
        let mut school = choose_school(rng, world, kind_on(start), None);
        for b in breaks
            .into_iter()
            .chain(std::iter::once(until + Duration::days(1)))
        {
            let end = b - Duration::days(1);
            if end >= start {
                life.enrolments.push(Enrolment {
                    school,
                    start,
                    end: Some(end),
                });
            }
            // A gap out of school after some moves: children missing education.
            let gap = if chance(rng, 0.1) {
                rng.random_range(20..60)
            } else {
                0
            };
            start = b + Duration::days(gap);
            let next_kind = if ap_risk && chance(rng, 0.5) {
                Kind::Alternative
            } else {
                kind_on(start)
            };
            school = choose_school(rng, world, next_kind, Some(school));
        }
        if let Some(last) = life.enrolments.last_mut()
            && last.end == Some(world.window_end)
        {
            last.end = None;
        }
    }
}
