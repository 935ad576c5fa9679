//! Benchmark: cohort at scale (issue 16). For each size in `COHORT_SCALE` (children, default
//! `2000,5000,10000`) it generates 5 years as Parquet, then runs every analysis with
//! `cohort run --no-history`, each run in its own process under `/usr/bin/time` so that a
//! peak-memory figure is that run's own:
//!
//! - **first**: DataFusion with an empty validated-data cache (every file read and checked,
//!   then kept in the cache);
//! - **again**: DataFusion over the same unchanged files (the cache stands in for them, and
//!   attendance is scanned from its cached Parquet file); every run's kept results are removed
//!   first, so each run runs every analysis it names;
//! - **headline**: DataFusion over the cache running only `attendance/absence_by_term` (and
//!   what it needs), the headline absence figures a Polars or pandas script would compute;
//! - **duckdb**: cohort's second engine over the same cache;
//! - **raw**: the engine limit, the same SQL run directly on DuckDB over the same validated
//!   Parquet files (`benches/duckdb_replay.py`, DuckDB's Python package; skipped, saying so,
//!   when it is not installed: `pip install duckdb`);
//! - **headline on DuckDB**: the headline figures on cohort's second engine;
//! - **Polars**: the headline figures as an analyst would write them in Polars
//!   (`benches/polars_headline.py`, whole process, reading the data folder's Parquet files as
//!   they are), checked against cohort's CSV (`--check`: every count equal) so that the two
//!   computed the same thing; skipped, saying so, when Polars is not installed.
//!
//! It prints wall time and peak memory of each, the analyses' own span (from `run.json`), and
//! the ratios the targets are stated in: cohort against raw DuckDB, and each size against the
//! one before it (linear growth is a ratio of 2.0 for twice the children).
//!
//! Run with `cargo bench --bench scale` (or `COHORT_SCALE=82000 cargo bench --bench scale`);
//! it needs `/usr/bin/time` for peak memory. Generated sets are kept under
//! `$TMPDIR/cohort-scale/` and reused.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One measured process.
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

/// Runs `command` under `/usr/bin/time`, writing its report to `report`: wall s and peak MiB.
fn timed(mut command: Command, report: &Path) -> (f64, f64) {
    let status = command
        .status()
        .expect("/usr/bin/time runs (apt-get install time)");
    assert!(status.success(), "{command:?} failed");
    let text = std::fs::read_to_string(report).expect("time report");
    let mut fields = text.split_whitespace();
    let wall: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let kb: f64 = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    (wall, kb / 1024.0)
}

fn time_command(report: &Path) -> Command {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-f").arg("%e %M").arg("-o").arg(report);
    c
}

/// Runs `cohort run` in `work` (whose `.cohort/cache` is the cache) over `data` on `engine`,
/// with `extra` arguments.
fn run(
    bin: &Path,
    root: &Path,
    work: &Path,
    data: &Path,
    out: &Path,
    engine: &str,
    extra: &[&str],
) -> Measured {
    std::fs::create_dir_all(out).expect("an output folder under the scratch folder");
    // Every measured run runs its analyses: results an earlier run kept would be reused.
    if work.join(".cohort").join("cache").exists() {
        let _ = std::fs::remove_dir_all(cache_dir(work).join("results"));
    }
    let report = out.join("time.txt");
    let mut c = time_command(&report);
    c.current_dir(work)
        .arg(bin)
        .args(["run", "--no-history", "--engine", engine, "--data"])
        .arg(data)
        .arg("--queries")
        .arg(root.join("queries"))
        .arg("--out")
        .arg(out)
        .args(extra);
    let (wall, peak_mib) = timed(c, &report);
    let text = std::fs::read_to_string(out.join("run.json")).expect("run.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("run.json parses");
    Measured {
        wall,
        peak_mib,
        rows: json["rows_read"].as_u64().unwrap_or(0),
        analyses_s: analyses_span(&json),
    }
}

/// The catalog's tables that are not in the cache (reference tables, code lists, terms,
/// params, empty optional tables), written by `cohort query` as CSV with their types.
fn dump_tables(bin: &Path, root: &Path, work: &Path, data: &Path, into: &Path) {
    std::fs::create_dir_all(into).expect("tables folder");
    let cached: Vec<String> = std::fs::read_dir(cache_dir(work))
        .expect("the cache the first run wrote")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".json")?;
            Some(stem.rsplit_once('-')?.0.to_string())
        })
        .collect();
    let query = |script: String| {
        let mut c = Command::new(bin);
        c.current_dir(work)
            .args(["query", "--no-history", "--data"])
            .arg(data)
            .arg("--queries")
            .arg(root.join("queries"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = c.spawn().expect("cohort query runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("script");
        let out = child.wait_with_output().expect("cohort query finishes");
        assert!(out.status.success(), "cohort query failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed = query(
        ".mode csv\nSELECT table_name FROM information_schema.tables WHERE table_schema = 'public';\n"
            .into(),
    );
    let mut script = String::new();
    for name in listed.lines().skip(1).map(str::trim) {
        if name.is_empty() || cached.iter().any(|c| c == name) {
            continue;
        }
        let csv = into.join(format!("{name}.csv"));
        let types = into.join(format!("{name}.types.json"));
        script.push_str(&format!(
            ".mode csv\n.output {}\nSELECT * FROM {name};\n.mode json\n.output {}\n\
             SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{name}' ORDER BY ordinal_position;\n",
            csv.display(),
            types.display()
        ));
    }
    query(script);
}

/// The validated-data cache the runs in `work` wrote: `.cohort/cache` has one folder for
/// each data folder, and a bench's work folder runs over one.
fn cache_dir(work: &Path) -> PathBuf {
    let root = work.join(".cohort").join("cache");
    std::fs::read_dir(&root)
        .expect("the cache the first run wrote")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .unwrap_or(root)
}

/// The raw DuckDB replay over the cache `work` holds, or `None` when DuckDB's Python
/// package is missing.
fn replay(bin: &Path, root: &Path, work: &Path, data: &Path, out: &Path) -> Option<Measured> {
    let available = Command::new("python3")
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        return None;
    }
    let tables = out.join("tables");
    dump_tables(bin, root, work, data, &tables);
    let report = out.join("time.txt");
    let result = out.join("replay.json");
    let mut c = time_command(&report);
    c.arg("sh")
        .arg("-c")
        .arg("python3 \"$0\" \"$1\" \"$2\" \"$3\" > \"$4\"")
        .arg(root.join("benches").join("duckdb_replay.py"))
        .arg(cache_dir(work))
        .arg(&tables)
        .arg(root.join("queries"))
        .arg(&result);
    let (wall, peak_mib) = timed(c, &report);
    let text = std::fs::read_to_string(&result).expect("replay result");
    let json: serde_json::Value = serde_json::from_str(&text).expect("replay result parses");
    Some(Measured {
        wall,
        peak_mib,
        rows: 0,
        analyses_s: json["analyses_s"].as_f64().unwrap_or(0.0),
    })
}

/// The Polars script over `data`, checked against the headline run's CSV in `headline_out`,
/// or `None` when Polars' Python package is missing.
fn polars(root: &Path, data: &Path, headline_out: &Path, out: &Path) -> Option<Measured> {
    let available = Command::new("python3")
        .args(["-c", "import polars"])
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        return None;
    }
    std::fs::create_dir_all(out).expect("an output folder under the scratch folder");
    let report = out.join("time.txt");
    let mut c = time_command(&report);
    c.arg("python3")
        .arg(root.join("benches").join("polars_headline.py"))
        .arg(data)
        .arg("--check")
        .arg(headline_out)
        .stdout(std::process::Stdio::null());
    let (wall, peak_mib) = timed(c, &report);
    Some(Measured {
        wall,
        peak_mib,
        rows: 0,
        analyses_s: wall,
    })
}

/// `wall s, peak` as the table prints it.
fn shown(m: &Measured) -> String {
    format!("{:.2} s, {:.0} MiB", m.wall, m.peak_mib)
}

/// `a / b` for time and memory, the form the targets are stated in.
fn ratio(a: &Measured, b: &Measured) -> String {
    format!(
        "{:.2} of the time, {:.2} of the memory",
        a.wall / b.wall.max(1e-9),
        a.peak_mib / b.peak_mib.max(1e-9)
    )
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_cohort"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sizes: Vec<u64> = std::env::var("COHORT_SCALE")
        .unwrap_or_else(|_| "2000,5000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let scratch = std::env::temp_dir().join("cohort-scale");
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
        let work = scratch.join(format!("work-{n}"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).expect("work folder");
        let at = |what: &str| scratch.join(format!("out-{n}-{what}"));
        let first = run(&bin, &root, &work, &data, &at("first"), "datafusion", &[]);
        let again = run(&bin, &root, &work, &data, &at("again"), "datafusion", &[]);
        let duck = run(&bin, &root, &work, &data, &at("duckdb"), "duckdb", &[]);
        let raw = replay(&bin, &root, &work, &data, &at("raw"));
        // The headline absence figures alone, what a Polars or pandas script would compute:
        // cohort's two engines over checked files, then the Polars script over the files.
        let only = ["--only", "attendance/absence_by_term"];
        let headline = run(
            &bin,
            &root,
            &work,
            &data,
            &at("headline"),
            "datafusion",
            &only,
        );
        let headline_duck = run(
            &bin,
            &root,
            &work,
            &data,
            &at("headline-duckdb"),
            "duckdb",
            &only,
        );
        let pl = polars(&root, &data, &at("headline"), &at("polars"));
        println!("{n} children x 5 years ({} rows read)", again.rows);
        println!(
            "  every analysis, first run over new files: {}",
            shown(&first)
        );
        let against_raw = match &raw {
            Some(r) => format!("raw DuckDB {}: cohort {}", shown(r), ratio(&again, r)),
            None => "raw DuckDB not run (pip install duckdb)".into(),
        };
        println!(
            "  every analysis over checked files: {} (analyses {:.2} s); {against_raw}",
            shown(&again),
            again.analyses_s
        );
        println!(
            "  every analysis on cohort's DuckDB engine: {}",
            shown(&duck)
        );
        let against_polars = match &pl {
            Some(p) => format!(
                "Polars {}: cohort {}, {:.2} times as fast",
                shown(p),
                ratio(&headline, p),
                p.wall / headline.wall.max(1e-9)
            ),
            None => "Polars not run (pip install polars)".into(),
        };
        println!(
            "  headline absence figures: cohort {} (DuckDB engine {}); {against_polars}",
            shown(&headline),
            shown(&headline_duck)
        );
        if let Some((m, b)) = &before {
            println!(
                "  growth from {m} children ({:.2} times the children): {:.2} times the time, {:.2} the memory",
                n as f64 / *m as f64,
                again.wall / b.wall.max(1e-9),
                again.peak_mib / b.peak_mib.max(1e-9)
            );
        }
        before = Some((n, again));
    }
}
