//! The units a figure may be shown in, read from front matter (`unit = "percent"` of a
//! metric or chart, and the values of `units = { ... }`).

use std::fmt;
use std::str::FromStr;

/// The unit of a figure: what it measures and how it is written (`render::format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A percentage, "18.3%".
    Percent,
    /// Percentage points, a difference of two percentages: "-35.7 pts" (`pts` or `points`).
    Points,
    /// A rate per 100 pupils, one decimal.
    Per100,
    /// A mean, one decimal.
    Mean,
    /// A score (Attainment 8, SDQ), one decimal.
    Score,
    /// A column mixing rates and scores, as DfE publishes them: one decimal.
    OneDecimal,
    /// A number of children or events, "1,234".
    Count,
    /// An amount of money in whole pounds, "£2,570".
    Pounds,
    /// A ratio (odds ratios and their intervals), two decimals.
    Ratio,
}

impl Unit {
    /// Every unit, in the order an error lists them.
    pub const ALL: [Unit; 9] = [
        Unit::Percent,
        Unit::Points,
        Unit::Per100,
        Unit::Mean,
        Unit::Score,
        Unit::OneDecimal,
        Unit::Count,
        Unit::Pounds,
        Unit::Ratio,
    ];

    /// The unit's name as front matter writes it (`pts` is also read as [`Unit::Points`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Points => "points",
            Unit::Per100 => "per_100",
            Unit::Mean => "mean",
            Unit::Score => "score",
            Unit::OneDecimal => "one_decimal",
            Unit::Count => "count",
            Unit::Pounds => "pounds",
            Unit::Ratio => "ratio",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit cohort does not know, with the names it does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a unit of {known}, not `{0}`", known = Unit::ALL.map(Unit::as_str).join(", "))]
pub struct UnknownUnit(pub String);

/// Front matter, `metrics.csv` and the history write a unit as its name.
impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads a unit's name (as [`FromStr`]); an unknown one is an error that lists the known.
impl<'de> serde::Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Unit {
    type Err = UnknownUnit;

    /// Reads a unit as the number formatting always has: case and padding ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_ascii_lowercase();
        if name == "pts" {
            return Ok(Unit::Points);
        }
        Unit::ALL
            .into_iter()
            .find(|u| u.as_str() == name)
            .ok_or_else(|| UnknownUnit(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_reads_back_from_its_name_and_others_are_refused() {
        for u in Unit::ALL {
            assert_eq!(u.as_str().parse::<Unit>(), Ok(u));
        }
        assert_eq!("pts".parse::<Unit>(), Ok(Unit::Points));
        assert_eq!(" Percent ".parse::<Unit>(), Ok(Unit::Percent));
        let err = "percnt".parse::<Unit>().unwrap_err().to_string();
        assert_eq!(
            err,
            "a unit of percent, points, per_100, mean, score, one_decimal, count, pounds, ratio, not `percnt`"
        );
    }
}
