//! The validated-data cache (issue 16): a second run over unchanged files reuses what
//! passed, a changed file is read and checked again with the tables that reference it, bad
//! data is still refused, a damaged cache entry is a miss, and every figure is the same
//! whether a table is held in memory or scanned from its cached Parquet file.

use cohort::app::{self, Project};
use cohort::catalog::CacheOptions;
use cohort::run::RunOutput;
use std::path::{Path, PathBuf};

/// A copy of sample-data in a fresh folder, with the project's queries and templates.
fn project(dir: &Path, cache: Option<CacheOptions>) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = dir.join("data");
    if !data.exists() {
        std::fs::create_dir_all(&data).expect("data folder");
        for e in std::fs::read_dir(root.join("sample-data")).expect("sample-data") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), data.join(e.file_name())).expect("copy");
        }
    }
    Project {
        data,
        queries: root.join("queries"),
        templates: root.join("report-templates"),
        cache,
        ..Default::default()
    }
}

/// Every result as CSV and every metric, so two runs compare figure by figure.
fn figures(output: &RunOutput) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = output
        .analyses
        .iter()
        .map(|a| (a.id.clone(), a.result.to_csv()))
        .collect();
    out.push((
        "metrics.csv".into(),
        cohort::run::metrics::to_csv(&output.metrics, output.term),
    ));
    out
}

fn run(p: &Project) -> RunOutput {
    app::run(p, None, None)
        .unwrap_or_else(|e| panic!("run: {e}"))
        .0
}

/// Asserts two runs gave the same figures, naming the first analysis that differs.
fn assert_same(a: &RunOutput, b: &RunOutput, what: &str) {
    let (fa, fb) = (figures(a), figures(b));
    assert_eq!(fa.len(), fb.len(), "{what}: number of results");
    for ((ia, ca), (ib, cb)) in fa.iter().zip(&fb) {
        assert_eq!(ia, ib);
        assert!(ca == cb, "{what}: `{ia}` differs");
    }
}

fn cache_in(dir: &Path, hold_rows: usize) -> CacheOptions {
    CacheOptions {
        dir: dir.join("cache"),
        hold_rows,
        reuse: true,
        // Small chunks, so a Parquet file over `hold_rows` streams in many of them.
        stream_rows: 5_000,
    }
}

#[test]
fn a_second_run_reuses_every_table_and_scanning_changes_no_figure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = run(&project(dir.path(), None));
    assert!(plain.cache.is_none(), "no cache asked for, none used");

    // hold_rows 0: every table is scanned from its cached file, the opposite of the default.
    let cached = project(dir.path(), Some(cache_in(dir.path(), 0)));
    let first = run(&cached);
    let used = first.cache.clone().expect("the cache was used");
    assert!(used.reused.is_empty(), "nothing to reuse yet: {used:?}");
    for t in ["attendance", "episodes", "header", "peps", "schools"] {
        assert!(
            used.written.contains(&t.to_string()),
            "{t} written: {used:?}"
        );
        assert!(
            used.scanned.contains(&t.to_string()),
            "{t} scanned: {used:?}"
        );
    }
    assert_same(&plain, &first, "scanned from the cache on the first run");
    // The files read are the same either way, with the same hashes and rows.
    let files = |o: &RunOutput| -> Vec<(String, String, u64)> {
        o.files
            .iter()
            .map(|f| (f.table.clone(), f.sha256.clone(), f.rows))
            .collect()
    };
    assert_eq!(files(&plain), files(&first));

    let second = run(&cached);
    let used2 = second.cache.clone().expect("the cache was used");
    assert_eq!(used2.reused, used.written, "every table reused");
    assert!(used2.written.is_empty(), "nothing rewritten: {used2:?}");
    assert_same(&plain, &second, "reused from the cache");
    assert_eq!(files(&plain), files(&second));
    // run.json (and so the history, which keeps it) says what the cache did.
    let json = serde_json::to_value(&second).expect("run.json");
    assert_eq!(json["cache"]["reused"], serde_json::json!(used.written));

    // The default threshold holds small tables in memory, read back from the cache.
    let held = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    let third = run(&held);
    let used3 = third.cache.clone().expect("cache");
    assert!(used3.scanned.is_empty(), "{used3:?}");
    assert_eq!(used3.reused, used.written);
    assert_same(&plain, &third, "held after reuse");

    // The second engine gives the same figures over scanned tables.
    let duck = Project {
        engine: cohort::engine::EngineKind::DuckDb,
        ..cached.clone()
    };
    let on_duckdb = run(&duck);
    let plain_duck = run(&Project {
        engine: cohort::engine::EngineKind::DuckDb,
        cache: None,
        ..cached
    });
    assert_same(&plain_duck, &on_duckdb, "DuckDB over the cache");
}

#[test]
fn a_changed_file_is_checked_again_with_the_tables_that_reference_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    run(&p);
    // Same rows, one more line end: a different file, so a different hash.
    let schools = p.data.join("schools.csv");
    let mut text = std::fs::read_to_string(&schools).expect("schools.csv");
    text.push('\n');
    std::fs::write(&schools, text).expect("rewrite");
    let used = run(&p).cache.expect("cache");
    assert!(used.written.contains(&"schools".to_string()), "{used:?}");
    // Tables whose `urn` must resolve in schools depend on its file too.
    for t in ["enrolments", "peps"] {
        assert!(used.written.contains(&t.to_string()), "{t}: {used:?}");
    }
    // Tables that reference only children stay reused.
    for t in ["header", "episodes"] {
        assert!(used.reused.contains(&t.to_string()), "{t}: {used:?}");
    }
}

#[test]
fn bad_data_is_refused_after_a_good_run_and_a_damaged_entry_is_a_miss() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    run(&p);

    // Damage every cached Parquet file: the next run reads and checks the files again.
    let cache: Vec<PathBuf> = std::fs::read_dir(dir.path().join("cache"))
        .expect("cache folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    assert!(!cache.is_empty());
    for f in &cache {
        std::fs::write(f, b"not parquet").expect("damage");
    }
    let used = run(&p).cache.expect("cache");
    assert!(
        used.reused.is_empty(),
        "a damaged entry is never reused: {used:?}"
    );
    assert!(used.written.contains(&"peps".to_string()));

    // A bad date in peps.csv is reported with its file, line and column, cache or not.
    let peps = p.data.join("peps.csv");
    let text = std::fs::read_to_string(&peps).expect("peps.csv");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replacen("2022-10-16", "2022-13-16", 1);
    std::fs::write(&peps, lines.join("\n") + "\n").expect("rewrite");
    let message = match app::run(&p, None, None) {
        Ok(_) => panic!("bad data is refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        message.contains("peps.csv:2: column `due_date`"),
        "{message}"
    );
    assert!(message.contains("value `2022-13-16`"), "{message}");
}

#[test]
fn the_command_says_what_the_cache_did_and_profile_writes_each_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = project(dir.path(), None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |extra: &[&str]| -> String {
        let out = assert_cmd::Command::cargo_bin("cohort")
            .expect("the binary")
            // The cache is .cohort/cache in the working folder: here, the temp dir.
            .current_dir(dir.path())
            .env("COHORT_NO_HISTORY", "1")
            .args(["run", "--data"])
            .arg(&p.data)
            .arg("--queries")
            .arg(root.join("queries"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .args(extra)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    let first = run(&[]);
    assert!(first.contains("checked and kept in"), "{first}");
    assert!(dir.path().join(".cohort/cache").is_dir());
    let second = run(&["--profile"]);
    assert!(
        second.contains("17 tables unchanged since checked"),
        "{second}"
    );
    // Each analysis's executed plan, with the rows and time of every operator.
    let plan = std::fs::read_to_string(
        dir.path()
            .join("out/profile/attendance/sessions_by_term.txt"),
    )
    .expect("a profile for each analysis");
    assert!(
        plan.starts_with("attendance/sessions_by_term (version "),
        "{plan}"
    );
    assert!(plan.contains("output_rows="), "{plan}");
    assert!(plan.contains("elapsed_compute="), "{plan}");
    // --no-cache reads and checks everything and says nothing of a cache.
    let third = run(&["--no-cache"]);
    assert!(!third.contains("cache"), "{third}");
}

/// Rewrites sample-data's attendance.parquet with the mark of 0-based row `bad` changed to
/// `ZZ` (no attendance code) and the first row repeated at the end; returns the rows it had.
fn spoil_attendance(p: &Project, bad: usize) -> usize {
    use cohort::arrow::array::{Array, ArrayRef, StringArray};
    use cohort::arrow::compute::concat_batches;
    use cohort::arrow::record_batch::RecordBatch;
    let path = p.data.join("attendance.parquet");
    let contract = cohort::contract::Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let t = cohort::catalog::read_table_file(table, &path, &Default::default()).expect("read");
    let all = concat_batches(&t.schema, &t.batches).expect("concat");
    let i = all.schema().index_of("mark").expect("mark");
    let marks = all
        .column(i)
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("text");
    let changed: StringArray = marks
        .iter()
        .enumerate()
        .map(|(r, m)| if r == bad { Some("ZZ") } else { m })
        .collect();
    let mut columns: Vec<ArrayRef> = all.columns().to_vec();
    columns[i] = std::sync::Arc::new(changed);
    let changed = RecordBatch::try_new(all.schema(), columns).expect("batch");
    let out = concat_batches(&t.schema, &[changed.clone(), changed.slice(0, 1)]).expect("concat");
    let file = std::fs::File::create(&path).expect("create");
    let mut w =
        datafusion::parquet::arrow::ArrowWriter::try_new(file, out.schema(), None).expect("writer");
    w.write(&out).expect("write");
    w.close().expect("close");
    all.num_rows()
}

#[test]
fn a_large_parquet_file_streams_through_every_check_naming_rows_in_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    // hold_rows 1,000 and chunks of 5,000: sample-data's attendance.parquet (tens of thousands
    // of marks) streams through its checks into the cache in many chunks, never held whole.
    let p = project(dir.path(), Some(cache_in(dir.path(), 1_000)));
    let contract = cohort::contract::Contract::current();
    let table = contract.table("attendance").expect("attendance");
    let rows = cohort::catalog::read_table_file(
        table,
        &p.data.join("attendance.parquet"),
        &Default::default(),
    )
    .expect("read")
    .num_rows();
    assert!(rows > 20_000, "enough marks for several chunks: {rows}");
    let bad = rows * 3 / 4;
    assert_eq!(spoil_attendance(&p, bad), rows);
    let message = match app::run(&p, None, None) {
        Ok(_) => panic!("bad marks are refused"),
        Err(e) => e.to_string(),
    };
    // The bad code sits in a late chunk and is named by its row in the file (1-based), the
    // repeated first row by its own row (the file's last) and the row it repeats.
    assert!(
        message.contains(&format!(
            "attendance.parquet row {}: column `mark`: value `ZZ`",
            bad + 1
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "attendance.parquet row {}: column `child, date, session`",
            rows + 1
        )) && message.contains("a unique key, but it repeats row 1"),
        "{message}"
    );
    // Nothing of the refused file lands in the cache, not even a partial file.
    let left: Vec<String> = std::fs::read_dir(dir.path().join("cache"))
        .map(|d| {
            d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("attendance") || n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_streamed_table_gives_the_same_figures_and_is_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = run(&project(dir.path(), None));
    let p = project(dir.path(), Some(cache_in(dir.path(), 1_000)));
    let first = run(&p);
    let used = first.cache.clone().expect("cache");
    assert!(used.written.contains(&"attendance".to_string()), "{used:?}");
    assert!(used.scanned.contains(&"attendance".to_string()), "{used:?}");
    assert_same(&plain, &first, "streamed against held");
    let again = run(&p);
    let used = again.cache.clone().expect("cache");
    assert!(used.reused.contains(&"attendance".to_string()), "{used:?}");
    assert_same(&plain, &again, "reused against held");
}

/// The cached Parquet file of `table` in the cache folder of `p`.
fn cached_file(p: &Project, table: &str) -> PathBuf {
    let dir = &p.cache.as_ref().expect("a cache").dir;
    std::fs::read_dir(dir)
        .expect("cache folder")
        .map(|e| e.expect("entry").path())
        .find(|f| {
            f.extension().is_some_and(|e| e == "parquet")
                && f.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{table}-")))
        })
        .unwrap_or_else(|| panic!("no cached {table}"))
}

/// `peps.on_time_rate` for every term and group of a run, as `term breakdown group=value`.
fn on_time(o: &RunOutput) -> Vec<String> {
    o.metrics
        .iter()
        .filter(|m| m.metric == "peps.on_time_rate")
        .map(|m| {
            format!(
                "{} {} {}={:?}",
                m.time_period, m.breakdown, m.group, m.value
            )
        })
        .collect()
}

/// Rewrites a cached peps file with valid but false rows: every PEP completed on its due
/// date, so every PEP is on time.
fn all_on_time(file: &Path) {
    use cohort::arrow::array::ArrayRef;
    use cohort::arrow::compute::concat_batches;
    use cohort::arrow::record_batch::RecordBatch;
    let batches = {
        let f = std::fs::File::open(file).expect("open");
        datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .and_then(|b| b.build())
            .expect("reader")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows")
    };
    let schema = batches[0].schema();
    let all = concat_batches(&schema, &batches).expect("concat");
    let (due, done) = (
        schema.index_of("due_date").expect("due_date"),
        schema.index_of("completed_date").expect("completed_date"),
    );
    let mut columns: Vec<ArrayRef> = all.columns().to_vec();
    columns[done] = columns[due].clone();
    let lie = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(file).expect("create"),
        schema,
        None,
    )
    .expect("writer");
    w.write(&lie).expect("write");
    w.close().expect("close");
}

/// Sets the SHA-256 a cache manifest records to the hash of its file as it now is: what an
/// unverified cache could not tell from the file it wrote.
fn vouch_for(file: &Path) {
    use sha2::{Digest, Sha256};
    let meta = file.with_extension("json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).expect("manifest")).expect("json");
    m["sha256"] = hex::encode(Sha256::digest(std::fs::read(file).expect("file"))).into();
    std::fs::write(&meta, m.to_string()).expect("manifest");
}

#[test]
fn a_cached_table_with_valid_but_false_rows_is_refused_rechecked_and_the_figure_is_the_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truth = run(&project(dir.path(), None));
    let p = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    run(&p);
    let truth_rate = on_time(&truth);
    assert!(!truth_rate.is_empty());
    assert!(
        !truth_rate.iter().all(|r| r.ends_with("=Some(100.0)")),
        "some PEPs are late in the sample: {truth_rate:?}"
    );

    let file = cached_file(&p, "peps");
    all_on_time(&file);
    // Warned about: the table, the cache file, and that it was read and checked again.
    let catalog = app::open_catalog(&p).expect("open");
    let warning = catalog
        .notes
        .iter()
        .find(|n| n.contains("cache's copy of table `peps`"))
        .unwrap_or_else(|| panic!("a warning: {:?}", catalog.notes));
    assert!(warning.contains(&file.display().to_string()), "{warning}");
    assert!(warning.contains("is not what was written"), "{warning}");
    assert!(
        warning.contains("was read and checked again from") && warning.contains("peps.csv"),
        "{warning}"
    );
    let used = catalog.cache.clone().expect("cache");
    assert!(!used.reused.contains(&"peps".to_string()), "{used:?}");
    assert_eq!(used.rejected.len(), 1, "{used:?}");
    assert_eq!(used.rejected[0].table, "peps");

    // The entry was written again from peps.csv; tamper again and run: the truth.
    all_on_time(&file);
    let after = run(&p);
    assert_eq!(on_time(&after), truth_rate);
    assert_same(&truth, &after, "after a tampered entry");

    // The control: had the manifest vouched for the false rows (what a cache that checks no
    // hash amounts to), every PEP would have been on time. So the rows above were false.
    all_on_time(&file);
    vouch_for(&file);
    // Kept results are keyed by the data files' hashes, unchanged here, so they would stand
    // in for the table: forget them, so that this run reads the vouched-for rows.
    if let Some(c) = &p.cache {
        let _ = std::fs::remove_dir_all(c.dir.join("results"));
    }
    let fooled = run(&p);
    assert!(
        on_time(&fooled).iter().all(|r| r.ends_with("=Some(100.0)")),
        "{:?}",
        on_time(&fooled)
    );
}

#[test]
fn a_bit_flipped_anywhere_in_a_cached_file_is_caught_and_the_table_read_again() {
    use cohort::arrow::compute::concat_batches;
    let dir = tempfile::tempdir().expect("temp dir");
    let p = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    run(&p);
    let rows = |c: &cohort::catalog::Catalog, t: &str| {
        let t = c.table(t).expect("table");
        concat_batches(&t.schema, t.rows().expect("rows").iter()).expect("concat")
    };
    let truth = {
        let fresh = Project {
            cache: None,
            ..p.clone()
        };
        let c = app::open_catalog(&fresh).expect("open");
        (rows(&c, "episodes"), rows(&c, "peps"))
    };
    // 30 flips spread over the whole of each file (a fixed sequence, so a failure repeats),
    // from the magic bytes through the pages to the footer.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for k in 0..30 {
        let table = if k % 2 == 0 { "episodes" } else { "peps" };
        let file = cached_file(&p, table);
        let mut bytes = std::fs::read(&file).expect("read");
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bit = (state % (bytes.len() as u64 * 8)) as usize;
        bytes[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&file, &bytes).expect("flip");
        let c = app::open_catalog(&p).unwrap_or_else(|e| panic!("flip {k}: {e}"));
        let used = c.cache.clone().expect("cache");
        assert!(
            used.rejected.iter().any(|r| r.table == table),
            "flip {k} (bit {bit} of {table}) was not caught: {used:?}"
        );
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains(&format!("table `{table}`"))),
            "flip {k}: {:?}",
            c.notes
        );
        assert_eq!((rows(&c, "episodes"), rows(&c, "peps")), truth, "flip {k}");
    }
}

#[test]
fn the_history_records_the_hash_of_the_cached_file_a_run_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut p = project(dir.path(), Some(cache_in(dir.path(), usize::MAX)));
    p.history = Some(dir.path().join("history.duckdb"));
    p.out = dir.path().join("out");
    app::run_and_write(&p, None, None).expect("first run");
    let (second, run_id) = app::run_and_write(&p, None, None).expect("second run");
    let run_id = run_id.expect("recorded");
    let peps = second
        .files
        .iter()
        .find(|f| f.table == "peps")
        .expect("peps");
    let file = cached_file(&p, "peps");
    assert_eq!(peps.read_from.as_deref(), Some(file.as_path()));
    let actual = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(std::fs::read(&file).expect("read")))
    };
    assert_eq!(peps.read_sha256.as_deref(), Some(actual.as_str()));
    assert_ne!(peps.read_sha256.as_deref(), Some(peps.sha256.as_str()));
    let conn = duckdb::Connection::open(dir.path().join("history.duckdb")).expect("history");
    let (read_from, read_sha256): (Option<String>, Option<String>) = conn
        .query_row(
            "SELECT read_from, read_sha256 FROM data_files WHERE run_id = ? AND table_name = 'peps'",
            [run_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    assert_eq!(read_from, Some(file.display().to_string()));
    assert_eq!(read_sha256, Some(actual));
    // The first run read peps.csv itself: nothing read from the cache is recorded.
    let first: Option<String> = conn
        .query_row(
            "SELECT read_from FROM data_files WHERE run_id = ? AND table_name = 'peps'",
            [run_id - 1],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(first, None);
}
