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
