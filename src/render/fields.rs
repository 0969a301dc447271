//! Typed rows: a report row type lists its fields once, each a name paired
//! with the function that gives its typed value (money with its currency's
//! digits, percentage, days, count, date, text, list). Column names and
//! cells are both drawn from that one list, so adding a field is one line
//! and no renderer (table, CSV, JSON, NDJSON, xlsx, letters, `--columns`)
//! can put a value under another field's name.

use super::Cell;

/// One field of the row type `T`.
pub struct Field<T> {
    pub name: &'static str,
    pub value: fn(&T) -> Cell,
}

impl<T> Field<T> {
    pub const fn new(name: &'static str, value: fn(&T) -> Cell) -> Field<T> {
        Field { name, value }
    }
}

/// The fields' names, in order: a report's columns.
pub fn names<T>(fields: &[Field<T>]) -> impl Iterator<Item = String> + '_ {
    fields.iter().map(|f| f.name.to_string())
}

/// One row's cells, in the fields' order.
pub fn cells<'a, T>(fields: &'a [Field<T>], row: &'a T) -> impl Iterator<Item = Cell> + 'a {
    fields.iter().map(move |f| (f.value)(row))
}

/// The value of the field called `name` (letters' placeholders).
pub fn value_of<T>(fields: &[Field<T>], row: &T, name: &str) -> Option<Cell> {
    fields.iter().find(|f| f.name == name).map(|f| (f.value)(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair {
        a: i64,
        b: &'static str,
    }

    const PAIR: &[Field<Pair>] = &[Field::new("a", |p| Cell::Int(p.a)), Field::new("b", |p| Cell::text(p.b))];

    #[test]
    fn names_and_cells_come_from_one_list() {
        let row = Pair { a: 7, b: "x" };
        assert_eq!(names(PAIR).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(cells(PAIR, &row).collect::<Vec<_>>(), [Cell::Int(7), Cell::text("x")]);
        assert_eq!(value_of(PAIR, &row, "b"), Some(Cell::text("x")));
        assert_eq!(value_of(PAIR, &row, "c"), None);
    }
}
