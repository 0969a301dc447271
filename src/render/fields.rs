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

/// A field whose name is known only at run time (a column per aging
/// bucket, per `--by` column): the name owned, the value a closure. A row
/// type with such columns keeps its other fields in constant [`Field`]
/// lists and builds its `Vec<Column<T>>` from them and the run-time part,
/// so names and cells still come from one list.
pub struct Column<T> {
    pub name: String,
    pub value: Box<dyn Fn(&T) -> Cell>,
}

impl<T: 'static> Column<T> {
    pub fn new(name: impl Into<String>, value: impl Fn(&T) -> Cell + 'static) -> Column<T> {
        Column { name: name.into(), value: Box::new(value) }
    }

    /// Constant fields as columns.
    pub fn of(fields: &[Field<T>]) -> impl Iterator<Item = Column<T>> + '_ {
        fields.iter().map(|f| Column::new(f.name, f.value))
    }
}

/// The columns' names, in order.
pub fn column_names<T>(columns: &[Column<T>]) -> Vec<String> {
    columns.iter().map(|c| c.name.clone()).collect()
}

/// One row's cells, in the columns' order.
pub fn column_cells<T>(columns: &[Column<T>], row: &T) -> Vec<Cell> {
    columns.iter().map(|c| (c.value)(row)).collect()
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

    #[test]
    fn run_time_columns_pair_names_and_values_too() {
        let mut columns: Vec<Column<Pair>> = Column::of(&PAIR[..1]).collect();
        columns.push(Column::new(format!("b_{}", 2), |p: &Pair| Cell::text(p.b.repeat(2))));
        let row = Pair { a: 7, b: "x" };
        assert_eq!(column_names(&columns), ["a", "b_2"]);
        assert_eq!(column_cells(&columns, &row), [Cell::Int(7), Cell::text("xx")]);
    }
}
