//! One row's cells, by position, whatever they were read from: the CSV
//! parser's `ByteRecord`, or a row of a polars batch
//! ([`super::engine::FrameRow`]).

use super::amount::AmountError;
use crate::dates::Day;
use csv::ByteRecord;
use rust_decimal::Decimal;

/// A row's cells by position.
pub trait Cells {
    /// The number of cells.
    fn width(&self) -> usize;

    /// Cell `i`'s bytes, untrimmed; `None` past the last cell.
    fn bytes(&self, i: usize) -> Option<&[u8]>;

    /// At least the length of the longest cell: the cells' bytes together.
    fn total_bytes(&self) -> usize;

    /// Cell `i` as text, or its bytes when they are not UTF-8.
    fn text(&self, i: usize) -> Option<Result<&str, &[u8]>> {
        self.bytes(i).map(|raw| std::str::from_utf8(raw).map_err(|_| raw))
    }

    /// Cell `i` as a day, when the file stores it as a date (a Parquet
    /// date or timestamp) of the years 1 to 9999: a day that needs no
    /// reading. `None` otherwise, also for an empty cell: read the text.
    fn day(&self, _i: usize) -> Option<Day> {
        None
    }

    /// Cell `i` as an amount, when the file stores it as a number (a
    /// Parquet decimal, integer or float): read with a decimal point,
    /// whatever `--decimal-comma` says, since no locale wrote it. `None`
    /// for a text cell and an empty one: read the text.
    fn number(&self, _i: usize) -> Option<Result<Decimal, AmountError>> {
        None
    }
}

impl Cells for ByteRecord {
    fn width(&self) -> usize {
        self.len()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }

    fn total_bytes(&self) -> usize {
        self.as_slice().len()
    }
}
