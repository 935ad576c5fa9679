//! Who sees what: one disclosure policy per audience, in one place: the audiences, which of
//! them publish, what each may see and the notes that explain its symbols.

use serde::Deserialize;

/// Who a report is for; it decides what may appear in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Leadership,
    Board,
    School,
    Officers,
}

impl Audience {
    /// Whether reports for this audience leave the Virtual School team (a board's report
    /// and the school pages of a term are one publication).
    pub fn publishes(self) -> bool {
        matches!(self, Audience::Board | Audience::School)
    }
}

/// How figures are protected for an audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// Inside the Virtual School team: figures as computed.
    None,
    /// Published (a governing board, anything outside the team): primary and secondary
    /// suppression solved across the whole publication.
    Published,
    /// A school's own page for its advisory meeting: the school's own rows are shown as
    /// counted (its designated teacher knows each of those children) except money resting
    /// on 1 to 4 children; every other figure follows [`Suppression::Published`].
    OwnSchool,
}

/// The disclosure policy of one audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub audience: Audience,
    /// Whether child-level analyses (`level = "child"`, one row per pseudonymous id) may appear.
    pub child_level_rows: bool,
    /// The protective marking printed in the header and footer, and naming export folders.
    pub marking: Option<&'static str>,
    pub suppression: Suppression,
}

/// The marking of anything that lists children.
pub const OFFICIAL_SENSITIVE: &str = "OFFICIAL-SENSITIVE";

impl Policy {
    /// The policy for an audience (README, "Disclosure control").
    pub fn for_audience(audience: Audience) -> Policy {
        let (child_level_rows, marking, suppression) = match audience {
            Audience::Officers => (true, Some(OFFICIAL_SENSITIVE), Suppression::None),
            Audience::Leadership => (false, None, Suppression::None),
            Audience::Board => (false, None, Suppression::Published),
            Audience::School => (false, None, Suppression::OwnSchool),
        };
        Policy {
            audience,
            child_level_rows,
            marking,
            suppression,
        }
    }

    /// Whether any figure is suppressed for this audience.
    pub fn suppresses(&self) -> bool {
        self.suppression != Suppression::None
    }

    /// The notes a report for this audience ends with, explaining the symbols.
    pub fn notes(&self) -> Option<&'static Notes> {
        match self.suppression {
            Suppression::None => None,
            Suppression::Published => Some(&PUBLISHED_NOTES),
            Suppression::OwnSchool => Some(&SCHOOL_NOTES),
        }
    }
}

/// Notes on the figures as structured text: a heading and paragraphs of runs, which the
/// report's document model lays out (the policy writes no markup).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notes {
    /// The heading's anchor.
    pub id: &'static str,
    pub heading: &'static str,
    pub paragraphs: &'static [&'static [Run]],
}

/// A run of a notes paragraph: words, or a symbol a reader meets in the figures (set in bold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Text(&'static str),
    Symbol(&'static str),
}

const PUBLISHED_NOTES: Notes = Notes {
    id: "notes",
    heading: "Notes on the figures",
    paragraphs: &[&[
        Run::Symbol("c"),
        Run::Text(
            ": suppressed to protect confidentiality. Counts from 1 to 4 are not shown, nor are \
percentages and averages that rest on them or on fewer than 10 children, nor amounts of money spent on \
1 to 4 children; where a hidden figure could be worked out from a total, from another breakdown of the \
same table, from a percentage beside it or from another report of this publication, a further figure is \
hidden too (DfE's symbol and practice, at the thresholds above). A zero is always shown, and a group \
the data does not record at all reads \"not recorded\", never 0. Charts leave a gap where a figure is \
suppressed. No child is named or identifiable in this report.",
        ),
    ]],
};

const SCHOOL_NOTES: Notes = Notes {
    id: "notes",
    heading: "Notes on the figures",
    paragraphs: &[&[
        Run::Text(
            "This page is for the Virtual School's advisory meeting with the school's designated teacher, who \
already knows each of these children: the school's own counts are shown as they are, even when small, \
and no child is named. Amounts of PP+ resting on 1 to 4 children are shown as ",
        ),
        Run::Symbol("c"),
        Run::Text(
            " (suppressed to protect confidentiality), and any figure that compares the school with others or with \
the authority follows the rules of the published reports. Do not publish or circulate this page beyond \
the meeting.",
        ),
    ]],
};
