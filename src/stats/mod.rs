//! Statistics the SQL cannot express: models fitted to an analysis's rows, and the false
//! discovery rate over many comparisons.

pub mod fdr;
pub mod logistic;
