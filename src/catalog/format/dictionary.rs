//! Text read from a Parquet file's dictionary pages as it is stored: the dictionary's strings
//! once and each row's index into them, so that a check looks at each distinct string once
//! (a mark, a session, a school, a child) rather than at a string a row.

use crate::arrow::datatypes::{DataType, FieldRef, Schema, SchemaRef};
use crate::catalog::columns::Source;
use crate::contract::calendar::CalendarColumn;
use crate::contract::{Column, ColumnType, Table};
use datafusion::parquet::arrow::arrow_reader::ArrowReaderMetadata;
use std::sync::Arc;

/// The one dictionary type a text column is kept as while it streams: 32-bit indices into
/// its strings, as Parquet's dictionary pages give them.
pub fn text_dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// Whether `col` may be given as a [`text_dictionary`]: text, and not a term or academic
/// year (whose check reads each value as text, and rewrites it).
pub(super) fn keeps_dictionary(col: &Column) -> bool {
    matches!(col.ty, ColumnType::Text) && CalendarColumn::of(col.name).is_none()
}

/// The file's schema with each string column that [`keeps_dictionary`] and that every row
/// group dictionary-encodes asked for as a [`text_dictionary`]; None when no column is, or the
/// file's columns are not flat (one Parquet column a field).
pub(super) fn dictionary_hint(
    table: &Table,
    sources: &[Source],
    metadata: &ArrowReaderMetadata,
) -> Option<SchemaRef> {
    let file_schema = metadata.schema();
    let parquet = metadata.metadata();
    if parquet.file_metadata().schema_descr().num_columns() != file_schema.fields().len() {
        return None;
    }
    let mut fields: Vec<FieldRef> = file_schema.fields().to_vec();
    let mut changed = false;
    for (col, source) in table.columns.iter().zip(sources) {
        let Source::Field(i) = source else {
            continue;
        };
        let Some(field) = fields.get(*i) else {
            continue;
        };
        let encoded = parquet
            .row_groups()
            .iter()
            .all(|g| g.column(*i).dictionary_page_offset().is_some());
        if keeps_dictionary(col) && *field.data_type() == DataType::Utf8 && encoded {
            fields[*i] = Arc::new(field.as_ref().clone().with_data_type(text_dictionary()));
            changed = true;
        }
    }
    changed.then(|| {
        Arc::new(Schema::new_with_metadata(
            fields,
            file_schema.metadata().clone(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::array::{ArrayRef, BooleanArray, StringArray};
    use crate::arrow::datatypes::Field;
    use crate::arrow::record_batch::RecordBatch;
    use crate::contract::Contract;
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::arrow::arrow_reader::ArrowReaderOptions;
    use datafusion::parquet::file::properties::WriterProperties;

    /// The hint for a `progress` file of three rows, written with Parquet's dictionary
    /// encoding on or off: each column's type in it, or None for no hint.
    fn hint(dictionary_pages: bool) -> Option<Vec<(String, DataType)>> {
        let text = |v: [&str; 3]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
        let names = [
            "child",
            "term",
            "subject",
            "judgement",
            "target",
            "on_track",
        ];
        let fields: Vec<Field> = names
            .iter()
            .map(|n| match *n {
                "on_track" => Field::new(*n, DataType::Boolean, false),
                _ => Field::new(*n, DataType::Utf8, false),
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                text(["C1", "C1", "C2"]),
                text(["2024-25-autumn", "2024-25-spring", "2024-25-autumn"]),
                text(["maths", "maths", "reading"]),
                text(["EXS", "EXS", "WTS"]),
                text(["EXS", "GDS", "EXS"]),
                Arc::new(BooleanArray::from(vec![true, false, true])),
            ],
        )
        .expect("batch");
        let props = WriterProperties::builder()
            .set_dictionary_enabled(dictionary_pages)
            .build();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("progress.parquet");
        let file = std::fs::File::create(&path).expect("create");
        let mut w = ArrowWriter::try_new(file, schema, Some(props)).expect("writer");
        w.write(&batch).expect("write");
        w.close().expect("close");
        let file = std::fs::File::open(&path).expect("open");
        let metadata =
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).expect("metadata");
        let contract = Contract::current();
        let table = contract.table("progress").expect("progress");
        let sources: Vec<Source> = (0..names.len()).map(Source::Field).collect();
        dictionary_hint(table, &sources, &metadata).map(|s| {
            s.fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect()
        })
    }

    #[test]
    fn text_columns_with_dictionary_pages_are_asked_for_as_dictionaries_but_never_terms() {
        let d = text_dictionary();
        let expected: Vec<(String, DataType)> = [
            ("child", d.clone()),
            // A term's check reads and rewrites it as text: it stays text.
            ("term", DataType::Utf8),
            ("subject", d.clone()),
            ("judgement", d.clone()),
            ("target", d),
            ("on_track", DataType::Boolean),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t))
        .collect();
        assert_eq!(hint(true), Some(expected));
        // Without dictionary pages a dictionary would have to be built row by row: no hint,
        // the file is read as text.
        assert_eq!(hint(false), None);
    }
}
