//! `cohort sample --layout returns`: the 903 tables as an authority submits them, one
//! folder per collection year (`903/2023-24/header.csv`, ...), each return as at its
//! 31 March (or the end of the data, for the year in progress).
//!
//! A return holds the episodes open at any time in its year (the earliest return also
//! holds the history before it); an episode still open at the return's date is written
//! open (no `DEC`, no `REC`) and re-reported, ended, by a later return. The header holds
//! the children with an episode in the return; OC2 and OC3 hold that year's rows without
//! `YEAR`, as DfE specifies them.

use super::SampleError;
use crate::catalog::values::DatePattern;
use crate::catalog::values::parse_date;
use crate::contract::DateFormat;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn err(path: &Path, e: impl std::fmt::Display) -> SampleError {
    SampleError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

struct Csv {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read(path: &Path) -> Result<Csv, SampleError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| err(path, e))?;
    let headers = r
        .headers()
        .map_err(|e| err(path, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        rows.push(
            rec.map_err(|e| err(path, e))?
                .iter()
                .map(str::to_string)
                .collect(),
        );
    }
    Ok(Csv { headers, rows })
}

fn write(path: &Path, headers: &[String], rows: &[Vec<String>]) -> Result<(), SampleError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).map_err(|e| err(path, e))?;
    for r in rows {
        w.write_record(r).map_err(|e| err(path, e))?;
    }
    let bytes = w.into_inner().map_err(|e| err(path, e))?;
    crate::output::write_atomic(path, &bytes).map_err(|e| err(path, e))
}

fn col(c: &Csv, name: &str) -> Result<usize, SampleError> {
    c.headers.iter().position(|h| h == name).ok_or_else(|| {
        SampleError::Settings(format!("no column {name} in the generated 903 files"))
    })
}

fn date(text: &str) -> Option<NaiveDate> {
    parse_date(text, &DatePattern::Contract(DateFormat::Uk)).ok()
}

/// The folder name of the collection year ending 31 March `year`: `2023-24` for 2024.
pub fn folder_name(year: i32) -> String {
    format!("{}-{:02}", year - 1, year % 100)
}

/// Splits the stacked 903 files in `out` into yearly returns under `out/903/`, for the
/// collection years from the one containing `window_start` to the one containing
/// `window_end` (the last as at `window_end`); removes the stacked files.
pub fn split(
    out: &Path,
    window_start: NaiveDate,
    window_end: NaiveDate,
) -> Result<Vec<(String, u64)>, SampleError> {
    let stacked: Vec<PathBuf> = ["header", "episodes", "oc2", "oc3"]
        .iter()
        .map(|t| out.join(format!("{t}.csv")))
        .collect();
    if let Some(missing) = stacked.iter().find(|p| !p.is_file()) {
        return Err(SampleError::Settings(format!(
            "--layout returns writes the 903 tables as CSV, but {} was not written (use --format mixed or csv)",
            missing.display()
        )));
    }
    let header = read(&stacked[0])?;
    let episodes = read(&stacked[1])?;
    let oc2 = read(&stacked[2])?;
    let oc3 = read(&stacked[3])?;
    let collection = |d: NaiveDate| {
        if d.month() >= 4 {
            d.year() + 1
        } else {
            d.year()
        }
    };
    let (first, last) = (collection(window_start), collection(window_end));
    let (child, decom, dec, rec) = (
        col(&episodes, "CHILD")?,
        col(&episodes, "DECOM")?,
        col(&episodes, "DEC")?,
        col(&episodes, "REC")?,
    );
    let hchild = col(&header, "CHILD")?;
    let hsex = col(&header, "SEX")?;
    let mut written = Vec::new();
    for year in first..=last {
        let start = NaiveDate::from_ymd_opt(year - 1, 4, 1).unwrap_or(window_start);
        let as_at = NaiveDate::from_ymd_opt(year, 3, 31)
            .unwrap_or(window_end)
            .min(window_end);
        let mut rows = Vec::new();
        let mut children = BTreeSet::new();
        for r in &episodes.rows {
            let Some(began) = date(&r[decom]) else {
                continue;
            };
            let ended = date(&r[dec]);
            let in_year = began <= as_at && (year == first || ended.is_none_or(|e| e >= start));
            if !in_year {
                continue;
            }
            let mut row = r.clone();
            if ended.is_some_and(|e| e > as_at) {
                row[dec].clear();
                row[rec].clear();
            }
            children.insert(r[child].clone());
            rows.push(row);
        }
        let dir = out.join("903").join(folder_name(year));
        // SEX as each return spells it: 1 and 2 up to 2023/24, M and F from 2024/25.
        let heads: Vec<Vec<String>> = header
            .rows
            .iter()
            .filter(|r| children.contains(&r[hchild]))
            .map(|r| {
                let mut r = r.clone();
                r[hsex] = sex_for_return(year, &r[hsex]);
                r
            })
            .collect();
        let mut files: BTreeMap<&str, (Vec<String>, Vec<Vec<String>>)> = BTreeMap::new();
        files.insert("header", (header.headers.clone(), heads));
        files.insert("episodes", (episodes.headers.clone(), rows));
        for (name, table) in [("oc2", &oc2), ("oc3", &oc3)] {
            let y = col(table, "YEAR")?;
            let keep: Vec<usize> = (0..table.headers.len()).filter(|&i| i != y).collect();
            let rows: Vec<Vec<String>> = table
                .rows
                .iter()
                .filter(|r| r[y] == year.to_string())
                .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
                .collect();
            let headers = keep.iter().map(|&i| table.headers[i].clone()).collect();
            files.insert(name, (headers, rows));
        }
        for (name, (headers, rows)) in files {
            let path = dir.join(format!("{name}.csv"));
            write(&path, &headers, &rows)?;
            written.push((
                format!("903/{}/{name}.csv", folder_name(year)),
                rows.len() as u64,
            ));
        }
    }
    for p in &stacked {
        std::fs::remove_file(p).map_err(|e| err(p, e))?;
    }
    Ok(written)
}

/// SEX as the return of collection year `year` spells it: 1 and 2 up to 2023/24 (`year`
/// 2024), M and F (U unchanged) from 2024/25; either spelling is accepted.
pub fn sex_for_return(year: i32, sex: &str) -> String {
    match (year <= 2024, sex) {
        (true, "M") => "1".into(),
        (true, "F") => "2".into(),
        (false, "1") => "M".into(),
        (false, "2") => "F".into(),
        (_, other) => other.into(),
    }
}

/// Escapes text for an XML element.
fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One leaf element: `<NAME>text</NAME>`, or `<NAME />` when empty.
fn leaf(out: &mut String, name: &str, value: &str) {
    if value.is_empty() {
        out.push_str(&format!("<{name} />"));
    } else {
        out.push_str(&format!("<{name}>{}</{name}>", xml_text(value)));
    }
}

/// `cohort sample --layout xml`: rewrites each yearly return that `split` wrote under
/// `out/903/<year>/` as one DfE XML return (`ssda903.xml`), as case-management systems
/// export it: a `<CHILD>` per child with its `<HEADER>` (`CHILDID`; OC3's fields; `<OC2>`
/// inside) and an `<EPISODE>` per episode (`PL` for `PLACE`). Removes the CSV files.
pub fn to_xml(out: &Path) -> Result<Vec<(String, u64)>, SampleError> {
    let root = out.join("903");
    let mut years: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| err(&root, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    years.sort();
    // Care leavers in a year's OC3 need a <CHILD> though no episode of theirs is in that
    // return: their header row comes from the returns that have it.
    let mut known: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for dir in &years {
        let h = read(&dir.join("header.csv"))?;
        let i = col(&h, "CHILD")?;
        for r in h.rows {
            known.insert(r[i].clone(), r);
        }
    }
    let mut written = Vec::new();
    for dir in years {
        let paths: Vec<PathBuf> = ["header", "episodes", "oc2", "oc3"]
            .iter()
            .map(|t| dir.join(format!("{t}.csv")))
            .collect();
        let header = read(&paths[0])?;
        let episodes = read(&paths[1])?;
        let oc2 = read(&paths[2])?;
        let oc3 = read(&paths[3])?;
        let by_child = |c: &Csv| -> Result<BTreeMap<String, Vec<Vec<String>>>, SampleError> {
            let i = col(c, "CHILD")?;
            let mut m: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
            for r in &c.rows {
                m.entry(r[i].clone()).or_default().push(r.clone());
            }
            Ok(m)
        };
        let (eps, oc2s, oc3s) = (by_child(&episodes)?, by_child(&oc2)?, by_child(&oc3)?);
        let hchild = col(&header, "CHILD")?;
        let hsex = col(&header, "SEX")?;
        let mut children: BTreeMap<&String, &Vec<String>> =
            header.rows.iter().map(|r| (&r[hchild], r)).collect();
        for id in oc2s.keys().chain(oc3s.keys()) {
            if let (false, Some(r)) = (children.contains_key(id), known.get(id)) {
                children.insert(id, r);
            }
        }
        // A care leaver's header may come from another year's return: SEX as this one
        // spells it (1/2 to 2023/24, M/F from 2024/25), or the return fails its own check.
        let year = dir
            .file_name()
            .and_then(|n| crate::catalog::returns::year_in(&n.to_string_lossy()));
        let respelt: BTreeMap<&String, Vec<String>> = children
            .iter()
            .map(|(id, r)| {
                let mut r = (*r).clone();
                if let (Some(y), Some(s)) = (year, r.get(hsex).cloned()) {
                    r[hsex] = sex_for_return(y, &s);
                }
                (*id, r)
            })
            .collect();
        let children = respelt;
        let count = children.len() as u64;
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EXPSSDA903>\n");
        for (id, h) in children {
            x.push_str("<CHILD><HEADER>");
            for (name, value) in header.headers.iter().zip(&h) {
                leaf(
                    &mut x,
                    if name == "CHILD" { "CHILDID" } else { name },
                    value,
                );
            }
            for r in oc3s.get(id).into_iter().flatten() {
                for (name, value) in oc3.headers.iter().zip(r) {
                    if !matches!(name.as_str(), "CHILD" | "DOB") {
                        leaf(&mut x, name, value);
                    }
                }
            }
            for r in oc2s.get(id).into_iter().flatten() {
                x.push_str("<OC2>");
                for (name, value) in oc2.headers.iter().zip(r) {
                    if !matches!(name.as_str(), "CHILD" | "DOB") {
                        leaf(&mut x, name, value);
                    }
                }
                x.push_str("</OC2>");
            }
            x.push_str("</HEADER>\n");
            for r in eps.get(id).into_iter().flatten() {
                x.push_str("<EPISODE>");
                for (name, value) in episodes.headers.iter().zip(r) {
                    match name.as_str() {
                        "CHILD" => {}
                        "PLACE" => leaf(&mut x, "PL", value),
                        _ => leaf(&mut x, name, value),
                    }
                }
                x.push_str("</EPISODE>\n");
            }
            x.push_str("</CHILD>\n");
        }
        x.push_str("</EXPSSDA903>\n");
        let path = dir.join("ssda903.xml");
        crate::output::write_atomic(&path, x.as_bytes()).map_err(|e| err(&path, e))?;
        for p in &paths {
            std::fs::remove_file(p).map_err(|e| err(p, e))?;
        }
        let rel = path
            .strip_prefix(out)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        written.push((rel, count));
    }
    Ok(written)
}
