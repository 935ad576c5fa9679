//! Which rows of DfE's published files become comparators, as data: one [`Source`] per
//! file, naming the rows a Virtual School compares with (`../shared/dfe/README.md`) and
//! the cohort metric each indicator stands beside.

use super::ees::{Cell, EesFile, academic_year};
use crate::analysis::Unit;

/// One indicator of a source file and the cohort metric it compares with.
pub struct Indicator {
    pub metric: &'static str,
    pub unit: Unit,
    /// The column holding the figure.
    pub column: &'static str,
    /// For long files (one row per breakdown): the row's `breakdown` value.
    pub breakdown: Option<&'static str>,
}

/// One published file, the rows of it that matter, and their indicators.
pub struct Source {
    pub file: &'static str,
    pub filters: &'static [(&'static str, &'static str)],
    /// The population, in the `benchmark_cohort` code list.
    pub cohort: &'static str,
    pub indicators: &'static [Indicator],
}

const fn wide(metric: &'static str, unit: Unit, column: &'static str) -> Indicator {
    Indicator {
        metric,
        unit,
        column,
        breakdown: None,
    }
}

const fn long(
    metric: &'static str,
    unit: Unit,
    column: &'static str,
    breakdown: &'static str,
) -> Indicator {
    Indicator {
        metric,
        unit,
        column,
        breakdown: Some(breakdown),
    }
}

const CLA_12M: (&str, &str) = ("social_care_group", "CLA 12 months at 31 March");

/// The comparators cohort derives, file by file.
pub const SOURCES: &[Source] = &[
    Source {
        file: "absence_la.csv",
        filters: &[CLA_12M, ("phase_type_grouping", "Total")],
        cohort: "cla_12m",
        indicators: &[
            wide(
                "attendance.overall_absence_rate",
                Unit::Percent,
                "pt_overall",
            ),
            wide(
                "attendance.authorised_absence_rate",
                Unit::Percent,
                "pt_sess_authorised",
            ),
            wide(
                "attendance.unauthorised_absence_rate",
                Unit::Percent,
                "pt_sess_unauthorised",
            ),
            // Pupil basis: each pupil's sessions summed across enrolments (domain.md section 3).
            wide(
                "attendance.persistent_absence_rate",
                Unit::Percent,
                "pt_pupils_pa_10_exact",
            ),
            wide(
                "attendance.severe_absence_rate",
                Unit::Percent,
                "pt_pupils_pa_50_exact",
            ),
            wide("attendance.pupils", Unit::Count, "t_pupils"),
        ],
    },
    Source {
        file: "ks2_la.csv",
        filters: &[CLA_12M],
        cohort: "cla_12m",
        indicators: &[
            wide(
                "attainment.ks2_rwm_expected_rate",
                Unit::Percent,
                "pt_rwm_met_expected_standard",
            ),
            wide(
                "attainment.ks2_rwm_higher_rate",
                Unit::Percent,
                "pt_rwm_met_higher_standard",
            ),
            wide(
                "attainment.ks2_pupils",
                Unit::Count,
                "t_rwm_eligible_pupils",
            ),
        ],
    },
    Source {
        file: "ks4_la.csv",
        filters: &[CLA_12M],
        cohort: "cla_12m",
        indicators: &[
            wide("attainment.ks4_attainment8_mean", Unit::Mean, "avg_att8"),
            wide(
                "attainment.ks4_basics_4plus_rate",
                Unit::Percent,
                "pt_l2basics_94",
            ),
            wide(
                "attainment.ks4_basics_5plus_rate",
                Unit::Percent,
                "pt_l2basics_95",
            ),
            wide("attainment.ks4_progress8_mean", Unit::Mean, "avg_p8score"),
            wide("attainment.ks4_pupils", Unit::Count, "t_pupils"),
        ],
    },
    Source {
        file: "la_care_leavers_activity.csv",
        filters: &[("care_leaver_age", "19 to 21 years")],
        cohort: "care_leavers_19_21",
        indicators: &[
            long(
                "eet.eet_rate",
                Unit::Percent,
                "care_leaver_percent",
                "Total in education, employment or training",
            ),
            long(
                "eet.neet_rate",
                Unit::Percent,
                "care_leaver_percent",
                "Total not in education, employment or training",
            ),
        ],
    },
    Source {
        file: "la_conviction_health_outcome_cla.csv",
        // DfE publishes the SDQ for children aged 5 to 16 looked after 12 months (domain.md section 8).
        filters: &[("characteristic", "Ages 5 to 16 years with SDQ score")],
        cohort: "cla_12m",
        indicators: &[
            long(
                "sdq.mean_total",
                Unit::Mean,
                "children_count",
                "SDQ average score",
            ),
            long(
                "sdq.normal_rate",
                Unit::Percent,
                "children_percent",
                "SDQ score is normal",
            ),
            long(
                "sdq.borderline_rate",
                Unit::Percent,
                "children_percent",
                "SDQ score is borderline",
            ),
            long(
                "sdq.concern_rate",
                Unit::Percent,
                "children_percent",
                "SDQ score is a cause for concern",
            ),
            long(
                "sdq.completion_rate",
                Unit::Percent,
                "children_percent",
                "SDQ score was received",
            ),
        ],
    },
    Source {
        file: "cla_number_and_rate_per_10k_children.csv",
        filters: &[(
            "population_type",
            "Children looked after on 31 March each year",
        )],
        cohort: "cla",
        indicators: &[wide(
            "roll.children_looked_after",
            Unit::Count,
            "children_count",
        )],
    },
    Source {
        file: "la_cla_placement_stability.csv",
        // Children looked after on 31 March with 3 or more placements in the year to 31 March.
        filters: &[
            ("cla_group", "CLA on 31 March"),
            (
                "placement_stability",
                "With 3 or more placements during the year",
            ),
        ],
        cohort: "cla",
        indicators: &[wide(
            "stability.three_plus_placements_rate",
            Unit::Percent,
            "children_percent",
        )],
    },
    Source {
        file: "la_cla_school_moves.csv",
        // Children looked after on 31 March with any school move in the year (not only mid-year).
        filters: &[
            ("cla_group", "CLA on 31 March"),
            ("move_measure", "Any moves"),
            ("school_stability", "With one or more moves during the year"),
        ],
        cohort: "cla",
        indicators: &[wide(
            "stability.school_move_rate",
            Unit::Percent,
            "percentage",
        )],
    },
];

/// One derived comparator figure, with the file and version it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparator {
    pub measure: String,
    pub academic_year: String,
    pub time_period: String,
    pub time_identifier: String,
    pub geographic_level: String,
    pub area_code: String,
    pub old_la_code: String,
    pub area_name: String,
    pub region_code: String,
    pub cohort: String,
    pub cell: Cell,
    pub unit: Unit,
    pub source_file: String,
    pub version: String,
}

/// The CSV header of the derived comparators file (the `comparators` reference table).
pub const HEADER: [&str; 15] = [
    "measure",
    "academic_year",
    "time_period",
    "time_identifier",
    "geographic_level",
    "area_code",
    "old_la_code",
    "area_name",
    "region_code",
    "cohort",
    "value",
    "symbol",
    "unit",
    "source_file",
    "version",
];

fn level_order(level: &str) -> u8 {
    match level {
        "National" => 0,
        "Regional" => 1,
        _ => 2,
    }
}

/// The comparators of one source file; a value that is neither a number nor a DfE
/// symbol is an error naming the file, line and column.
pub fn derive(source: &Source, file: &EesFile) -> Result<Vec<Comparator>, super::ComparatorError> {
    let mut out = Vec::new();
    for (i, row) in file.rows.iter().enumerate() {
        if !source.filters.iter().all(|(c, v)| file.get(row, c) == *v) {
            continue;
        }
        let level = file.get(row, "geographic_level");
        if !matches!(level, "National" | "Regional" | "Local authority") {
            continue;
        }
        let Some(year) = academic_year(
            file.get(row, "time_period"),
            file.get(row, "time_identifier"),
        ) else {
            return Err(super::ComparatorError::Format {
                path: file.path.clone(),
                line: i as u64 + 2,
                message: format!(
                    "time_period `{}` is not an academic year (202425) or a reporting year (2025)",
                    file.get(row, "time_period")
                ),
            });
        };
        for ind in source.indicators {
            if ind
                .breakdown
                .is_some_and(|b| file.get(row, "breakdown") != b)
            {
                continue;
            }
            let text = file.get(row, ind.column);
            if text.is_empty() {
                // A blank cell (a few of DfE's older rows) is no figure and no symbol: nothing to keep.
                continue;
            }
            let cell = Cell::parse(text).ok_or_else(|| super::ComparatorError::Format {
                path: file.path.clone(),
                line: i as u64 + 2,
                message: format!(
                    "column `{}` holds `{text}`: expected a number or one of the DfE symbols c, z, x, low, k, u",
                    ind.column
                ),
            })?;
            let (area_code, area_name) = match level {
                "National" => (file.get(row, "country_code"), file.get(row, "country_name")),
                "Regional" => (file.get(row, "region_code"), file.get(row, "region_name")),
                _ => (file.get(row, "new_la_code"), file.get(row, "la_name")),
            };
            out.push(Comparator {
                measure: ind.metric.into(),
                academic_year: year.clone(),
                time_period: file.get(row, "time_period").into(),
                time_identifier: file.get(row, "time_identifier").into(),
                geographic_level: level.into(),
                area_code: area_code.into(),
                old_la_code: file.get(row, "old_la_code").into(),
                area_name: area_name.into(),
                region_code: file.get(row, "region_code").into(),
                cohort: source.cohort.into(),
                cell,
                unit: ind.unit,
                source_file: source.file.into(),
                version: file.get(row, "version").into(),
            });
        }
    }
    Ok(out)
}

/// Sorts comparators so the derived file is the same bytes for the same inputs.
pub fn sort(rows: &mut [Comparator]) {
    rows.sort_by(|a, b| {
        (
            &a.measure,
            &a.cohort,
            &a.academic_year,
            level_order(&a.geographic_level),
            &a.area_code,
        )
            .cmp(&(
                &b.measure,
                &b.cohort,
                &b.academic_year,
                level_order(&b.geographic_level),
                &b.area_code,
            ))
    });
}

/// One row of the derived file, in [`HEADER`] order.
pub fn record(c: &Comparator) -> Vec<String> {
    let (value, symbol) = match &c.cell {
        Cell::Number(v) => (format_number(*v), String::new()),
        Cell::Symbol(s) => (String::new(), s.clone()),
    };
    vec![
        c.measure.clone(),
        c.academic_year.clone(),
        c.time_period.clone(),
        c.time_identifier.clone(),
        c.geographic_level.clone(),
        c.area_code.clone(),
        c.old_la_code.clone(),
        c.area_name.clone(),
        c.region_code.clone(),
        c.cohort.clone(),
        value,
        symbol,
        c.unit.to_string(),
        c.source_file.clone(),
        c.version.clone(),
    ]
}

/// A figure as DfE wrote it: no trailing zeros, no exponent.
fn format_number(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('e') {
        format!("{v:.6}")
    } else {
        s
    }
}
