//! Every integration test in one binary: each test file links the whole library (DataFusion,
//! DuckDB, Typst), so one binary instead of twenty saves nineteen links on a cold build.

mod analysis_tests;
mod architecture;
mod ballista;
mod board;
mod browser;
mod cache;
mod common;
mod comparators;
mod disclosure;
mod document;
mod export;
mod facilitators;
mod figures;
mod history;
mod limits;
mod notebook;
mod ordinary;
mod pdf;
mod pipeline;
mod preview;
mod publication;
mod query;
mod reading;
mod reuse;
mod sample;
mod sandbox;
mod session;
mod words;
