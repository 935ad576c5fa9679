//! Recognising a file's table by its columns, as DfE's 903 validator does (by the exact
//! column set, not the file name).

use crate::catalog::error::Problems;
use crate::catalog::format::parquet::ParquetBatches;
use crate::catalog::format::{Format, delimited, excel, listing, xml903};
use crate::contract::ssda903::OTHER_903_TABLES;
use crate::contract::{Contract, Origin};
use std::collections::BTreeSet;
use std::path::Path;

/// Each table's header in a file: the sheet or the XML return's table (none for CSV or
/// Parquet) and its column names.
pub type Headers = Vec<(Option<String>, Vec<String>)>;

/// The header of each table a file holds, by the file's format: a spreadsheet's sheets by
/// name, the tables of an SSDA903 XML return by name, or the one table of a CSV or Parquet
/// file (no sheet); or why it cannot be read.
pub fn headers(contract: &Contract, path: &Path) -> Result<Headers, String> {
    let one = |names: Vec<String>| vec![(None, names)];
    match Format::of(path) {
        Some(Format::Csv) => delimited::column_names(path).map(one),
        Some(Format::Parquet) => ParquetBatches::column_names(path).map(one),
        Some(Format::Spreadsheet) => {
            let known =
                |names: &[String]| !matches!(identify(contract, names), Identity::Unknown { .. });
            Ok(excel::sheet_headers(path, known)?
                .into_iter()
                .map(|(s, names)| (Some(s), names))
                .collect())
        }
        Some(Format::Xml903) => return_headers(path),
        None => Err(format!("a {} file", listing(|_| true))),
    }
}

/// The tables of an SSDA903 XML return with the columns each holds.
fn return_headers(path: &Path) -> Result<Headers, String> {
    let mut problems = Problems::default();
    let Some(ret) = xml903::read_return(path, &mut problems) else {
        let why: Vec<String> = problems.list.iter().map(|p| p.expected.clone()).collect();
        return Err(why.join("; "));
    };
    Ok(ret
        .tables()
        .into_iter()
        .map(|t| {
            let names: BTreeSet<&String> =
                ret.rows(t).iter().flat_map(|r| r.fields.keys()).collect();
            (Some(t.to_string()), names.into_iter().cloned().collect())
        })
        .collect())
}

/// What a file's columns say it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Identity {
    /// A contract table, with the file's columns the contract does not know.
    Table {
        name: &'static str,
        extra: Vec<String>,
    },
    /// A 903 table no analysis reads.
    Other903(&'static str),
    /// No table: the closest one and the columns the file lacks for it.
    Unknown {
        closest: Option<&'static str>,
        missing: Vec<String>,
    },
}

fn norm(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// The table whose every column the file has (OC2 and OC3 may lack `YEAR`, as returned);
/// the one with most columns wins, then the one with fewer extras.
pub fn identify(contract: &Contract, names: &[String]) -> Identity {
    let have: BTreeSet<String> = names.iter().map(|n| norm(n)).collect();
    let mut best: Option<(&'static str, usize, usize)> = None;
    let mut closest: Option<(&'static str, Vec<String>, usize)> = None;
    for t in &contract.tables {
        let needed: Vec<&str> = t
            .columns
            .iter()
            .map(|c| c.name)
            .filter(|c| !(t.origin == Origin::Ssda903 && *c == "YEAR"))
            .collect();
        let missing: Vec<String> = needed
            .iter()
            .filter(|c| !have.contains(&norm(c)))
            .map(|c| c.to_string())
            .collect();
        let matched = needed.len() - missing.len();
        if missing.is_empty() {
            let extra = have.len() - matched.min(have.len());
            let better = match best {
                None => true,
                Some((_, m, e)) => matched > m || (matched == m && extra < e),
            };
            if better {
                best = Some((t.name, matched, extra));
            }
        } else if matched > 0 && closest.as_ref().is_none_or(|(_, _, m)| matched > *m) {
            closest = Some((t.name, missing, matched));
        }
    }
    if let Some((name, _, _)) = best {
        let table = contract.table(name);
        let extra = names
            .iter()
            .filter(|n| {
                table.is_some_and(|t| {
                    !t.columns
                        .iter()
                        .any(|c| c.name.eq_ignore_ascii_case(n.trim()))
                })
            })
            .map(|n| n.trim().to_string())
            .collect();
        return Identity::Table { name, extra };
    }
    if let Some(other) = OTHER_903_TABLES
        .iter()
        .find(|o| o.columns.iter().all(|c| have.contains(&norm(c))))
    {
        return Identity::Other903(other.name);
    }
    match closest {
        Some((name, missing, _)) => Identity::Unknown {
            closest: Some(name),
            missing,
        },
        None => Identity::Unknown {
            closest: None,
            missing: vec![],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn tables_are_recognised_by_their_columns() {
        let c = Contract::current();
        // DfE's OC2 has no YEAR.
        assert_eq!(
            identify(
                &c,
                &names(
                    "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED"
                )
            ),
            Identity::Table {
                name: "oc2",
                extra: vec![]
            }
        );
        assert_eq!(
            identify(&c, &names("child,sex,dob,ethnic,upn,mother,mc_dob,LA")),
            Identity::Table {
                name: "header",
                extra: vec!["LA".into()]
            }
        );
        assert_eq!(
            identify(&c, &names("CHILD,DOB,REVIEW,REVIEW_CODE")),
            Identity::Other903("Reviews")
        );
        match identify(&c, &names("urn,name,phase")) {
            Identity::Unknown { closest, missing } => {
                assert_eq!(closest, Some("schools"));
                assert!(missing.contains(&"in_authority".to_string()));
            }
            other => panic!("{other:?}"),
        }
    }
}
