//! Checks across rows and tables: codes valid on their date ([`codes`]), unique keys
//! ([`keys`]), references that resolve ([`references`]).

mod codes;
mod keys;
mod references;

pub use codes::{check_codes, check_return_codes};
pub use keys::{KeyLookup, check_key, hashed_rows, report_repeats};
pub use references::{check_references, distinct_values};

use super::table::{LoadedTable, date32};
use crate::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
};

/// The arrays of one column across all batches, in row order.
fn column_chunks<'a>(t: &'a LoadedTable, name: &str) -> Vec<&'a ArrayRef> {
    let lower = name.to_ascii_lowercase();
    match t.schema.index_of(&lower) {
        Ok(i) => t.batches.iter().map(|b| b.column(i)).collect(),
        Err(_) => vec![],
    }
}

/// A cell as text, for messages and key sets.
pub fn cell_text(array: &ArrayRef, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<Int64Array>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        Some(a.value(i).to_string())
    } else {
        any.downcast_ref::<Date32Array>()
            .map(|a| date32(a.value(i)).to_string())
    }
}
