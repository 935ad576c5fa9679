//! What an analysis file declares in its front matter.

use super::Unit;
use serde::{Deserialize, Serialize};

/// The kind of chart an analysis asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// One line per series over an ordered x (terms, years).
    Line,
    /// Grouped vertical bars, one group per x value, one bar per series.
    Bar,
    /// Horizontal bars, one per x value (long category names).
    HBar,
}

/// A chart declared in an analysis's front matter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    /// A name to call the chart by from a template, when an analysis has several.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: ChartKind,
    pub title: String,
    /// Column giving the x axis (or bar categories), in row order.
    pub x: String,
    /// One or more numeric columns plotted as values.
    pub y: Vec<String>,
    /// Optional column splitting rows into series (one line or bar colour per value).
    #[serde(default)]
    pub series: Option<String>,
    /// Optional column splitting rows into small multiples: one panel per value, on one scale,
    /// each with the comparators. A line or bar chart with more than four series gets panels
    /// by its series column without asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panels: Option<String>,
    /// Numeric columns drawn as dashed comparator lines (e.g. the national CLA figure).
    #[serde(default)]
    pub comparators: Vec<String>,
    /// Axis label for the values, with the unit (e.g. "Absence, % of sessions").
    pub y_label: String,
    /// Axis label for x; defaults to the column name.
    #[serde(default)]
    pub x_label: Option<String>,
    /// Display unit for values: percent, per_100, mean, count or pounds.
    #[serde(default = "default_unit")]
    pub unit: Unit,
    /// Horizontal bars drawn as a forest plot: each bar with its interval, coloured by finding.
    #[serde(default)]
    pub forest: Option<ForestSpec>,
}

/// A forest plot's extra columns: the interval around each bar, what colours it, its n.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ForestSpec {
    /// Column holding the interval's lower end.
    pub lower: String,
    /// Column holding the interval's upper end.
    pub upper: String,
    /// Column whose text colours the bar: `facilitator`, `barrier`, anything else grey.
    #[serde(default)]
    pub colour_by: Option<String>,
    /// Column of counts shown after each category's name, "(n = 23)".
    #[serde(default)]
    pub n: Option<String>,
}

fn default_unit() -> Unit {
    Unit::Count
}
