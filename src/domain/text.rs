//! Compact storage for the text of ten million rows: an interner for values
//! that repeat (customers, currencies, names) and a unique-key index for
//! invoice ids. Both hand out `u32` handles.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// Repeated text values, each stored once; handle 0 is the empty string.
/// Kept in one arena like [`KeyIndex`], so a hundred thousand customers fit
/// in the processor's cache.
pub struct Interner {
    values: KeyIndex,
}

impl Default for Interner {
    fn default() -> Self {
        let mut values = KeyIndex::default();
        let _empty_is_zero = values.insert("");
        Interner { values }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} values)", self.len())
    }
}

impl Interner {
    pub fn intern(&mut self, value: &str) -> u32 {
        if value.is_empty() {
            return 0;
        }
        match self.values.insert(value) {
            Ok(handle) | Err(handle) => handle,
        }
    }

    pub fn get(&self, id: u32) -> &str {
        self.values.get(id)
    }

    pub fn len(&self) -> usize {
        self.values.ends.len()
    }

    /// The handle of a value already interned.
    #[cfg(test)]
    pub fn find_handle(&self, value: &str) -> u32 {
        self.values.find(value).expect("interned")
    }
}

/// Unique keys (invoice ids) in one byte arena, with a hash index.
#[derive(Default)]
pub struct KeyIndex {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl KeyIndex {
    pub fn get(&self, id: u32) -> &str {
        // Keys are only inserted from &str, so the slice is valid UTF-8.
        std::str::from_utf8(key_bytes(&self.bytes, &self.ends, id)).unwrap_or_default()
    }

    pub fn find(&self, key: &str) -> Option<u32> {
        let key = key.as_bytes();
        let hash = self.hasher.hash_one(key);
        self.table.find(hash, |&id| key_bytes(&self.bytes, &self.ends, id) == key).copied()
    }

    /// Adds a key; `Err(existing)` if it is already there.
    pub fn insert(&mut self, key: &str) -> Result<u32, u32> {
        let key = key.as_bytes();
        let hash = self.hasher.hash_one(key);
        if let Some(&existing) = self.table.find(hash, |&id| key_bytes(&self.bytes, &self.ends, id) == key) {
            return Err(existing);
        }
        let id = self.ends.len() as u32;
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
        let (bytes, ends, hasher) = (&self.bytes, &self.ends, &self.hasher);
        self.table.insert_unique(hash, id, |&other| hasher.hash_one(key_bytes(bytes, ends, other)));
        Ok(id)
    }

    /// Makes room for `additional` more keys at once.
    pub fn reserve(&mut self, additional: usize) {
        let (bytes, ends, hasher) = (&self.bytes, &self.ends, &self.hasher);
        self.table.reserve(additional, |&other| hasher.hash_one(key_bytes(bytes, ends, other)));
        self.ends.reserve(additional);
    }
}

fn key_bytes<'a>(bytes: &'a [u8], ends: &[usize], id: u32) -> &'a [u8] {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &bytes[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_index_detects_duplicates_and_round_trips() {
        let mut keys = KeyIndex::default();
        assert_eq!(keys.insert("F-1"), Ok(0));
        assert_eq!(keys.insert("F-2"), Ok(1));
        assert_eq!(keys.insert("F-1"), Err(0));
        assert_eq!(keys.get(1), "F-2");
        assert_eq!(keys.find("F-2"), Some(1));
        assert_eq!(keys.find("F-3"), None);
    }

    #[test]
    fn interner_reserves_zero_for_empty() {
        let mut names = Interner::default();
        assert_eq!(names.intern(""), 0);
        assert_eq!(names.intern("ACME"), 1);
        assert_eq!(names.intern("ACME"), 1);
        assert_eq!(names.get(1), "ACME");
    }
}
