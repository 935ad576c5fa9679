//! Text columns read as string views inside DataFusion, and plain strings outside it.
//!
//! A validated table's text columns (a mark's child, school and code: short values) are
//! registered as `Utf8View`: a value of up to 12 bytes sits inside its 16-byte view, so the
//! joins and groupings over 100 million marks hash and compare views without reading a
//! string buffer, and a join's output copies views rather than the strings. What leaves the
//! engine (a result, its planned columns) has its views cast back to `Utf8`, so that the
//! rest of cohort, the results kept and the DuckDB engine see the types they always saw.

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use std::sync::Arc;

/// `schema` with every `Utf8` column (top level) as `Utf8View`: how a validated table is
/// registered.
pub(super) fn viewed_schema(schema: &Schema) -> Schema {
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8View)),
            _ => f.clone(),
        })
        .collect();
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

/// `data_type` with every string view in it (also inside a list or a struct) as `Utf8`.
fn plain_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Utf8View => DataType::Utf8,
        DataType::List(f) => DataType::List(plain_field(f)),
        DataType::LargeList(f) => DataType::LargeList(plain_field(f)),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(plain_field(f), *n),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(plain_field).collect()),
        other => other.clone(),
    }
}

fn plain_field(field: &FieldRef) -> FieldRef {
    let data_type = plain_type(field.data_type());
    if &data_type == field.data_type() {
        field.clone()
    } else {
        Arc::new(Field::clone(field).with_data_type(data_type))
    }
}

/// `schema` with its string views as `Utf8` (unchanged, shared, when it has none).
pub(super) fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<FieldRef> = schema.fields().iter().map(plain_field).collect();
    if fields
        .iter()
        .zip(schema.fields())
        .all(|(a, b)| Arc::ptr_eq(a, b))
    {
        return schema.clone();
    }
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `batches` with their string views cast to `Utf8`: a query's result as cohort reads it.
pub(super) fn plain_batches(
    batches: Vec<RecordBatch>,
) -> Result<Vec<RecordBatch>, DataFusionError> {
    batches
        .into_iter()
        .map(|batch| {
            let schema = plain_schema(&batch.schema());
            if Arc::ptr_eq(&schema, &batch.schema()) {
                return Ok(batch);
            }
            let columns = batch
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(column, field)| {
                    if column.data_type() == field.data_type() {
                        Ok(column.clone())
                    } else {
                        cast(column, field.data_type())
                    }
                })
                .collect::<Result<Vec<ArrayRef>, ArrowError>>()?;
            Ok(RecordBatch::try_new(schema, columns)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Int32Array, StringViewArray};

    #[test]
    fn views_leave_the_engine_as_plain_strings() {
        let text = Field::new("child", DataType::Utf8, true);
        let number = Field::new("n", DataType::Int32, false);
        let schema = Schema::new(vec![text, number.clone()]);
        let viewed = viewed_schema(&schema);
        assert_eq!(viewed.field(0).data_type(), &DataType::Utf8View);
        assert!(viewed.field(0).is_nullable());
        assert_eq!(viewed.field(1), &number);

        let batch = RecordBatch::try_new(
            Arc::new(viewed),
            vec![
                Arc::new(StringViewArray::from(vec![
                    Some("VS000002"),
                    None,
                    Some("a value longer than twelve bytes"),
                ])),
                Arc::new(Int32Array::from(vec![1, 2, 3])),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let plain = plain_batches(vec![batch]).unwrap_or_else(|e| panic!("{e}"));
        let column = plain[0].column(0);
        assert_eq!(column.data_type(), &DataType::Utf8);
        let strings = column
            .as_any()
            .downcast_ref::<datafusion::arrow::array::StringArray>()
            .unwrap_or_else(|| panic!("a StringArray"));
        assert_eq!(strings.value(0), "VS000002");
        assert!(strings.is_null(1));
        assert_eq!(strings.value(2), "a value longer than twelve bytes");
        assert_eq!(plain[0].schema().field(1), &number);

        // A list of views (array_agg over a viewed column) is a list of strings.
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8View, true)));
        let listed = Arc::new(Schema::new(vec![Field::new("l", list, true)]));
        let expected = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        assert_eq!(plain_schema(&listed).field(0).data_type(), &expected);
        // A schema without views is the same schema.
        let same = Arc::new(schema);
        assert!(Arc::ptr_eq(&plain_schema(&same), &same));
    }
}
