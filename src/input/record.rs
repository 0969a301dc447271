//! One row's cells, by position, whatever they were read from: the CSV
//! parser's `ByteRecord`, or a row of a polars batch
//! ([`super::engine::FrameRow`]).

use csv::ByteRecord;

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
