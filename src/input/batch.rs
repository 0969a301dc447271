//! A batch of a large file's rows, parsed on every core: the rows are
//! split into one part per core, each part is parsed on its own thread,
//! and the results come back in file order. Whatever must see the rows in
//! order (duplicate ids, interning, bad rows) happens afterwards, on the
//! caller's thread.

use super::engine::ColumnBatch;
use super::record::Cells;
use csv::ByteRecord;
use rayon::prelude::*;
use std::ops::Range;

/// Rows `first..first + len` of a file (0 = the first data row).
pub struct Batch {
    first: u64,
    width: usize,
    rows: BatchRows,
}

pub enum BatchRows {
    /// Read by polars: the needed columns.
    Frame(ColumnBatch),
    /// Read by the `csv` crate: every cell.
    Records(Vec<ByteRecord>),
}

impl Batch {
    /// A batch of a file `width` cells wide.
    pub fn new(first: u64, width: usize, rows: BatchRows) -> Batch {
        Batch { first, width, rows }
    }

    pub fn len(&self) -> usize {
        match &self.rows {
            BatchRows::Frame(frame) => frame.rows(),
            BatchRows::Records(records) => records.len(),
        }
    }

    /// Runs `work` on one part of the rows per core, at once, on rayon's
    /// threads; the results come back in row order.
    pub fn map_parts<R: Send>(&self, work: impl Fn(Part<'_>) -> R + Sync) -> Vec<R> {
        let cores = rayon::current_num_threads().clamp(1, 8);
        let size = self.len().div_ceil(cores).max(1);
        let parts: Vec<Range<usize>> =
            (0..self.len()).step_by(size).map(|start| start..(start + size).min(self.len())).collect();
        parts.into_par_iter().map(|rows| work(Part { batch: self, rows })).collect()
    }
}

/// Some consecutive rows of a [`Batch`].
pub struct Part<'a> {
    batch: &'a Batch,
    rows: Range<usize>,
}

impl Part<'_> {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Calls `each(row, cells)` for every row, `row` counted in the file.
    pub fn for_each(&self, mut each: impl FnMut(u64, &dyn Cells)) {
        let batch = self.batch;
        for i in self.rows.clone() {
            let row = batch.first + i as u64;
            match &batch.rows {
                BatchRows::Frame(frame) => each(row, &frame.row(i, batch.width)),
                BatchRows::Records(records) => each(row, &records[i]),
            }
        }
    }
}

/// Text cells copied out of a part's rows on a worker thread, for the
/// thread that stores them.
#[derive(Default)]
pub struct Texts(String);

/// Where one cell's text is in [`Texts`].
#[derive(Clone, Copy, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Texts {
    pub fn keep(&mut self, text: &str) -> Span {
        let start = self.0.len() as u32;
        self.0.push_str(text);
        Span { start, end: self.0.len() as u32 }
    }

    pub fn get(&self, span: Span) -> &str {
        &self.0[span.start as usize..span.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(count: usize) -> Batch {
        let records = (0..count).map(|i| ByteRecord::from(vec![i.to_string()])).collect();
        Batch::new(1000, 1, BatchRows::Records(records))
    }

    #[test]
    fn parts_come_back_in_row_order_and_cover_every_row() {
        for count in [0, 1, 7, 100_001] {
            let batch = numbers(count);
            let parts = batch.map_parts(|part| {
                let mut seen = Vec::new();
                part.for_each(|row, cells| {
                    let text = cells.text(0).unwrap().unwrap();
                    seen.push((row, text.parse::<u64>().unwrap()));
                });
                seen
            });
            let seen: Vec<(u64, u64)> = parts.into_iter().flatten().collect();
            let expected: Vec<(u64, u64)> = (0..count as u64).map(|i| (1000 + i, i)).collect();
            assert_eq!(seen, expected, "{count} rows");
        }
    }
}
