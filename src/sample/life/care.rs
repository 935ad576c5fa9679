//! A child's care history: spells, their episodes and placements, and the dates the
//! Virtual School follows the child.

use super::{Episode, Life, Membership, age_on, birthday, ymd};
use crate::sample::draw::{chance, date_between, pick, poisson};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const CHANGE_REASONS: &[(&str, f64)] = &[
    ("CARPL", 20.0),
    ("CHILD", 15.0),
    ("LAREQ", 20.0),
    ("PLACE", 15.0),
    ("CLOSE", 5.0),
    ("STAND", 10.0),
    ("OTHER", 15.0),
];

pub(super) fn placement(
    rng: &mut ChaCha8Rng,
    age: i32,
    date: NaiveDate,
) -> (&'static str, &'static str) {
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

pub(super) fn care_history(
    rng: &mut ChaCha8Rng,
    life: &mut Life,
    start: NaiveDate,
    end: NaiveDate,
) {
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
