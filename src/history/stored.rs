//! How a result cell is stored, and the SHA-256 keys under which results and figures are
//! stored once however many runs repeat them.

use crate::run::{MetricRow, Value};
use sha2::{Digest, Sha256};

/// Feeds `text` to `hash` after its length, so that no two sequences of texts hash alike.
fn feed(hash: &mut Sha256, text: &str) {
    hash.update((text.len() as u64).to_le_bytes());
    hash.update(text.as_bytes());
}

/// Feeds an optional number: absent and each value distinct.
fn feed_number(hash: &mut Sha256, x: Option<f64>) {
    match x {
        None => hash.update([0]),
        Some(x) => {
            hash.update([1]);
            hash.update(x.to_bits().to_le_bytes());
        }
    }
}

/// The key a result's cells are stored under: the SHA-256 of its column names and of each
/// cell as stored (type, text and number), so equal keys mean equal stored rows.
pub(super) fn result_hash(table: &crate::run::ResultTable) -> String {
    let mut hash = Sha256::new();
    hash.update(b"result cells v3");
    hash.update((table.columns.len() as u64).to_le_bytes());
    for c in &table.columns {
        feed(&mut hash, c);
    }
    for row in &table.rows {
        hash.update((row.len() as u64).to_le_bytes());
        for v in row {
            let (kind, text, number) = cell(v);
            feed(&mut hash, kind);
            match text {
                None => hash.update([0]),
                Some(t) => {
                    hash.update([1]);
                    feed(&mut hash, &t);
                }
            }
            feed_number(&mut hash, number);
        }
    }
    hex::encode(hash.finalize())
}

/// The key a run's figures are stored under: the SHA-256 of every row in order.
pub(super) fn metrics_hash(rows: &[MetricRow]) -> String {
    let mut hash = Sha256::new();
    hash.update(b"metrics v3");
    for m in rows {
        for text in [
            &m.analysis,
            &m.metric,
            &m.time_period,
            &m.breakdown,
            &m.group,
        ] {
            feed(&mut hash, text);
        }
        for x in [m.numerator, m.denominator, m.value] {
            feed_number(&mut hash, x);
        }
        feed(&mut hash, m.unit.as_str());
    }
    hex::encode(hash.finalize())
}

/// A result cell as stored: its type, its text and, for numbers, its value.
pub(super) fn cell(v: &Value) -> (&'static str, Option<String>, Option<f64>) {
    match v {
        Value::Null => ("null", None, None),
        Value::Bool(b) => ("bool", Some(b.to_string()), None),
        Value::Int(i) => ("int", Some(i.to_string()), Some(*i as f64)),
        Value::Float(f) => ("float", Some(format!("{f:?}")), Some(*f)),
        Value::Text(s) => ("text", Some(s.clone()), None),
        Value::Date(d) => ("date", Some(d.format("%Y-%m-%d").to_string()), None),
        // The history records figures before disclosure; a suppressed cell is kept as its symbol.
        Value::Suppressed => ("text", Some(v.to_string()), None),
    }
}

/// The inverse of [`cell`].
pub(super) fn uncell(kind: &str, text: Option<String>, number: Option<f64>) -> Value {
    let text = text.unwrap_or_default();
    match kind {
        "bool" => Value::Bool(text == "true"),
        "int" => text.parse().map(Value::Int).unwrap_or(Value::Null),
        "float" => text
            .parse()
            .map(Value::Float)
            .unwrap_or(number.map_or(Value::Null, Value::Float)),
        "text" => Value::Text(text),
        "date" => chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Value::Date)
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}
