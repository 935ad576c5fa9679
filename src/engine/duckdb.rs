//! The DuckDB engine: the catalog's Arrow tables copied into an in-memory DuckDB, so
//! every analysis can run on a second, independent SQL engine (`--engine duckdb`,
//! `cohort check --cross-engine`).
//!
//! DuckDB's Rust crate uses a newer arrow than DataFusion; tables cross between the two
//! through the Arrow C data interface, whose layout is the same in every version.

use super::limits::{self, LimitHit, Limits};
use super::{Engine, EngineError, gate};
use datafusion::arrow::array::{Array, ArrayRef, StructArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use duckdb::arrow as newer;
use duckdb::{Connection, ffi};
use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// An in-memory DuckDB; each query runs on its own connection to it, so rayon's
/// threads can query at once. Before the first query (after the catalog's tables are
/// in) it is sealed: no files, URLs or extensions, and its settings locked. Its memory
/// and spilled data are held to the process's [`Limits`], and a query running past its
/// time is interrupted.
pub struct DuckDbEngine {
    // Dropped first: the connections close before `raw` closes the database.
    conn: Mutex<Connection>,
    /// Set once the lockdown settings are applied (or failed to apply).
    sealed: OnceLock<Result<(), EngineError>>,
    raw: Mutex<RawDatabase>,
    limits: Limits,
    // Dropped last, once the database is closed.
    _spill: SpillFolder,
}

/// The engine's own folder for data DuckDB spills from memory (instead of DuckDB's default,
/// `.tmp` in the working folder), removed with the engine.
struct SpillFolder(PathBuf);

impl SpillFolder {
    fn new(limits: &Limits) -> SpillFolder {
        static ENGINES: AtomicUsize = AtomicUsize::new(0);
        let n = ENGINES.fetch_add(1, Ordering::Relaxed);
        let parent = limits.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
        SpillFolder(parent.join(format!("cohort-duckdb-{}-{n}", std::process::id())))
    }
}

impl Drop for SpillFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Interrupts the query on a connection once it has run for `time`, and again every tenth
/// of a second until it ends (an interrupt that lands before DuckDB starts is forgotten).
struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    fn start(conn: &Connection, time: Duration) -> Watchdog {
        let handle = conn.interrupt_handle();
        let (done, wait) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = fired.clone();
        let thread = std::thread::Builder::new()
            .name("cohort-duckdb-watchdog".into())
            .spawn(move || {
                let mut wait_for = time;
                while let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(wait_for) {
                    flag.store(true, Ordering::SeqCst);
                    handle.interrupt();
                    wait_for = Duration::from_millis(100);
                }
            })
            .ok();
        Watchdog {
            done: Some(done),
            thread,
            fired,
        }
    }

    /// Stops watching; whether the query was interrupted.
    fn stop(mut self) -> bool {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.fired.load(Ordering::SeqCst)
    }
}

/// The database handle, and one raw connection used only to parse and prepare (never
/// execute) user SQL, so its statement type is known before anything runs. The duckdb
/// crate's `prepare` would run every statement but the last of a chain.
struct RawDatabase {
    db: ffi::duckdb_database,
    con: ffi::duckdb_connection,
}

// SAFETY: DuckDB's database and connection handles may be used from any thread, one
// call at a time (the engine keeps this one behind a mutex).
unsafe impl Send for RawDatabase {}

impl Drop for RawDatabase {
    fn drop(&mut self) {
        // SAFETY: both handles were opened by `RawDatabase::open` and are closed once.
        unsafe {
            if !self.con.is_null() {
                ffi::duckdb_disconnect(&mut self.con);
            }
            if !self.db.is_null() {
                ffi::duckdb_close(&mut self.db);
            }
        }
    }
}

/// A C string DuckDB returned, as text.
fn c_text(p: *const c_char, otherwise: &str) -> String {
    if p.is_null() {
        otherwise.to_string()
    } else {
        // SAFETY: DuckDB returns NUL-terminated strings that live as long as their owner.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

impl RawDatabase {
    fn open() -> Result<Self, EngineError> {
        let mut raw = RawDatabase {
            db: std::ptr::null_mut(),
            con: std::ptr::null_mut(),
        };
        // SAFETY: a null path opens an in-memory database; the out-pointers are valid.
        unsafe {
            if ffi::duckdb_open(std::ptr::null(), &mut raw.db) != ffi::DuckDBSuccess {
                return Err(EngineError::new("cannot open an in-memory DuckDB"));
            }
            if ffi::duckdb_connect(raw.db, &mut raw.con) != ffi::DuckDBSuccess {
                return Err(EngineError::new("cannot connect to the in-memory DuckDB"));
            }
        }
        Ok(raw)
    }

    /// Parses and prepares `sql` (binding it to the tables, running nothing) and refuses
    /// it unless it is exactly one SELECT statement.
    fn check_one_select(&self, sql: &str) -> Result<(), EngineError> {
        let text =
            CString::new(sql).map_err(|_| EngineError::new("the SQL holds a NUL character"))?;
        struct Extracted(ffi::duckdb_extracted_statements);
        impl Drop for Extracted {
            fn drop(&mut self) {
                // SAFETY: destroyed once, as the C API asks even when extraction failed.
                unsafe { ffi::duckdb_destroy_extracted(&mut self.0) }
            }
        }
        let mut extracted = Extracted(std::ptr::null_mut());
        // SAFETY: a live connection, a NUL-terminated query and a valid out-pointer.
        let count =
            unsafe { ffi::duckdb_extract_statements(self.con, text.as_ptr(), &mut extracted.0) };
        if count == 0 {
            // SAFETY: the extracted statements object is live until `extracted` drops.
            let message = c_text(
                unsafe { ffi::duckdb_extract_statements_error(extracted.0) },
                "no SQL statement to run",
            );
            let line = sql_line(&message);
            return Err(EngineError {
                message,
                line,
                column: None,
                limit: None,
            });
        }
        if count > 1 {
            return Err(gate::refused_many(sql, count as usize));
        }
        if !gate::starts_like_query(sql) {
            return Err(gate::refused(&gate::first_word(sql), gate::first_line(sql)));
        }
        let mut prepared: ffi::duckdb_prepared_statement = std::ptr::null_mut();
        // SAFETY: index 0 exists; preparing binds the statement without executing it.
        let state = unsafe {
            ffi::duckdb_prepare_extracted_statement(self.con, extracted.0, 0, &mut prepared)
        };
        let result = if state != ffi::DuckDBSuccess {
            // SAFETY: the prepared statement holds its error until destroyed below.
            let message = c_text(
                unsafe { ffi::duckdb_prepare_error(prepared) },
                "cannot prepare the SQL",
            );
            let line = sql_line(&message);
            Err(EngineError {
                message,
                line,
                column: None,
                limit: None,
            })
        } else {
            // SAFETY: a successfully prepared statement.
            let kind = unsafe { ffi::duckdb_prepared_statement_type(prepared) };
            if kind == ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT {
                Ok(())
            } else {
                Err(gate::refused(&gate::first_word(sql), gate::first_line(sql)))
            }
        };
        // SAFETY: destroyed once; null-safe in the C API.
        unsafe { ffi::duckdb_destroy_prepare(&mut prepared) };
        result
    }
}

/// The settings that stop user SQL reaching outside the database, applied after the
/// catalog's tables are loaded and before any user SQL: no files, URLs or `ATTACH`
/// (external access), no extension installed or loaded, and no setting changed after.
const LOCKDOWN: &str = "SET enable_external_access = false; \
SET autoinstall_known_extensions = false; \
SET autoload_known_extensions = false; \
SET allow_community_extensions = false; \
SET lock_configuration = true;";

/// `text` as a SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl DuckDbEngine {
    /// An empty in-memory DuckDB with two threads that keeps insertion order, held to the
    /// limits [`limits::current`] gives.
    pub fn new() -> Result<Self, EngineError> {
        Self::with_limits(limits::current())
    }

    /// [`DuckDbEngine::new`] held to `limits`: `memory_limit`, a private `temp_directory`
    /// and, when a spill limit is set, `max_temp_directory_size`.
    pub fn with_limits(limits: Limits) -> Result<Self, EngineError> {
        let raw = RawDatabase::open()?;
        // SAFETY: `raw.db` is open and outlives the connection (see the field order).
        let conn = unsafe { Connection::open_from_raw(raw.db) }.map_err(to_error)?;
        let spill = SpillFolder::new(&limits);
        let mut settings = format!(
            "SET threads TO 2; SET preserve_insertion_order = true; \
             SET memory_limit = '{}B'; SET temp_directory = {};",
            limits.duckdb_memory(),
            literal(&spill.0.to_string_lossy())
        );
        if let Some(bytes) = limits.spill {
            settings.push_str(&format!(" SET max_temp_directory_size = '{bytes}B';"));
        }
        conn.execute_batch(&settings).map_err(to_error)?;
        Ok(DuckDbEngine {
            conn: Mutex::new(conn),
            sealed: OnceLock::new(),
            raw: Mutex::new(raw),
            limits,
            _spill: spill,
        })
    }

    /// Runs `work` on a fresh connection, interrupted once it has run for `time`; a limit
    /// that stops it is said as such, and a panic inside it is an error.
    fn within<T>(
        &self,
        time: Duration,
        work: impl FnOnce(&Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        limits::catching(|| {
            let conn = self.connection()?;
            let watchdog = Watchdog::start(&conn, time);
            let result = work(&conn);
            let interrupted = watchdog.stop();
            result.map_err(|e| {
                if interrupted {
                    EngineError::over_limit(LimitHit::Time(time), "")
                } else if e.message.contains("Out of Memory") {
                    let hit = if e.message.contains("temp_directory") {
                        LimitHit::Spill(self.limits.spill.unwrap_or(0))
                    } else {
                        LimitHit::Memory(self.limits.duckdb_memory())
                    };
                    EngineError::over_limit(hit, &e.message)
                } else {
                    e
                }
            })
        })
    }

    /// Seals the database on first use, then checks `sql` is one SELECT statement.
    fn admit(&self, sql: &str) -> Result<(), EngineError> {
        self.sealed
            .get_or_init(|| {
                let conn = self.connection()?;
                conn.execute_batch(LOCKDOWN).map_err(to_error)
            })
            .clone()?;
        let raw = self
            .raw
            .lock()
            .map_err(|_| EngineError::new("the DuckDB connection was poisoned by a panic"))?;
        raw.check_one_select(sql)
    }

    /// Creates `schema.name` with the stored types of `arrow_schema` and appends `batches`.
    fn append(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: impl Iterator<Item = Result<RecordBatch, EngineError>>,
    ) -> Result<(), EngineError> {
        let conn = self.connection()?;
        let stored: SchemaRef = Arc::new(Schema::new(
            arrow_schema
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), storable(f.data_type()), true))
                .collect::<Vec<_>>(),
        ));
        let columns = stored
            .fields()
            .iter()
            .map(|f| Ok(format!("{} {}", quote(f.name()), sql_type(f.data_type())?)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        let qualified = match schema {
            Some(s) => {
                conn.execute_batch(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(s)))
                    .map_err(to_error)?;
                format!("{}.{}", quote(s), quote(name))
            }
            None => quote(name),
        };
        conn.execute_batch(&format!(
            "CREATE OR REPLACE TABLE {qualified} ({})",
            columns.join(", ")
        ))
        .map_err(to_error)?;
        let mut appender = match schema {
            Some(s) => conn.appender_to_db(name, s),
            None => conn.appender(name),
        }
        .map_err(to_error)?;
        for batch in batches {
            let batch = batch?;
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = cast_batch(&batch, &stored)?;
            appender
                .append_record_batch(to_newer(batch)?)
                .map_err(to_error)?;
        }
        appender.flush().map_err(to_error)?;
        Ok(())
    }

    /// A fresh connection to the same database.
    fn connection(&self) -> Result<Connection, EngineError> {
        let guard = self
            .conn
            .lock()
            .map_err(|_| EngineError::new("the DuckDB connection was poisoned by a panic"))?;
        guard.try_clone().map_err(to_error)
    }
}

fn to_error(e: duckdb::Error) -> EngineError {
    let message = e.to_string();
    let line = sql_line(&message);
    EngineError {
        message,
        line,
        column: None,
        limit: None,
    }
}

/// Finds `LINE N:` in a DuckDB message.
fn sql_line(message: &str) -> Option<usize> {
    let i = message.find("LINE ")? + 5;
    let digits: String = message[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The DuckDB column type for an Arrow type (after [`storable`] has simplified it).
fn sql_type(t: &DataType) -> Result<String, EngineError> {
    use DataType::*;
    Ok(match t {
        Boolean => "BOOLEAN".into(),
        Int8 => "TINYINT".into(),
        Int16 => "SMALLINT".into(),
        Int32 => "INTEGER".into(),
        Int64 => "BIGINT".into(),
        UInt8 => "UTINYINT".into(),
        UInt16 => "USMALLINT".into(),
        UInt32 => "UINTEGER".into(),
        UInt64 => "UBIGINT".into(),
        Float32 => "FLOAT".into(),
        Float64 => "DOUBLE".into(),
        Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        Utf8 => "VARCHAR".into(),
        Date32 => "DATE".into(),
        Timestamp(TimeUnit::Microsecond, None) => "TIMESTAMP".into(),
        other => {
            return Err(EngineError::new(format!(
                "DuckDB engine: no column type for Arrow {other}"
            )));
        }
    })
}

/// The type a column is stored as in DuckDB: views, large strings and dictionaries become
/// plain strings, all-null columns become text, other timestamps microseconds.
fn storable(t: &DataType) -> DataType {
    use DataType::*;
    match t {
        Null | Utf8View | LargeUtf8 | Dictionary(_, _) => Utf8,
        Float16 => Float32,
        Date64 => Date32,
        Timestamp(_, _) => Timestamp(TimeUnit::Microsecond, None),
        other => other.clone(),
    }
}

/// Casts every column of `batch` to `schema` (made with [`storable`]).
fn cast_batch(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, EngineError> {
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| {
            if c.data_type() == f.data_type() {
                Ok(c.clone())
            } else if c.data_type() == &DataType::Null {
                Ok(new_null_array(f.data_type(), c.len()))
            } else {
                cast(c, f.data_type()).map_err(|e| EngineError::new(e.to_string()))
            }
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| EngineError::new(e.to_string()))
}

/// DataFusion's arrow → DuckDB's arrow, through the C data interface.
fn to_newer(batch: RecordBatch) -> Result<newer::record_batch::RecordBatch, EngineError> {
    let data = StructArray::from(batch).into_data();
    let (array, schema) = arrow::ffi::to_ffi(&data).map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: FFI_ArrowArray and FFI_ArrowSchema are `#[repr(C)]` structs defined by the
    // Arrow C data interface, identical in every arrow-rs version; ownership (and the
    // release callback) moves with the value.
    let (array, schema) = unsafe {
        (
            std::mem::transmute::<arrow::ffi::FFI_ArrowArray, newer::ffi::FFI_ArrowArray>(array),
            std::mem::transmute::<arrow::ffi::FFI_ArrowSchema, newer::ffi::FFI_ArrowSchema>(schema),
        )
    };
    // SAFETY: the structs were just exported from valid arrays.
    let data = unsafe { newer::ffi::from_ffi(array, &schema) }
        .map_err(|e| EngineError::new(e.to_string()))?;
    Ok(newer::array::StructArray::from(data).into())
}

/// DuckDB's arrow → DataFusion's arrow, through the C data interface.
fn to_older(batch: newer::record_batch::RecordBatch) -> Result<RecordBatch, EngineError> {
    use newer::array::Array as _;
    let data = newer::array::StructArray::from(batch).into_data();
    let (array, schema) = newer::ffi::to_ffi(&data).map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: as in `to_newer`.
    let (array, schema) = unsafe {
        (
            std::mem::transmute::<newer::ffi::FFI_ArrowArray, arrow::ffi::FFI_ArrowArray>(array),
            std::mem::transmute::<newer::ffi::FFI_ArrowSchema, arrow::ffi::FFI_ArrowSchema>(schema),
        )
    };
    // SAFETY: the structs were just exported from valid arrays.
    let data = unsafe { arrow::ffi::from_ffi(array, &schema) }
        .map_err(|e| EngineError::new(e.to_string()))?;
    Ok(StructArray::from(data).into())
}

/// A result schema from DuckDB's arrow in DataFusion's, through the C data interface.
fn older_schema(schema: &newer::datatypes::Schema) -> Result<Schema, EngineError> {
    let ffi = newer::ffi::FFI_ArrowSchema::try_from(schema)
        .map_err(|e| EngineError::new(e.to_string()))?;
    // SAFETY: as in `to_newer`: the same `#[repr(C)]` struct in both arrow versions.
    let ffi: arrow::ffi::FFI_ArrowSchema = unsafe { std::mem::transmute(ffi) };
    Schema::try_from(&ffi).map_err(|e| EngineError::new(e.to_string()))
}

/// The types DataFusion would give: DuckDB's HUGEINT sums (DECIMAL(38,0)) as BIGINT,
/// other decimals as DOUBLE, strings as plain UTF-8.
fn normalised(t: &DataType) -> DataType {
    use DataType::*;
    match t {
        Decimal128(_, 0) => Int64,
        Decimal128(_, _) | Decimal256(_, _) => Float64,
        Utf8View | LargeUtf8 => Utf8,
        other => other.clone(),
    }
}

fn normalise_schema(schema: &Schema) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), normalised(f.data_type()), true))
            .collect::<Vec<_>>(),
    ))
}

/// Runs `sql` on `conn` and returns its rows in DataFusion's arrow, with DataFusion's types.
fn fetch(conn: &Connection, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
    let mut stmt = conn.prepare(sql).map_err(to_error)?;
    let newer_batches: Vec<newer::record_batch::RecordBatch> =
        stmt.query_arrow([]).map_err(to_error)?.collect();
    let schema = normalise_schema(&older_schema(&stmt.schema())?);
    let mut out = Vec::with_capacity(newer_batches.len());
    for b in newer_batches {
        let b = to_older(b)?;
        let columns: Vec<ArrayRef> = b
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| {
                if c.data_type() == f.data_type() {
                    Ok(c.clone())
                } else {
                    cast(c, f.data_type()).map_err(|e| EngineError::new(e.to_string()))
                }
            })
            .collect::<Result<_, _>>()?;
        out.push(
            RecordBatch::try_new(schema.clone(), columns)
                .map_err(|e| EngineError::new(e.to_string()))?,
        );
    }
    out.retain(|b| b.num_rows() > 0);
    if out.is_empty() {
        out.push(RecordBatch::new_empty(schema));
    }
    Ok(out)
}

impl Engine for DuckDbEngine {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn register(
        &self,
        schema: Option<&str>,
        name: &str,
        arrow_schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<(), EngineError> {
        self.append(schema, name, arrow_schema, batches.into_iter().map(Ok))
    }

    /// Appends the file's row groups one at a time, so the table is never held twice.
    fn register_parquet(
        &self,
        name: &str,
        arrow_schema: SchemaRef,
        path: &Path,
    ) -> Result<(), EngineError> {
        let read = |e: &dyn std::fmt::Display| {
            EngineError::new(format!("cannot read {}: {e}", path.display()))
        };
        let file = std::fs::File::open(path).map_err(|e| read(&e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| read(&e))?;
        self.append(
            None,
            name,
            arrow_schema,
            reader.map(|b| b.map_err(|e| read(&e))),
        )
    }

    fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.query_within(sql, self.limits.analysis_time)
    }

    fn query_within(&self, sql: &str, time: Duration) -> Result<Vec<RecordBatch>, EngineError> {
        self.admit(sql)?;
        self.within(time, |conn| fetch(conn, sql))
    }

    fn plan(&self, sql: &str) -> Result<SchemaRef, EngineError> {
        self.admit(sql)?;
        let limited = format!(
            "SELECT * FROM ({}\n) AS planned LIMIT 0",
            sql.trim_end().trim_end_matches(';')
        );
        self.within(self.limits.analysis_time, |conn| {
            let mut stmt = conn.prepare(&limited).map_err(to_error)?;
            let _ = stmt.query_arrow([]).map_err(to_error)?.count();
            Ok(normalise_schema(&older_schema(&stmt.schema())?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Date32Array, Float64Array, Int64Array, StringArray};

    fn engine_with_table() -> DuckDbEngine {
        let engine = DuckDbEngine::new().unwrap_or_else(|e| panic!("{e}"));
        let schema = Arc::new(Schema::new(vec![
            Field::new("child_id", DataType::Utf8, false),
            Field::new("sessions", DataType::Int64, true),
            Field::new("rate", DataType::Float64, true),
            Field::new("day", DataType::Date32, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["C1", "C2", "C3"])),
                Arc::new(Int64Array::from(vec![Some(10), None, Some(4)])),
                Arc::new(Float64Array::from(vec![0.5, 0.25, 1.0])),
                Arc::new(Date32Array::from(vec![19_000, 19_001, 19_002])),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        engine
            .register(Some("roll"), "marks", schema, vec![batch])
            .unwrap_or_else(|e| panic!("{e}"));
        engine
    }

    #[test]
    fn tables_cross_to_duckdb_and_back() {
        let engine = engine_with_table();
        // sum(sessions) = 10 + 4 = 14 (HUGEINT in DuckDB, BIGINT here); avg(rate) = 1.75 / 3.
        let out = engine
            .query("SELECT sum(sessions) AS s, avg(rate) AS r, count(*) AS n, min(day) AS d FROM roll.marks")
            .unwrap_or_else(|e| panic!("{e}"));
        let t = crate::run::convert::to_table(&out);
        assert_eq!(t.columns, ["s", "r", "n", "d"]);
        assert_eq!(t.rows[0][0], crate::run::Value::Int(14));
        assert_eq!(t.rows[0][2], crate::run::Value::Int(3));
        match t.rows[0][1] {
            crate::run::Value::Float(r) => assert!((r - 1.75 / 3.0).abs() < 1e-12),
            ref other => panic!("{other:?}"),
        }
        assert_eq!(t.rows[0][3].to_string(), "2022-01-08");
    }

    #[test]
    fn only_one_select_runs_and_nothing_outside_the_database() {
        let engine = engine_with_table();
        let dir = std::env::temp_dir().join(format!("cohort-duckdb-gate-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("x.csv");
        let _ = std::fs::write(&file, "a\n1\n");
        let f = file.display().to_string();
        // Statements that are not one SELECT are refused before anything runs.
        for (sql, what, line) in [
            (
                format!("COPY (SELECT child_id FROM roll.marks) TO '{f}.out'"),
                "COPY",
                1,
            ),
            (format!("ATTACH '{f}.db' AS h"), "ATTACH", 1),
            ("INSTALL httpfs".to_string(), "INSTALL", 1),
            ("LOAD httpfs".to_string(), "LOAD", 1),
            ("SET enable_external_access = true".to_string(), "SET", 1),
            (
                format!("SELECT 1;\nCOPY (SELECT 1) TO '{f}.chained'"),
                "2 statements",
                2,
            ),
            ("\n\nCREATE TABLE t AS SELECT 1".to_string(), "CREATE", 3),
            ("DROP TABLE roll.marks".to_string(), "DROP", 1),
        ] {
            for e in [engine.query(&sql).err(), engine.plan(&sql).err()] {
                let e = e.unwrap_or_else(|| panic!("`{sql}` must be refused"));
                assert!(e.message.starts_with("refused"), "{sql}: {}", e.message);
                assert!(e.message.contains(what), "{sql}: {}", e.message);
                assert_eq!(e.line, Some(line), "{sql}");
            }
        }
        assert!(!dir.join("x.csv.out").exists() && !dir.join("x.csv.chained").exists());
        assert!(!dir.join("x.csv.db").exists());
        // SELECTs that would read files or URLs fail: external access is off.
        for sql in [
            format!("SELECT * FROM read_csv('{f}')"),
            format!("SELECT * FROM read_text('{f}')"),
            format!("SELECT * FROM '{f}'"),
            "SELECT * FROM read_csv('https://example.com/x.csv')".to_string(),
            format!("SELECT * FROM glob('{}/*')", dir.display()),
        ] {
            let e = engine
                .query(&sql)
                .err()
                .unwrap_or_else(|| panic!("`{sql}` must fail"));
            assert!(!e.message.is_empty());
        }
        // The tables are still there and still readable.
        let out = engine
            .query("SELECT count(*) AS n FROM roll.marks")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            crate::run::convert::to_table(&out).rows[0][0],
            crate::run::Value::Int(3)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_runaway_query_is_interrupted_at_its_time_and_held_to_its_memory() {
        let engine = DuckDbEngine::with_limits(Limits {
            memory: Some(64 << 20),
            ..Limits::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        let time = Duration::from_millis(500);
        let e = engine
            .query_within(
                "SELECT count(*) FROM range(1000000000000) WHERE random() >= 0",
                time,
            )
            .err()
            .unwrap_or_else(|| panic!("a trillion rows must stop"));
        assert_eq!(e.limit, Some(LimitHit::Time(time)), "{}", e.message);
        assert!(started.elapsed() < Duration::from_secs(10));
        // Every one of 50 million numbers in one list: 400 MB at least, past 64 MiB.
        let e = engine
            .query("SELECT len(list(range)) FROM range(50000000)")
            .err()
            .unwrap_or_else(|| panic!("must exceed the memory limit"));
        assert_eq!(e.limit, Some(LimitHit::Memory(64 << 20)), "{}", e.message);
        // Twenty million distinct numbers need more than 64 MiB to count: DuckDB spills them
        // to its own temporary folder (external access is off, spilling still works).
        let out = engine
            .query("SELECT count(DISTINCT range) AS n FROM range(20000000)")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            crate::run::convert::to_table(&out).rows[0][0],
            crate::run::Value::Int(20_000_000)
        );
        // The engine still answers, on a fresh connection.
        let out = engine
            .query("SELECT 1 AS x")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out[0].num_rows(), 1);
    }

    #[test]
    fn empty_results_keep_their_columns_and_errors_their_line() {
        let engine = engine_with_table();
        let out = engine
            .query("SELECT child_id FROM roll.marks WHERE sessions > 100")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out[0].num_rows(), 0);
        assert_eq!(out[0].schema().field(0).name(), "child_id");
        let err = match engine.query("SELECT child_id,\n  nonsense\nFROM roll.marks") {
            Err(e) => e,
            Ok(_) => panic!("a missing column must fail"),
        };
        assert_eq!(err.line, Some(2), "{}", err.message);
        let planned = engine
            .plan("SELECT child_id, rate FROM roll.marks")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(planned.fields().len(), 2);
    }
}
