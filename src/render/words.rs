//! The reports' vocabulary in one place: how a column, a breakdown or a metric id is named
//! for a reader, and which unit a column's name implies.

use crate::run::Value;

/// A column name as a label: underscores to spaces, first letter capitalised and known
/// acronyms upper-cased (`national_cla` → "National CLA", `attainment8` → "Attainment 8").
pub fn prettify(name: &str) -> String {
    const ACRONYMS: [(&str, &str); 25] = [
        ("cla", "CLA"),
        ("ks1", "KS1"),
        ("ks2", "KS2"),
        ("ks3", "KS3"),
        ("ks4", "KS4"),
        ("ks5", "KS5"),
        ("pep", "PEP"),
        ("peps", "PEPs"),
        ("pp+", "PP+"),
        ("pp", "PP+"),
        ("sen", "SEN"),
        ("send", "SEND"),
        ("sdq", "SDQ"),
        ("sdqs", "SDQs"),
        ("eet", "EET"),
        ("neet", "NEET"),
        ("eef", "EEF"),
        ("ehc", "EHC"),
        ("ehcp", "EHCP"),
        ("uasc", "UASC"),
        ("rwm", "RWM"),
        ("dfe", "DfE"),
        ("urn", "URN"),
        ("attainment8", "Attainment 8"),
        ("sw", "SW"),
    ];
    let words: Vec<String> = name
        .split(['_', ' '])
        .filter(|w| !w.is_empty())
        .map(
            |w| match ACRONYMS.iter().find(|(k, _)| k.eq_ignore_ascii_case(w)) {
                Some((_, up)) => (*up).to_string(),
                None => w.to_string(),
            },
        )
        .collect();
    capitalise(&words.join(" "))
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// A column name as a table heading: `overall_absence_rate` → `Overall absence rate`,
/// with known acronyms in capitals (`peps_due` → `PEPs due`).
pub fn heading(name: &str) -> String {
    prettify(name)
}

/// The display unit a column's name implies, used when no chart says otherwise.
pub fn unit_for_column(name: &str, value: &Value) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.ends_with("_rate")
        || n.ends_with("_pct")
        || n.contains("percent")
        || n.starts_with("national")
        || n.starts_with("all_pupils")
    {
        Some("percent")
    } else if n
        .split('_')
        .any(|w| matches!(w, "amount" | "spend" | "cost" | "pounds"))
    {
        Some("pounds")
    } else if n.contains("mean") || n.contains("average") {
        Some("mean")
    } else if matches!(value, Value::Int(_)) {
        Some("count")
    } else {
        None
    }
}

/// A breakdown's name as a reader says it: `sen_status` is "SEN status".
pub fn breakdown_label(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut words: Vec<String> = words
        .split(' ')
        .map(|w| match w {
            "sen" | "ehc" | "sdq" | "pep" | "ks2" | "ks4" | "neet" | "eet" | "oc2" | "cla" => {
                w.to_uppercase()
            }
            _ => w.to_string(),
        })
        .collect();
    if let Some(first) = words.first_mut() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            *first = c.to_uppercase().chain(chars).collect();
        }
    }
    words.join(" ")
}

/// A reader's name for a metric id, e.g. `peps.on_time_rate` → "PEPs completed on time".
pub fn metric_label(id: &str) -> String {
    match id {
        "roll.children" => "Children in care on roll".into(),
        "roll.ehc_plan_rate" => "With an EHC plan".into(),
        "roll.out_of_authority_rate" => "In school outside the authority".into(),
        "attendance.overall_absence_rate" => "Overall absence".into(),
        "attendance.authorised_absence_rate" => "Authorised absence".into(),
        "attendance.unauthorised_absence_rate" => "Unauthorised absence".into(),
        "attendance.persistent_absence_rate" => {
            "Persistent absence (10% or more, pupil basis)".into()
        }
        "attendance.severe_absence_rate" => "Severe absence (50% or more, pupil basis)".into(),
        "attendance.persistent_absence_rate_enrolments" => {
            "Persistent absence (10% or more, enrolment basis)".into()
        }
        "attendance.severe_absence_rate_enrolments" => {
            "Severe absence (50% or more, enrolment basis)".into()
        }
        "data_quality.open_episodes_aged_18_plus" => {
            "Episodes left open for young people aged 18 or over".into()
        }
        "exclusions.suspension_rate" => "Suspensions per 100 pupils".into(),
        "exclusions.one_plus_suspension_rate" => "Pupils with one or more suspensions".into(),
        "exclusions.repeat_suspension_rate" => "Pupils with two or more suspensions".into(),
        "exclusions.permanent_exclusion_rate" => "Permanently excluded".into(),
        "peps.on_time_rate" => "PEPs completed on time".into(),
        "peps.qa_green_rate" => "PEPs rated green".into(),
        "attainment.ks2_rwm_expected_rate" => {
            "KS2 reading, writing and maths at the expected standard".into()
        }
        "attainment.ks2_rwm_higher_rate" => {
            "KS2 reading, writing and maths at the higher standard".into()
        }
        "attainment.ks4_attainment8_mean" => "KS4 average Attainment 8".into(),
        "attainment.ks4_basics_4plus_rate" => "KS4 grade 4 or above in English and maths".into(),
        "attainment.ks4_basics_5plus_rate" => "KS4 grade 5 or above in English and maths".into(),
        "sdq.mean_total" => "SDQ average total difficulties score".into(),
        "sdq.concern_rate" => "SDQ 17 or more (cause for concern)".into(),
        "eet.neet_rate" => "Care leavers not in education, employment or training".into(),
        other => prettify(other.split('.').next_back().unwrap_or(other)),
    }
}
