//! The domain: pure computations over a [`ledger::Ledger`]. No files, no
//! printing, no clock — the as-of date is always a parameter.

pub mod aging;
pub mod balances;
pub mod disputes;
pub mod dunning;
pub mod forecast;
pub mod history;
pub mod interest;
pub mod kpi;
pub mod ledger;
pub mod pairs;
pub mod plan_check;
pub mod promise;
pub mod provision;
pub mod roll;
pub mod rules;
pub mod schedule;
pub mod segment;
pub mod statement;
#[cfg(test)]
pub mod testing;
pub mod text;

use std::ops::Range;

/// Ranges of invoices to read on separate threads: one per core for a
/// large ledger, a single one otherwise.
fn parts_of(count: usize) -> Vec<Range<usize>> {
    const MIN_PART: usize = 250_000;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = cores.min(count / MIN_PART).max(1);
    let size = count.div_ceil(parts);
    (0..parts).map(|p| p * size..((p + 1) * size).min(count)).collect()
}
