//! A command's outputs as one unit: every file is written into a staging folder inside
//! `--out` (`.staging-<pid>-<n>`), the run is recorded, and only then are the files moved
//! into place. A failure anywhere before that removes the staging folder, so `--out`
//! (and the history, whose transaction is not committed) stay as they were.
//!
//! A process killed outright (`kill -9`) cannot remove its staging folder, so each folder has
//! a lock file beside it (`.staging-<pid>-<n>.lock`) that its process holds locked while it
//! lives; the system releases the lock when the process dies, however it dies. Every new
//! staging removes the folders of `--out` whose lock is free (their process is gone), and
//! those without a lock file whose process id no longer runs; a live run's folder is locked
//! and is never touched.

use crate::output::{PathError, inside, write_staged};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Test hook: when set to `1`, [`Staging::publish`] fails after every output is staged
/// and before any is moved into place, as a full disk or a crash there would.
pub const FAIL_AFTER_STAGING: &str = "COHORT_FAIL_AFTER_STAGING";

/// Why outputs could not be staged or put in place.
#[derive(Debug, thiserror::Error)]
pub enum StagingError {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot move into place: {source}; --out is as it was", path.display())]
    Move {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{FAIL_AFTER_STAGING}=1: failing after staging, as asked; nothing was published")]
    Injected,
}

/// Outputs waiting in a staging folder to be put in place together.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Staged files, relative to both `dir` and `out`, in the order written.
    files: Vec<PathBuf>,
    published: bool,
    /// Whether `out` was made for this command, so a failure removes it again.
    made_out: bool,
    /// The lock file beside the folder, held locked while this staging lives.
    lock_path: PathBuf,
    _lock: Option<std::fs::File>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Staging {
    /// A new, empty staging folder inside `out` (created when missing).
    pub fn new(out: &Path) -> Result<Staging, StagingError> {
        let name = format!(
            ".staging-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = out.join(&name);
        let made_out = !out.exists();
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |e| StagingError::Write { path, source: e }
        };
        std::fs::create_dir_all(out).map_err(write_err(out))?;
        remove_abandoned(out);
        // Locked before the folder exists, so no other run ever sees the folder unlocked.
        let lock_path = out.join(format!("{name}.lock"));
        let lock = std::fs::File::create(&lock_path).map_err(write_err(&lock_path))?;
        let lock = lock.try_lock().is_ok().then_some(lock);
        std::fs::create_dir_all(&dir).map_err(write_err(&dir))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            files: Vec::new(),
            published: false,
            made_out,
            lock_path,
            _lock: lock,
        })
    }

    /// The staging folder, for code that writes a tree of files itself (then [`Self::adopt`]).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a staged file will be once published: `out/<relative>`.
    pub fn final_path(&self, relative: &Path) -> PathBuf {
        self.out.join(relative)
    }

    /// Stages `bytes` as `relative` (which must lie inside `--out`); returns its final path.
    pub fn write(&mut self, relative: &Path, bytes: &[u8]) -> Result<PathBuf, StagingError> {
        let staged = inside(&self.dir, relative)?;
        write_staged(&staged, bytes).map_err(|e| StagingError::Write {
            path: self.out.join(relative),
            source: e,
        })?;
        if !self.files.iter().any(|f| f == relative) {
            self.files.push(relative.to_path_buf());
        }
        Ok(self.out.join(relative))
    }

    /// Takes every file written directly under [`Self::dir`] as staged, in path order.
    pub fn adopt(&mut self) -> Result<(), StagingError> {
        let mut found = Vec::new();
        collect(&self.dir, Path::new(""), &mut found).map_err(|e| StagingError::Write {
            path: self.dir.clone(),
            source: e,
        })?;
        found.sort();
        for f in found {
            if !self.files.contains(&f) {
                self.files.push(f);
            }
        }
        Ok(())
    }

    /// Each staged file: its final path and the bytes staged for it.
    pub fn contents(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, StagingError> {
        self.files
            .iter()
            .map(|f| {
                std::fs::read(self.dir.join(f))
                    .map(|bytes| (self.out.join(f), bytes))
                    .map_err(|e| StagingError::Write {
                        path: self.out.join(f),
                        source: e,
                    })
            })
            .collect()
    }

    /// Moves every staged file into place (files it replaces are kept aside until all
    /// have moved, and put back if one cannot), then removes the staging folder.
    /// Returns the final paths.
    pub fn publish(&mut self) -> Result<Vec<PathBuf>, StagingError> {
        if std::env::var(FAIL_AFTER_STAGING).is_ok_and(|v| v == "1") {
            return Err(StagingError::Injected);
        }
        self.sync()?;
        let aside = self.dir.join(".replaced");
        let mut moved: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let mut result = Ok(());
        for f in &self.files {
            let target = self.out.join(f);
            let step = (|| -> std::io::Result<Option<PathBuf>> {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let old = if target.is_file() {
                    let keep = aside.join(f);
                    if let Some(parent) = keep.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::rename(&target, &keep)?;
                    Some(keep)
                } else {
                    None
                };
                if let Err(e) = std::fs::rename(self.dir.join(f), &target) {
                    if let Some(keep) = &old {
                        let _ = std::fs::rename(keep, &target);
                    }
                    return Err(e);
                }
                Ok(old)
            })();
            match step {
                Ok(old) => moved.push((target, old)),
                Err(e) => {
                    result = Err(StagingError::Move {
                        path: target,
                        source: e,
                    });
                    break;
                }
            }
        }
        if let Err(e) = result {
            // Put back what was there: --out as it was.
            for (target, old) in moved.into_iter().rev() {
                let _ = std::fs::remove_file(&target);
                if let Some(keep) = old {
                    let _ = std::fs::rename(keep, &target);
                }
            }
            return Err(e);
        }
        self.published = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(self.files.iter().map(|f| self.out.join(f)).collect())
    }
}

impl Staging {
    /// Flushes every staged file to disk, so that none is moved into place before its bytes
    /// are stored. The files are synced together from a few threads: one `fsync` per file in
    /// turn costs a journal commit each (about 6 ms apiece on the development machine's disk,
    /// a quarter of a second for a report's forty files), while concurrent ones share commits.
    fn sync(&self) -> Result<(), StagingError> {
        const THREADS: usize = 8;
        let per_thread = self.files.len().div_ceil(THREADS).max(1);
        std::thread::scope(|s| {
            let workers: Vec<_> = self
                .files
                .chunks(per_thread)
                .map(|chunk| {
                    s.spawn(move || {
                        for f in chunk {
                            let path = self.dir.join(f);
                            std::fs::File::open(&path)
                                .and_then(|file| file.sync_all())
                                .map_err(|e| StagingError::Write {
                                    path: self.out.join(f),
                                    source: e,
                                })?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers.into_iter().try_for_each(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Unpublished outputs are never seen: the staging folder goes with them.
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.lock_path);
        if self.made_out && !self.published {
            // Only when empty: --out as it was, absent.
            let _ = std::fs::remove_dir(&self.out);
        }
    }
}

/// Removes the staging folders in `out` that their process left behind when it died: those
/// whose lock file is not locked, and those without one whose process id no longer runs.
/// Returns how many went.
pub fn remove_abandoned(out: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(out) else {
        return 0;
    };
    let mine = format!(".staging-{}-", std::process::id());
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(".staging-") else {
            continue;
        };
        if name.starts_with(&mine) || name.ends_with(".lock") || !e.path().is_dir() {
            continue;
        }
        let lock_path = out.join(format!("{name}.lock"));
        // Held (when free) until the folder is gone.
        let mut _held = None;
        let gone = match std::fs::OpenOptions::new().write(true).open(&lock_path) {
            // Free: its process is gone.
            Ok(f) => {
                let free = f.try_lock().is_ok();
                _held = Some(f);
                free
            }
            Err(_) => rest
                .split('-')
                .next()
                .and_then(|p| p.parse::<u32>().ok())
                .is_some_and(process_is_gone),
        };
        if gone && std::fs::remove_dir_all(e.path()).is_ok() {
            let _ = std::fs::remove_file(&lock_path);
            removed += 1;
        }
    }
    removed
}

/// Whether no process has id `pid` (known only where /proc lists processes; elsewhere a
/// folder without a lock file is kept).
fn process_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists()
}

fn collect(dir: &Path, relative: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let rel = relative.join(entry.file_name());
        if path.is_dir() {
            collect(&path, &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cohort-staging-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn outputs_appear_only_when_published_and_replace_what_was_there() {
        let out = temp("publish");
        std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join("a.html"), "old").unwrap_or_else(|e| panic!("{e}"));
        let mut s = Staging::new(&out).unwrap_or_else(|e| panic!("{e}"));
        s.write(Path::new("a.html"), b"new")
            .unwrap_or_else(|e| panic!("{e}"));
        s.write(Path::new("sub/b.pdf"), b"pdf")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.write(Path::new("../escape.html"), b"x").is_err());
        // Staged, not yet in place.
        assert_eq!(
            std::fs::read_to_string(out.join("a.html")).ok().as_deref(),
            Some("old")
        );
        assert!(!out.join("sub/b.pdf").exists());
        let paths = s.publish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(paths, vec![out.join("a.html"), out.join("sub/b.pdf")]);
        assert_eq!(
            std::fs::read_to_string(out.join("a.html")).ok().as_deref(),
            Some("new")
        );
        assert!(out.join("sub/b.pdf").exists());
        drop(s);
        // Nothing else is left in --out: a.html, sub/b.pdf, no staging folder.
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.html", "sub"]);
        assert!(!out.join("escape.html").exists() && !temp("escape.html").exists());
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn folders_left_by_dead_processes_are_removed_and_live_ones_kept() {
        let out = temp("abandoned");
        std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
        let folder = |name: &str| {
            let d = out.join(name);
            std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(d.join("run.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
            d
        };
        // Killed with -9: its lock file is there, and nobody holds it.
        let killed = folder(".staging-4000000-0");
        std::fs::write(out.join(".staging-4000000-0.lock"), "").unwrap_or_else(|e| panic!("{e}"));
        // An older cohort's folder without a lock file, of a process id that cannot run
        // (above Linux's largest, 2^22).
        let old = folder(".staging-4000001-3");
        // A live run (another process's number): its lock is held.
        let live = folder(".staging-4000002-0");
        let held = std::fs::File::create(out.join(".staging-4000002-0.lock"))
            .unwrap_or_else(|e| panic!("{e}"));
        held.try_lock().unwrap_or_else(|e| panic!("{e}"));
        // Not a staging folder at all.
        let other = folder("results");
        let s = Staging::new(&out).unwrap_or_else(|e| panic!("{e}"));
        assert!(!killed.exists(), "a dead run's folder is removed");
        assert!(!out.join(".staging-4000000-0.lock").exists());
        if Path::new("/proc/self").exists() {
            assert!(
                !old.exists(),
                "a folder of a process that is gone is removed"
            );
        }
        assert!(live.exists(), "a live run's folder is kept");
        assert!(other.exists());
        // This staging's own lock is held: another process's sweep leaves it alone.
        let own = std::fs::OpenOptions::new()
            .write(true)
            .open(s.dir().with_extension("lock"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(own.try_lock().is_err(), "a live staging's lock is held");
        drop(own);
        drop(s);
        drop(held);
        // Once the live run is gone too, the next staging removes its folder.
        drop(Staging::new(&out).unwrap_or_else(|e| panic!("{e}")));
        assert!(!live.exists());
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn a_dropped_staging_leaves_out_as_it_was() {
        let out = temp("drop");
        let mut s = Staging::new(&out).unwrap_or_else(|e| panic!("{e}"));
        s.write(Path::new("a.html"), b"new")
            .unwrap_or_else(|e| panic!("{e}"));
        drop(s);
        // --out did not exist before, and does not now.
        assert!(!out.exists());
    }
}
