//! Benchmark: `cohort query` on the bundled sample-data. Times one statement that reads no
//! table (`SELECT 1`) and one over an analysis result (which runs that analysis and what it
//! depends on first), each as the median of three whole `query::once` calls (open the data,
//! plan, run, print) and as a ratio to opening and validating the same data in the same
//! process, so the figures compare across machines.
//!
//! Run with `cargo bench --bench query`.

use cohort::app::print::Mode;
use cohort::app::{self, Project, query};

mod common;
use common::time;

fn main() {
    let project = Project::default();
    let baseline = time(3, || app::open_catalog(&project).expect("catalog"));
    println!(
        "baseline: open and check sample-data {:>7.3} s",
        baseline.as_secs_f64()
    );
    for (label, sql) in [
        ("SELECT 1", "SELECT 1"),
        (
            "over an analysis result",
            "SELECT term, count(*) AS rows FROM attendance.sessions_by_term GROUP BY term ORDER BY term",
        ),
    ] {
        let t = time(3, || {
            query::once(&project, sql, None, Mode::Table, None).expect("query")
        });
        println!(
            "query {label:<26} {:>7.3} s  ratio to opening the data {:>5.2}",
            t.as_secs_f64(),
            t.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}
