//! Group-by, done by polars: exact sums of amounts by a key of handles,
//! with each key's row count and the largest of a number given per row.
//!
//! Rows are pushed one by one and handed to polars in chunks, each added
//! at once to the sums so far, so memory holds one chunk of rows and the
//! keys' sums, whatever the row count. The sums stay in polars' columns
//! (44 bytes a key of three handles) until they are read ([`SumsByKey::for_each`]). When
//! the keys alone are many (a group per customer and bucket of 100M
//! documents), the rows are summed in [`Passes`], each over the keys of
//! its own share.
//!
//! A `Decimal` goes to polars as its mantissa (an integer, polars'
//! `Decimal(38, 0)`) with its scale in the key: polars adds integers of
//! one scale exactly, and the scales of a key are added as `Decimal`s when
//! they are read, by [`money::add`], as a sum in file order would add
//! them. The domain never sees a polars type.

use crate::money;
use anyhow::Result;
use polars::prelude::*;
use rust_decimal::Decimal;

/// Rows a chunk holds before polars adds them to the sums (48 bytes a row
/// with a three-handle key: about 25 MB).
const CHUNK_ROWS: usize = 1 << 19;

/// Rows a pass may read when every row could have a key of its own (see
/// [`Passes`]): their sums take at most 650 MB.
const PASS_ROWS: usize = 16_000_000;

/// The sums of one key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyedSum {
    pub key: Vec<u32>,
    /// The exact sum of the key's amounts, of the largest scale among them.
    pub sum: Decimal,
    pub rows: u64,
    /// The largest of the numbers given with the key's rows, if any was.
    pub largest: Option<i32>,
}

/// Rows waiting to be summed by key, and the sums of those reduced.
pub struct KeyedSums {
    /// By key position, each row's handle.
    keys: Vec<Vec<u32>>,
    mantissas: Vec<i128>,
    scales: Vec<u32>,
    numbers: Vec<Option<i32>>,
    /// The sums by key and scale of the rows reduced so far (columns: the
    /// key's, scale, mantissa sum, row count, largest number).
    reduced: Option<DataFrame>,
    chunk_rows: usize,
}

impl KeyedSums {
    /// Sums by keys of `key_width` handles.
    pub fn new(key_width: usize) -> KeyedSums {
        KeyedSums::with_chunk(key_width, CHUNK_ROWS)
    }

    fn with_chunk(key_width: usize, chunk_rows: usize) -> KeyedSums {
        KeyedSums {
            keys: vec![Vec::new(); key_width],
            mantissas: Vec::new(),
            scales: Vec::new(),
            numbers: Vec::new(),
            reduced: None,
            chunk_rows,
        }
    }

    /// Adds a row: `amount` to the sum of `key`, and `number` (if any) to
    /// the numbers whose largest is kept.
    pub fn push(&mut self, key: &[u32], amount: Decimal, number: Option<i32>) -> Result<()> {
        debug_assert_eq!(key.len(), self.keys.len(), "a key of the width given to KeyedSums::new");
        for (column, &handle) in self.keys.iter_mut().zip(key) {
            column.push(handle);
        }
        self.mantissas.push(amount.mantissa());
        self.scales.push(amount.scale());
        self.numbers.push(number);
        if self.mantissas.len() == self.chunk_rows {
            self.reduce_chunk()?;
        }
        Ok(())
    }

    /// Every key's sums.
    pub fn finish(mut self) -> Result<SumsByKey> {
        self.reduce_chunk()?;
        let width = self.keys.len();
        let frame = match self.reduced {
            Some(reduced) => reduced
                .lazy()
                .sort_by_exprs(key_and_scale(width), SortMultipleOptions::default())
                .collect()
                .map_err(polars_failed)?,
            None => DataFrame::empty(),
        };
        Ok(SumsByKey { frame, width })
    }

    /// Hands the rows pushed so far to polars, which adds them to the sums
    /// by key and scale: memory holds the sums and one chunk of rows.
    fn reduce_chunk(&mut self) -> Result<()> {
        if self.mantissas.is_empty() {
            return Ok(());
        }
        let chunk = self.take_chunk()?.lazy();
        let rows = match self.reduced.take() {
            None => chunk,
            Some(reduced) => concat([reduced.lazy(), chunk], UnionArgs::default())?,
        };
        let width = self.keys.len();
        let sums = rows
            .group_by(key_and_scale(width))
            .agg([col(MANTISSA).sum(), col(ROWS).sum(), col(NUMBER).max()])
            .collect()
            .map_err(polars_failed)?;
        self.reduced = Some(sums);
        Ok(())
    }

    /// The rows pushed since the last chunk as a frame with the columns of
    /// [`KeyedSums::reduced`] (each row counting 1), the buffers emptied.
    fn take_chunk(&mut self) -> Result<DataFrame> {
        let width = self.keys.len();
        let height = self.mantissas.len();
        let mut columns: Vec<Column> = std::mem::replace(&mut self.keys, vec![Vec::new(); width])
            .into_iter()
            .enumerate()
            .map(|(k, handles)| UInt32Chunked::from_vec(key_name(k), handles).into_column())
            .collect();
        columns.push(UInt32Chunked::from_vec(SCALE.into(), std::mem::take(&mut self.scales)).into_column());
        let mantissas = Int128Chunked::from_vec(MANTISSA.into(), std::mem::take(&mut self.mantissas));
        columns.push(mantissas.into_decimal_unchecked(38, 0).into_series().into_column());
        columns.push(UInt64Chunked::full(ROWS.into(), 1, height).into_column());
        columns.push(Int32Chunked::from_iter_options(NUMBER.into(), self.numbers.drain(..)).into_column());
        Ok(DataFrame::new(height, columns)?)
    }
}

fn polars_failed(error: PolarsError) -> anyhow::Error {
    anyhow::anyhow!("polars could not add up the groups: {error}")
}

const SCALE: &str = "scale";
const MANTISSA: &str = "mantissa";
const ROWS: &str = "rows";
const NUMBER: &str = "number";

fn key_name(position: usize) -> PlSmallStr {
    PlSmallStr::from(format!("k{position}"))
}

fn key_and_scale(width: usize) -> Vec<Expr> {
    (0..width).map(|k| col(key_name(k))).chain([col(SCALE)]).collect()
}

/// Every key's sums, in polars' columns, sorted by key, then scale.
pub struct SumsByKey {
    frame: DataFrame,
    width: usize,
}

impl SumsByKey {
    /// Calls `visit` with the sums of every key, in key order (handle by
    /// handle): the sums of its scales added in increasing scale.
    pub fn for_each(&self, mut visit: impl FnMut(KeyedSum)) -> Result<()> {
        if self.frame.height() == 0 {
            return Ok(());
        }
        let frame = &self.frame;
        let keys: Vec<&UInt32Chunked> = (0..self.width)
            .map(|k| frame.column(&key_name(k)).and_then(Column::u32))
            .collect::<PolarsResult<_>>()?;
        let scales = frame.column(SCALE)?.u32()?;
        let mantissas = frame.column(MANTISSA)?.decimal()?.physical();
        let rows = frame.column(ROWS)?.u64()?;
        let numbers = frame.column(NUMBER)?.i32()?;
        let mut pending: Option<KeyedSum> = None;
        for row in 0..frame.height() {
            let key: Vec<u32> =
                keys.iter().map(|column| column.get(row).expect("keys are never null")).collect();
            let scale = scales.get(row).expect("scales are never null");
            let amount = decimal_of(mantissas.get(row).expect("a sum is never null"), scale)?;
            let count = rows.get(row).expect("a count is never null");
            let number = numbers.get(row);
            match &mut pending {
                Some(sum) if sum.key == key => {
                    money::add(&mut sum.sum, amount);
                    sum.rows += count;
                    sum.largest = sum.largest.max(number);
                }
                _ => {
                    if let Some(done) =
                        pending.replace(KeyedSum { key, sum: amount, rows: count, largest: number })
                    {
                        visit(done);
                    }
                }
            }
        }
        if let Some(done) = pending {
            visit(done);
        }
        Ok(())
    }

    #[cfg(test)]
    fn to_vec(&self) -> Vec<KeyedSum> {
        let mut sums = Vec::new();
        self.for_each(|sum| sums.push(sum)).unwrap();
        sums
    }
}

/// Shares of the keys, summed one after the other over the same rows, so
/// that the sums of one share are in memory at a time while it is added
/// up. Every row is read in each pass; a pass keeps the rows of its keys.
#[derive(Clone, Copy, Debug)]
pub struct Passes {
    count: usize,
}

impl Passes {
    /// Enough passes over `rows` rows that a pass sums at most
    /// [`PASS_ROWS`] of them, as they would be if the keys spread evenly.
    pub fn over(rows: usize) -> Passes {
        Passes { count: rows.div_ceil(PASS_ROWS).max(1) }
    }

    /// `count` passes, whatever the rows (for tests of what passes change).
    #[cfg(test)]
    pub fn exactly(count: usize) -> Passes {
        Passes { count }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// The pass whose share has `key` (any handles that pick a key's share:
    /// all of it, or the part that makes its group).
    pub fn of(&self, key: &[u32]) -> usize {
        let mixed = key.iter().fold(0u64, |hash, &handle| {
            (hash ^ u64::from(handle)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
        });
        (mixed % self.count as u64) as usize
    }
}

/// Rows numbered by group: the groups of a group-by of the rows by their
/// key, in order of first appearance, and each row's group, found by
/// joining the rows back to the groups (both polars').
#[derive(Debug, PartialEq)]
pub struct Numbered {
    /// By group number, its key's handles.
    pub keys: Vec<Vec<u32>>,
    /// By row, its group number.
    pub of_row: Vec<u32>,
}

/// The groups of rows whose key's handles are `columns` (one `Vec` per
/// key position, each with a handle per row).
pub fn number_groups(columns: Vec<Vec<u32>>) -> Result<Numbered> {
    let height = columns.first().map_or(0, Vec::len);
    let width = columns.len();
    let key_columns = columns
        .into_iter()
        .enumerate()
        .map(|(k, handles)| UInt32Chunked::from_vec(key_name(k), handles).into_column());
    let rows = DataFrame::new(height, key_columns.collect())?;
    let keys: Vec<Expr> = (0..width).map(|k| col(key_name(k))).collect();
    let groups = rows
        .clone()
        .lazy()
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_row_index(GROUP, None)
        .collect()
        .map_err(polars_failed)?;
    let join = JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) };
    let of_row = rows
        .lazy()
        .join(groups.clone().lazy(), &keys, &keys, join)
        .select([col(GROUP)])
        .collect()
        .map_err(polars_failed)?;
    let of_row: Vec<u32> = of_row.column(GROUP)?.u32()?.into_no_null_iter().collect();
    let key_columns: Vec<&UInt32Chunked> =
        (0..width).map(|k| groups.column(&key_name(k)).and_then(Column::u32)).collect::<PolarsResult<_>>()?;
    let keys = (0..groups.height())
        .map(|g| key_columns.iter().map(|column| column.get(g).expect("keys are never null")).collect())
        .collect();
    Ok(Numbered { keys, of_row })
}

const GROUP: &str = "group";

/// `mantissa` × 10^-`scale` as a `Decimal`. A sum whose mantissa is past
/// `Decimal`'s 96 bits loses its last decimals, rounded half away from
/// zero. Amounts are below 10^18 and rows fewer than 2^32, so a sum of
/// whole units always fits.
fn decimal_of(mut mantissa: i128, mut scale: u32) -> Result<Decimal> {
    loop {
        if let Ok(value) = Decimal::try_from_i128_with_scale(mantissa, scale) {
            return Ok(value);
        }
        anyhow::ensure!(scale > 0, "a sum of amounts is past 7.9e28, more than cobro can hold");
        mantissa = mantissa / 10 + (mantissa % 10) / 5;
        scale -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn sums_counts_and_largest_by_key_in_key_order() {
        let mut sums = KeyedSums::new(2);
        // key (7, 1): 10.50 + 2.5 + (-3) = 10.00, three rows, largest 40
        sums.push(&[7, 1], d("10.50"), Some(12)).unwrap();
        sums.push(&[2, 0], d("-4.25"), None).unwrap();
        sums.push(&[7, 1], d("2.5"), Some(40)).unwrap();
        sums.push(&[7, 1], d("-3"), None).unwrap();
        // key (2, 0): -4.25 + 4.25 = 0.00, two rows, no number
        sums.push(&[2, 0], d("4.25"), None).unwrap();
        sums.push(&[2, 1], d("0.001"), Some(-5)).unwrap();
        let got = sums.finish().unwrap().to_vec();
        let want = [
            KeyedSum { key: vec![2, 0], sum: d("0.00"), rows: 2, largest: None },
            KeyedSum { key: vec![2, 1], sum: d("0.001"), rows: 1, largest: Some(-5) },
            KeyedSum { key: vec![7, 1], sum: d("10.00"), rows: 3, largest: Some(40) },
        ];
        assert_eq!(got, want);
        // the scale is the largest of the key's amounts, as in a Decimal sum
        assert_eq!(got[0].sum.scale(), 2);
        assert_eq!(got[2].sum.to_string(), "10.00");
    }

    #[test]
    fn no_rows_no_sums() {
        assert_eq!(KeyedSums::new(1).finish().unwrap().to_vec(), []);
    }

    #[test]
    fn chunks_reduced_on_the_way_give_the_same_sums() {
        let mut whole = KeyedSums::new(1);
        let mut chunked = KeyedSums::with_chunk(1, 3);
        for i in 0..20u32 {
            let amount = Decimal::new(i64::from(i) * 101 - 700, i % 3);
            whole.push(&[i % 4], amount, (i % 5 != 0).then_some(i as i32)).unwrap();
            chunked.push(&[i % 4], amount, (i % 5 != 0).then_some(i as i32)).unwrap();
        }
        assert_eq!(chunked.mantissas.len(), 20 % 3, "chunks of 3 rows were reduced as they filled");
        let whole = whole.finish().unwrap().to_vec();
        assert_eq!(chunked.finish().unwrap().to_vec(), whole);
        // key 0 is i = 0, 4, 8, 12, 16: amounts i × 101 - 700 at scale i mod 3,
        // -700 - 29.6 + 1.08 + 512 + 91.6 = -124.92 (scale 2); the numbers of
        // 4, 8, 12 and 16 (i = 0 has none): largest 16
        assert_eq!(whole[0], KeyedSum { key: vec![0], sum: d("-124.92"), rows: 5, largest: Some(16) });
    }

    #[test]
    fn passes_share_the_keys_and_their_sums_add_up_to_one_pass() {
        assert_eq!(
            [0, 16_000_000, 16_000_001, 100_000_000].map(|rows| Passes::over(rows).count()),
            [1, 1, 2, 7]
        );
        let passes = Passes::exactly(3);
        let rows: Vec<([u32; 2], Decimal)> =
            (0..300u32).map(|i| ([i % 37, i % 3], Decimal::new(i64::from(i) - 150, 2))).collect();
        let mut whole = KeyedSums::new(2);
        let mut shares: Vec<KeyedSums> = (0..3).map(|_| KeyedSums::new(2)).collect();
        for (key, amount) in &rows {
            whole.push(key, *amount, None).unwrap();
            shares[passes.of(key)].push(key, *amount, None).unwrap();
        }
        let mut by_pass: Vec<KeyedSum> =
            shares.into_iter().flat_map(|share| share.finish().unwrap().to_vec()).collect();
        assert!(shares_are_not_empty(&by_pass, &passes), "each of the 3 passes has keys");
        by_pass.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(by_pass, whole.finish().unwrap().to_vec());
    }

    fn shares_are_not_empty(sums: &[KeyedSum], passes: &Passes) -> bool {
        (0..passes.count()).all(|pass| sums.iter().any(|sum| passes.of(&sum.key) == pass))
    }

    #[test]
    fn groups_are_numbered_in_order_of_first_appearance() {
        // rows (region, currency): (5,1) (2,1) (5,1) (5,0) (2,1) → groups
        // 0 = (5,1), 1 = (2,1), 2 = (5,0)
        let numbered = number_groups(vec![vec![5, 2, 5, 5, 2], vec![1, 1, 1, 0, 1]]).unwrap();
        assert_eq!(
            numbered,
            Numbered { keys: vec![vec![5, 1], vec![2, 1], vec![5, 0]], of_row: vec![0, 1, 0, 2, 1] }
        );
        let none = number_groups(vec![Vec::new()]).unwrap();
        assert_eq!(none, Numbered { keys: Vec::new(), of_row: Vec::new() });
    }

    #[test]
    fn a_sum_past_96_bits_is_rounded_to_fit() {
        // Decimal::MAX's mantissa (2^96 - 1 = 79228162514264337593543950335)
        // twice, plus 5, at scale 10: one digit too many, the 5 rounds up
        let mantissa = 2 * 79_228_162_514_264_337_593_543_950_335i128 + 5;
        assert_eq!(decimal_of(mantissa, 10).unwrap(), d("15845632502852867518.708790068"));
        assert_eq!(decimal_of(-mantissa, 10).unwrap(), d("-15845632502852867518.708790068"));
        assert_eq!(decimal_of(125, 2).unwrap(), d("1.25"));
        assert!(decimal_of(mantissa, 0).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Each row's group has the row's key, and the groups come in
            /// the order their keys first appear (over many chunks of polars' join).
            #[test]
            fn every_row_is_in_the_group_of_its_key(rows in prop::collection::vec((0u32..6, 0u32..3), 0..3000)) {
                let numbered = number_groups(vec![rows.iter().map(|r| r.0).collect(), rows.iter().map(|r| r.1).collect()]).unwrap();
                let mut first_seen: Vec<Vec<u32>> = Vec::new();
                for &(a, b) in &rows {
                    if !first_seen.contains(&vec![a, b]) {
                        first_seen.push(vec![a, b]);
                    }
                }
                prop_assert_eq!(&numbered.keys, &first_seen);
                prop_assert_eq!(numbered.of_row.len(), rows.len());
                for (&(a, b), &g) in rows.iter().zip(&numbered.of_row) {
                    prop_assert_eq!(&numbered.keys[g as usize], &vec![a, b]);
                }
            }

            /// Polars' sums are the sums in file order by `money::add`, to
            /// the last decimal and with the same scale.
            #[test]
            fn sums_are_those_added_in_file_order(
                rows in prop::collection::vec((0u32..4, 0u32..3, -1_000_000_000i64..1_000_000_000, 0u32..5, prop::option::of(-50i32..50)), 0..200),
                chunk in 1usize..50,
            ) {
                let mut sums = KeyedSums::with_chunk(2, chunk);
                let mut model: BTreeMap<Vec<u32>, KeyedSum> = BTreeMap::new();
                for &(a, b, mantissa, scale, number) in &rows {
                    let amount = Decimal::new(mantissa, scale);
                    sums.push(&[a, b], amount, number).unwrap();
                    let entry = model.entry(vec![a, b]).or_insert(KeyedSum { key: vec![a, b], sum: Decimal::ZERO, rows: 0, largest: None });
                    money::add(&mut entry.sum, amount);
                    entry.rows += 1;
                    entry.largest = entry.largest.max(number);
                }
                let got = sums.finish().unwrap().to_vec();
                let want: Vec<KeyedSum> = model.into_values().collect();
                prop_assert_eq!(&got, &want);
                for (g, w) in got.iter().zip(&want) {
                    prop_assert_eq!(g.sum.scale(), w.sum.scale());
                }
            }
        }
    }
}
