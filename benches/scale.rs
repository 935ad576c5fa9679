//! Benchmark: cohort at scale (issue 16). For each size in `COHORT_SCALE` (children, default
//! `2000,5000,10000`) it generates 5 years as Parquet, then runs every analysis with
//! `cohort run --no-history` on DataFusion and on DuckDB (cohort's second engine, over the same
//! validated catalog), each in its own process so that a peak-memory figure is that run's own.
//! It prints wall time, peak memory, marks read a second, the analyses' own span (from
//! `run.json`), and the ratios the targets are stated in: DataFusion against DuckDB, and each
//! size against the one before it (linear growth is a time ratio of 2.0 for twice the children).
//!
//! Run with `cargo bench --bench scale` (or `COHORT_SCALE=82000 cargo bench --bench scale`);
//! it needs `/usr/bin/time` for peak memory. Generated sets are kept under
//! `$TMPDIR/cohort-scale/` and reused.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One measured `cohort run`.
struct Measured {
    wall: f64,
    peak_mib: f64,
    rows: u64,
    analyses_s: f64,
}

/// The analyses' span in a parsed `run.json`: first start to last finish, in seconds.
fn analyses_span(json: &serde_json::Value) -> f64 {
    let stamps = |key: &str| -> Vec<chrono::DateTime<chrono::Utc>> {
        json["analyses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a[key].as_str()?.parse().ok())
            .collect()
    };
    match (
        stamps("started").into_iter().min(),
        stamps("finished").into_iter().max(),
    ) {
        (Some(a), Some(b)) => (b - a).num_milliseconds() as f64 / 1000.0,
        _ => 0.0,
    }
}

/// Runs `cohort run` over `data` on `engine` under `/usr/bin/time`.
fn run(bin: &Path, data: &Path, out: &Path, engine: &str) -> Measured {
    let report = out.join("time.txt");
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .arg(bin)
        .args(["run", "--no-history", "--engine", engine, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .status()
        .expect("/usr/bin/time runs (apt-get install time)");
    assert!(status.success(), "cohort run on {engine} failed");
    let text = std::fs::read_to_string(&report).expect("time report");
    let mut fields = text.split_whitespace();
    let wall: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let kb: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let text = std::fs::read_to_string(out.join("run.json")).expect("run.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("run.json parses");
    Measured {
        wall,
        peak_mib: kb / 1024.0,
        rows: json["rows_read"].as_u64().unwrap_or(0),
        analyses_s: analyses_span(&json),
    }
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cohort"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).expect("project folder");
    let sizes: Vec<u64> = std::env::var("COHORT_SCALE")
        .unwrap_or_else(|_| "2000,5000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let scratch = std::env::temp_dir().join("cohort-scale");
    println!(
        "{:>8} {:>12} | {:>9} {:>9} {:>10} {:>10} | {:>9} {:>9} {:>10} | {:>8} {:>8} | {:>7} {:>7}",
        "children",
        "rows read",
        "DF wall s",
        "DF MiB",
        "DF rows/s",
        "DF anal s",
        "DDB wall",
        "DDB MiB",
        "DDB anal s",
        "DF/DDB",
        "anal",
        "x time",
        "x mem"
    );
    let mut before: Option<(u64, Measured)> = None;
    for n in sizes {
        let data = scratch.join(format!("data-{n}x5"));
        if !data.join("attendance.parquet").exists() {
            let status = Command::new(&bin)
                .args(["sample", "--children", &n.to_string(), "--years", "5"])
                .args(["--format", "parquet", "--out"])
                .arg(&data)
                .status()
                .expect("cohort sample runs");
            assert!(status.success(), "cohort sample failed");
        }
        let df = run(
            &bin,
            &data,
            &scratch.join(format!("out-{n}-df")),
            "datafusion",
        );
        let ddb = run(&bin, &data, &scratch.join(format!("out-{n}-ddb")), "duckdb");
        let (x_time, x_mem) = match &before {
            Some((m, b)) => {
                let k = n as f64 / *m as f64;
                (
                    format!("{:.2}/{k:.1}", df.wall / b.wall),
                    format!("{:.2}", df.peak_mib / b.peak_mib),
                )
            }
            None => ("-".into(), "-".into()),
        };
        println!(
            "{n:>8} {:>12} | {:>9.2} {:>9.0} {:>10.0} {:>10.2} | {:>9.2} {:>9.0} {:>10.2} | {:>8.2} {:>8.2} | {:>7} {:>7}",
            df.rows,
            df.wall,
            df.peak_mib,
            df.rows as f64 / df.wall.max(1e-9),
            df.analyses_s,
            ddb.wall,
            ddb.peak_mib,
            ddb.analyses_s,
            df.wall / ddb.wall.max(1e-9),
            df.analyses_s / ddb.analyses_s.max(1e-9),
            x_time,
            x_mem,
        );
        before = Some((n, df));
    }
}
