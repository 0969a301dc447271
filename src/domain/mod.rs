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
