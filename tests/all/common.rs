//! What the test modules share: the crate's root and the binary run from it.

use assert_cmd::Command;
use std::path::PathBuf;

/// The crate's root, where sample-data, queries and report-templates are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `cohort` binary, run from the crate's root and recording no history: the tests run at
/// once, and each that wants a history names its own.
pub fn cohort() -> Command {
    let mut c = Command::cargo_bin("cohort").expect("binary");
    c.env("COHORT_NO_HISTORY", "1");
    c.current_dir(root());
    c
}
