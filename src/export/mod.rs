//! Exports of published figures in other tools' formats: Explore Education Statistics.

pub mod ees;
