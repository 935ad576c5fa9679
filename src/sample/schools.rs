//! Synthetic schools: primaries, secondaries, special schools and alternative provision,
//! about two thirds inside the authority.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The kinds of setting a child is placed in; each maps to a contract phase and provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Primary,
    Secondary,
    Special,
    Alternative,
}

/// One synthetic school.
#[derive(Debug, Clone)]
pub struct School {
    pub urn: String,
    pub name: String,
    pub kind: Kind,
    pub school_type: &'static str,
    pub trust: Option<String>,
    pub in_authority: bool,
}

impl School {
    /// The contract's `phase` code.
    pub fn phase(&self) -> &'static str {
        match self.kind {
            Kind::Primary => "primary",
            Kind::Secondary => "secondary",
            Kind::Special => "special",
            Kind::Alternative => "alternative_provision",
        }
    }

    /// The contract's `provision` code for an enrolment here.
    pub fn provision(&self) -> &'static str {
        match self.kind {
            Kind::Primary | Kind::Secondary => "mainstream",
            Kind::Special => "special",
            Kind::Alternative => "alternative_provision",
        }
    }
}

const PLACES: &[&str] = &[
    "Ashfield",
    "Brookside",
    "Castlegate",
    "Denholme",
    "Elmwood",
    "Fairview",
    "Greenhill",
    "Hollybank",
    "Ivydale",
    "Juniper",
    "Kingsmead",
    "Larkrise",
    "Millbrook",
    "Northgate",
    "Oakfield",
    "Parkside",
    "Queensway",
    "Riverside",
    "Southfields",
    "Thornbury",
    "Upton",
    "Valley",
    "Westfield",
    "Yewtree",
];
const TRUSTS: &[&str] = &[
    "Northern Lights Academy Trust",
    "River Learning Partnership",
    "Oak Education Trust",
];

/// All schools in the synthetic authority and beyond it; deterministic for the generator.
pub fn schools(rng: &mut ChaCha8Rng, children: usize) -> Vec<School> {
    let primaries = (children / 10).max(12);
    let secondaries = (children / 25).max(6);
    let specials = (children / 80).max(3);
    let alternatives = (children / 150).max(2);
    let mut out = Vec::new();
    let plan = [
        (Kind::Primary, primaries, "Primary School"),
        (Kind::Secondary, secondaries, "Academy"),
        (Kind::Special, specials, "Special School"),
        (Kind::Alternative, alternatives, "Learning Centre"),
    ];
    for (kind, n, suffix) in plan {
        for _ in 0..n {
            let urn = format!("{}", 100_000 + out.len() * 7 + 3);
            // A place name and a suffix by kind, numbered when the names run out: unique.
            let place = PLACES[out.len() % PLACES.len()];
            let round = out.len() / PLACES.len();
            let name = if round == 0 {
                format!("{place} {suffix}")
            } else {
                format!("{place} {suffix} {}", round + 1)
            };
            let academy = kind != Kind::Alternative && rng.random_bool(0.6);
            let school_type = match kind {
                Kind::Alternative => "pru",
                _ if academy => "academy",
                _ => "maintained",
            };
            let trust = academy.then(|| TRUSTS[rng.random_range(0..TRUSTS.len())].to_string());
            let in_authority = rng.random_bool(0.65);
            out.push(School {
                urn,
                name,
                kind,
                school_type,
                trust,
                in_authority,
            });
        }
    }
    out
}
