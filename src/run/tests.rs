use super::sql_error::locate;
use super::*;

#[test]
fn locates_the_line_a_message_names() {
    let sql = "SELECT a,\n  bogus_col\nFROM tbl";
    assert_eq!(
        locate(
            sql,
            "Schema error: No field named bogus_col. Valid fields are t.a."
        ),
        Some((2, "bogus_col".to_string()))
    );
    assert_eq!(
        locate(sql, "table 'cohort.public.tbl' not found"),
        Some((3, "tbl".to_string()))
    );
}

/// The OC2 cohort's suspension rate written by two analyses: 18 of 185 (9.73%) in one,
/// 9 of 89 (10.11%) in the other, is two answers to one figure and an error; the same
/// 9.73 from both (the same figure in two tables) is fine.
#[test]
fn two_analyses_may_not_give_one_figure_two_values() {
    let row = |analysis: &str, value: f64| {
        let mut m = MetricRow::yearly_percent("exclusions.one_plus_suspension_rate", value);
        m.analysis = analysis.into();
        m
    };
    let disagree = [
        row("a/one", 100.0 * 18.0 / 185.0),
        row("b/two", 100.0 * 9.0 / 89.0),
    ];
    let e = one_answer_per_figure(&disagree, &[]).expect_err("two answers");
    assert!(e.to_string().contains("one figure needs one answer"), "{e}");
    let agree = [
        row("a/one", 100.0 * 18.0 / 185.0),
        row("b/two", 100.0 * 18.0 / 185.0),
    ];
    assert!(one_answer_per_figure(&agree, &[]).is_ok());
}

fn analysis(id: &str, depends_on: &[&str]) -> Analysis {
    let deps: Vec<String> = depends_on.iter().map(|d| format!("\"{d}\"")).collect();
    let text = format!(
        "-- ---\n-- id = \"{id}\"\n-- version = 1\n-- title = \"t\"\n-- description = \"d\"\n\
         -- depends_on = [{}]\n-- ---\nSELECT 1 AS n\n",
        deps.join(", ")
    );
    Analysis::parse(Path::new(&format!("{id}.sql")), id, &text).expect("parses")
}

/// Wave by wave, `b/second` (second wave) could not start until `a/slow` (first wave)
/// finished; run as each is ready, it starts as soon as `b/first` is done, while `a/slow`
/// still runs on the other thread: `a/slow` waits for it (at most ten seconds) and says
/// whether it came. Results come back in wave order whatever order they finished in.
#[test]
fn an_analysis_starts_when_its_dependencies_finish_not_its_wave() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let analyses = vec![
        analysis("a/slow", &[]),
        analysis("b/first", &[]),
        analysis("b/second", &["b/first"]),
    ];
    let order: Vec<usize> = analysis::graph::waves(&analyses)
        .expect("no cycle")
        .into_iter()
        .flatten()
        .collect();
    let first_done = AtomicBool::new(false);
    let second_started = AtomicBool::new(false);
    let out = as_ready(&analyses, &order, 2, |a| {
        Ok(match a.id() {
            "a/slow" => {
                let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while !second_started.load(Ordering::SeqCst) && std::time::Instant::now() < until {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                format!("slow saw second: {}", second_started.load(Ordering::SeqCst))
            }
            "b/first" => {
                first_done.store(true, Ordering::SeqCst);
                "first".to_string()
            }
            _ => {
                second_started.store(true, Ordering::SeqCst);
                format!("second after first: {}", first_done.load(Ordering::SeqCst))
            }
        })
    })
    .expect("runs");
    assert_eq!(
        out,
        ["slow saw second: true", "first", "second after first: true"]
    );
}

/// A failed analysis stops what depends on it, and the run's error is its error.
#[test]
fn a_failed_analysis_stops_its_dependents() {
    let analyses = vec![analysis("b/first", &[]), analysis("b/second", &["b/first"])];
    let order = [0, 1];
    let ran_second = std::sync::atomic::AtomicBool::new(false);
    let e = as_ready(&analyses, &order, 2, |a| {
        if a.id() == "b/first" {
            return Err(RunError::Engine {
                engine: "test".into(),
                message: "b/first failed".into(),
            });
        }
        ran_second.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    })
    .expect_err("the first fails");
    assert!(e.to_string().contains("b/first failed"), "{e}");
    assert!(!ran_second.load(std::sync::atomic::Ordering::SeqCst));
}
