//! Compact storage for the text of ten million rows: an interner for values
//! that repeat (customers, currencies, names) and a unique-key index for
//! invoice ids (an ERP id, prefix and number, in 16 bytes), both on
//! hashbrown's table. Both hand out `u32` handles.

use hashbrown::DefaultHashBuilder;
use std::hash::BuildHasher;

/// Repeated text values, each stored once; handle 0 is the empty string.
/// Kept in one arena like [`KeyIndex`], so a hundred thousand customers fit
/// in the processor's cache.
pub struct Interner {
    values: KeyIndex,
}

impl Default for Interner {
    fn default() -> Self {
        let mut values = KeyIndex::plain();
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
        self.intern_hashed(value, self.values.hasher.hash(value))
    }

    /// [`Interner::intern`] with the value's hash by [`Interner::hasher`].
    pub fn intern_hashed(&mut self, value: &str, hash: u64) -> u32 {
        if value.is_empty() {
            return 0;
        }
        match self.values.insert_hashed(value, hash) {
            Ok(handle) | Err(handle) => handle,
        }
    }

    /// What hashes values for [`Interner::intern_hashed`], for other threads.
    pub fn hasher(&self) -> KeyHasher {
        self.values.hasher.clone()
    }

    pub fn get(&self, id: u32) -> &str {
        self.values.get_stored(id)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The handle of a value, if it was interned.
    pub fn find(&self, value: &str) -> Option<u32> {
        if value.is_empty() {
            return None;
        }
        self.values.find(value)
    }

    /// The handle of a value already interned.
    #[cfg(test)]
    pub fn find_handle(&self, value: &str) -> u32 {
        self.values.find(value).expect("interned")
    }
}

/// Hashes keys the way one [`KeyIndex`] does, so that threads that read
/// keys can hash them for the thread that stores them.
#[derive(Clone)]
pub struct KeyHasher(DefaultHashBuilder);

impl KeyHasher {
    pub fn hash(&self, key: &str) -> u64 {
        self.hash_bytes(key.as_bytes())
    }

    /// A key that ends in two digits (`ACC-SINV-2023-00000042`) is hashed
    /// by runs of a hundred: the text before its last two digits
    /// (`ACC-SINV-2023-000000`) is hashed, and those two digits (42) pick
    /// the slot within the run. Documents numbered in sequence, as exports
    /// list them, land in neighbouring slots of the table: a few cache
    /// misses per run instead of two or three per key. Runs land anywhere,
    /// as any hashed key does, so numbers with a stride spread as well.
    /// The tag bits hashbrown compares first also mix in the two digits.
    fn hash_bytes(&self, key: &[u8]) -> u64 {
        const TAG: u64 = !((1 << 57) - 1);
        match key {
            [run @ .., tens, units] if tens.is_ascii_digit() && units.is_ascii_digit() => {
                let place = u64::from(tens - b'0') * 10 + u64::from(units - b'0');
                self.0.hash_one(run) ^ place ^ (place.wrapping_mul(MIX) & TAG)
            }
            _ => self.0.hash_one(key),
        }
    }
}

/// An odd constant whose multiples spread a number's bits (2^64 / φ).
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// Unique keys (invoice ids), each with a `u32` handle in insertion
/// order: their text in [`KeyRecord`]s (one cache line for the usual key),
/// and a hashbrown table of handles.
pub struct KeyIndex {
    /// Each key's record, by handle.
    keys: KeyTexts,
    table: hashbrown::HashTable<u32>,
    hasher: KeyHasher,
    /// Set by [`KeyIndex::stop_lookups`].
    lookups_stopped: bool,
}

/// The keys' text by handle.
#[derive(Default)]
struct KeyTexts {
    records: Vec<KeyRecord>,
    /// The text of keys kept neither in their record nor as numbered keys.
    long: Vec<u8>,
    /// The prefixes of numbered keys; `None` when keys are never numbered
    /// (an [`Interner`], whose values are read back as `&str`).
    prefixes: Option<Prefixes>,
}

impl Default for KeyIndex {
    /// An index whose long keys ending in digits are kept as numbered keys.
    fn default() -> Self {
        KeyIndex::with_prefixes(Some(Prefixes::default()))
    }
}

/// A key's text in 16 aligned bytes (so never across two cache lines),
/// in one of three forms told apart by the last byte:
/// - a key of up to 15 bytes is the record itself, its length last;
/// - a longer key that ends in digits after a prefix of at most
///   [`MAX_PREFIX`] bytes (an ERP id such as `ACC-SINV-2023-00000042`) is
///   *numbered*: the value of its last digits, up to 19 of them (bytes
///   0-7), its prefix's handle in [`Prefixes`] (8-11), how many digits
///   (12), and [`NUMBERED`] last. Ten million such ids then take 160 MB
///   instead of 380 MB, and a look-up compares 16 bytes.
/// - any other key is in `KeyTexts::long`: its offset (bytes 0-7), length
///   (8-11), and [`LONG`] last.
///
/// Each key has one form, so two keys are equal when their records are
/// (or, for long keys, their texts).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(C, align(16))]
struct KeyRecord([u8; 16]);

/// The longest key kept in its [`KeyRecord`].
const INLINE: usize = 15;
/// The last byte of a record whose key is in `KeyTexts::long`.
const LONG: u8 = 0xFF;
/// The last byte of a numbered key's record.
const NUMBERED: u8 = 0xFE;
/// The longest prefix of a numbered key.
const MAX_PREFIX: usize = 48;
/// The most digits a numbered key's number holds (`u64` holds any 19).
const MAX_DIGITS: usize = 19;
/// The most prefixes kept: past it, keys with a new prefix are long keys,
/// so text with a prefix per key (names ending in a number) cannot grow
/// the prefixes without bound.
const MAX_PREFIXES: usize = 1 << 16;

/// Room for the text of any numbered key.
type KeyBuffer = [u8; MAX_PREFIX + MAX_DIGITS];
const BLANK: KeyBuffer = [0; MAX_PREFIX + MAX_DIGITS];

/// The prefixes of numbered keys, each with a handle. A prefix is added
/// by the first key that has it, and never once [`MAX_PREFIXES`] are kept;
/// so a key whose prefix is not here was stored as a long key.
#[derive(Default)]
struct Prefixes {
    handles: hashbrown::HashMap<Box<[u8]>, u32>,
    texts: Vec<Box<[u8]>>,
    /// The prefix found or added last: the ids of a file mostly share one.
    last: Option<u32>,
}

impl Prefixes {
    fn find(&self, prefix: &[u8]) -> Option<u32> {
        self.handles.get(prefix).copied()
    }

    /// The handle of `prefix`, added if there is room.
    fn find_or_add(&mut self, prefix: &[u8]) -> Option<u32> {
        if let Some(last) = self.last.filter(|&last| *self.texts[last as usize] == *prefix) {
            return Some(last);
        }
        if let Some(handle) = self.find(prefix) {
            self.last = Some(handle);
            return Some(handle);
        }
        if self.texts.len() >= MAX_PREFIXES {
            return None;
        }
        let handle = self.texts.len() as u32;
        self.texts.push(prefix.into());
        self.handles.insert(prefix.into(), handle);
        self.last = Some(handle);
        Some(handle)
    }
}

/// A key of over [`INLINE`] bytes split as a numbered key would be: its
/// prefix, and its last digits (at most [`MAX_DIGITS`]); `None` if it does
/// not end in a digit or its prefix is too long.
fn split_numbered(key: &[u8]) -> Option<(&[u8], &[u8])> {
    let digits = key.iter().rev().take(MAX_DIGITS).take_while(|b| b.is_ascii_digit()).count();
    let (prefix, number) = key.split_at(key.len() - digits);
    (digits > 0 && prefix.len() <= MAX_PREFIX).then_some((prefix, number))
}

/// The record of a numbered key: see [`KeyRecord`].
fn numbered_record(prefix: u32, digits: &[u8]) -> KeyRecord {
    let value = digits.iter().fold(0u64, |value, digit| value * 10 + u64::from(digit - b'0'));
    let mut record = [0u8; 16];
    record[..8].copy_from_slice(&value.to_le_bytes());
    record[8..12].copy_from_slice(&prefix.to_le_bytes());
    record[12] = digits.len() as u8;
    record[INLINE] = NUMBERED;
    KeyRecord(record)
}

fn inline_record(key: &[u8]) -> KeyRecord {
    let mut record = [0u8; 16];
    record[..key.len()].copy_from_slice(key);
    record[INLINE] = key.len() as u8;
    KeyRecord(record)
}

/// How a key is (or would be) stored, to compare it with stored keys.
#[derive(Clone, Copy)]
enum Form<'k> {
    /// An inline or numbered key: equal keys have equal records.
    Record(KeyRecord),
    /// A key in `KeyTexts::long`.
    Long(&'k [u8]),
}

/// The last prefix [`KeyTexts::probe`] looked up: the keys of a file
/// mostly share a few prefixes, so most look-ups skip the prefix table.
#[derive(Default)]
struct LastPrefix<'k>(Option<(&'k [u8], Option<u32>)>);

impl KeyIndex {
    fn with_prefixes(prefixes: Option<Prefixes>) -> KeyIndex {
        KeyIndex {
            keys: KeyTexts { prefixes, ..KeyTexts::default() },
            table: hashbrown::HashTable::new(),
            hasher: KeyHasher(DefaultHashBuilder::default()),
            lookups_stopped: false,
        }
    }

    /// Frees the look-up table (a quarter of the index's memory: 0.7 GB at
    /// 100M ids) once every key has been added and looked up. The keys stay,
    /// in order, for [`KeyIndex::get`] and [`KeyIndex::compare`]; looking a
    /// key up or adding one afterwards is a mistake (debug builds stop on it).
    pub fn stop_lookups(&mut self) {
        self.table = hashbrown::HashTable::new();
        self.lookups_stopped = true;
    }

    /// An index that keeps every key's text as it is (no numbered keys),
    /// so [`KeyIndex::get_stored`] can lend it.
    fn plain() -> KeyIndex {
        KeyIndex::with_prefixes(None)
    }

    /// The text of key `id`: lent when it is stored as text, written out
    /// when it is a numbered key.
    pub fn get(&self, id: u32) -> std::borrow::Cow<'_, str> {
        let mut buffer = BLANK;
        match self.keys.key(id, &mut buffer) {
            Stored::Lent(bytes) => std::borrow::Cow::Borrowed(utf8(bytes)),
            Stored::Written(bytes) => std::borrow::Cow::Owned(utf8(bytes).to_string()),
        }
    }

    /// The text of key `id` of a [`KeyIndex::plain`] index.
    fn get_stored(&self, id: u32) -> &str {
        let mut buffer = BLANK;
        match self.keys.key(id, &mut buffer) {
            Stored::Lent(bytes) => utf8(bytes),
            Stored::Written(_) => "",
        }
    }

    /// Orders two keys as their texts order, without writing either out
    /// on the heap (for sorting documents by id).
    pub fn compare(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (mut buffer_a, mut buffer_b) = (BLANK, BLANK);
        self.keys.key(a, &mut buffer_a).bytes().cmp(self.keys.key(b, &mut buffer_b).bytes())
    }

    pub fn len(&self) -> usize {
        self.keys.records.len()
    }

    pub fn find(&self, key: &str) -> Option<u32> {
        self.find_probed(key, &mut LastPrefix::default())
    }

    fn find_probed<'k>(&self, key: &'k str, last: &mut LastPrefix<'k>) -> Option<u32> {
        debug_assert!(!self.lookups_stopped, "a key looked up after KeyIndex::stop_lookups");
        let form = self.keys.probe(key.as_bytes(), last)?;
        let hash = self.hasher.hash(key);
        self.table.find(hash, |&id| self.keys.is(id, form)).copied()
    }

    /// [`KeyIndex::find`] for many keys, into `found` (cleared first). A
    /// pass of look-ups alone, apart from other work, lets the processor
    /// overlap their waits for memory: reading payments' ids this way
    /// rather than one by one as each row is parsed saved 3.5 s of `age`'s
    /// 19 s on the 10M benchmark.
    pub fn find_each(&self, keys: &[&str], found: &mut Vec<Option<u32>>) {
        found.clear();
        let mut last = LastPrefix::default();
        found.extend(keys.iter().map(|key| self.find_probed(key, &mut last)));
    }

    /// What hashes keys for [`KeyIndex::insert_hashed`], for other threads.
    pub fn hasher(&self) -> KeyHasher {
        self.hasher.clone()
    }

    /// Adds a key; `Err(existing)` if it is already there.
    pub fn insert(&mut self, key: &str) -> Result<u32, u32> {
        self.insert_hashed(key, self.hasher.hash(key))
    }

    /// [`KeyIndex::insert`] with the key's hash by [`KeyIndex::hasher`].
    pub fn insert_hashed(&mut self, key: &str, hash: u64) -> Result<u32, u32> {
        debug_assert!(!self.lookups_stopped, "a key added after KeyIndex::stop_lookups");
        let KeyIndex { keys, table, hasher, .. } = self;
        let form = keys.form_to_store(key.as_bytes());
        let rehash = |&id: &u32| keys.hash(id, hasher);
        match table.entry(hash, |&id| keys.is(id, form), rehash) {
            hashbrown::hash_table::Entry::Occupied(existing) => Err(*existing.get()),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                let id = keys.records.len() as u32;
                slot.insert(id);
                keys.store(form);
                Ok(id)
            }
        }
    }

    /// Makes room for `additional` more keys at once.
    pub fn reserve(&mut self, additional: usize) {
        let KeyIndex { keys, table, hasher, .. } = self;
        table.reserve(additional, |&id| keys.hash(id, hasher));
        keys.records.reserve(additional);
    }
}

/// Keys are only inserted from `&str`, so their bytes are UTF-8.
fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// A key's text: lent from the index, or written out into a buffer.
enum Stored<'s, 'b> {
    Lent(&'s [u8]),
    Written(&'b [u8]),
}

impl Stored<'_, '_> {
    fn bytes(&self) -> &[u8] {
        match *self {
            Stored::Lent(bytes) | Stored::Written(bytes) => bytes,
        }
    }
}

impl KeyTexts {
    /// The form `key` is stored in, adding its prefix if it is new.
    fn form_to_store<'k>(&mut self, key: &'k [u8]) -> Form<'k> {
        if key.len() <= INLINE {
            return Form::Record(inline_record(key));
        }
        let numbered = self.prefixes.as_mut().zip(split_numbered(key));
        match numbered.and_then(|(prefixes, (prefix, digits))| Some((prefixes.find_or_add(prefix)?, digits)))
        {
            Some((handle, digits)) => Form::Record(numbered_record(handle, digits)),
            None => Form::Long(key),
        }
    }

    /// The form `key` would be stored in, or `None` when no stored key can
    /// be it. Its prefix is only looked up: a key whose prefix is not kept
    /// was stored as a long key (see [`Prefixes`]).
    fn probe<'k>(&self, key: &'k [u8], last: &mut LastPrefix<'k>) -> Option<Form<'k>> {
        if key.len() <= INLINE {
            return Some(Form::Record(inline_record(key)));
        }
        let Some((prefixes, (prefix, digits))) = self.prefixes.as_ref().zip(split_numbered(key)) else {
            return Some(Form::Long(key));
        };
        let handle = match last.0 {
            Some((last_prefix, handle)) if last_prefix == prefix => handle,
            _ => {
                let handle = prefixes.find(prefix);
                last.0 = Some((prefix, handle));
                handle
            }
        };
        Some(match handle {
            Some(handle) => Form::Record(numbered_record(handle, digits)),
            None => Form::Long(key),
        })
    }

    /// Whether key `id` is the key of `form`.
    fn is(&self, id: u32, form: Form) -> bool {
        let record = &self.records[id as usize];
        match form {
            Form::Record(wanted) => *record == wanted,
            Form::Long(text) => record.0[INLINE] == LONG && self.long_text(record) == text,
        }
    }

    /// Adds the record of a new key.
    fn store(&mut self, form: Form) {
        let record = match form {
            Form::Record(record) => record,
            Form::Long(key) => {
                let mut record = [0u8; 16];
                record[..8].copy_from_slice(&(self.long.len() as u64).to_le_bytes());
                record[8..12].copy_from_slice(&(key.len() as u32).to_le_bytes());
                record[INLINE] = LONG;
                self.long.extend_from_slice(key);
                KeyRecord(record)
            }
        };
        self.records.push(record);
    }

    fn hash(&self, id: u32, hasher: &KeyHasher) -> u64 {
        let mut buffer = BLANK;
        hasher.hash_bytes(self.key(id, &mut buffer).bytes())
    }

    /// The text of key `id`, written into `buffer` if it is numbered.
    fn key<'s, 'b>(&'s self, id: u32, buffer: &'b mut KeyBuffer) -> Stored<'s, 'b> {
        let record = &self.records[id as usize];
        match record.0[INLINE] {
            LONG => Stored::Lent(self.long_text(record)),
            NUMBERED => Stored::Written(self.write_numbered(record, buffer)),
            length => Stored::Lent(&record.0[..length as usize]),
        }
    }

    fn long_text(&self, record: &KeyRecord) -> &[u8] {
        let (offset, length) = record.0.split_at(8);
        let offset = u64::from_le_bytes(offset.try_into().unwrap_or_default()) as usize;
        let length = u32::from_le_bytes(length[..4].try_into().unwrap_or_default()) as usize;
        &self.long[offset..offset + length]
    }

    /// Writes a numbered key out: its prefix, then its number padded with
    /// zeros to its count of digits.
    fn write_numbered<'b>(&self, record: &KeyRecord, buffer: &'b mut KeyBuffer) -> &'b [u8] {
        let bytes = &record.0;
        let mut value = u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default());
        let handle = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        let digits = usize::from(bytes[12]);
        let prefixes = self.prefixes.as_ref().map(|p| &p.texts[..]).unwrap_or_default();
        let prefix = prefixes.get(handle as usize).map(|p| &p[..]).unwrap_or_default();
        let length = prefix.len() + digits;
        buffer[..prefix.len()].copy_from_slice(prefix);
        for slot in buffer[prefix.len()..length].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        &buffer[..length]
    }
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

    /// Past the table's growth points, with keys sharing prefixes: every key
    /// keeps its handle, found one by one or in groups, and no unknown key is found.
    #[test]
    fn key_index_survives_growth_and_group_lookups() {
        let mut keys = KeyIndex::default();
        let count = 100_000u32;
        for i in 0..count {
            assert_eq!(keys.insert(&format!("INV{i:09}")), Ok(i));
        }
        assert_eq!(keys.insert("INV000004242"), Err(4242));
        let wanted: Vec<String> = (0..count + 50).map(|i| format!("INV{i:09}")).collect();
        let refs: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let mut found = Vec::new();
        keys.find_each(&refs, &mut found);
        for (i, handle) in found.iter().enumerate() {
            let expected = (i < count as usize).then_some(i as u32);
            assert_eq!(*handle, expected, "key {}", refs[i]);
            assert_eq!(keys.find(refs[i]), expected);
        }
        assert_eq!(keys.get(99_999), "INV000099999");
    }

    /// Keys of many lengths, the empty one and non-ASCII ones included,
    /// found again and told apart.
    #[test]
    fn short_and_long_keys_round_trip() {
        let mut keys = KeyIndex::default();
        let texts: Vec<String> =
            (0..40).map(|n| "k".repeat(n)).chain(["ñandú-€".into(), "x".repeat(300)]).collect();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.insert(text), Ok(i as u32), "{text:?}");
        }
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.get(i as u32), text.as_str());
            assert_eq!(keys.insert(text), Err(i as u32));
        }
        let unknown = "k".repeat(40);
        let refs: Vec<&str> = texts.iter().chain([&unknown]).map(String::as_str).collect();
        let mut found = Vec::new();
        keys.find_each(&refs, &mut found);
        let expected: Vec<Option<u32>> = (0..texts.len() as u32).map(Some).chain([None]).collect();
        assert_eq!(found, expected);
    }

    /// Long ids ending in digits are numbered keys: each comes back as it
    /// was, leading zeros included, and keys that differ only in them, in
    /// a digit past the 19 a number holds, or in the prefix are told apart.
    #[test]
    fn numbered_keys_round_trip_and_stay_apart() {
        let p = "p".repeat(MAX_PREFIX);
        let texts = [
            "ACC-SINV-2023-00000042".to_string(),
            "ACC-SINV-2023-0000042".into(),   // one leading zero fewer
            "ACC-SINV-2023-000000042".into(), // one more
            "ACC-SINV-2024-00000042".into(),
            "ACC-SINV-2023-00000042-1".into(),
            "12345678901234567890123".into(), // 23 digits: a 4-digit prefix
            "1234567890123456".into(),        // 16 digits: an empty prefix
            "0000000000000000".into(),
            "Factura nº 2023-99999999999999999999".into(),
            format!("{p}1234"),  // the longest prefix
            format!("{p}x1234"), // one byte past it: a long key
            "ACC-SINV-2023-0000004".into(),
            "ACC-SINV-2023-XYZ".into(), // no final digits: a long key
        ];
        let mut keys = KeyIndex::default();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.insert(text), Ok(i as u32), "{text}");
        }
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.get(i as u32), text.as_str());
            assert_eq!(keys.find(text), Some(i as u32), "{text}");
            assert_eq!(keys.insert(text), Err(i as u32), "{text}");
        }
        for unknown in
            ["ACC-SINV-2023-00000043", "ACC-SINV-2023-42", "ACC-SINV-2025-00000042", "x0000000000000000"]
        {
            assert_eq!(keys.find(unknown), None, "{unknown}");
        }
        // 11 of the 13 keys are numbered: only the one without final digits
        // and the one whose prefix is too long are in `long`.
        let long = format!("{p}x1234").len() + "ACC-SINV-2023-XYZ".len();
        assert_eq!(keys.keys.long.len(), long);
    }

    /// Numbered keys sort as their texts do, whatever their form.
    #[test]
    fn keys_compare_as_their_texts() {
        let texts = [
            "INV-2023-0000010",
            "INV-2023-000009",
            "INV-2023-0000009",
            "INV-2023-00000091",
            "INV-2023-0000010x",
            "short",
            "INV-2023-",
            "INV-2022-9999999",
        ];
        let mut keys = KeyIndex::default();
        for text in texts {
            keys.insert(text).unwrap();
        }
        for (a, text_a) in texts.iter().enumerate() {
            for (b, text_b) in texts.iter().enumerate() {
                assert_eq!(keys.compare(a as u32, b as u32), text_a.cmp(text_b), "{text_a} vs {text_b}");
            }
        }
    }

    /// Once the prefixes are full, keys with a new prefix are kept as long
    /// keys, and every key is still found, whatever form it took.
    #[test]
    fn keys_past_the_last_prefix_are_long_and_still_found() {
        let mut keys = KeyIndex::default();
        let texts: Vec<String> =
            (0..MAX_PREFIXES + 10).map(|i| format!("customer {i} number 0001")).collect();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.insert(text), Ok(i as u32));
        }
        // The prefixes are full: a known prefix still numbers a new key.
        let known = "customer 7 number 0002";
        assert_eq!(keys.insert(known), Ok(texts.len() as u32));
        let long_before = keys.keys.long.len();
        assert_eq!(long_before, texts[MAX_PREFIXES..].iter().map(String::len).sum::<usize>());
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.find(text), Some(i as u32), "{text}");
            assert_eq!(keys.get(i as u32), text.as_str());
        }
        assert_eq!(keys.find(known), Some(texts.len() as u32));
        assert_eq!(keys.find("customer 70000 number 0002"), None);
    }

    /// Keys that end in two digits are hashed by runs of a hundred
    /// (`KeyHasher`): keys in sequence, keys with a stride of 2^16, and one
    /// number written with one, two and three digits are all found through
    /// every growth of the table, and their neighbours are not.
    #[test]
    fn numbers_in_runs_and_with_strides_are_found_after_growth() {
        let mut keys = KeyIndex::default();
        let texts: Vec<String> = (0..20_000u64)
            .map(|i| format!("ACC-SINV-2024-{i:06}"))
            .chain((0..20_000u64).map(|i| format!("DOC-{}", i << 16)))
            .chain(["N-7".to_string(), "N-07".to_string(), "N-007".to_string()])
            .collect();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.insert(text), Ok(i as u32), "{text}");
        }
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(keys.find(text), Some(i as u32), "{text}");
            assert_eq!(keys.insert(text), Err(i as u32), "{text}");
        }
        for missing in ["ACC-SINV-2024-020000", "ACC-SINV-2024-0000001", "DOC-65537", "DOC-1", "N-0007"] {
            assert_eq!(keys.find(missing), None, "{missing}");
        }
    }

    proptest::proptest! {
        /// Against a map of texts: every key gets the first handle of its
        /// text, is found, comes back, and sorts as text does.
        #[test]
        fn key_index_agrees_with_a_map(texts in proptest::collection::vec("[AB-]{0,18}[0-9]{0,22}", 1..60)) {
            let mut keys = KeyIndex::default();
            let mut model: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
            for text in &texts {
                let next = model.len() as u32;
                let expected = match model.get(text.as_str()) {
                    Some(&handle) => Err(handle),
                    None => { model.insert(text, next); Ok(next) }
                };
                proptest::prop_assert_eq!(keys.insert(text), expected);
            }
            for (text, &handle) in &model {
                proptest::prop_assert_eq!(keys.find(text), Some(handle));
                proptest::prop_assert_eq!(keys.get(handle), *text);
                for (other, &other_handle) in &model {
                    proptest::prop_assert_eq!(keys.compare(handle, other_handle), text.cmp(other));
                }
            }
            let mut found = Vec::new();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            keys.find_each(&refs, &mut found);
            for (text, handle) in refs.iter().zip(&found) {
                proptest::prop_assert_eq!(*handle, model.get(text).copied());
            }
        }
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
