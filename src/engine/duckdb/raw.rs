//! DuckDB's C API, for what the duckdb crate cannot do safely: parse and prepare user SQL
//! without running any of it, so only one SELECT statement is ever executed.

use super::sql_line;
use crate::engine::{EngineError, gate};
use duckdb::ffi;
use std::ffi::{CStr, CString, c_char};

/// The database handle, and one raw connection used only to parse and prepare (never
/// execute) user SQL, so its statement type is known before anything runs. The duckdb
/// crate's `prepare` would run every statement but the last of a chain.
pub(super) struct RawDatabase {
    pub(super) db: ffi::duckdb_database,
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
    pub(super) fn open() -> Result<Self, EngineError> {
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
    pub(super) fn check_one_select(&self, sql: &str) -> Result<(), EngineError> {
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
