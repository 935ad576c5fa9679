//! SSDA903 returns as submitted: one folder per collection year (`903/2023-24/header.csv`)
//! or the year in the file name (`2024_episodes.csv`), stacked into one table each.
//!
//! Reconciliation, as the London Innovation and Improvement Alliance's 903 tools do it:
//! - every row carries its return's collection year (`YEAR` for OC2 and OC3 when the
//!   return has none: DfE's files carry none);
//! - a row whose key is reported again in a later return is replaced by the later copy
//!   (an episode open at 31 March is re-reported, with its end, the next year; the child's
//!   header comes from the latest return that has the child);
//! - an episode that ceased and a new one that started later have different start dates,
//!   so they stay two episodes;
//! - exact copies of a row within one return collapse to one; rows of one return that share
//!   a key but differ are left for the key check to report.

use super::table::LoadedTable;
use crate::arrow::array::{ArrayRef, UInt32Array};
use crate::arrow::compute::take;
use crate::arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The collection year a folder or file name gives, as the calendar year of its 31 March:
/// `2023-24`, `2023_24` or `202324` is 2024; a lone `2024` is 2024.
pub fn year_in(name: &str) -> Option<i32> {
    let b = name.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut i = 0;
    while i + 4 <= b.len() {
        let starts = (i == 0 || !digit(i - 1)) && (0..4).all(|k| digit(i + k));
        if starts && (b[i] == b'2' || b[i] == b'1') {
            let first: i32 = name[i..i + 4].parse().ok()?;
            let rest = &b[i + 4..];
            // 2023-24, 2023_24, 2023/24
            if rest.len() >= 3
                && matches!(rest[0], b'-' | b'_' | b'/')
                && rest[1].is_ascii_digit()
                && rest[2].is_ascii_digit()
                && !rest.get(3).is_some_and(|c| c.is_ascii_digit())
            {
                let second: i32 = name[i + 5..i + 7].parse().ok()?;
                if second == (first + 1) % 100 {
                    return Some(first + 1);
                }
                return None;
            }
            // 202324
            if rest.len() >= 2
                && rest[0].is_ascii_digit()
                && rest[1].is_ascii_digit()
                && !rest.get(2).is_some_and(|c| c.is_ascii_digit())
            {
                let second: i32 = name[i + 4..i + 6].parse().ok()?;
                return (second == (first + 1) % 100).then_some(first + 1);
            }
            if !digit(i + 4) && (1990..=2100).contains(&first) {
                return Some(first);
            }
        }
        i += 1;
    }
    None
}

/// A file stem with its year token and separators removed, lower case: `2024_Episodes` is `episodes`.
pub fn stem_without_year(stem: &str) -> String {
    let chars: Vec<char> = stem.to_lowercase().chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // A run of digits and separators that names a year is dropped.
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], '-' | '_')) {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if run.chars().filter(|c| c.is_ascii_digit()).count() >= 4 && year_in(&run).is_some() {
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.trim_matches(|c: char| matches!(c, '_' | '-' | ' ' | '.'))
        .to_string()
}

/// The year of a return file: from its name, else from the nearest folder that names one
/// (below `root`).
pub fn return_year(root: &Path, path: &Path) -> Option<i32> {
    let stem = path.file_stem()?.to_str()?;
    if let Some(y) = year_in(stem) {
        return Some(y);
    }
    let rel = path.strip_prefix(root).ok()?;
    rel.parent()?
        .components()
        .rev()
        .filter_map(|c| c.as_os_str().to_str())
        .find_map(year_in)
}

/// One return's copy of a table: its collection year, its file and what it held.
pub struct Return {
    pub year: i32,
    pub path: PathBuf,
    pub table: LoadedTable,
}

/// Stacks one table's returns (any order) by the rules above, keyed on `key` (column names).
pub fn stack(name: &str, key: &[&str], mut returns: Vec<Return>) -> LoadedTable {
    returns.sort_by_key(|r| r.year);
    let schema = match returns.first() {
        Some(r) => r.table.schema.clone(),
        None => {
            return LoadedTable::new(
                name,
                std::sync::Arc::new(crate::arrow::datatypes::Schema::empty()),
                vec![],
                None,
            );
        }
    };
    let key_idx: Vec<usize> = key
        .iter()
        .filter_map(|k| schema.index_of(&k.to_ascii_lowercase()).ok())
        .collect();
    // Each row's key and whole text, with its return and row within it.
    let mut latest: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<(usize, usize, String, String)> = Vec::new();
    for (r, ret) in returns.iter().enumerate() {
        let mut offset = 0;
        for batch in &ret.table.batches {
            for i in 0..batch.num_rows() {
                let cell =
                    |c: usize| super::checks::cell_text(batch.column(c), i).unwrap_or_default();
                let k: Vec<String> = key_idx.iter().map(|&c| cell(c)).collect();
                let all: Vec<String> = (0..batch.num_columns()).map(cell).collect();
                let k = k.join("\u{1f}");
                latest.insert(k.clone(), r);
                rows.push((r, offset + i, k, all.join("\u{1f}")));
            }
            offset += batch.num_rows();
        }
    }
    let mut seen: std::collections::HashSet<(usize, String)> = Default::default();
    let mut keep: Vec<Vec<u32>> = vec![vec![]; returns.len()];
    for (r, i, k, all) in rows {
        if latest.get(&k) == Some(&r) && seen.insert((r, all)) {
            keep[r].push(i as u32);
        }
    }
    let mut batches = Vec::new();
    let mut lines = Vec::new();
    let mut row_files = Vec::new();
    let mut files = Vec::new();
    for (r, (ret, kept)) in returns.iter().zip(keep).enumerate() {
        files.push(ret.path.clone());
        let batch = match ret.table.batches.as_slice() {
            [one] => one.clone(),
            many => match crate::arrow::compute::concat_batches(&schema, many) {
                Ok(b) => b,
                Err(_) => continue,
            },
        };
        let indices = UInt32Array::from(kept.clone());
        let columns: Option<Vec<ArrayRef>> = batch
            .columns()
            .iter()
            .map(|c| take(c.as_ref(), &indices, None).ok())
            .collect();
        let Some(columns) = columns else { continue };
        let Ok(b) = RecordBatch::try_new(schema.clone(), columns) else {
            continue;
        };
        for &i in &kept {
            lines.push(ret.table.position(i as usize).number());
            row_files.push(r as u32);
        }
        batches.push(b);
    }
    let mut t = LoadedTable::new(name, schema, batches, Some(lines));
    t.files = files;
    t.row_files = row_files;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_come_from_folder_and_file_names() {
        assert_eq!(year_in("2023-24"), Some(2024));
        assert_eq!(year_in("2023_24"), Some(2024));
        assert_eq!(year_in("202324"), Some(2024));
        assert_eq!(year_in("2024_episodes"), Some(2024));
        assert_eq!(year_in("episodes_2024"), Some(2024));
        assert_eq!(year_in("903 return 2022-23"), Some(2023));
        assert_eq!(year_in("2023-25"), None);
        assert_eq!(year_in("episodes"), None);
        assert_eq!(year_in("ad1"), None);
        let root = Path::new("/d");
        assert_eq!(
            return_year(root, Path::new("/d/903/2023-24/header.csv")),
            Some(2024)
        );
        assert_eq!(
            return_year(root, Path::new("/d/2025_header.csv")),
            Some(2025)
        );
        assert_eq!(return_year(root, Path::new("/d/header.csv")), None);
    }

    #[test]
    fn stems_lose_their_year() {
        assert_eq!(stem_without_year("2024_episodes"), "episodes");
        assert_eq!(stem_without_year("Episodes_2023-24"), "episodes");
        assert_eq!(stem_without_year("header"), "header");
        assert_eq!(stem_without_year("ad1"), "ad1");
    }
}
