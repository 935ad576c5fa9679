//! Checks across rows and tables: codes valid on their date ([`codes`]), unique keys
//! ([`keys`]), references that resolve ([`references`]).

mod codes;
mod keys;
mod references;

pub use codes::{check_codes, check_return_codes};
pub(crate) use keys::KeyHashes;
pub use keys::{KeyLookup, check_key, hashed_rows, report_repeats};
pub use references::{check_references, distinct_values};

use super::table::{LoadedTable, date32};
use crate::arrow::array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array,
    Int64Array, StringArray,
};
use crate::arrow::datatypes::Int32Type;

/// One chunk of a text column: its strings, or (read from a Parquet file's dictionary pages)
/// a dictionary of strings and each row's index into it, so that a check can work out its
/// verdict once for each distinct string and then look it up by index.
#[derive(Clone, Copy)]
pub(crate) enum TextChunk<'a> {
    Plain(&'a StringArray),
    Dictionary {
        keys: &'a Int32Array,
        values: &'a StringArray,
    },
}

impl<'a> TextChunk<'a> {
    /// `array` as text, when it is text.
    pub(crate) fn of(array: &'a ArrayRef) -> Option<Self> {
        let any = array.as_any();
        if let Some(s) = any.downcast_ref::<StringArray>() {
            return Some(TextChunk::Plain(s));
        }
        let d = any.downcast_ref::<DictionaryArray<Int32Type>>()?;
        let values = d.values().as_any().downcast_ref::<StringArray>()?;
        Some(TextChunk::Dictionary {
            keys: d.keys(),
            values,
        })
    }

    /// Its rows.
    pub(crate) fn len(&self) -> usize {
        match self {
            TextChunk::Plain(s) => s.len(),
            TextChunk::Dictionary { keys, .. } => keys.len(),
        }
    }

    /// Row `i`'s value (None when empty).
    #[inline]
    pub(crate) fn value(&self, i: usize) -> Option<&'a str> {
        match self {
            TextChunk::Plain(s) => s.is_valid(i).then(|| s.value(i)),
            TextChunk::Dictionary { keys, values } => {
                let k = dictionary_index(keys, i)?;
                (k < values.len() && values.is_valid(k)).then(|| values.value(k))
            }
        }
    }
}

/// Row `i`'s index into its dictionary's values (None when the row is empty, or the index
/// is not one of the values', which Arrow's own checks rule out).
#[inline]
pub(crate) fn dictionary_index(keys: &Int32Array, i: usize) -> Option<usize> {
    if keys.is_null(i) {
        return None;
    }
    usize::try_from(keys.value(i)).ok()
}

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
    if let Some(d) = any.downcast_ref::<DictionaryArray<Int32Type>>() {
        let k = dictionary_index(d.keys(), i)?;
        return (k < d.values().len())
            .then(|| cell_text(d.values(), k))
            .flatten();
    }
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
