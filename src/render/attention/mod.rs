//! "What needs attention": the template function `attention()`, which judges the report's
//! disclosed figures by rules an analyst edits (`attention.toml` beside the templates) and
//! writes the few flags worth acting on, ranked, with a short "what went well" beside them.
//!
//! A rule names a metric, the period it is judged over, the breakdowns whose groups are
//! judged, the comparator (DfE's national figure, the statistical neighbours' average, or
//! the authority's own figure for the same period) and how far off counts; which way is
//! better is the metric's own `better` (its front matter). A figure is judged against DfE's
//! national figure and, where DfE publishes one, the statistical neighbours' average: it is
//! flagged when beyond either by the threshold. A flag's rank adds how far it is off (in
//! thresholds), one if it is also beyond the other comparator, one if it lies outside the
//! comparator's 95% interval for its n, and one if it is worse than the two years before.
//! A suppressed figure is never judged.
//!
//! The rules are checked by `cohort check` ([`check`]) and tested by `cohort test` against
//! hand-worked cases in `attention.test.toml` beside them ([`test_cases`]).

mod cases;
mod report;
mod rules;

pub use cases::{CaseOutcomes, test_cases};
pub(super) use report::register;

use super::document::slug;
use crate::analysis::Analysis;
use rules::Rules;
use std::path::Path;

/// The rules file's name, read from the templates folder.
pub const RULES_FILE: &str = "attention.toml";

/// The rules' hand-worked cases, beside the rules file.
pub const TEST_FILE: &str = "attention.test.toml";

/// `cohort check` on the rules in the templates folder `dir`: the file reads, each rule's
/// values are valid, its metric is declared with a direction, and its section is a heading
/// of every template that calls `attention()`. Each problem names the file, rule and value.
pub fn check(dir: &Path, analyses: &[Analysis]) -> Vec<String> {
    let path = dir.join(RULES_FILE);
    let callers: Vec<(String, String)> = super::template::list(dir)
        .into_iter()
        .filter_map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.md"))).ok()?;
            text.contains("attention(").then_some((name, text))
        })
        .collect();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return callers
            .iter()
            .map(|(name, _)| {
                format!(
                    "{}: {name}.md calls attention(), whose rules file is missing",
                    path.display()
                )
            })
            .collect();
    };
    let rules = match Rules::parse(&path, &text) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut out = rules.problems(&path, analyses);
    for (name, body) in &callers {
        let headings: Vec<String> = body
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .map(|h| slug(h.trim_start_matches('#').trim()))
            .collect();
        for (i, r) in rules.rules.iter().enumerate() {
            if !headings.contains(&slug(&r.section)) {
                out.push(format!(
                    "{}: rule {} (`{}`): section `{}`: {name}.md has no heading of that name for its flags to link to",
                    path.display(),
                    i + 1,
                    r.metric,
                    r.section
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::report::markdown;
    use super::rules::{Comparators, Observed, years_back};
    use super::*;
    use crate::analysis::{Better, Unit};
    use std::collections::BTreeMap;

    fn fig(metric: &str, period: &str, b: &str, g: &str, k: f64, n: f64) -> Observed {
        Observed {
            metric: metric.into(),
            period: period.into(),
            breakdown: b.into(),
            group: g.into(),
            value: Some(100.0 * k / n),
            numerator: Some(k),
            denominator: Some(n),
            unit: Unit::Percent,
            children: true,
            shown: true,
        }
    }

    const RULES: &str = r#"
[owners]
sw_team = "{group}"
phase = "{group} phase"

[[rule]]
metric = "pa"
label = "Persistent absence"
period = "year"
breakdowns = ["all", "phase"]
compare = "national"
threshold = 2.0
section = "Attendance"

[[rule]]
metric = "pep"
label = "PEPs on time"
period = "term"
breakdowns = ["sw_team"]
compare = "authority"
threshold = 5.0
min_n = 10
section = "Personal Education Plans"
"#;

    #[test]
    fn flags_are_ranked_by_how_far_and_how_surely_they_are_off() {
        let rules = Rules::parse(Path::new("attention.toml"), RULES).unwrap();
        let pa = "pa";
        let mut figures = vec![
            // All: 54/225 = 24.0% vs national 20.0: gap 4.0 = 2 thresholds;
            // se = sqrt(20*80/225) = 2.667, z = 4/2.667 = 1.5: inside the interval.
            // Last years 22.0 and 21.0, both below 24.0: worse than both. Score 2+0+1 = 3.
            fig(pa, "2024-25", "all", "all", 54.0, 225.0),
            fig(pa, "2023-24", "all", "all", 22.0, 100.0),
            fig(pa, "2022-23", "all", "all", 21.0, 100.0),
            // Secondary: 39/130 = 30.0%: gap 10.0 = 5 thresholds; se = sqrt(1600/130)
            // = 3.508, z = 2.85 >= 1.96: outside. No earlier years. Score 5+1 = 6.
            fig(pa, "2024-25", "phase", "secondary", 39.0, 130.0),
            // Primary: 15/100 = 15.0%: 5.0 better, 2.5 thresholds; se = 4.0, z = -1.25:
            // inside. Went well, score 2.5.
            fig(pa, "2024-25", "phase", "primary", 15.0, 100.0),
            // PEPs this term: all 80/100 = 80%.
            fig("pep", "2024-25-summer", "all", "all", 80.0, 100.0),
            // Team East 30/50 = 60%: 20 worse = 4 thresholds; se = sqrt(80*20/50) = 5.657,
            // z = -3.54, outside. Score 4+1 = 5.
            fig("pep", "2024-25-summer", "sw_team", "Team East", 30.0, 50.0),
            // Team North 8/8 = 100%, but on 8 < min_n 10: not judged.
            fig("pep", "2024-25-summer", "sw_team", "Team North", 8.0, 8.0),
            // Team South 82/100 = 82%: 2 points, under the threshold of 5: no flag.
            fig(
                "pep",
                "2024-25-summer",
                "sw_team",
                "Team South",
                82.0,
                100.0,
            ),
        ];
        // A suppressed figure (CWD, really 1 of 20 = 5%) never raises a flag.
        let mut cwd = fig("pep", "2024-25-summer", "sw_team", "CWD", 1.0, 20.0);
        cwd.shown = false;
        cwd.value = None;
        figures.push(cwd);
        let refs = Comparators {
            national: vec![("pa".into(), "2024-25".into(), 20.0)],
            neighbours: Vec::new(),
            better: directions(),
        };
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs);
        let scores: Vec<f64> = j
            .attention
            .iter()
            .map(|f| (f.score * 100.0).round())
            .collect();
        assert_eq!(scores, vec![600.0, 500.0, 300.0]);
        assert!(
            j.attention[0]
                .sentence
                .starts_with("Secondary phase: Persistent absence 30.0%")
        );
        assert!(j.attention[0].sentence.contains("outside the 95% interval"));
        assert!(
            j.attention[1]
                .sentence
                .starts_with("Team East: PEPs on time 60.0%")
        );
        assert!(
            j.attention[1]
                .sentence
                .contains("against 80.0% for all pupils in care")
        );
        assert!(
            j.attention[2]
                .sentence
                .contains("worse than each of the two years before")
        );
        assert_eq!(j.attention[1].anchor, "personal-education-plans");
        assert_eq!(j.well.len(), 1);
        assert!(
            j.well[0]
                .sentence
                .starts_with("Primary phase: Persistent absence 15.0%")
        );
        assert!(j.well[0].sentence.contains("5.0 points better"));
        assert!(!markdown(&j).contains("CWD"));
    }

    /// Persistent absence: lower is better; PEPs on time: higher is.
    fn directions() -> BTreeMap<String, Better> {
        BTreeMap::from([
            ("pa".to_string(), Better::Lower),
            ("pep".to_string(), Better::Higher),
        ])
    }

    #[test]
    fn a_figure_beyond_the_neighbours_is_flagged_and_beyond_both_ranks_higher() {
        let rules = Rules::parse(Path::new("attention.toml"), RULES).unwrap();
        let refs = |national: f64, neighbours: f64| Comparators {
            national: vec![("pa".into(), "2024-25".into(), national)],
            neighbours: vec![("pa".into(), "2024-25".into(), neighbours)],
            better: directions(),
        };
        // Primary 15/100 = 15.0%, secondary 12/100 = 12.0%. No earlier years.
        let figures = vec![
            fig("pa", "2024-25", "phase", "primary", 15.0, 100.0),
            fig("pa", "2024-25", "phase", "secondary", 12.0, 100.0),
        ];
        // National 14.0, neighbours 12.0: primary is 1.0 above national (under the
        // threshold of 2) but 3.0 above neighbours: flagged against them, 3/2 = 1.5
        // thresholds; se = sqrt(12*88/100) = 3.25, z = 0.92: inside. Score 1.5.
        // Secondary: 2.0 below national (2.0 >= 2, so "better": 1 threshold), 0 from
        // neighbours. Went well, score 1.
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs(14.0, 12.0));
        assert_eq!(j.attention.len(), 1);
        assert!((j.attention[0].score - 1.5).abs() < 1e-9);
        assert!(
            j.attention[0]
                .sentence
                .contains("against 12.0% for statistical neighbours (2024/25) (3.0 points worse)"),
            "{}",
            j.attention[0].sentence
        );
        assert_eq!(j.well.len(), 1);
        assert!((j.well[0].score - 1.0).abs() < 1e-9);
        // National 10.0, neighbours 12.0: primary is 5.0 above national (2.5 thresholds)
        // and 3.0 above neighbours (beyond both, +1); se = sqrt(10*90/100) = 3.0, z = 1.67:
        // inside. Score 3.5, and the sentence names both.
        let j = rules.judge(&figures, "2024-25-summer", "2024-25", &refs(10.0, 12.0));
        assert!((j.attention[0].score - 3.5).abs() < 1e-9);
        assert!(
            j.attention[0].sentence.contains(
                "against 10.0% for England's children in care (2024/25) and 12.0% for statistical neighbours (2024/25)"
            ),
            "{}",
            j.attention[0].sentence
        );
    }

    #[test]
    fn a_bad_rule_is_an_error_naming_the_file_and_rule() {
        let text = RULES.replace("threshold = 5.0", "threshold = -5.0");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(
            e.contains("attention.toml: rule 2 (`pep`): threshold -5: expected above 0"),
            "{e}"
        );
        let text = RULES.replace("compare = \"authority\"", "compare = \"region\"");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(e.contains("rule 2 (`pep`): compare `region`"), "{e}");
        // An unknown field (the old `worse`, now the metric's own `better`) names itself.
        let text = RULES.replace("period = \"term\"", "period = \"term\"\nworse = \"lower\"");
        let e = Rules::parse(Path::new("attention.toml"), &text).unwrap_err();
        assert!(e.contains("attention.toml") && e.contains("worse"), "{e}");
    }

    #[test]
    fn the_shipped_rules_check_against_the_shipped_analyses_and_templates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let analyses = crate::analysis::load_all(&root.join("queries")).expect("queries/ reads");
        let dir = root.join("report-templates");
        assert_eq!(check(&dir, &analyses), Vec::<String>::new());
        // A metric no analysis declares, and one without a direction, are named.
        let text = std::fs::read_to_string(dir.join(RULES_FILE)).unwrap();
        let bad = text
            .replacen(
                "metric = \"peps.on_time_rate\"",
                "metric = \"peps.on_tme_rate\"",
                1,
            )
            .replacen(
                "metric = \"attendance.overall_absence_rate\"",
                "metric = \"roll.ehc_plan_rate\"",
                1,
            );
        let rules = Rules::parse(Path::new("attention.toml"), &bad).unwrap();
        let problems = rules.problems(Path::new("attention.toml"), &analyses);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("(`roll.ehc_plan_rate`)")
                && problems[0].contains("declares no `better")
        );
        assert!(problems[1].contains("metric `peps.on_tme_rate`: no analysis declares it"));
    }

    #[test]
    fn periods_go_back_whole_years() {
        assert_eq!(years_back("2024-25", 1).as_deref(), Some("2023-24"));
        assert_eq!(
            years_back("2024-25-summer", 2).as_deref(),
            Some("2022-23-summer")
        );
        assert_eq!(years_back("2000-01", 1).as_deref(), Some("1999-00"));
        assert_eq!(years_back("latest", 1), None);
    }
}
