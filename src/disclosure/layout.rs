//! What each column of a result table is, for disclosure: a count of children, an amount
//! of money, a figure derived from counts (a rate, a mean, a share), or something else.

use crate::analysis::{Analysis, Unit};
use crate::run::{ResultTable, Value};

/// Columns whose values say which rows can be added together: rows of different periods,
/// breakdowns, outcomes or models never sum to one total.
pub const KEY_COLUMNS: &[&str] = &[
    "term",
    "academic_year",
    "time_period",
    "year",
    "breakdown",
    "outcome",
    "model",
];

/// The group label of a row that is the total of its breakdown or period.
pub fn is_total_label(v: &Value) -> bool {
    matches!(v, Value::Text(t) if t.eq_ignore_ascii_case("all") || t.eq_ignore_ascii_case("total"))
}

/// What a derived figure rests on, by column index.
#[derive(Debug, Clone, PartialEq)]
pub struct Rests {
    /// The count it is a share of, when its metric names one.
    pub numerator: Option<usize>,
    /// The count it divides by, when its metric names one.
    pub denominator: Option<usize>,
    /// No named numerator or denominator: it rests on the row's children (its largest count),
    /// and, with no metric at all, on every count in the row.
    pub any_count: bool,
}

/// The role of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// A count of children (or of their PEPs, requests, judgements): 1 to 4 is suppressed.
    Count,
    /// Money: suppressed when it rests on 1 to 4 children (the count column named: the
    /// children it was approved or requested for, else the row's population).
    Amount { children: Option<usize> },
    /// A quantity about the row's children that is not a count of them (sessions, the
    /// numerator or denominator of a rate): it gives back the rates it makes, so it is hidden
    /// wherever the children it rests on are hidden or fewer than 10.
    Measure,
    /// A rate, mean, share or interval computed from counts.
    Derived(Rests),
    /// Labels, periods, national comparators: shown as they are.
    Other,
}

/// The roles of a table's columns, and where its keys and labels are.
#[derive(Debug, Clone)]
pub struct Layout {
    pub roles: Vec<Role>,
    /// The analysis's `suppress` columns: counts of children, whose largest in a row is the
    /// row's population.
    pub children: Vec<usize>,
    pub keys: Vec<usize>,
    pub breakdown: Option<usize>,
    pub group: Option<usize>,
}

impl Layout {
    /// Count columns, in column order.
    pub fn counts(&self) -> Vec<usize> {
        (0..self.roles.len())
            .filter(|&i| self.roles[i] == Role::Count)
            .collect()
    }

    /// Amount columns, in column order.
    pub fn amounts(&self) -> Vec<usize> {
        (0..self.roles.len())
            .filter(|&i| matches!(self.roles[i], Role::Amount { .. }))
            .collect()
    }

    /// Additive figures that are not counts (money and measures such as sessions), in
    /// column order: rows of a breakdown add up in them as counts do.
    pub fn additive(&self) -> Vec<usize> {
        (0..self.roles.len())
            .filter(|&i| matches!(self.roles[i], Role::Amount { .. } | Role::Measure))
            .collect()
    }

    /// The row's population: the column of its largest count of children.
    pub fn population(&self, row: &[Value]) -> Option<usize> {
        self.children
            .iter()
            .copied()
            .filter(|&i| row[i].as_f64().is_some())
            .max_by(|&a, &b| {
                let (va, vb) = (row[a].as_f64(), row[b].as_f64());
                va.unwrap_or(0.0)
                    .total_cmp(&vb.unwrap_or(0.0))
                    .then(b.cmp(&a))
            })
    }
}

fn is_comparator(analysis: &Analysis, column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    analysis.meta.charts.iter().any(|ch| {
        ch.comparators
            .iter()
            .any(|k| k.eq_ignore_ascii_case(column))
    }) || c.starts_with("national")
        || c.starts_with("all_pupils")
}

fn is_amount(analysis: &Analysis, column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    let pounds =
        analysis.meta.charts.iter().any(|ch| {
            ch.unit == Unit::Pounds && ch.y.iter().any(|y| y.eq_ignore_ascii_case(column))
        });
    (pounds || c.contains("amount") || c.contains("spend") || c.contains("cost"))
        && !c.contains("per_")
}

fn looks_derived(analysis: &Analysis, column: &str) -> bool {
    let c = column.to_ascii_lowercase();
    let named = analysis
        .meta
        .metrics
        .iter()
        .any(|m| m.value.eq_ignore_ascii_case(column))
        || analysis
            .meta
            .charts
            .iter()
            .any(|ch| ch.y.iter().any(|y| y.eq_ignore_ascii_case(column)));
    named
        || [
            "rate",
            "mean",
            "share",
            "gap",
            "lower",
            "upper",
            "per_",
            "odds",
            "difference",
        ]
        .iter()
        .any(|k| c.contains(k))
}

/// Whether a column is a measure of the row's children that is not a count of them: a
/// number of sessions, or a number a metric divides (its numerator or denominator).
fn is_measure(analysis: &Analysis, table: &ResultTable, i: usize) -> bool {
    let c = table.columns[i].to_ascii_lowercase();
    let numeric = table
        .rows
        .iter()
        .all(|r| matches!(r[i], Value::Int(_) | Value::Float(_) | Value::Null))
        && table.rows.iter().any(|r| r[i].as_f64().is_some());
    let divides = analysis.meta.metrics.iter().any(|m| {
        [m.numerator.as_deref(), m.denominator.as_deref()]
            .into_iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(&c))
    });
    let rate = ["rate", "per_", "mean", "share"]
        .iter()
        .any(|k| c.contains(k));
    numeric && !rate && (c.contains("session") || divides)
}

/// The count of children an amount of money was approved or requested for: the analysis's
/// `money_on` for the column, else by its name (`children_requested` for a requested
/// amount, `children_funded` for an approved one), else `fallback`.
fn money_children(
    analysis: &Analysis,
    table: &ResultTable,
    column: &str,
    counts: &[usize],
    fallback: Option<usize>,
) -> Option<usize> {
    let count = |name: &str| table.column_index(name).filter(|i| counts.contains(i));
    if let Some(on) = analysis.meta.money_on.get(column) {
        return count(on).or(fallback);
    }
    let c = column.to_ascii_lowercase();
    let by_name: &[&str] = if c.contains("request") {
        &["children_requested", "children_funded"]
    } else {
        &["children_funded", "children_approved"]
    };
    by_name.iter().find_map(|n| count(n)).or(fallback)
}

/// Whether every value of a column is a whole number or empty (a count, not a measure).
fn whole_numbers(table: &ResultTable, i: usize) -> bool {
    table.rows.iter().all(|r| match &r[i] {
        Value::Int(_) | Value::Null => true,
        Value::Float(f) => f.fract() == 0.0,
        _ => false,
    })
}

/// The layout of `table` as `analysis` describes it.
pub fn layout(analysis: &Analysis, table: &ResultTable) -> Layout {
    let n = table.columns.len();
    let children: Vec<usize> = analysis
        .meta
        .suppress
        .iter()
        .filter_map(|c| table.column_index(c))
        .filter(|&i| whole_numbers(table, i))
        .collect();
    // A metric's numerator or denominator is a count too when it holds whole numbers and is
    // not a count of sessions (e.g. PEPs rated, beside PEPs due).
    let mut counts = children.clone();
    // The children an amount rests on are counts, whether or not `suppress` names them.
    for on in analysis.meta.money_on.values() {
        if let Some(i) = table.column_index(on)
            && !counts.contains(&i)
            && whole_numbers(table, i)
        {
            counts.push(i);
        }
    }
    // A metric whose figure is a number of children is a count.
    for m in analysis
        .meta
        .metrics
        .iter()
        .filter(|m| m.unit == Unit::Count)
    {
        if let Some(i) = table.column_index(&m.value)
            && !counts.contains(&i)
            && whole_numbers(table, i)
        {
            counts.push(i);
        }
    }
    for m in &analysis.meta.metrics {
        for c in [m.numerator.as_deref(), m.denominator.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Some(i) = table.column_index(c)
                && !counts.contains(&i)
                && !c.to_ascii_lowercase().contains("session")
                && !is_amount(analysis, c)
                && whole_numbers(table, i)
            {
                counts.push(i);
            }
        }
    }
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| table.column_index(n).filter(|i| counts.contains(i)))
    };
    let funded = find(&["children_funded", "children", "pupils"]);
    let mut roles = vec![Role::Other; n];
    for (i, column) in table.columns.iter().enumerate() {
        roles[i] = if counts.contains(&i) {
            Role::Count
        } else if is_comparator(analysis, column) {
            Role::Other
        } else if is_amount(analysis, column) {
            Role::Amount {
                children: money_children(analysis, table, column, &counts, funded),
            }
        } else if is_measure(analysis, table, i) {
            Role::Measure
        } else if looks_derived(analysis, column) {
            let spec = analysis
                .meta
                .metrics
                .iter()
                .find(|m| m.value.eq_ignore_ascii_case(column));
            let index = |c: &Option<String>| {
                c.as_deref()
                    .and_then(|c| table.column_index(c))
                    .filter(|i| counts.contains(i))
            };
            Role::Derived(match spec {
                Some(m) => Rests {
                    numerator: index(&m.numerator),
                    denominator: index(&m.denominator),
                    any_count: false,
                },
                None => Rests {
                    numerator: None,
                    denominator: None,
                    any_count: true,
                },
            })
        } else {
            Role::Other
        };
    }
    Layout {
        roles,
        children,
        keys: KEY_COLUMNS
            .iter()
            .filter_map(|c| table.column_index(c))
            .collect(),
        breakdown: table.column_index("breakdown"),
        group: table.column_index("group"),
    }
}
