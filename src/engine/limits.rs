//! How far one query may go on an engine: memory, disk for spilled data and time, so that a
//! runaway query (a string aggregated over a cross join, a recursive CTE without end, a
//! trillion-row series) ends with a clear error instead of taking the machine, and a panic
//! inside an engine becomes an error instead of a crash.
//!
//! The limits are the process's: `main` sets them once from `cohort.toml`'s `[limits]` and
//! the command line ([`set`]); every engine started after reads them ([`current`]).

use super::EngineError;
use std::any::Any;
use std::cell::Cell;
use std::path::PathBuf;
use std::sync::{Once, RwLock};
use std::time::Duration;

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Each analysis and notebook cell by default: generous for a national run (82,000 children
/// run every analysis in about a minute).
pub const DEFAULT_ANALYSIS_TIME: Duration = Duration::from_secs(30 * 60);
/// Each `cohort query` statement by default.
pub const DEFAULT_QUERY_TIME: Duration = Duration::from_secs(10 * 60);

/// The limits every engine applies to every query.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Memory an engine may use for its queries, in bytes; `None`: sized from the machine
    /// ([`Limits::datafusion_memory`], [`Limits::duckdb_memory`]).
    pub memory: Option<u64>,
    /// Disk an engine may fill with data spilled from memory, in bytes; `None`: the engine's
    /// own default (100 GB on DataFusion, 90% of the free disk on DuckDB).
    pub spill: Option<u64>,
    /// Where spilled data goes; `None`: the system's temporary folder.
    pub spill_dir: Option<PathBuf>,
    /// The time each analysis or notebook cell may run.
    pub analysis_time: Duration,
    /// The time each `cohort query` statement may run.
    pub query_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: None,
            spill: None,
            spill_dir: None,
            analysis_time: DEFAULT_ANALYSIS_TIME,
            query_time: DEFAULT_QUERY_TIME,
        }
    }
}

impl Limits {
    /// The default limits with memory held to `bytes`.
    pub fn memory(bytes: u64) -> Limits {
        Limits {
            memory: Some(bytes),
            ..Limits::default()
        }
    }

    /// DataFusion's memory pool: the limit given, else half the machine's memory. The pool
    /// counts only the working memory of joins, sorts and aggregates, so the tables and the
    /// buffers that grow before they are counted need room beside it.
    pub fn datafusion_memory(&self) -> u64 {
        self.memory.unwrap_or_else(|| machine_memory() / 2)
    }

    /// DuckDB's `memory_limit`: the limit given, else 80% of the machine's memory (DuckDB's
    /// own default, which counts everything it holds, the tables too).
    pub fn duckdb_memory(&self) -> u64 {
        self.memory.unwrap_or_else(|| machine_memory() / 5 * 4)
    }
}

static LIMITS: RwLock<Option<Limits>> = RwLock::new(None);

/// Sets the limits of engines started from now on (`main`, from settings and flags).
pub fn set(limits: Limits) {
    let mut slot = LIMITS.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some(limits);
}

/// The limits set with [`set`], or the defaults.
pub fn current() -> Limits {
    let slot = LIMITS.read().unwrap_or_else(|e| e.into_inner());
    slot.clone().unwrap_or_default()
}

/// The limit a query ran into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LimitHit {
    /// The memory limit, in bytes.
    Memory(u64),
    /// The limit on disk for spilled data, in bytes.
    Spill(u64),
    /// The time limit.
    Time(Duration),
}

impl LimitHit {
    /// What happened, after the name of what ran: `exceeded the memory limit of 4 GiB`.
    pub fn phrase(&self) -> String {
        match self {
            LimitHit::Memory(b) => format!("exceeded the memory limit of {}", size_text(*b)),
            LimitHit::Spill(b) => format!(
                "exceeded the limit of {} of disk for data spilled from memory",
                size_text(*b)
            ),
            LimitHit::Time(d) => format!("ran past the time limit of {}", duration_text(*d)),
        }
    }

    /// How to raise the limit.
    pub fn hint(&self) -> &'static str {
        match self {
            LimitHit::Memory(_) => {
                "a query that needs more can have it with --memory-limit or `memory` under [limits] in cohort.toml"
            }
            LimitHit::Spill(_) => "raise it with `spill` under [limits] in cohort.toml",
            LimitHit::Time(_) => {
                "a query that needs longer can have it with --time-limit, or `analysis_time` or `query_time` under [limits] in cohort.toml"
            }
        }
    }
}

impl EngineError {
    /// A query stopped by `hit`; `detail` is the engine's own words, when it gave any.
    pub fn over_limit(hit: LimitHit, detail: &str) -> EngineError {
        let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
        let said = if detail.is_empty() {
            String::new()
        } else {
            format!(" (the engine said: {detail})")
        };
        EngineError {
            message: format!("the query {}; {}{said}", hit.phrase(), hit.hint()),
            line: None,
            column: None,
            limit: Some(hit),
        }
    }

    /// The message with `subject` (`analysis `a/b``, `cell 2`) naming what ran, when a limit
    /// stopped it; otherwise the message as it is.
    pub fn said_of(&self, subject: &str) -> String {
        match (self.limit, self.message.strip_prefix("the query ")) {
            (Some(_), Some(rest)) => format!("{subject} {rest}"),
            _ => self.message.clone(),
        }
    }
}

/// `4 GiB`, `1.5 GiB`, `256 MiB`.
pub fn size_text(bytes: u64) -> String {
    let (unit, name) = if bytes >= GIB {
        (GIB, "GiB")
    } else if bytes >= MIB {
        (MIB, "MiB")
    } else {
        (KIB, "KiB")
    };
    let value = bytes as f64 / unit as f64;
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {name}")
}

/// `1800 s`, `2.5 s`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs_f64();
    let text = format!("{s:.1}");
    format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
}

/// `text` as its leading number and what follows it: `4GiB` is `("4", "GiB")`.
fn number_and_unit(text: &str) -> (&str, &str) {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text.split_at(split)
}

/// Reads an amount of memory or disk: `512MiB`, `4 GiB`, `4G` (binary), `4GB` (decimal),
/// or, with `of` the machine's memory, `50%`.
pub fn parse_size(text: &str, of: Option<u64>) -> Result<u64, String> {
    let t = text.trim();
    let bad = |why: &str| format!("`{text}`: {why}; expected e.g. 512MiB, 4GiB or 50%");
    let (number, unit) = number_and_unit(t);
    let value: f64 = number
        .parse()
        .map_err(|_| bad("not a number followed by a unit"))?;
    let unit = unit.trim();
    if unit == "%" {
        let Some(total) = of else {
            return Err(bad("a percentage is only for memory"));
        };
        if !(value > 0.0 && value <= 100.0) {
            return Err(bad("a percentage between 0 and 100"));
        }
        return Ok((total as f64 * value / 100.0) as u64);
    }
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "b" => 1,
        "k" | "kib" => KIB,
        "m" | "mib" => MIB,
        "g" | "gib" => GIB,
        "t" | "tib" => GIB * KIB,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "" => return Err(bad("no unit")),
        _ => return Err(bad("an unknown unit")),
    };
    let bytes = value * scale as f64;
    if !(bytes >= MIB as f64 && bytes < u64::MAX as f64) {
        return Err(bad("at least 1 MiB"));
    }
    Ok(bytes as u64)
}

/// Reads a length of time: `90s`, `30m`, `2h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = |why: &str| format!("`{text}`: {why}; expected e.g. 90s, 30m or 2h");
    let (number, unit) = number_and_unit(t);
    let value: f64 = number.parse().map_err(|_| bad("not a number"))?;
    let seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => value,
        "m" | "min" | "mins" | "minute" | "minutes" => value * 60.0,
        "h" | "hour" | "hours" => value * 3600.0,
        _ => return Err(bad("an unknown unit")),
    };
    if !(seconds > 0.0 && seconds < 1e9) {
        return Err(bad("more than nothing"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The machine's memory in bytes (the container's, when it has a smaller limit): from
/// Linux's /proc and cgroup files, else as DuckDB finds it, else 8 GiB.
pub fn machine_memory() -> u64 {
    static MEMORY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MEMORY.get_or_init(|| {
        linux_memory()
            .or_else(memory_duckdb_finds)
            .unwrap_or(8 * GIB)
    })
}

fn linux_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let total = kb * KIB;
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<u64>().ok())
    .min();
    Some(cgroup.map_or(total, |c| c.min(total)))
}

/// DuckDB's default `memory_limit` is 80% of the memory it finds (on every platform).
fn memory_duckdb_finds() -> Option<u64> {
    let conn = duckdb::Connection::open_in_memory().ok()?;
    let text: String = conn
        .query_row("SELECT current_setting('memory_limit')", [], |r| r.get(0))
        .ok()?;
    let limit = parse_size(&text, None).ok()?;
    Some(limit / 4 * 5)
}

thread_local! {
    /// Set while this thread is inside an engine call: its panics are caught and reported
    /// as errors, so the panic hook keeps quiet.
    static IN_ENGINE: Cell<bool> = const { Cell::new(false) };
}

/// The name of the threads of DataFusion's tokio runtime, whose panics [`catching`] and the
/// DataFusion engine turn into errors.
pub(super) const ENGINE_THREADS: &str = "cohort-datafusion";

/// Installs, once, a panic hook that keeps panics on engine threads and inside engine calls
/// off standard error (they become errors), and leaves every other panic to the hook before.
pub(super) fn quiet_engine_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let engine_thread = std::thread::current()
                .name()
                .is_some_and(|n| n == ENGINE_THREADS);
            if !(engine_thread || IN_ENGINE.with(Cell::get)) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (an engine call on this thread), turning a panic inside it into an error.
pub(super) fn catching<T>(f: impl FnOnce() -> Result<T, EngineError>) -> Result<T, EngineError> {
    quiet_engine_panics();
    let before = IN_ENGINE.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_ENGINE.with(|c| c.set(before));
    result.unwrap_or_else(|payload| Err(failed_inside(payload.as_ref())))
}

/// The error for a panic inside an engine, with its message.
pub(super) fn failed_inside(payload: &(dyn Any + Send)) -> EngineError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no reason given".into());
    EngineError::new(format!(
        "the query failed inside the engine: {what} (a limit of the engine, not a mistake in the SQL; try the other engine, or make the query's values smaller)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_and_decimal_units_and_percentages() {
        assert_eq!(parse_size("512MiB", None), Ok(512 * MIB));
        assert_eq!(parse_size(" 4 GiB ", None), Ok(4 * GIB));
        assert_eq!(parse_size("4G", None), Ok(4 * GIB));
        // Decimal: 2 GB = 2,000,000,000 bytes.
        assert_eq!(parse_size("2GB", None), Ok(2_000_000_000));
        // 1.5 GiB = 1536 MiB; DuckDB writes its setting so.
        assert_eq!(parse_size("1.5 GiB", None), Ok(1536 * MIB));
        // 25% of 16 GiB = 4 GiB.
        assert_eq!(parse_size("25%", Some(16 * GIB)), Ok(4 * GIB));
        for bad in ["4", "lots", "4 parsecs", "0.5KiB", "150%", "25%"] {
            assert!(parse_size(bad, None).is_err(), "{bad}");
        }
        assert!(parse_size("150%", Some(GIB)).is_err());
    }

    #[test]
    fn durations_read_in_seconds_minutes_and_hours() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2 h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        for bad in ["", "0", "-1", "soon", "3 fortnights"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_are_written_as_people_read_them() {
        assert_eq!(size_text(4 * GIB), "4 GiB");
        assert_eq!(size_text(1536 * MIB), "1.5 GiB");
        assert_eq!(size_text(256 * MIB), "256 MiB");
        assert_eq!(duration_text(Duration::from_secs(1800)), "1800 s");
        assert_eq!(duration_text(Duration::from_millis(2500)), "2.5 s");
        let e = EngineError::over_limit(LimitHit::Time(Duration::from_secs(3)), "");
        assert_eq!(
            e.said_of("analysis `a/b`"),
            format!(
                "analysis `a/b` ran past the time limit of 3 s; {}",
                LimitHit::Time(Duration::ZERO).hint()
            )
        );
        let e = EngineError::over_limit(LimitHit::Memory(256 * MIB), "Failed to\n  allocate");
        assert!(
            e.message
                .starts_with("the query exceeded the memory limit of 256 MiB;")
        );
        assert!(
            e.message.ends_with("(the engine said: Failed to allocate)"),
            "{}",
            e.message
        );
        // Other errors keep their words.
        assert_eq!(
            EngineError::new("no such table").said_of("cell 1"),
            "no such table"
        );
    }

    #[test]
    fn the_machine_has_some_memory_and_the_defaults_take_part_of_it() {
        let total = machine_memory();
        assert!(total >= 256 * MIB, "{total}");
        let l = Limits::default();
        assert!(l.datafusion_memory() < total && l.duckdb_memory() < total);
        let set = Limits {
            memory: Some(GIB),
            ..Limits::default()
        };
        assert_eq!((set.datafusion_memory(), set.duckdb_memory()), (GIB, GIB));
    }

    #[test]
    fn a_panic_inside_an_engine_call_is_an_error() {
        let r: Result<(), EngineError> = catching(|| panic!("offset overflow"));
        let e = r.err().map(|e| e.message).unwrap_or_default();
        assert!(
            e.contains("failed inside the engine: offset overflow"),
            "{e}"
        );
    }
}
