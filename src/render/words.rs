//! The reports' vocabulary in one place: how a column, a breakdown or a metric id is named
//! for a reader, and which unit a column's name implies.

use crate::analysis::Unit;
use crate::run::Value;

/// A column name as a label: underscores to spaces, first letter capitalised and known
/// acronyms upper-cased (`national_cla` → "National CLA", `attainment8` → "Attainment 8").
pub fn prettify(name: &str) -> String {
    const ACRONYMS: &[(&str, &str)] = &[
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
        ("sw", "social work"),
        ("qa", "QA"),
        ("ci", "interval"),
        ("oc2", "OC2"),
        ("oc3", "OC3"),
        ("la", "authority's"),
        ("4plus", "grade 4+"),
        ("5plus", "grade 5+"),
        ("n", "children"),
        ("pct", "%"),
    ];
    if let Some(words) = glossary(name) {
        return words.to_string();
    }
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
pub fn unit_for_column(name: &str, value: &Value) -> Option<Unit> {
    let n = name.to_ascii_lowercase();
    let words: Vec<&str> = n.split('_').collect();
    // Scores first: a national Attainment 8 figure is a score, never a percentage.
    if words
        .iter()
        .any(|w| matches!(*w, "attainment8" | "sdq" | "score" | "mean" | "a8"))
        && !n.ends_with("_rate")
    {
        Some(Unit::Score)
    } else if n.ends_with("_rate")
        || n.starts_with("rate_")
        || n.contains("_rate_")
        || n.ends_with("_pct")
        || n.contains("percent")
        || n.starts_with("national")
        || n.starts_with("all_pupils")
    {
        Some(Unit::Percent)
    } else if n
        .split('_')
        .any(|w| matches!(w, "amount" | "spend" | "cost" | "pounds"))
    {
        Some(Unit::Pounds)
    } else if n.contains("mean") || n.contains("average") {
        Some(Unit::Mean)
    } else if matches!(value, Value::Int(_)) {
        Some(Unit::Count)
    } else {
        None
    }
}

/// Whole column and breakdown names whose words a reader would not guess from the parts.
fn glossary(name: &str) -> Option<&'static str> {
    Some(match name {
        "sw_team" => "Social work team",
        "ci_lower" => "95% interval from",
        "ci_upper" => "95% interval to",
        "one_plus_suspension_rate" => "Pupils with one or more suspensions",
        "repeat_suspension_rate" => "Pupils with two or more suspensions",
        "suspension_rate" => "Suspensions per 100 pupils",
        "qa_green_rate" => "PEPs rated green",
        "school_location" => "School location",
        "eef_tier" => "EEF tier",
        "n" => "Children",
        _ => return None,
    })
}

/// A breakdown's name as a reader says it: `sen_status` is "SEN status".
pub fn breakdown_label(name: &str) -> String {
    if let Some(words) = glossary(name) {
        return words.to_string();
    }
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

/// A reader's name for a metric that no analysis labels: the last part of its id, made
/// readable (`sdq.mean_change` → "Mean change"). Each `[[metric]]` names itself with `label`.
pub fn metric_label(id: &str) -> String {
    prettify(id.split('.').next_back().unwrap_or(id))
}

/// A term as a reader says it: `2024-25-summer` is "Summer term 2025" (autumn falls in the
/// year's first calendar year, spring and summer in its second). `None` for anything else.
pub fn term_label(text: &str) -> Option<String> {
    Some(crate::period::term_label(text.trim().parse().ok()?))
}

/// An academic year as a reader says it: `2024-25` is "2024/25". `None` for anything else.
pub fn year_label(text: &str) -> Option<String> {
    Some(crate::period::year_label(text.trim().parse().ok()?))
}

/// A term or academic year in words ("Summer term 2025", "2024/25", "2024/25 (year to
/// date)"); any other text is returned as it is.
pub fn period_label(text: &str) -> String {
    if let Some(t) = term_label(text) {
        return t;
    }
    if let Some(y) = year_label(text) {
        return y;
    }
    match text.split_once(' ') {
        Some((year, rest)) => match year_label(year) {
            Some(y) => format!("{y} {rest}"),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

/// The contract's code list a result column (or a breakdown's name) holds codes of.
fn code_list_for(column: &str) -> Option<&'static str> {
    Some(match column.trim().to_ascii_lowercase().as_str() {
        "primary_need" | "sen_need" | "need" => "sen_need",
        "sen_status" | "sen" | "sen_provision" => "sen_status",
        "provision" | "provision_type" => "provision",
        "phase" | "school_phase" => "phase",
        "eef_tier" | "tier" => "eef_tier",
        "qa_rating" | "rating" => "qa_rating",
        "judgement" => "judgement",
        "school_type" => "school_type",
        "category_of_need" | "cin" => "category_of_need",
        "legal_status" => "legal_status",
        "placement_type" | "placement" => "placement_type",
        "activity" => "activity",
        "suspension_reason" | "reason" => "suspension_reason",
        "ethnicity" => "ethnicity",
        "sex" => "sex",
        _ => return None,
    })
}

/// A code's label in the contract's code list for `column` (`primary_need`, `ASD` →
/// "Autistic spectrum disorder"); `None` when the column has no list or the code is not in it.
pub fn code_label(column: &str, code: &str) -> Option<String> {
    let list = code_list_for(column)?;
    static LISTS: std::sync::OnceLock<Vec<crate::contract::CodeList>> = std::sync::OnceLock::new();
    LISTS
        .get_or_init(crate::contract::code_lists)
        .iter()
        .find(|l| l.id == list)?
        .codes
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
        .map(|c| c.label.to_string())
}

/// Whether text looks like an identifier rather than words (`alternative_provision`,
/// `english`, `in authority`): lower-case letters, digits, `_`, `+` and spaces only.
fn looks_like_code(text: &str) -> bool {
    !text.is_empty()
        && text.chars().any(|c| c.is_ascii_lowercase())
        && text.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | ' ' | '-')
        })
        && text.split(' ').count() <= 4
}

/// A text cell as a reader reads it: a code as its code-list label (`column` names the list,
/// or for a `group` column the row's breakdown does), a term or year in words, an
/// identifier-like value as words ("alternative_provision" → "Alternative provision").
pub fn value_label(column: &str, text: &str) -> String {
    if code_label(column, text).is_none() {
        let period = period_label(text);
        if period != text {
            return period;
        }
    }
    category_label(column, text)
}

/// [`value_label`] without periods, for a chart's categories and series (a chart lays out
/// terms itself): a code's label, an identifier as words, other text as it is.
pub fn category_label(column: &str, text: &str) -> String {
    if let Some(label) = code_label(column, text) {
        return label;
    }
    if looks_like_code(text) && !text.contains('-') {
        return prettify(text);
    }
    // A cell stands alone, so it starts with a capital ("maths: KS2 expected met").
    match text.chars().next() {
        Some(c) if c.is_ascii_lowercase() => capitalise(text),
        _ => text.to_string(),
    }
}

/// The reader's words for one result's columns: the labels and units its analysis's front
/// matter declares, with name-based fallbacks that never show snake_case.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary<'a> {
    labels: Option<&'a std::collections::BTreeMap<String, String>>,
    units: Option<&'a std::collections::BTreeMap<String, Unit>>,
    /// Columns that count children (the analysis's `suppress` list): an empty one is a
    /// group the data does not record, "not recorded", never a dash that might be read as 0.
    counts: &'a [String],
}

impl<'a> Vocabulary<'a> {
    /// No declared labels or units: every heading and unit comes from the column's name.
    pub const NONE: Vocabulary<'static> = Vocabulary {
        labels: None,
        units: None,
        counts: &[],
    };

    /// Only which columns count children (by the names the table's columns have).
    pub fn counting(counts: &'a [String]) -> Self {
        Vocabulary {
            labels: None,
            units: None,
            counts,
        }
    }

    /// The labels and units an analysis declares for its columns.
    pub fn of(meta: &'a crate::analysis::FrontMatter) -> Self {
        Vocabulary {
            labels: Some(&meta.labels),
            units: Some(&meta.units),
            counts: &meta.suppress,
        }
    }

    /// A column's heading: its declared label, else [`heading`] of its name.
    pub fn heading(&self, column: &str) -> String {
        self.labels
            .and_then(|l| l.get(column))
            .cloned()
            .unwrap_or_else(|| heading(column))
    }

    /// Whether `column` counts children, so that an empty cell of it is "not recorded".
    pub fn counts_children(&self, column: &str) -> bool {
        self.counts.iter().any(|c| c == column)
    }

    /// A column's unit: its declared unit, else [`unit_for_column`] of its name.
    pub fn unit(&self, column: &str, value: &Value) -> Option<Unit> {
        if let Some(u) = self.units.and_then(|u| u.get(column)) {
            return Some(*u);
        }
        unit_for_column(column, value)
    }
}

/// A metric's reader's name: the `label` its analysis declares, else [`metric_label`].
pub fn metric_label_in(analyses: &[crate::analysis::Analysis], id: &str) -> String {
    analyses
        .iter()
        .flat_map(|a| a.meta.metrics.iter())
        .find(|m| m.id == id)
        .and_then(|m| m.label.clone())
        .unwrap_or_else(|| metric_label(id))
}

/// "1 school", "3 schools".
pub(crate) fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_and_years_read_as_words() {
        assert_eq!(
            term_label("2024-25-summer").as_deref(),
            Some("Summer term 2025")
        );
        assert_eq!(
            term_label("2024-25-spring").as_deref(),
            Some("Spring term 2025")
        );
        assert_eq!(
            term_label("2024-25-autumn").as_deref(),
            Some("Autumn term 2024")
        );
        assert_eq!(term_label("2024-25"), None);
        assert_eq!(year_label("2024-25").as_deref(), Some("2024/25"));
        assert_eq!(year_label("1999-00").as_deref(), Some("1999/00"));
        assert_eq!(
            period_label("2024-25 (year to date)"),
            "2024/25 (year to date)"
        );
        assert_eq!(period_label("all years"), "all years");
    }

    #[test]
    fn codes_read_as_their_code_list_labels() {
        assert_eq!(
            code_label("primary_need", "SPLD").as_deref(),
            Some("Specific learning difficulty")
        );
        assert_eq!(value_label("eef_tier", "2"), "Targeted academic support");
        assert_eq!(
            value_label("provision", "alternative_provision"),
            "Alternative provision"
        );
        assert_eq!(value_label("subject", "english"), "English");
        assert_eq!(value_label("subject", "maths"), "Maths");
        assert_eq!(value_label("term", "2023-24-autumn"), "Autumn term 2023");
        assert_eq!(value_label("group", "No SEN"), "No SEN");
        assert_eq!(
            value_label("school_location", "in authority"),
            "In authority"
        );
    }
}
