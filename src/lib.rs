//! `cohort`: embedded analytics and notebook-style reporting for Virtual Schools.
//!
//! The pipeline is the architecture, one module per stage, data flowing one way:
//! [`contract`] → [`catalog`] → [`analysis`] → [`run`] → [`disclosure`] → [`render`], and
//! then [`history`], which records what each run computed and published. No stage imports a
//! later one: render draws only what disclosure passed, and disclosure knows nothing of render
//! (`tests/all/architecture.rs` reads every file's imports and holds the stages to it).
//! [`period`] is the one reading of `--term` every stage shares; [`engine`] holds the SQL
//! engines the runner drives; [`sample`] writes synthetic data that satisfies the contract;
//! [`app`] ties the stages together for the CLI through one `Session`, and [`preview`] serves a
//! report that re-renders on every save.

/// Arrow as DataFusion builds it: one spelling (`crate::arrow`) for every stage outside `engine`.
pub use datafusion::arrow;

pub mod analysis;
pub mod app;
pub mod catalog;
pub mod comparators;
pub mod contract;
pub mod disclosure;
pub mod engine;
pub mod excerpt;
pub mod export;
pub mod history;
pub mod lineage;
pub mod output;
pub mod period;
pub mod preview;
pub mod project;
pub mod render;
pub mod run;
pub mod sample;
pub mod staging;
pub mod stats;
