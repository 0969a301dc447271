//! Aging of the open balance at the as-of date (docs/age.md): every
//! document with `open != 0` goes to a bucket by days past due (or days
//! since issue), grouped by customer, by other columns or not at all;
//! money of different currencies is never added.

use super::balances::OpenAmounts;
use super::ledger::{Invoice, Ledger};
use super::text::Interner;
use crate::dates::Day;
use crate::group::{KeyedSums, Passes, SumsByKey};
use anyhow::{bail, Result};
use rust_decimal::Decimal;

/// What a document's age is measured from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Days past the due date.
    Due,
    /// Days since the issue date.
    Issue,
}

/// How rows are grouped (`--by`); currency is always part of the key.
#[derive(Clone, Debug, PartialEq)]
pub enum Grouping {
    Customer,
    None,
    /// Indexes into `Ledger::extras`.
    Columns(Vec<usize>),
}

/// Bucket bounds such as `30,60,90,120`: `current` (<= 0), `days_1_30`, ...,
/// `days_over_120`.
#[derive(Clone, Debug, PartialEq)]
pub struct Buckets {
    bounds: Vec<i32>,
}

impl Buckets {
    /// Strictly increasing positive integers, else an error message.
    pub fn new(bounds: Vec<i32>) -> Result<Buckets, String> {
        if bounds.is_empty() || bounds[0] <= 0 || bounds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(
                "--buckets must be strictly increasing positive whole numbers, e.g. 30,60,90,120".into()
            );
        }
        Ok(Buckets { bounds })
    }

    pub fn names(&self) -> Vec<String> {
        let mut names = vec!["current".to_string()];
        let mut low = 1;
        for &b in &self.bounds {
            names.push(format!("days_{low}_{b}"));
            low = b + 1;
        }
        names.push(format!("days_over_{}", self.bounds[self.bounds.len() - 1]));
        names
    }

    pub fn count(&self) -> usize {
        self.bounds.len() + 2
    }

    /// The first day past due of an overdue bucket (`days_1_30`: 1,
    /// `days_31_60`: 31); `None` for `current`.
    pub fn first_day(&self, bucket: usize) -> Option<i32> {
        match bucket {
            0 => None,
            1 => Some(1),
            k => Some(self.bounds[k - 2] + 1),
        }
    }

    /// Bucket index for a number of days (0 = current).
    pub fn index(&self, days: i32) -> usize {
        if days <= 0 {
            return 0;
        }
        1 + self.bounds.iter().position(|&b| days <= b).unwrap_or(self.bounds.len())
    }
}

#[derive(Clone, Debug)]
pub struct AgingParams {
    pub as_of: Day,
    pub buckets: Buckets,
    pub basis: Basis,
    pub grouping: Grouping,
}

/// One aging row: the open balance of one group in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct AgingRow {
    /// Group key values (customer id, or the `--by` columns' values).
    pub keys: Vec<String>,
    /// The customer's name, when grouping by customer and the input has one.
    pub customer_name: Option<String>,
    pub currency: String,
    /// One amount per bucket, in bucket order.
    pub buckets: Vec<Decimal>,
    pub total_open: Decimal,
    pub open_documents: u64,
    pub max_days_past_due: i32,
}

impl AgingRow {
    /// Total minus `current`.
    pub fn overdue(&self) -> Decimal {
        self.total_open - self.buckets[0]
    }

    fn empty(keys: Vec<String>, customer_name: Option<String>, currency: String, buckets: usize) -> AgingRow {
        AgingRow {
            keys,
            customer_name,
            currency,
            buckets: vec![Decimal::ZERO; buckets],
            total_open: Decimal::ZERO,
            open_documents: 0,
            max_days_past_due: 0,
        }
    }
}

/// One open document (`--detail`).
#[derive(Clone, Debug, PartialEq)]
pub struct DetailRow {
    pub index: usize,
    pub open: Decimal,
    /// Days past due, or days since issue with `--basis issue`.
    pub days: i32,
    pub bucket: usize,
}

/// Every open document with its age, sorted by days descending, then
/// customer, currency, invoice.
pub fn open_documents(
    ledger: &Ledger,
    open: &(impl OpenAmounts + ?Sized),
    params: &AgingParams,
) -> Result<Vec<DetailRow>> {
    let mut rows = aged_documents(ledger, open, params)?;
    rows.sort_by(|a, b| {
        let (ia, ib) = (&ledger.invoices[a.index], &ledger.invoices[b.index]);
        b.days
            .cmp(&a.days)
            .then_with(|| ledger.customer(ia).cmp(ledger.customer(ib)))
            .then_with(|| ledger.currency(ia).cmp(ledger.currency(ib)))
            .then_with(|| ledger.compare_ids(a.index, b.index))
    });
    Ok(rows)
}

/// Every open document with its age, in input order.
fn aged_documents(
    ledger: &Ledger,
    open: &(impl OpenAmounts + ?Sized),
    params: &AgingParams,
) -> Result<Vec<DetailRow>> {
    let mut rows = Vec::new();
    for_each_aged(ledger, params, open, |doc| {
        rows.push(doc);
        Ok(())
    })?;
    Ok(rows)
}

/// Calls `visit` with every open document and its age, in input order,
/// without collecting them (ten million rows would cost 400 MB), until
/// `visit` fails. `open` is every invoice's open amount at the as-of date.
fn for_each_aged(
    ledger: &Ledger,
    params: &AgingParams,
    open: &(impl OpenAmounts + ?Sized),
    mut visit: impl FnMut(DetailRow) -> Result<()>,
) -> Result<()> {
    for (index, invoice) in ledger.invoices.iter().enumerate() {
        let amount = open.open(index);
        if amount.is_zero() || !Ledger::exists_at(invoice, params.as_of) {
            continue;
        }
        let days = age_in_days(ledger, index, invoice, params)?;
        visit(DetailRow { index, open: amount, days, bucket: params.buckets.index(days) })?;
    }
    Ok(())
}

fn age_in_days(ledger: &Ledger, index: usize, invoice: &Invoice, params: &AgingParams) -> Result<i32> {
    match params.basis {
        Basis::Due => Ok(params.as_of - invoice.due),
        Basis::Issue => match invoice.issue() {
            Some(issue) => Ok(params.as_of - issue),
            None => bail!(
                "--basis issue needs an issue date for every document; invoice '{}' has none (map the column with --map issue_date=HEADER)",
                ledger.id(index)
            ),
        },
    }
}

/// The aging rows, sorted by overdue descending, then keys, then currency.
pub fn aging(
    ledger: &Ledger,
    open: &(impl OpenAmounts + ?Sized),
    params: &AgingParams,
) -> Result<Vec<AgingRow>> {
    groups(ledger, open, params)?.into_rows(&RowTexts::of(ledger), params)
}

/// Every group's sums by bucket, before they are written out as rows: a
/// ledger of 100M documents can be dropped in between (see
/// [`Groups::into_rows`]).
pub struct Groups {
    /// By (group handles, currency, bucket), one [`SumsByKey`] per pass,
    /// each in key order: the buckets of a group come one after the other.
    passes: Vec<SumsByKey>,
}

/// The texts aging rows are written with: a ledger's, and each customer's
/// name.
pub struct RowTexts<'a> {
    pub customers: &'a Interner,
    pub currencies: &'a Interner,
    pub texts: &'a Interner,
    /// By customer handle ([`Ledger::customer_names`]); `None` when the
    /// input has no name column.
    pub names: Option<Vec<u32>>,
}

impl<'a> RowTexts<'a> {
    pub fn of(ledger: &'a Ledger) -> RowTexts<'a> {
        RowTexts {
            customers: &ledger.customers,
            currencies: &ledger.currencies,
            texts: &ledger.texts,
            names: ledger.customer_names_if_given(),
        }
    }
}

impl Groups {
    /// The aging rows, sorted (see [`aging`]): one per group, its buckets
    /// filled from the group's (bucket) sums.
    pub fn into_rows(self, texts: &RowTexts, params: &AgingParams) -> Result<Vec<AgingRow>> {
        let mut rows: Vec<AgingRow> = Vec::new();
        for pass in &self.passes {
            // The handles of the group the last row is of (none at first).
            let mut group: Vec<u32> = Vec::new();
            pass.for_each(|sum| {
                let (&bucket, handles) = sum.key.split_last().expect("a key ends with its bucket");
                if group != handles {
                    rows.push(new_row(texts, params, handles));
                    group = handles.to_vec();
                }
                let row = rows.last_mut().expect("a row for the group");
                row.buckets[bucket as usize] = sum.sum;
                row.open_documents += sum.rows;
                row.max_days_past_due = row.max_days_past_due.max(sum.largest.unwrap_or(0));
            })?;
        }
        for row in &mut rows {
            row.total_open = row.buckets.iter().sum();
        }
        Ok(sorted(rows))
    }
}

/// The sums of every group of the documents open at the as-of date by
/// bucket (the part of [`aging`] that reads the ledger), added up by
/// polars ([`KeyedSums`]), in as many [`Passes`] as the ledger's size
/// asks for. Documents are read in file order, so an error is the first
/// in file order (the first pass meets it).
pub fn groups(ledger: &Ledger, open: &(impl OpenAmounts + ?Sized), params: &AgingParams) -> Result<Groups> {
    groups_in(Passes::over(ledger.invoices.len()), ledger, open, params)
}

fn groups_in(
    passes: Passes,
    ledger: &Ledger,
    open: &(impl OpenAmounts + ?Sized),
    params: &AgingParams,
) -> Result<Groups> {
    let width = key_width(&params.grouping) + 1;
    let mut key = Vec::with_capacity(width);
    let mut sums = Vec::with_capacity(passes.count());
    for pass in 0..passes.count() {
        let mut pass_sums = KeyedSums::new(width);
        for_each_aged(ledger, params, open, |doc| {
            group_key(ledger, params, doc.index, &ledger.invoices[doc.index], &mut key);
            if passes.of(&key) != pass {
                return Ok(());
            }
            key.push(doc.bucket as u32);
            // The largest days past due is over the documents owed and overdue.
            let overdue = (doc.open > Decimal::ZERO && doc.days > 0).then_some(doc.days);
            pass_sums.push(&key, doc.open, overdue)
        })?;
        sums.push(pass_sums.finish()?);
    }
    Ok(Groups { passes: sums })
}

/// The handles of a group's key: its `--by` values (or customer), then
/// its currency (see [`group_key`]).
fn key_width(grouping: &Grouping) -> usize {
    match grouping {
        Grouping::Customer => 2,
        Grouping::None => 1,
        Grouping::Columns(columns) => columns.len() + 1,
    }
}

fn group_key(ledger: &Ledger, params: &AgingParams, index: usize, invoice: &Invoice, key: &mut Vec<u32>) {
    key.clear();
    match &params.grouping {
        Grouping::Customer => key.push(invoice.customer),
        Grouping::None => {}
        Grouping::Columns(columns) => key.extend(columns.iter().map(|&c| ledger.extras[c].values[index])),
    }
    key.push(invoice.currency);
}

/// An empty row for the group of `handles` (see [`group_key`]).
fn new_row(texts: &RowTexts, params: &AgingParams, handles: &[u32]) -> AgingRow {
    let (&currency, keys) = handles.split_last().expect("a group key ends with its currency");
    let (keys, name) = match &params.grouping {
        Grouping::Customer => {
            let customer = keys[0];
            let name =
                texts.names.as_ref().map(|names| texts.texts.get(names[customer as usize]).to_string());
            (vec![texts.customers.get(customer).to_string()], name)
        }
        Grouping::None => (Vec::new(), None),
        Grouping::Columns(_) => {
            (keys.iter().map(|&value| texts.texts.get(value).to_string()).collect(), None)
        }
    };
    AgingRow::empty(keys, name, texts.currencies.get(currency).to_string(), params.buckets.count())
}

/// Sorts by overdue descending, then keys, then currency (no two rows
/// have the same keys and currency). Each row's overdue is computed once,
/// and the rows are moved in place (2.5 million rows at 100M invoices).
fn sorted(mut rows: Vec<AgingRow>) -> Vec<AgingRow> {
    let mut order: Vec<(Decimal, u32)> =
        rows.iter().enumerate().map(|(i, row)| (row.overdue(), i as u32)).collect();
    order.sort_unstable_by(|(overdue_a, a), (overdue_b, b)| {
        let (a, b) = (&rows[*a as usize], &rows[*b as usize]);
        overdue_b.cmp(overdue_a).then_with(|| a.keys.cmp(&b.keys)).then_with(|| a.currency.cmp(&b.currency))
    });
    permute(&mut rows, order.into_iter().map(|(_, index)| index).collect());
    rows
}

/// Reorders `values` in place so that the value at `order[k]` comes k-th
/// (as `slice::sort_by_cached_key` does): a value wanted at `k` that an
/// earlier swap moved away is found by following `order` from where it was.
fn permute<T>(values: &mut [T], order: Vec<u32>) {
    for k in 0..values.len() {
        let mut from = order[k] as usize;
        while from < k {
            from = order[from] as usize;
        }
        values.swap(k, from);
    }
}

/// One total row per currency, in currency order.
pub fn totals(rows: &[AgingRow]) -> Vec<AgingRow> {
    let mut by_currency: Vec<AgingRow> = Vec::new();
    for row in rows {
        let total = match by_currency.iter_mut().find(|t| t.currency == row.currency) {
            Some(t) => t,
            None => {
                by_currency.push(AgingRow::empty(Vec::new(), None, row.currency.clone(), row.buckets.len()));
                by_currency.last_mut().expect("just pushed")
            }
        };
        for (sum, value) in total.buckets.iter_mut().zip(&row.buckets) {
            *sum += value;
        }
        total.total_open += row.total_open;
        total.open_documents += row.open_documents;
        total.max_days_past_due = total.max_days_past_due.max(row.max_days_past_due);
    }
    by_currency.sort_by(|a, b| a.currency.cmp(&b.currency));
    by_currency
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_and_boundaries() {
        let b = Buckets::new(vec![30, 60, 90, 120]).unwrap();
        assert_eq!(
            b.names(),
            ["current", "days_1_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120"]
        );
        assert_eq!(b.index(-5), 0);
        assert_eq!(b.index(0), 0);
        assert_eq!(b.index(1), 1);
        assert_eq!(b.index(30), 1);
        assert_eq!(b.index(31), 2);
        assert_eq!(b.index(120), 4);
        assert_eq!(b.index(121), 5);
        assert_eq!([0, 1, 2, 5].map(|k| b.first_day(k)), [None, Some(1), Some(31), Some(121)]);
        let custom = Buckets::new(vec![15, 45]).unwrap();
        assert_eq!(custom.names(), ["current", "days_1_15", "days_16_45", "days_over_45"]);
    }

    #[test]
    fn bucket_lists_must_increase() {
        assert!(Buckets::new(vec![30, 30]).is_err());
        assert!(Buckets::new(vec![0, 30]).is_err());
        assert!(Buckets::new(vec![]).is_err());
    }

    mod properties {
        use super::super::*;
        use crate::domain::testing::ledger;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn permute_puts_each_value_where_the_order_says(order in Just((0u32..40).collect::<Vec<u32>>()).prop_shuffle()) {
                let mut values: Vec<String> = (0..order.len()).map(|i| format!("v{i}")).collect();
                let expected: Vec<String> = order.iter().map(|&i| values[i as usize].clone()).collect();
                permute(&mut values, order);
                prop_assert_eq!(values, expected);
            }

            /// Buckets add up to total_open, and total_open per currency is
            /// the amounts minus the payments dated on or before the as-of
            /// date, over the documents that exist then — to the cent.
            #[test]
            fn buckets_reconcile_with_raw_amounts(
                docs in prop::collection::vec((1u32..3, prop::option::of(0i32..400), 0i32..400, -50_000i64..500_000), 1..60),
                pays in prop::collection::vec((0usize..1000, prop::option::of(0i32..400), -20_000i64..200_000), 0..80),
                as_of in 0i32..420,
                bounds in prop::collection::btree_set(1i32..200, 1..5),
            ) {
                let ledger = ledger(&docs, &pays);
                let params = AgingParams {
                    as_of,
                    buckets: Buckets::new(bounds.into_iter().collect()).unwrap(),
                    basis: Basis::Due,
                    grouping: Grouping::Customer,
                };
                let rows = aging(&ledger, &ledger.open_at(as_of), &params).unwrap();
                for row in &rows {
                    prop_assert_eq!(row.buckets.iter().copied().sum::<Decimal>(), row.total_open);
                }
                // The same rows when the groups are summed in three passes,
                // as on a ledger of more than 32M documents.
                let in_passes = groups_in(Passes::exactly(3), &ledger, &ledger.open_at(as_of), &params).unwrap();
                prop_assert_eq!(&in_passes.into_rows(&RowTexts::of(&ledger), &params).unwrap(), &rows);
                for total in totals(&rows) {
                    let cur = ledger.currencies.find_handle(&total.currency);
                    let exists = |i: usize| ledger.invoices[i].currency == cur && ledger.invoices[i].issue().is_none_or(|d| d <= as_of);
                    let amounts: Decimal = (0..docs.len()).filter(|&i| exists(i)).map(|i| ledger.invoices[i].amount).sum();
                    let paid: Decimal = ledger.payments.iter()
                        .filter(|p| exists(p.invoice as usize) && p.date().is_none_or(|d| d <= as_of))
                        .map(|p| p.amount).sum();
                    prop_assert_eq!(total.total_open, amounts - paid);
                    prop_assert_eq!(total.buckets.iter().copied().sum::<Decimal>(), total.total_open);
                }
            }
        }
    }
}
