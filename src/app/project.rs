//! The project a command works in: its folders, engine, history and authority, resolved
//! once from the command line, `cohort.toml` and the defaults.

use super::{AppError, shipped};
use crate::engine::{EngineKind, limits};
use crate::project::{FILE_NAME, ProjectFile};
use std::path::{Path, PathBuf};

/// Where a project's folders are; defaults are relative to the working folder.
#[derive(Debug, Clone)]
pub struct Project {
    pub data: PathBuf,
    pub queries: PathBuf,
    pub templates: PathBuf,
    pub out: PathBuf,
    /// The engine analyses run on.
    pub engine: EngineKind,
    /// The run history database; `None` records nothing.
    pub history: Option<PathBuf>,
    /// The authority (DfE's old_la_code, e.g. 874) whose published figures reports compare with.
    pub la_code: Option<String>,
    /// Where each table's file is and how to read it (`[sources]` in `cohort.toml`).
    pub sources: crate::catalog::Sources,
    /// The validated-data cache; `None` reads and checks every file every time.
    pub cache: Option<crate::catalog::CacheOptions>,
    /// SSDA903 data that looks stale for the term is a warning, not an error
    /// (`--allow-stale`, or `allow_stale = true` in cohort.toml).
    pub allow_stale: bool,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            data: "sample-data".into(),
            queries: "queries".into(),
            templates: "report-templates".into(),
            out: "out".into(),
            engine: EngineKind::DataFusion,
            history: None,
            la_code: None,
            sources: Default::default(),
            cache: None,
            allow_stale: false,
        }
    }
}

impl Project {
    /// `queries/versions.lock`: the analyses' recorded versions and SQL hashes.
    pub fn lock_path(&self) -> PathBuf {
        self.queries.join("versions.lock")
    }

    /// The project the command line describes in the folder `root`: each folder from its
    /// flag, else `cohort.toml`, else the working folder's own (`sample-data`, `queries`,
    /// `report-templates`), else, for analyses and templates, those built into cohort. A
    /// folder with neither a `cohort.toml` nor a data folder is an error saying what to run.
    pub fn resolve(root: &Path, o: Options) -> Result<Project, AppError> {
        let file = ProjectFile::find(root)?;
        let file_path = root.join(FILE_NAME);
        let sources = match &file {
            Some(f) => f.sources(&file_path)?,
            None => Default::default(),
        };
        // The engines this command starts are held to cohort.toml's [limits] and the flags.
        let mut limits = match &file {
            Some(f) => f.limits(&file_path)?,
            None => limits::Limits::default(),
        };
        if let Some(bytes) = o.memory_limit {
            limits.memory = Some(bytes);
        }
        if let Some(time) = o.time_limit {
            limits.analysis_time = time;
            limits.query_time = time;
        }
        limits::set(limits);
        let from_file = |pick: fn(&ProjectFile) -> Option<PathBuf>| file.as_ref().and_then(pick);
        let data = match o.data.or_else(|| from_file(|f| f.data.clone())) {
            Some(d) => d,
            None if root.join("sample-data").is_dir() => at(root, "sample-data"),
            None => {
                return Err(AppError::NoProject {
                    dir: root.to_path_buf(),
                });
            }
        };
        // A folder named in cohort.toml is relative to the project; the working folder's
        // own when it has one; else the ones built into cohort.
        let folder =
            |given: Option<PathBuf>, key: fn(&ProjectFile) -> Option<PathBuf>, own: &str| {
                if let Some(p) = given.or_else(|| from_file(key)) {
                    return Ok(p);
                }
                if root.join(own).is_dir() {
                    return Ok(at(root, own));
                }
                Ok::<_, AppError>(shipped::unpacked(root)?.join(own))
            };
        let queries = folder(o.queries, |f| f.queries.clone(), shipped::QUERIES)?;
        let templates = folder(o.templates, |f| f.templates.clone(), shipped::TEMPLATES)?;
        let history = match (o.no_history || env_is("COHORT_NO_HISTORY"), o.history) {
            (_, Some(h)) => Some(h),
            (true, None) => None,
            (false, None) => Some(default_history_path(root)?),
        };
        Ok(Project {
            allow_stale: o.allow_stale || file.as_ref().is_some_and(|f| f.allow_stale),
            cache: default_cache(root, &data, o.no_cache),
            data,
            queries,
            templates,
            sources,
            out: o.out,
            engine: o.engine,
            history,
            la_code: default_la_code(root)?,
        })
    }
}

/// What the command line says about the project (each `None` for "not given").
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub data: Option<PathBuf>,
    pub queries: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub out: PathBuf,
    pub engine: EngineKind,
    pub history: Option<PathBuf>,
    pub no_history: bool,
    pub no_cache: bool,
    pub memory_limit: Option<u64>,
    pub time_limit: Option<std::time::Duration>,
    pub allow_stale: bool,
}

/// `name` in `root`, written as plain `name` in the working folder (as messages show it).
fn at(root: &Path, name: &str) -> PathBuf {
    if root == Path::new(".") {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

/// Whether the environment variable `name` is `1`.
fn env_is(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// The validated-data cache of a command run in `root` over the data folder `data`: a folder
/// of `.cohort/cache` for that data folder, unless `off` or `COHORT_NO_CACHE=1` in the
/// environment. Each data folder has its own, so that runs over two folders (the sample and
/// the authority's own, or two at once) never replace each other's entries.
pub fn default_cache(root: &Path, data: &Path, off: bool) -> Option<crate::catalog::CacheOptions> {
    use sha2::{Digest, Sha256};
    let folder = std::fs::canonicalize(data).unwrap_or_else(|_| data.to_path_buf());
    let key = hex::encode(Sha256::digest(folder.to_string_lossy().as_bytes()));
    (!off && !env_is("COHORT_NO_CACHE")).then(|| {
        crate::catalog::CacheOptions::new(root.join(".cohort").join("cache").join(&key[..16]))
    })
}

/// The history file when none is given on the command line: `history = "..."` in a
/// `cohort.toml` in the working folder, else `.cohort/history.duckdb`.
pub fn default_history_path(root: &Path) -> Result<PathBuf, AppError> {
    if let Some(settings) = ProjectFile::find(root)?
        && let Some(h) = settings.history
    {
        return Ok(root.join(h));
    }
    Ok(root.join(".cohort").join("history.duckdb"))
}

/// `[authority] la_code = 874` in a `cohort.toml` in `root`: the authority reports compare with.
pub fn default_la_code(root: &Path) -> Result<Option<String>, AppError> {
    let Some(file) = ProjectFile::find(root)? else {
        return Ok(None);
    };
    match file.authority.and_then(|a| a.la_code) {
        None => Ok(None),
        Some(n) if (100..=999).contains(&n) => Ok(Some(n.to_string())),
        Some(value) => Err(AppError::LaCode {
            path: root.join(FILE_NAME),
            value,
        }),
    }
}
