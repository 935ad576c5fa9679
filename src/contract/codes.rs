//! The code lists the contract allows, with the dates each code is valid for.
//!
//! Kept as data: `code_lists.csv` names each list (id, description, source) and `codes.csv`
//! holds its codes, one a row (list, code, label, group, valid_from, valid_to; an empty date
//! is open). An analysis joins `code_lists` (registered by the catalog) rather than
//! hard-coding what a code means, so a change of guidance is a change of these files.

use super::{Code, CodeList};
use chrono::NaiveDate;
use std::sync::LazyLock;

/// The code lists, one row per list, in the order `cohort contract` prints them.
const CODE_LISTS_CSV: &str = include_str!("code_lists.csv");
/// Every code of every list, with the dates it is valid for.
const CODES_CSV: &str = include_str!("codes.csv");

/// The two files parsed once; a mistake in them is a failure of the unit tests below.
static CODE_LISTS: LazyLock<Vec<CodeList>> =
    LazyLock::new(|| match parse(CODE_LISTS_CSV, CODES_CSV) {
        Ok(lists) => lists,
        Err(e) => panic!("the contract's code lists shipped with cohort are broken: {e}"),
    });

/// Every code list of the contract.
pub fn code_lists() -> Vec<CodeList> {
    CODE_LISTS.clone()
}

/// A mistake in a file the contract ships (its code lists, its tables), naming the file,
/// line and value.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ShippedFileError {
    pub(super) file: &'static str,
    pub(super) line: usize,
    pub(super) message: String,
}

impl ShippedFileError {
    /// What makes the errors of one line of a shipped file.
    pub(super) fn on(file: &'static str, line: usize) -> impl Fn(String) -> ShippedFileError {
        move |message| ShippedFileError {
            file,
            line,
            message,
        }
    }
}

/// Reads the lists and their codes; each code's list must be named in `lists`.
fn parse(lists: &'static str, codes: &'static str) -> Result<Vec<CodeList>, ShippedFileError> {
    let mut out: Vec<CodeList> = Vec::new();
    for (line, row) in rows("code_lists.csv", lists, 3)? {
        let [id, description, source] = [row[0], row[1], row[2]];
        if out.iter().any(|l| l.id == id) {
            return Err(ShippedFileError {
                file: "code_lists.csv",
                line,
                message: format!("list `{id}` twice"),
            });
        }
        out.push(CodeList {
            id,
            description,
            source,
            codes: Vec::new(),
        });
    }
    for (line, row) in rows("codes.csv", codes, 6)? {
        let err = ShippedFileError::on("codes.csv", line);
        let date = |column: &str, text: &str| -> Result<Option<NaiveDate>, ShippedFileError> {
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    err(format!(
                        "column `{column}`: value `{text}`: expected YYYY-MM-DD"
                    ))
                })
        };
        let code = Code {
            code: row[1],
            label: row[2],
            group: row[3],
            valid_from: date("valid_from", row[4])?,
            valid_to: date("valid_to", row[5])?,
        };
        let Some(list) = out.iter_mut().find(|l| l.id == row[0]) else {
            return Err(err(format!(
                "column `list`: value `{}`: no such list in code_lists.csv",
                row[0]
            )));
        };
        list.codes.push(code);
    }
    Ok(out)
}

/// The data rows of a small CSV with `width` columns, each with its file line, as slices of
/// the text itself: a field is bare (no comma or quote) or wholly in double quotes with no
/// quote inside, which is all the shipped files need.
pub(super) fn rows(
    file: &'static str,
    text: &'static str,
    width: usize,
) -> Result<Vec<(usize, Vec<&'static str>)>, ShippedFileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let err = ShippedFileError::on(file, i + 1);
        let mut fields = Vec::with_capacity(width);
        let mut rest = line.strip_suffix('\r').unwrap_or(line);
        loop {
            let (field, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| err("a quoted field without its closing quote".into()))?;
                (&quoted[..end], &quoted[end + 1..])
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            };
            if field.contains('"') {
                return Err(err(format!("value `{field}`: a quote inside a field")));
            }
            fields.push(field);
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None if after.is_empty() => break,
                None => return Err(err(format!("`{after}` after a quoted field"))),
            }
        }
        if fields.len() != width {
            return Err(err(format!(
                "{} fields where the header has {width}",
                fields.len()
            )));
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::calendar::ymd;
    use super::*;

    #[test]
    fn the_shipped_files_parse_and_hold_codes_read_off_by_hand() {
        let lists = parse(CODE_LISTS_CSV, CODES_CSV).expect("codes.csv parses");
        assert_eq!(lists.len(), 29, "one list per row of code_lists.csv");
        assert!(lists.iter().all(|l| !l.codes.is_empty()), "no empty list");
        let find = |id: &str, code: &str, on: NaiveDate| -> Code {
            lists
                .iter()
                .find(|l| l.id == id)
                .and_then(|l| l.codes.iter().find(|c| c.code == code && c.valid_on(on)))
                .cloned()
                .unwrap_or_else(|| panic!("{id} {code} on {on}"))
        };
        // codes.csv line 2: `sex,1,Male,,,2024-03-31`.
        let one = find("sex", "1", ymd(2024, 3, 31));
        assert_eq!((one.label, one.group, one.valid_from), ("Male", "", None));
        assert_eq!(one.valid_to, Some(ymd(2024, 3, 31)));
        // A quoted label with a comma, whole.
        let e4a = find("reason_ceased", "E4A", ymd(2025, 1, 1));
        assert_eq!(e4a.label, "Returned home to live with parents, planned");
        assert_eq!(e4a.group, "home");
        // The backslash mark (PM present) under both attendance code sets.
        assert_eq!(
            find("attendance_mark", "\\", ymd(2024, 8, 18)).group,
            "present"
        );
        let pm = find("attendance_mark", "\\", ymd(2024, 8, 19));
        assert_eq!(pm.valid_from, Some(ymd(2024, 8, 19)));
        // J1 (interview) is an authorised absence from 19 August 2024 only.
        let j1 = find("attendance_mark", "J1", ymd(2024, 9, 2));
        assert_eq!(
            (j1.group, j1.valid_from),
            ("authorised", Some(ymd(2024, 8, 19)))
        );
        assert_eq!(find("ethnicity", "WBRI", ymd(2020, 1, 1)).group, "white");
        assert_eq!(
            find("unit", "per_100", ymd(2020, 1, 1)).label,
            "Rate per 100 pupils"
        );
    }

    #[test]
    fn a_broken_row_names_its_file_line_and_value() {
        let lists = "id,description,source\nsex,Sex,DfE\n";
        let bad_date = "list,code,label,group,valid_from,valid_to\nsex,M,Male,,2024-04-31,\n";
        assert_eq!(
            parse(lists, bad_date).unwrap_err().to_string(),
            "codes.csv:2: column `valid_from`: value `2024-04-31`: expected YYYY-MM-DD"
        );
        let no_list = "list,code,label,group,valid_from,valid_to\nsx,M,Male,,,\n";
        assert_eq!(
            parse(lists, no_list).unwrap_err().to_string(),
            "codes.csv:2: column `list`: value `sx`: no such list in code_lists.csv"
        );
        let short = "list,code,label,group,valid_from,valid_to\nsex,M,\"Male, or boy\"\n";
        assert_eq!(
            parse(lists, short).unwrap_err().to_string(),
            "codes.csv:2: 3 fields where the header has 6"
        );
    }

    fn list(id: &str) -> CodeList {
        code_lists()
            .into_iter()
            .find(|l| l.id == id)
            .unwrap_or_else(|| panic!("no code list {id}"))
    }

    fn valid(list: &CodeList, code: &str, date: NaiveDate) -> bool {
        list.codes
            .iter()
            .any(|c| c.code == code && c.valid_on(date))
    }

    #[test]
    fn placement_types_follow_the_collection_years() {
        let place = list("placement_type");
        // The 2024/25 return runs 1 April 2024 to 31 March 2025: H5 and P2 are still valid on
        // its last day and withdrawn from the 2025/26 return, when Z1 splits into Z11-Z14.
        let last_2425 = ymd(2025, 3, 31);
        let first_2526 = ymd(2025, 4, 1);
        for code in ["H5", "P2", "Z1"] {
            assert!(valid(&place, code, ymd(2024, 6, 1)), "{code} in 2024/25");
            assert!(valid(&place, code, last_2425), "{code} on 31 March 2025");
            assert!(!valid(&place, code, first_2526), "{code} in 2025/26");
        }
        for code in ["Z11", "Z12", "Z13", "Z14"] {
            assert!(!valid(&place, code, last_2425), "{code} before 2025/26");
            assert!(valid(&place, code, first_2526), "{code} in 2025/26");
        }
        // K3 (registered supported accommodation) from the 2024/25 return.
        assert!(!valid(&place, "K3", ymd(2024, 3, 31)));
        assert!(valid(&place, "K3", ymd(2024, 4, 1)));
    }

    #[test]
    fn sex_codes_follow_the_return_year() {
        let sex = list("sex");
        // The 2023/24 return is as at 31 March 2024: 1 and 2 only. The 2024/25 return is as
        // at 31 March 2025: M, F and U only.
        for (code, in_2324, in_2425) in [
            ("1", true, false),
            ("2", true, false),
            ("M", false, true),
            ("F", false, true),
            ("U", false, true),
        ] {
            assert_eq!(
                valid(&sex, code, ymd(2024, 3, 31)),
                in_2324,
                "{code} in 2023/24"
            );
            assert_eq!(
                valid(&sex, code, ymd(2025, 3, 31)),
                in_2425,
                "{code} in 2024/25"
            );
        }
    }

    #[test]
    fn care_leaver_accommodation_has_both_suitability_suffixes() {
        // OC3 ACCOM: each accommodation letter with 1 (suitable) and 2 (not suitable); H2
        // (deported, not suitable) is a valid code and was refused.
        let accom = list("accommodation");
        for letter in [
            "B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
        ] {
            for suffix in ["1", "2"] {
                let code = format!("{letter}{suffix}");
                assert!(accom.find(&code).is_some(), "ACCOM {code}");
            }
        }
    }

    #[test]
    fn ssda903_code_lists_match_domain_section_2() {
        // domain.md section 2, list by list.
        let codes = |id: &str| -> Vec<&'static str> {
            let mut c: Vec<&str> = list(id).codes.iter().map(|c| c.code).collect();
            c.dedup();
            c
        };
        assert_eq!(codes("rne"), ["S", "L", "P", "T", "B", "U"]);
        assert_eq!(
            codes("legal_status"),
            [
                "C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"
            ]
        );
        assert_eq!(
            codes("category_of_need"),
            ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
        );
        assert_eq!(
            codes("placement_provider"),
            ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
        );
        let rec = codes("reason_ceased");
        for code in [
            "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48",
            "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17",
        ] {
            assert!(rec.contains(&code), "REC {code}");
        }
        assert_eq!(
            codes("sdq_reason"),
            ["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]
        );
        assert_eq!(
            codes("activity"),
            [
                "F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"
            ]
        );
    }
}
