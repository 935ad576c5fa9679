//! Benchmark: reading one table from a spreadsheet beside the same rows as CSV, and
//! `cohort init` on a folder of 20 files. Prints each time (median of three) and the
//! Excel-to-CSV ratio, so figures compare across machines.
//!
//! The table is `peps` of a generated 2,000-child, 3-year set, written as CSV by the sample
//! generator and as a plain .xlsx (inline strings, dates as text) by this file.
//!
//! Run with `cargo bench --bench reading`.

use cohort::app;
use cohort::catalog::{ReadOptions, read_table_file};
use cohort::contract::{AcademicYear, Contract};
use cohort::sample::{SampleConfig, SampleFormat};
use std::io::Write;
use std::path::Path;

mod common;
use common::time;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes `csv` (comma-separated, no quoted commas) as a one-sheet .xlsx: whole numbers as
/// number cells, everything else as inline strings.
fn write_xlsx(csv: &str, path: &Path) {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, line) in csv.lines().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for cell in line.split(',') {
            if cell.is_empty() {
                sheet.push_str("<c/>");
            } else if r > 0 && cell.parse::<i64>().is_ok() {
                sheet.push_str(&format!("<c><v>{cell}</v></c>"));
            } else {
                sheet.push_str(&format!(
                    "<c t=\"inlineStr\"><is><t>{}</t></is></c>",
                    escape(cell)
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create xlsx"));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish");
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = SampleConfig {
        children: 2000,
        years: 3,
        seed: 7,
        format: SampleFormat::Csv,
        last_year: AcademicYear::new(2024),
    };
    app::sample(&config, &data).expect("generate");
    let contract = Contract::current();
    let peps = contract.table("peps").expect("peps table");
    let csv_path = data.join("peps.csv");
    let xlsx_path = dir.path().join("peps.xlsx");
    write_xlsx(
        &std::fs::read_to_string(&csv_path).expect("peps.csv"),
        &xlsx_path,
    );
    let options = ReadOptions::default();
    let csv_rows = read_table_file(peps, &csv_path, &options)
        .expect("csv reads")
        .num_rows();
    let xlsx_rows = read_table_file(peps, &xlsx_path, &options)
        .expect("xlsx reads")
        .num_rows();
    assert_eq!(csv_rows, xlsx_rows, "the same rows from both");
    let csv = time(3, || read_table_file(peps, &csv_path, &options));
    let xlsx = time(3, || read_table_file(peps, &xlsx_path, &options));
    println!(
        "peps, {csv_rows} rows: CSV {:.3} s  Excel {:.3} s  ratio (Excel / CSV) {:.2}",
        csv.as_secs_f64(),
        xlsx.as_secs_f64(),
        xlsx.as_secs_f64() / csv.as_secs_f64()
    );
    // cohort init on 20 files: the sample's 17 tables and three spreadsheets beside them.
    for i in 1..=3 {
        std::fs::copy(&xlsx_path, data.join(format!("PEP export {i}.xlsx"))).expect("copy");
    }
    let files = cohort::catalog::locate::data_files(&data).len();
    let init = time(3, || {
        let _ = std::fs::remove_file(data.join("cohort.toml"));
        app::init(&data, false).expect("init")
    });
    println!("cohort init on {files} files: {:.3} s", init.as_secs_f64());
}
