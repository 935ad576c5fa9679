//! Benchmark: the full termly report on the bundled sample-data and on a generated set of
//! 5,000 children over 5 years, without and with the run history (one holding a `cohort run`
//! of the same data). Prints wall time (median of three), peak memory and rows read, and each time as a ratio against a baseline measured in the same process (opening
//! and validating the same data folder), so figures compare across machines.
//!
//! Rendering alone (HTML, then HTML and PDF: the first PDF of the process, as a `cohort report`
//! command makes it, and warm) is timed on sample-data from one finished run, against the
//! same baseline.
//!
//! Run with `cargo bench --bench termly`.

use cohort::app::{self, Project};
use cohort::contract::AcademicYear;
use cohort::sample::{SampleConfig, SampleFormat};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod common;
use common::time;

/// Peak resident memory of this process so far (VmHWM), in MiB; 0 where /proc is absent.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn bench(label: &str, data: &Path, out: &Path) {
    let project = Project {
        data: data.to_path_buf(),
        out: out.to_path_buf(),
        ..Project::default()
    };
    let baseline = time(3, || app::open_catalog(&project).expect("catalog"));
    let report = time(3, || {
        app::report(&project, "termly-impact", None).expect("report")
    });
    // The same report recorded in a run history that already holds a `cohort run` of the
    // same data (as a Virtual School's history does): what recording adds.
    let recorded = Project {
        history: Some(out.join("history.duckdb")),
        ..project.clone()
    };
    let (run, _) = app::run_and_write(&recorded, None, None).expect("run");
    let with_history = time(3, || {
        app::report(&recorded, "termly-impact", None).expect("report")
    });
    println!(
        "{label:<28} report {:>8.3} s, recorded in the history {:>7.3} s  baseline (open data) {:>7.3} s  ratios {:>5.2}, {:>5.2}  rows read {:>10}  peak memory {:>7.1} MiB",
        report.as_secs_f64(),
        with_history.as_secs_f64(),
        baseline.as_secs_f64(),
        report.as_secs_f64() / baseline.as_secs_f64(),
        with_history.as_secs_f64() / baseline.as_secs_f64(),
        run.rows_read,
        peak_mib(),
    );
}

/// The termly report rendered from one finished run: HTML alone, then HTML and PDF.
fn bench_render(data: &Path) {
    let project = Project {
        data: data.to_path_buf(),
        ..Project::default()
    };
    let baseline = time(3, || app::open_catalog(&project).expect("catalog"));
    let (output, analyses) = app::run(&project, None, None).expect("run");
    let term = output.term;
    let template = cohort::render::ReportTemplate::load(&project.templates, "termly-impact")
        .expect("template");
    let when = app::report_time();
    // Disclosure, the document model and its writers, as `cohort report` does them.
    let render = |pdf: bool| {
        let policy = cohort::disclosure::Policy::for_audience(template.meta.audience);
        let disclosed = cohort::disclosure::disclose(policy, &output, &analyses).expect("disclose");
        let report = cohort::render::report(&template, &disclosed, &analyses, term, when, &[])
            .expect("render");
        let pdf = pdf.then(|| report.pdf(&template.path, 1).expect("typeset"));
        (report.html(), pdf)
    };
    // The first PDF is timed on its own: Typst memoises layout within a process, so later
    // renders are warm, while a `cohort report` command typesets exactly once.
    let start = Instant::now();
    std::hint::black_box(render(true));
    let cold = start.elapsed();
    let html = time(3, || render(false));
    let both = time(3, || render(true));
    let pdf_bytes = render(true).1.map_or(0, |p| p.len());
    println!(
        "{:<28} render HTML {:>6.3} s  HTML+PDF first {:>6.3} s, warm {:>6.3} s ({} KB PDF)  baseline (open data) {:>7.3} s  ratios {:.2}, {:.2} and {:.2}",
        "sample-data, analyses done",
        html.as_secs_f64(),
        cold.as_secs_f64(),
        both.as_secs_f64(),
        pdf_bytes / 1024,
        baseline.as_secs_f64(),
        html.as_secs_f64() / baseline.as_secs_f64(),
        cold.as_secs_f64() / baseline.as_secs_f64(),
        both.as_secs_f64() / baseline.as_secs_f64(),
    );
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(&root).expect("project folder");
    let scratch = std::env::temp_dir().join(format!("cohort-bench-{}", std::process::id()));
    let generated = scratch.join("data-5000x5");
    let config = SampleConfig {
        children: 5000,
        years: 5,
        seed: 7,
        format: SampleFormat::Mixed,
        last_year: AcademicYear::new(2024),
    };
    let start = Instant::now();
    let summary = app::sample(&config, &generated).expect("generate");
    let rows: u64 = summary.files.iter().map(|(_, n)| n).sum();
    println!(
        "generated 5,000 children x 5 years: {rows} rows in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    // Smallest first, so each peak-memory figure is that data set's own peak.
    bench_render(&root.join("sample-data"));
    bench(
        "sample-data (400 x 3)",
        &root.join("sample-data"),
        &scratch.join("out-sample"),
    );
    bench(
        "generated (5,000 x 5)",
        &generated,
        &scratch.join("out-5000"),
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
