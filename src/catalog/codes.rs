//! Codes as authorities write them: `wbri` or ` WBRI ` is the contract's `WBRI`.
//! A value is rewritten only when it matches exactly one code of its list ignoring
//! case and padding; anything else is left for the code check to report.

use super::memo::Memo;
use super::table::LoadedTable;
use crate::arrow::array::{Array, ArrayRef, DictionaryArray, StringArray};
use crate::arrow::datatypes::Int32Type;
use crate::arrow::record_batch::RecordBatch;
use crate::contract::{Contract, Table};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Rewrites every coded column of `t` to its list's spelling of each code.
pub fn normalise_codes(contract: &Contract, table: &Table, t: &mut LoadedTable) {
    for col in &table.columns {
        let Some(list) = col.codes.and_then(|id| contract.code_list(id)) else {
            continue;
        };
        let exact: HashSet<&str> = list.codes.iter().map(|c| c.code).collect();
        let mut folded: HashMap<String, Option<&'static str>> = HashMap::new();
        for c in &list.codes {
            // Two codes that differ only in case make the folded spelling ambiguous.
            let entry = folded.entry(c.code.to_lowercase()).or_insert(Some(c.code));
            if *entry != Some(c.code) {
                *entry = None;
            }
        }
        let Ok(index) = t.schema.index_of(&col.name.to_ascii_lowercase()) else {
            continue;
        };
        for batch in &mut t.batches {
            // Each distinct value worked out once: the spelling it takes, if any.
            let mut memo: Memo<Option<&'static str>> = Memo::new();
            let mut fix = |v| {
                memo.get(v, |v| {
                    if exact.contains(v) {
                        return None;
                    }
                    folded.get(&v.trim().to_lowercase()).copied().flatten()
                })
            };
            let column = batch.column(index);
            let fixed: ArrayRef =
                if let Some(d) = column.as_any().downcast_ref::<DictionaryArray<Int32Type>>() {
                    // A dictionary's values rewritten, each once; the rows keep their indices.
                    let Some(values) = d.values().as_any().downcast_ref::<StringArray>() else {
                        continue;
                    };
                    if !values.iter().flatten().any(|v| fix(v).is_some()) {
                        continue;
                    }
                    let spelt: StringArray = values
                        .iter()
                        .map(|v| v.map(|v| fix(v).unwrap_or(v).to_string()))
                        .collect();
                    match DictionaryArray::try_new(d.keys().clone(), Arc::new(spelt)) {
                        Ok(d) => Arc::new(d),
                        Err(_) => continue,
                    }
                } else if let Some(strings) = column.as_any().downcast_ref::<StringArray>() {
                    if !strings.iter().flatten().any(|v| fix(v).is_some()) {
                        continue;
                    }
                    let fixed: StringArray = strings
                        .iter()
                        .map(|v| v.map(|v| fix(v).unwrap_or(v).to_string()))
                        .collect();
                    Arc::new(fixed)
                } else {
                    continue;
                };
            let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
            columns[index] = fixed;
            if let Ok(b) = RecordBatch::try_new(batch.schema(), columns) {
                *batch = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::columns::ReadOptions;
    use crate::catalog::error::Problems;
    use std::path::Path;

    #[test]
    fn codes_in_either_case_take_the_contract_spelling() {
        let c = Contract::current();
        let header = c.table("header").unwrap();
        let text = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,m,01/05/2014,wbri,,,\nC2,F,10/10/2012, Mwbc ,,1.0,\n";
        let mut p = Problems::default();
        let mut t = crate::catalog::format::delimited::read_csv_text(
            header,
            Path::new("header.csv"),
            text,
            &ReadOptions::default(),
            &mut p,
        )
        .unwrap();
        normalise_codes(&c, header, &mut t);
        let b = &t.batches[0];
        let sex = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
        let eth = b.column(3).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!((sex.value(0), sex.value(1)), ("M", "F"));
        // The CSV reader trims padding, so ` Mwbc ` arrives as `Mwbc`.
        assert_eq!((eth.value(0), eth.value(1)), ("WBRI", "MWBC"));
    }
}
