//! What a check said of each distinct value of a text column, so that a value repeated row
//! after row (a mark, a session, a school, a child's id down a sorted register) is looked up
//! once. A value of up to 8 bytes is its own key in a machine word, found in a slot without
//! hashing it as text; a longer one is the value of the row before, else found in a map of
//! the values seen, hashed with FxHash's multiply-rotate (a few nanoseconds against the tens
//! SipHash takes to look a value up in its code list or reference set every row).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash: fast, and good enough for keys that are the values themselves (no hash is
/// trusted: the map compares the values).
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn write_u8(&mut self, i: u8) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map hashed with [`FxHasher`].
pub(super) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// More distinct values than this and the map starts again (a column of unique ids gains
/// nothing from it, and must not hold a chunk's worth of keys).
const MOST_SEEN: usize = 1 << 16;

/// Slots for short values (codes, URNs, most ids): a value of up to 8 bytes is its own key
/// in a machine word, found in one slot without hashing it as text.
const SHORT_SLOTS: usize = 1 << 10;

/// Each distinct value's verdict, worked out once by the check's own function.
pub(super) struct Memo<'a, T: Copy> {
    /// A value of up to 8 bytes as a word with its length, in the slot its word picks (a
    /// value whose slot another holds simply takes it over).
    short: Vec<Option<(u64, usize, T)>>,
    last: Option<(&'a str, T)>,
    seen: FxMap<&'a str, T>,
}

impl<'a, T: Copy> Memo<'a, T> {
    pub(super) fn new() -> Self {
        Memo {
            short: vec![None; SHORT_SLOTS],
            last: None,
            seen: FxMap::default(),
        }
    }

    /// The verdict on `value`: remembered, or `f(value)` the first time it is seen.
    #[inline]
    pub(super) fn get(&mut self, value: &'a str, f: impl FnOnce(&str) -> T) -> T {
        let bytes = value.as_bytes();
        if bytes.len() <= 8 {
            let mut w = [0u8; 8];
            w[..bytes.len()].copy_from_slice(bytes);
            let word = u64::from_le_bytes(w);
            let mixed = (word ^ bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let slot = (mixed >> (64 - SHORT_SLOTS.trailing_zeros())) as usize;
            if let Some(Some((k, n, t))) = self.short.get(slot)
                && *k == word
                && *n == bytes.len()
            {
                return *t;
            }
            let t = f(value);
            if let Some(s) = self.short.get_mut(slot) {
                *s = Some((word, bytes.len(), t));
            }
            return t;
        }
        if let Some((last, t)) = self.last
            && last == value
        {
            return t;
        }
        if self.seen.len() >= MOST_SEEN {
            self.seen.clear();
        }
        let t = *self.seen.entry(value).or_insert_with(|| f(value));
        self.last = Some((value, t));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_worked_out_once_and_each_keeps_its_own_verdict() {
        let values = [
            "a",
            "a",
            "b",
            "a",
            "ccccccccc",
            "b",
            "ccccccccc",
            "ccccccccd",
            "a\0",
            "",
            "",
        ];
        let mut calls = 0;
        let mut memo = Memo::new();
        let got: Vec<usize> = values
            .iter()
            .map(|v| {
                memo.get(v, |v| {
                    calls += 1;
                    v.len() * 10 + usize::from(v.ends_with('d'))
                })
            })
            .collect();
        // Six distinct values (a, b, ccccccccc, ccccccccd, a and a NUL, the empty value): six
        // calls for eleven rows. The nine-letter pair that differs only in its last byte keeps
        // apart (90 against 91), and so does `a` from `a` and a NUL (10 against 20: their
        // words are equal, their lengths not).
        assert_eq!(calls, 6);
        assert_eq!(got, [10, 10, 10, 10, 90, 10, 90, 91, 20, 0, 0]);
    }
}
