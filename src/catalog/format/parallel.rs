//! A Parquet file written as Arrow's own writer writes it, byte for byte, with each row
//! group's columns encoded side by side on the thread pool rather than one after another.
//! Writing the validated-data cache is most of a first run's work once the checks look at
//! each distinct value once (dictionary-encoding every child, date, session and mark of 113
//! million attendance rows): on two cores its columns take both.
//!
//! It does what `ArrowWriter::write` does, in the same order, with the column writers
//! `ArrowWriter` would make (taken from it): a batch that would overrun the row group is
//! split where `ArrowWriter` splits it, each column of each piece goes to its column writer
//! in the same pieces, and a full row group is closed and appended column by column.

use crate::arrow::datatypes::SchemaRef;
use crate::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowLeafColumn, ArrowRowGroupWriterFactory,
    compute_leaves,
};
use datafusion::parquet::errors::{ParquetError, Result};
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use std::io::Write;

/// Writes record batches to a Parquet file, each row group's columns encoded in parallel;
/// the file is the one `ArrowWriter::try_new(out, schema, Some(props))` writes.
pub struct ParallelWriter<W: Write + Send> {
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    /// The row group being written: its column writers and the rows given them.
    group: Option<(Vec<ArrowColumnWriter>, usize)>,
    /// Row groups written so far.
    groups: usize,
    /// Rows a row group holds before it is closed.
    group_rows: usize,
}

impl<W: Write + Send> ParallelWriter<W> {
    /// A writer of `schema` to `out` with `props`. Size limits in bytes on a row group, and
    /// content-defined chunking, are `ArrowWriter`'s alone: refused here.
    pub fn try_new(out: W, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        if props.max_row_group_bytes().is_some() || props.content_defined_chunking().is_some() {
            return Err(ParquetError::General(
                "a row group's byte limit or content-defined chunking: written by ArrowWriter alone"
                    .into(),
            ));
        }
        let group_rows = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
        let (file, factory) =
            ArrowWriter::try_new(out, schema.clone(), Some(props))?.into_serialized_writer()?;
        Ok(ParallelWriter {
            file,
            factory,
            schema,
            group: None,
            groups: 0,
            group_rows,
        })
    }

    /// Appends `batch` (its columns of the writer's types, or dictionaries of them).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        let (writers, rows) = match &mut self.group {
            Some(g) => g,
            none => none.insert((self.factory.create_column_writers(self.groups)?, 0)),
        };
        if *rows + n > self.group_rows {
            let fits = self.group_rows - *rows;
            self.write(&batch.slice(0, fits))?;
            return self.write(&batch.slice(fits, n - fits));
        }
        let mut leaves: Vec<ArrowLeafColumn> = Vec::with_capacity(writers.len());
        for (field, column) in self.schema.fields().iter().zip(batch.columns()) {
            leaves.extend(compute_leaves(field.as_ref(), column)?);
        }
        if leaves.len() != writers.len() {
            return Err(ParquetError::General(format!(
                "a batch of {} columns for a file of {}",
                leaves.len(),
                writers.len()
            )));
        }
        writers
            .par_iter_mut()
            .zip(leaves.into_par_iter())
            .try_for_each(|(w, leaf)| w.write(&leaf))?;
        *rows += n;
        if *rows >= self.group_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// Closes the row group being written (its columns in parallel) and appends it.
    fn flush(&mut self) -> Result<()> {
        let Some((writers, _)) = self.group.take() else {
            return Ok(());
        };
        let chunks: Vec<ArrowColumnChunk> = writers
            .into_par_iter()
            .map(ArrowColumnWriter::close)
            .collect::<Result<_>>()?;
        let mut group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.groups += 1;
        Ok(())
    }

    /// Writes the last row group and the footer; the output back.
    pub fn into_inner(mut self) -> Result<W> {
        self.flush()?;
        self.file.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::array::{ArrayRef, Date32Array, DictionaryArray, Int64Array, StringArray};
    use crate::arrow::datatypes::{DataType, Field, Int32Type, Schema};
    use std::sync::Arc;

    /// `rows` rows of a child (one of 37, changing every 11 rows), a date, a mark (one of
    /// 5, or empty every 13th row) and a count: text as strings, or as dictionaries.
    fn batch(schema: &SchemaRef, first: usize, rows: usize, dictionaries: bool) -> RecordBatch {
        let child: Vec<String> = (first..first + rows)
            .map(|i| format!("child-{}", (i / 11) % 37))
            .collect();
        let mark: Vec<Option<&str>> = (first..first + rows)
            .map(|i| (i % 13 != 0).then_some(["/", "\\", "L", "U", "J1"][i % 5]))
            .collect();
        let text = |v: Vec<Option<&str>>| -> ArrayRef {
            if dictionaries {
                Arc::new(v.into_iter().collect::<DictionaryArray<Int32Type>>())
            } else {
                Arc::new(StringArray::from(v))
            }
        };
        let date: Vec<i32> = (first..first + rows)
            .map(|i| 19_900 + (i % 200) as i32)
            .collect();
        let count: Vec<i64> = (first..first + rows)
            .map(|i| (i * 7 % 1000) as i64)
            .collect();
        let columns = vec![
            text(child.iter().map(|c| Some(c.as_str())).collect()),
            Arc::new(Date32Array::from(date)) as ArrayRef,
            text(mark),
            Arc::new(Int64Array::from(count)) as ArrayRef,
        ];
        if dictionaries {
            let fields: Vec<Field> = schema
                .fields()
                .iter()
                .zip(&columns)
                .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
                .collect();
            RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch")
        } else {
            RecordBatch::try_new(schema.clone(), columns).expect("batch")
        }
    }

    #[test]
    fn the_file_is_arrow_writers_byte_for_byte_from_strings_or_dictionaries() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("child", DataType::Utf8, false),
            Field::new("date", DataType::Date32, false),
            Field::new("mark", DataType::Utf8, true),
            Field::new("count", DataType::Int64, false),
        ]));
        // 10,000 rows in batches of 777 into row groups of 3,000 and pages of at most 500
        // rows: batches split across row groups (777 x 3 = 2,331, the fourth batch crosses
        // 3,000), and a last row group of 1,000 rows closed by the footer.
        let props = || {
            WriterProperties::builder()
                .set_max_row_group_row_count(Some(3_000))
                .set_data_page_row_count_limit(500)
                .set_write_batch_size(128)
                .build()
        };
        let starts = (0..10_000).step_by(777);
        let mut arrow =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props())).expect("arrow writer");
        for first in starts.clone() {
            let rows = 777.min(10_000 - first);
            arrow
                .write(&batch(&schema, first, rows, false))
                .expect("write");
        }
        let expected = arrow.into_inner().expect("arrow file");
        for dictionaries in [false, true] {
            let mut ours =
                ParallelWriter::try_new(Vec::new(), schema.clone(), props()).expect("writer");
            for first in starts.clone() {
                let rows = 777.min(10_000 - first);
                ours.write(&batch(&schema, first, rows, dictionaries))
                    .expect("write");
            }
            let got = ours.into_inner().expect("file");
            assert!(got == expected, "dictionaries: {dictionaries}");
        }
        // Four row groups (3,000, 3,000, 3,000 and 1,000 rows).
        let file = datafusion::parquet::file::reader::SerializedFileReader::new(bytes_of(expected))
            .expect("read back");
        use datafusion::parquet::file::reader::FileReader;
        let groups: Vec<i64> = file
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, [3_000, 3_000, 3_000, 1_000]);
    }

    /// The bytes as something a Parquet reader reads.
    fn bytes_of(v: Vec<u8>) -> impl datafusion::parquet::file::reader::ChunkReader {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f.parquet");
        std::fs::write(&path, v).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        // The file stays readable once its folder is gone (it is open).
        drop(dir);
        file
    }
}
