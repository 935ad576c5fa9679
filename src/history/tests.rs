use super::*;
use crate::run::Value;

#[test]
fn cells_round_trip_exactly() {
    let values = [
        Value::Null,
        Value::Bool(true),
        Value::Int(-7),
        Value::Float(0.1 + 0.2),
        Value::Text("Looked after".into()),
        Value::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default()),
    ];
    for v in values {
        let (k, t, n) = cell(&v);
        assert_eq!(uncell(k, t, n), v);
    }
}
