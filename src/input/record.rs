//! One row's cells, by position, whatever they were read from: the CSV
//! parser's `ByteRecord`, or a [`Record`] that points into a block of text
//! without copying it.

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

/// Cells that are ranges of a longer text (a block of the file). The text
/// is checked for UTF-8 once for all its cells.
pub struct Record<'a> {
    bytes: &'a [u8],
    /// `bytes` as text, when all of it is UTF-8 and cells end at ASCII
    /// bytes (so every cell is a whole number of characters).
    text: Option<&'a str>,
    /// Each cell's start and end in `bytes`.
    bounds: &'a [(u32, u32)],
}

impl<'a> Record<'a> {
    /// `text` is `bytes` as text if the caller has checked it is UTF-8.
    pub fn new(bytes: &'a [u8], text: Option<&'a str>, bounds: &'a [(u32, u32)]) -> Record<'a> {
        Record { bytes, text, bounds }
    }

    /// A parser's record as a [`Record`]; `bounds` is scratch space.
    pub fn of(record: &'a ByteRecord, bounds: &'a mut Vec<(u32, u32)>) -> Record<'a> {
        bounds.clear();
        let mut start = 0;
        for cell in record {
            let end = start + cell.len() as u32;
            bounds.push((start, end));
            start = end;
        }
        let bytes = record.as_slice();
        Record { bytes, text: std::str::from_utf8(bytes).ok(), bounds }
    }

    /// The cells as a parser's record, for readers that keep rows.
    pub fn to_byte_record(&self) -> ByteRecord {
        (0..self.width()).filter_map(|i| self.bytes(i)).collect()
    }

    /// The cells' bytes.
    #[cfg(test)]
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        (0..self.width()).filter_map(|i| self.bytes(i)).map(<[u8]>::to_vec).collect()
    }
}

impl Cells for Record<'_> {
    fn width(&self) -> usize {
        self.bounds.len()
    }

    fn bytes(&self, i: usize) -> Option<&[u8]> {
        let &(start, end) = self.bounds.get(i)?;
        self.bytes.get(start as usize..end as usize)
    }

    fn total_bytes(&self) -> usize {
        match (self.bounds.first(), self.bounds.last()) {
            (Some(&(start, _)), Some(&(_, end))) => (end - start) as usize,
            _ => 0,
        }
    }

    fn text(&self, i: usize) -> Option<Result<&str, &[u8]>> {
        let &(start, end) = self.bounds.get(i)?;
        let range = start as usize..end as usize;
        match self.text.and_then(|text| text.get(range.clone())) {
            Some(text) => Some(Ok(text)),
            None => self.bytes.get(range).map(|raw| std::str::from_utf8(raw).map_err(|_| raw)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parser_record_and_its_record_have_the_same_cells() {
        let parsed = ByteRecord::from(vec!["a", "", "ñé", "x y"]);
        let mut bounds = Vec::new();
        let record = Record::of(&parsed, &mut bounds);
        assert_eq!(record.width(), 4);
        for i in 0..5 {
            assert_eq!(record.bytes(i), parsed.get(i));
            assert_eq!(record.text(i), parsed.text(i));
        }
    }

    #[test]
    fn cells_that_are_not_utf8_come_back_as_bytes() {
        let bytes = b"ok,\xff\xfe";
        let bounds = [(0, 2), (3, 5)];
        let record = Record::new(bytes, None, &bounds);
        assert_eq!(record.text(0), Some(Ok("ok")));
        assert_eq!(record.text(1), Some(Err(&b"\xff\xfe"[..])));
        assert_eq!(record.text(2), None);
    }
}
