//! What holds a DuckDB query to its limits: the engine's own spill folder and the
//! watchdog that interrupts a query past its time.

use super::limits::Limits;
use duckdb::Connection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// The engine's own folder for data DuckDB spills from memory (instead of DuckDB's default,
/// `.tmp` in the working folder), removed with the engine.
pub(super) struct SpillFolder(pub(super) PathBuf);

impl SpillFolder {
    pub(super) fn new(limits: &Limits) -> SpillFolder {
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
pub(super) struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    pub(super) fn start(conn: &Connection, time: Duration) -> Watchdog {
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
    pub(super) fn stop(mut self) -> bool {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.fired.load(Ordering::SeqCst)
    }
}
