//! Statistics the SQL cannot express: models fitted to an analysis's rows.

pub mod logistic;
