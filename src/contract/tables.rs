//! The tables of a Virtual School's data folder, kept as data: `tables.csv` names each table
//! (table, origin, storage, required, key, references, description) and `columns.csv` holds
//! its columns, one a row (table, column, type, nullable, codes, dated_by, range,
//! description). A key lists its columns with spaces; a reference is `column=table.column`,
//! with `|` between the tables a value may match; a range is `0 to 90`.
//!
//! SSDA903 tables keep DfE's names and `dd/mm/YYYY` dates so a local authority's
//! own return can be dropped in as it is. The rest is ours, shaped like ePEP and
//! attendance-feed exports, with snake_case names and ISO dates.

use super::codes::{ShippedFileError, rows};
use super::{Column, ColumnType, DateFormat, Origin, Reference, Storage, Table};
use std::sync::LazyLock;

/// The tables, one row each, in the order the contract page lists them.
const TABLES_CSV: &str = include_str!("tables.csv");
/// Every column of every table, in each table's order.
const COLUMNS_CSV: &str = include_str!("columns.csv");

/// The two files parsed once; a mistake in them is a failure of the unit tests below.
static TABLES: LazyLock<Vec<Table>> = LazyLock::new(|| match parse(TABLES_CSV, COLUMNS_CSV) {
    Ok(tables) => tables,
    Err(e) => panic!("the contract's tables shipped with cohort are broken: {e}"),
});

/// Every table of the contract, in the order the contract page lists them.
pub fn tables() -> Vec<Table> {
    TABLES.clone()
}

/// Reads the tables and their columns; every column's table, every key and reference
/// column, every referenced table's column and every `dated_by` column must exist.
fn parse(tables: &'static str, columns: &'static str) -> Result<Vec<Table>, ShippedFileError> {
    let mut out: Vec<(usize, Table)> = Vec::new();
    for (line, row) in rows("tables.csv", tables, 7)? {
        let err = ShippedFileError::on("tables.csv", line);
        let [
            name,
            origin,
            storage,
            required,
            key,
            references,
            description,
        ] = [row[0], row[1], row[2], row[3], row[4], row[5], row[6]];
        if out.iter().any(|(_, t)| t.name == name) {
            return Err(err(format!("table `{name}` twice")));
        }
        let origin = match origin {
            "ssda903" => Origin::Ssda903,
            "local" => Origin::Local,
            "reference" => Origin::Reference,
            v => return Err(err(one_of("origin", v, "ssda903, local or reference"))),
        };
        let storage = match storage {
            "csv" => Storage::Csv,
            "parquet" => Storage::Parquet,
            v => return Err(err(one_of("storage", v, "csv or parquet"))),
        };
        let references = references
            .split_whitespace()
            .map(|r| {
                reference(r).ok_or_else(|| err(one_of("references", r, "column=table.column")))
            })
            .collect::<Result<_, _>>()?;
        out.push((
            line,
            Table {
                name,
                origin,
                storage,
                required: yes_no(required)
                    .ok_or_else(|| err(one_of("required", required, "yes or no")))?,
                description,
                columns: Vec::new(),
                key: key.split_whitespace().collect(),
                references,
            },
        ));
    }
    for (line, row) in rows("columns.csv", columns, 8)? {
        let err = ShippedFileError::on("columns.csv", line);
        let ty = match row[2] {
            "text" => ColumnType::Text,
            "integer" => ColumnType::Integer,
            "decimal" => ColumnType::Decimal,
            "boolean" => ColumnType::Boolean,
            "date_uk" => ColumnType::Date(DateFormat::Uk),
            "date_iso" => ColumnType::Date(DateFormat::Iso),
            v => {
                let known = "text, integer, decimal, boolean, date_uk or date_iso";
                return Err(err(one_of("type", v, known)));
            }
        };
        let nullable =
            yes_no(row[3]).ok_or_else(|| err(one_of("nullable", row[3], "yes or no")))?;
        let range = match row[6] {
            "" => None,
            r => Some(range(r).ok_or_else(|| err(one_of("range", r, "e.g. 0 to 90")))?),
        };
        let some = |s: &'static str| (!s.is_empty()).then_some(s);
        let Some((_, table)) = out.iter_mut().find(|(_, t)| t.name == row[0]) else {
            return Err(err(format!(
                "column `table`: value `{}`: no such table in tables.csv",
                row[0]
            )));
        };
        if table.column(row[1]).is_some() {
            return Err(err(format!("column `{}` twice in `{}`", row[1], row[0])));
        }
        if let Some(d) = some(row[5]).filter(|d| table.column(d).is_none()) {
            return Err(err(format!(
                "column `dated_by`: value `{d}`: no such column before it in `{}`",
                row[0]
            )));
        }
        table.columns.push(Column {
            name: row[1],
            ty,
            nullable,
            codes: some(row[4]),
            code_date: some(row[5]),
            range,
            description: row[7],
        });
    }
    for (line, t) in &out {
        let err = ShippedFileError::on("tables.csv", *line);
        let named = t.key.iter().chain(t.references.iter().map(|r| &r.column));
        if let Some(c) = named.into_iter().find(|c| t.column(c).is_none()) {
            return Err(err(format!(
                "`{}` has no column `{c}` in columns.csv",
                t.name
            )));
        }
        for (table, column) in t.references.iter().flat_map(|r| &r.targets) {
            let target = out.iter().find(|(_, o)| o.name == *table);
            if target.is_none_or(|(_, o)| o.column(column).is_none()) {
                return Err(err(format!(
                    "a reference to `{table}.{column}`, which no table has"
                )));
            }
        }
    }
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

/// `yes` or `no` as a flag.
fn yes_no(text: &str) -> Option<bool> {
    match text {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// A column's value that is not one of those allowed, in the files' error wording.
fn one_of(column: &str, value: &str, expected: &str) -> String {
    format!("column `{column}`: value `{value}`: expected {expected}")
}

/// `CHILD=header.CHILD|wider_cohort.child`: the column and the table columns it may match.
fn reference(text: &'static str) -> Option<Reference> {
    let (column, targets) = text.split_once('=')?;
    let targets = targets
        .split('|')
        .map(|t| {
            t.split_once('.')
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        })
        .collect::<Option<Vec<_>>>()?;
    (!column.is_empty()).then_some(Reference { column, targets })
}

/// `0 to 90`: inclusive bounds, the lower first.
fn range(text: &str) -> Option<(f64, f64)> {
    let (lo, hi) = text.split_once(" to ")?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    (lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_parse_and_hold_declarations_read_off_by_hand() {
        let tables = parse(TABLES_CSV, COLUMNS_CSV).unwrap_or_else(|e| panic!("{e}"));
        // 21 rows in tables.csv (4 SSDA903, 13 local, 4 reference); 149 in columns.csv.
        assert_eq!(tables.len(), 21);
        assert_eq!(tables.iter().map(|t| t.columns.len()).sum::<usize>(), 149);
        let table = |name: &str| {
            tables
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        // tables.csv: `episodes,ssda903,csv,yes,CHILD DECOM,CHILD=header.CHILD,...`.
        let episodes = table("episodes");
        assert_eq!(
            (episodes.origin, episodes.storage),
            (Origin::Ssda903, Storage::Csv)
        );
        assert!(episodes.required);
        assert_eq!(episodes.key, ["CHILD", "DECOM"]);
        assert_eq!(episodes.references[0].targets, [("header", "CHILD")]);
        // columns.csv: `episodes,PLACE,text,no,placement_type,DECOM,,Placement type`.
        let place = episodes.column("PLACE").unwrap_or_else(|| panic!("PLACE"));
        assert_eq!(
            (place.codes, place.code_date),
            (Some("placement_type"), Some("DECOM"))
        );
        assert_eq!(place.ty, ColumnType::Text);
        // Attendance is stored as Parquet; an enrolment's child may be looked after or not.
        assert_eq!(table("attendance").storage, Storage::Parquet);
        let enrolments = table("enrolments");
        assert_eq!(
            enrolments.references[0].targets,
            [("header", "CHILD"), ("wider_cohort", "child")]
        );
        assert_eq!(enrolments.references[1].targets, [("schools", "urn")]);
        // `suspensions,sessions,integer,no,,,0 to 90,...` and the second reason, which may
        // be empty and is checked against the code list in force on the start date.
        let suspensions = table("suspensions");
        let sessions = suspensions
            .column("sessions")
            .unwrap_or_else(|| panic!("sessions"));
        assert_eq!(
            (sessions.ty, sessions.range),
            (ColumnType::Integer, Some((0.0, 90.0)))
        );
        let reason = suspensions
            .column("reason_2")
            .unwrap_or_else(|| panic!("reason_2"));
        assert!(reason.nullable);
        assert_eq!(
            (reason.codes, reason.code_date),
            (Some("suspension_reason"), Some("start_date"))
        );
        // A negative bound: Progress 8 runs from -10 to 10.
        let p8 = table("ks4_results").column("progress8").map(|c| c.range);
        assert_eq!(p8, Some(Some((-10.0, 10.0))));
    }

    #[test]
    fn a_broken_row_names_its_file_line_and_value() {
        let tables = "table,origin,storage,required,key,references,description\n\
                      a,local,csv,yes,id,,A\n\
                      b,local,csv,no,id,id=a.id,B\n";
        let columns = "table,column,type,nullable,codes,dated_by,range,description\n\
                       a,id,text,no,,,,Id\n\
                       b,id,text,no,,,,Id\n";
        assert!(parse(tables, columns).is_ok());
        let error =
            |t: &'static str, c: &'static str| parse(t, c).map(|_| ()).unwrap_err().to_string();
        let bad_type = columns.replace("b,id,text", "b,id,txt");
        assert_eq!(
            error(tables, bad_type.leak()),
            "columns.csv:3: column `type`: value `txt`: expected text, integer, decimal, boolean, date_uk or date_iso"
        );
        let bad_range = columns.replace("b,id,text,no,,,,", "b,id,text,no,,,9 to 1,");
        assert_eq!(
            error(tables, bad_range.leak()),
            "columns.csv:3: column `range`: value `9 to 1`: expected e.g. 0 to 90"
        );
        let no_target = tables.replace("id=a.id", "id=c.id");
        assert_eq!(
            error(no_target.leak(), columns),
            "tables.csv:3: a reference to `c.id`, which no table has"
        );
        let no_key = tables.replace("a,local,csv,yes,id,", "a,local,csv,yes,code,");
        assert_eq!(
            error(no_key.leak(), columns),
            "tables.csv:2: `a` has no column `code` in columns.csv"
        );
        let no_table = columns.replace("b,id,text", "c,id,text");
        assert_eq!(
            error(tables, no_table.leak()),
            "columns.csv:3: column `table`: value `c`: no such table in tables.csv"
        );
    }
}
