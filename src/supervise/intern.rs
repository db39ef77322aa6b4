//! Interned text for supervisor records: a million decision records name a few reviewers,
//! keys, statuses, rules and recipients over and over, so each distinct string is stored
//! once and a record holds a 4-byte [`Sym`]. Comparing two `Sym`s compares two integers,
//! and a filter can judge each distinct string once instead of once per record.
//!
//! The table is process-wide and append-only: strings are never freed, so a `Sym` can
//! hand out `&'static str` and records stay plain values (no table to pass around). What
//! it holds is bounded by the distinct values of the logs loaded in this process;
//! reloading the same logs adds nothing.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{OnceLock, RwLock};

/// One interned string (`Option<Sym>` is 4 bytes too).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(NonZeroU32);

/// The table's hash: foldhash, fast on short keys (ids, names, statuses: the table is
/// consulted twenty-odd times per record, fewer since [`Interning::sym_at`]) and keyed with
/// a random seed per process. HashDoS: text that verified was written by a trusted signer,
/// but a line that fails verification is still read and interned (it is shown as FAILED),
/// so whoever can write a log file chooses strings; with an unkeyed hash they could pick
/// colliding ones ahead and make a load slow (never wrong). foldhash's "minimal DoS
/// resistance" is what that needs: no collisions are known that hold for every seed, so
/// none can be prepared in a file (it does not claim to resist someone who studies a
/// running process to learn its seed).
type Ids = HashMap<&'static str, Sym, foldhash::fast::RandomState>;

#[derive(Default)]
struct Table {
    ids: Ids,
    /// `strs[i]` is the text of `Sym(i + 1)`.
    strs: Vec<&'static str>,
    /// The unused end of the current arena chunk: short strings are carved from 1 MiB
    /// chunks instead of one allocation each (a million 9-byte ids would cost 32 bytes
    /// apiece from the allocator).
    free: &'static mut [u8],
    /// The last string interned through each slot ([`Interning::sym_at`]).
    recent: [Option<(&'static str, Sym)>; SLOTS],
}

/// Slots of [`Interning::sym_at`]: one per field of a record, enough for
/// `DecisionBody::of_entry`.
pub const SLOTS: usize = 32;

const CHUNK: usize = 1 << 20;

impl Table {
    fn store(&mut self, s: &str) -> &'static str {
        if s.len() > CHUNK / 16 {
            return Box::leak(s.to_owned().into_boxed_str());
        }
        if s.len() > self.free.len() {
            self.free = Box::leak(vec![0u8; CHUNK].into_boxed_slice());
        }
        let (head, tail) = std::mem::take(&mut self.free).split_at_mut(s.len());
        head.copy_from_slice(s.as_bytes());
        self.free = tail;
        // The bytes were copied from a `str`.
        std::str::from_utf8(head).unwrap_or_default()
    }
}

fn table() -> &'static RwLock<Table> {
    static T: OnceLock<RwLock<Table>> = OnceLock::new();
    T.get_or_init(Default::default)
}

impl Table {
    fn sym(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let text = self.store(s);
        self.strs.push(text);
        let id = Sym(NonZeroU32::new(self.strs.len() as u32).expect("fewer than 2^32 strings"));
        self.ids.insert(text, id);
        id
    }
}

/// Many strings interned under one lock (the twenty-odd fields of a record). Reading a
/// `Sym`'s text while this is held would wait for it: only intern with it.
pub struct Interning(std::sync::RwLockWriteGuard<'static, Table>);

impl Interning {
    pub fn lock() -> Interning {
        Interning(table().write().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn sym(&mut self, s: &str) -> Sym {
        self.0.sym(s)
    }

    /// [`Interning::sym`] for a field that mostly repeats from one record to the next
    /// (reviewer, key, policy, statuses, ...): if `s` is the string last interned through
    /// `slot`, its symbol without hashing or probing the table (one comparison of text
    /// already in cache). Any slot below [`SLOTS`] gives the right symbol for any text;
    /// slots only decide what is remembered.
    pub fn sym_at(&mut self, slot: usize, s: &str) -> Sym {
        let t = &mut *self.0;
        if let Some((last, id)) = t.recent[slot % SLOTS]
            && last == s
        {
            return id;
        }
        let id = t.sym(s);
        t.recent[slot % SLOTS] = Some((t.strs[id.index()], id));
        id
    }
}

/// Reading many symbols' text under one read lock: [`Sym::as_str`] takes the table's lock
/// each time, and two threads doing that a million times (a filter's first scan) spend
/// their time passing the lock's counter between cores. Interning waits while this is held,
/// so a holder must not intern (nor read through [`Sym`], which could then wait too).
pub struct Texts(std::sync::RwLockReadGuard<'static, Table>);

impl Texts {
    pub fn read() -> Texts {
        Texts(table().read().unwrap_or_else(|p| p.into_inner()))
    }

    /// [`Sym::as_str`] without taking the lock again.
    pub fn get(&self, s: Sym) -> &'static str {
        self.0.strs[s.index()]
    }

    /// [`Sym::count`].
    pub fn count(&self) -> usize {
        self.0.strs.len()
    }
}

impl Sym {
    /// The symbol of `s`, adding it on first sight.
    pub fn new(s: &str) -> Sym {
        if let Some(&id) = table().read().unwrap_or_else(|p| p.into_inner()).ids.get(s) {
            return id;
        }
        Interning::lock().sym(s)
    }

    pub fn as_str(self) -> &'static str {
        table().read().unwrap_or_else(|p| p.into_inner()).strs[self.index()]
    }

    /// Dense index from 0 (for per-symbol tables such as a filter's memo).
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    /// How many symbols exist now (an upper bound for [`Sym::index`]).
    pub fn count() -> usize {
        table().read().unwrap_or_else(|p| p.into_inner()).strs.len()
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, o: &str) -> bool {
        self.as_str() == o
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, o: &&str) -> bool {
        self.as_str() == *o
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Sym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A SHA-256 held as bytes (entry hashes, `supersedes`, `disclosure_sha256`); shown and
/// exported as lowercase hex, as the log writes it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Lowercase (or upper-case) hex of 64 digits; `None` for anything else.
    pub fn parse_hex(s: &str) -> Option<Hash> {
        let mut out = [0u8; 32];
        if s.len() != 64 {
            return None;
        }
        data_encoding::HEXLOWER_PERMISSIVE
            .decode_mut(s.as_bytes(), &mut out)
            .ok()?;
        Some(Hash(out))
    }

    pub fn hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hash({})", self.hex())
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_the_same_symbol_and_reads_back() {
        let a = Sym::new("reviewer@intern.test");
        let b = Sym::new(&String::from("reviewer@intern.test"));
        assert_eq!(a, b);
        assert_ne!(a, Sym::new("other@intern.test"));
        assert_eq!(a.as_str(), "reviewer@intern.test");
        assert!(a.index() < Sym::count());
        // Through a slot: the same symbols, whatever the slot last saw.
        let mut t = Interning::lock();
        for (slot, text) in [
            (0, "reviewer@intern.test"),
            (0, "other@intern.test"),
            (0, "other@intern.test"),
            (1, "reviewer@intern.test"),
            (40, "x"),
        ] {
            assert_eq!(t.sym_at(slot, text), t.sym(text));
        }
        assert_eq!(t.sym_at(0, "reviewer@intern.test"), a);
        drop(t);
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
        // Multi-byte text, and text too long for the arena, read back whole.
        let long = "é".repeat(40_000);
        for t in ["Ünïcødé ✓", long.as_str(), ""] {
            assert_eq!(Sym::new(t).as_str(), t);
        }
    }

    #[test]
    fn hashes_parse_only_64_hex_digits() {
        let h = Hash::parse_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(h.hex(), "ab".repeat(32));
        assert_eq!(Hash::parse_hex("ab"), None);
        assert_eq!(Hash::parse_hex(&"zz".repeat(32)), None);
    }
}
