//! DfE's statistical neighbours: for each local authority, its ten nearest authorities
//! (the 2025 model, `sn_model_2025_wide.csv`), kept long as one row per neighbour.

use super::ComparatorError;

/// The file of DfE's 2025 statistical neighbour model.
pub const FILE: &str = "sn_model_2025_wide.csv";

/// The CSV header of the derived neighbours file (the `statistical_neighbours` table).
pub const HEADER: [&str; 7] = [
    "old_la_code",
    "la_name",
    "region_name",
    "rank",
    "neighbour_old_la_code",
    "closeness",
    "source_file",
];

/// One row per (authority, neighbour rank), in the file's order of authorities.
pub fn derive(path: &std::path::Path, bytes: &[u8]) -> Result<Vec<Vec<String>>, ComparatorError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let bad = |line: u64, message: String| ComparatorError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name);
    let (Some(code), Some(name), Some(region)) =
        (at("old_la_code"), at("la_name"), at("region_name"))
    else {
        return Err(bad(
            1,
            "expected columns old_la_code, la_name, region_name, SN_1 .. SN_10".into(),
        ));
    };
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(i as u64 + 2, e.to_string()))?;
        let field = |j: usize| record.get(j).unwrap_or("").trim().to_string();
        for rank in 1..=10 {
            let (Some(n), Some(p)) = (at(&format!("sn_{rank}")), at(&format!("sn_{rank}p"))) else {
                return Err(bad(1, format!("no SN_{rank} / SN_{rank}P column")));
            };
            let neighbour = field(n);
            if neighbour.is_empty() {
                continue;
            }
            if !neighbour.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad(
                    i as u64 + 2,
                    format!("SN_{rank} holds `{neighbour}`: expected an old LA code such as 874"),
                ));
            }
            out.push(vec![
                field(code),
                field(name),
                field(region),
                rank.to_string(),
                neighbour,
                field(p),
                FILE.to_string(),
            ]);
        }
    }
    Ok(out)
}

/// Reads the model from an EES-style folder file.
pub fn read(dir: &std::path::Path) -> Result<Vec<Vec<String>>, ComparatorError> {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).map_err(|e| ComparatorError::Io {
        path: path.clone(),
        message: e.to_string(),
    })?;
    derive(&path, &bytes)
}
