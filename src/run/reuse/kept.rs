//! The entries of the result cache on disk: three files per result (the batches as Arrow IPC,
//! the typed table, and a manifest naming both files' SHA-256), written and verified here.

use super::*;

/// What the cache holds for a key.
#[derive(Debug)]
pub enum Lookup {
    /// Nothing usable under this key: run it.
    Miss,
    /// The kept result table and the batches to register for what reads it.
    Hit(ResultTable, Batches),
    /// An entry whose files are not what was written: never used.
    Tampered { file: PathBuf, reason: String },
}

/// What is kept beside a result: its key and the SHA-256 of each of its files.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    key: String,
    id: String,
    /// The Arrow IPC file of the batches registered for later analyses.
    batches_sha256: String,
    /// The result table as the renderer reads it (typed cells, in JSON).
    table_sha256: String,
}

/// The three files of an entry: the batches, the table and the manifest.
pub(super) fn paths(dir: &Path, id: &str, key: &str) -> [PathBuf; 3] {
    let stem: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let stem = format!("{stem}-{}", &key[..16.min(key.len())]);
    [
        dir.join(format!("{stem}.arrow")),
        dir.join(format!("{stem}.table.json")),
        dir.join(format!("{stem}.json")),
    ]
}

/// The entry of `id` for `key`, verified against its manifest's hashes.
pub fn find(dir: &Path, id: &str, key: &str) -> Lookup {
    let [batches_path, table_path, meta] = paths(dir, id, key);
    let Some(manifest) = crate::output::read_json::<Manifest>(&meta) else {
        return Lookup::Miss;
    };
    if manifest.key != key || manifest.id != id {
        return Lookup::Miss;
    }
    let read = |path: &Path, want: &str| -> Result<Vec<u8>, Lookup> {
        let bytes = std::fs::read(path).map_err(|e| Lookup::Tampered {
            file: path.to_path_buf(),
            reason: format!("it cannot be read ({e})"),
        })?;
        let h = hex::encode(Sha256::digest(&bytes));
        if h != want {
            return Err(Lookup::Tampered {
                file: path.to_path_buf(),
                reason: format!("its SHA-256 is {h}, not the {want} recorded when it was written"),
            });
        }
        Ok(bytes)
    };
    let batch_bytes = match read(&batches_path, &manifest.batches_sha256) {
        Ok(b) => b,
        Err(l) => return l,
    };
    let table_bytes = match read(&table_path, &manifest.table_sha256) {
        Ok(b) => b,
        Err(l) => return l,
    };
    let unreadable = |file: &Path, e: String| Lookup::Tampered {
        file: file.to_path_buf(),
        reason: format!("it has the recorded hash but cannot be read ({e})"),
    };
    let batches = match FileReader::try_new(std::io::Cursor::new(batch_bytes), None)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
    {
        Ok(b) => b,
        Err(e) => return unreadable(&batches_path, e.to_string()),
    };
    let table = match serde_json::from_slice::<KeptTable>(&table_bytes) {
        Ok(t) => t.into_table(),
        Err(e) => return unreadable(&table_path, e.to_string()),
    };
    Lookup::Hit(table, batches)
}

/// Keeps a result under `key`: the files first, then the manifest that names their hashes,
/// each renamed into place, so an interrupted write is never a hit.
pub fn store(
    dir: &Path,
    id: &str,
    key: &str,
    table: &ResultTable,
    batches: &[crate::arrow::record_batch::RecordBatch],
) -> std::io::Result<()> {
    let [batches_path, table_path, meta] = paths(dir, id, key);
    let ipc = ipc_bytes(batches).map_err(std::io::Error::other)?;
    let kept = serde_json::to_vec(&KeptTable::from_table(table)).map_err(std::io::Error::other)?;
    write_atomic(&batches_path, &ipc)?;
    write_atomic(&table_path, &kept)?;
    let manifest = Manifest {
        key: key.to_string(),
        id: id.to_string(),
        batches_sha256: hex::encode(Sha256::digest(&ipc)),
        table_sha256: hex::encode(Sha256::digest(&kept)),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    write_atomic(&meta, &json)
}

/// Batches as an Arrow IPC file (their schema kept exactly; an empty result keeps none).
pub(super) fn ipc_bytes(
    batches: &[crate::arrow::record_batch::RecordBatch],
) -> Result<Vec<u8>, crate::arrow::error::ArrowError> {
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| Arc::new(Schema::empty()));
    let mut out = Vec::new();
    {
        let mut w = FileWriter::try_new(&mut out, &schema)?;
        for b in batches {
            w.write(b)?;
        }
        w.finish()?;
    }
    Ok(out)
}

/// A result table with each cell's type spelt out, so it reads back exactly (floats as
/// their bits: NaN and the last digit survive).
#[derive(Serialize, Deserialize)]
struct KeptTable {
    columns: Vec<String>,
    rows: Vec<Vec<KeptValue>>,
}

#[derive(Serialize, Deserialize)]
enum KeptValue {
    N,
    B(bool),
    I(i64),
    F(u64),
    T(String),
    D(NaiveDate),
    S,
}

impl KeptTable {
    fn from_table(t: &ResultTable) -> Self {
        let cell = |v: &Value| match v {
            Value::Null => KeptValue::N,
            Value::Bool(b) => KeptValue::B(*b),
            Value::Int(i) => KeptValue::I(*i),
            Value::Float(f) => KeptValue::F(f.to_bits()),
            Value::Text(s) => KeptValue::T(s.clone()),
            Value::Date(d) => KeptValue::D(*d),
            Value::Suppressed => KeptValue::S,
        };
        KeptTable {
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| r.iter().map(cell).collect())
                .collect(),
        }
    }

    fn into_table(self) -> ResultTable {
        let cell = |v: KeptValue| match v {
            KeptValue::N => Value::Null,
            KeptValue::B(b) => Value::Bool(b),
            KeptValue::I(i) => Value::Int(i),
            KeptValue::F(f) => Value::Float(f64::from_bits(f)),
            KeptValue::T(s) => Value::Text(s),
            KeptValue::D(d) => Value::Date(d),
            KeptValue::S => Value::Suppressed,
        };
        ResultTable {
            columns: self.columns,
            rows: self
                .rows
                .into_iter()
                .map(|r| r.into_iter().map(cell).collect())
                .collect(),
        }
    }
}
