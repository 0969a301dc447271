//! The collector's files other commands read beside the ledger, as flags
//! defined once: `--promises FILE --tolerance DAYS` and `--disputes FILE`.

use crate::domain::disputes::DisputeSums;
use crate::domain::promise::PromiseSums;
use crate::money::percent;
use crate::render::fields::Field;
use crate::render::Cell;
use anyhow::Result;
use clap::Args;
use rust_decimal::Decimal;

/// `--promises FILE` and `--tolerance DAYS`.
#[derive(Args, Debug, Clone)]
pub struct PromisesArgs {
    /// Promises to pay (CSV: customer, created, promised_date, amount; optional
    /// currency, invoice, promise_id, note), as `cobro promise` reads them
    #[arg(long, value_name = "FILE")]
    pub promises: Option<String>,

    /// Days of grace after a promised date before the promise is broken
    #[arg(long, value_name = "DAYS", default_value_t = 3)]
    pub tolerance: i32,
}

impl PromisesArgs {
    /// The tolerance, checked (at least 0).
    pub fn tolerance(&self) -> Result<i32> {
        crate::cli::check_days("tolerance", self.tolerance, 0)?;
        Ok(self.tolerance)
    }
}

/// `--disputes FILE`.
#[derive(Args, Debug, Clone)]
pub struct DisputesArgs {
    /// Dated dispute log (CSV: invoice, opened; optional closed, reason, dispute_id,
    /// outcome); for the documents it names it replaces the `disputed` column
    #[arg(long, value_name = "FILE")]
    pub disputes: Option<String>,
}

/// One kpi row's dispute measures, with the row's total open at E
/// (`ar_end`, the base of `disputed_pct`) and its currency's minor digits.
pub struct KpiDisputes {
    pub sums: DisputeSums,
    pub ar_end: Decimal,
    pub digits: u32,
}

/// The fields `kpi --disputes` adds to each row, in order, each with its
/// value and kind.
pub const KPI_DISPUTES: &[Field<KpiDisputes>] = &[
    Field::new("disputes_opened", |d| count(d.sums.opened)),
    Field::new("disputes_resolved", |d| count(d.sums.resolved)),
    Field::new("avg_days_to_resolve", |d| Cell::fixed2(d.sums.avg_days_to_resolve())),
    Field::new("disputes_open_end", |d| count(d.sums.open_end)),
    Field::new("disputed_open_end", |d| Cell::Money(d.sums.disputed_open_end, d.digits)),
    Field::new("disputed_pct", |d| Cell::fixed2(percent(d.sums.disputed_open_end, d.ar_end))),
];

/// One kpi row's promise measures, with its currency's minor digits.
pub struct KpiPromises {
    pub sums: PromiseSums,
    pub digits: u32,
}

/// The fields `kpi --promises` adds to each row, in order, each with its
/// value and kind.
pub const KPI_PROMISES: &[Field<KpiPromises>] = &[
    Field::new("promises_due", |p| count(p.sums.due)),
    Field::new("promises_kept", |p| count(p.sums.kept)),
    Field::new("promise_kept_rate_pct", |p| Cell::fixed2(p.sums.kept_rate_pct())),
    Field::new("promised_amount", |p| Cell::Money(p.sums.amount, p.digits)),
    Field::new("promised_paid", |p| Cell::Money(p.sums.paid, p.digits)),
    Field::new("promise_amount_kept_pct", |p| Cell::fixed2(p.sums.amount_kept_pct())),
];

fn count(n: u64) -> Cell {
    Cell::Int(n as i64)
}

/// Adds `promises`, `tolerance` and `disputes` to a report's JSON params
/// when their files are given (so reports without them stay as they were).
pub fn add_params(
    params: &mut serde_json::Map<String, serde_json::Value>,
    promises: Option<&PromisesArgs>,
    disputes: &DisputesArgs,
) {
    if let Some(p) = promises.filter(|p| p.promises.is_some()) {
        params.insert("promises".into(), p.promises.clone().into());
        params.insert("tolerance".into(), p.tolerance.into());
    }
    if let Some(path) = &disputes.disputes {
        params.insert("disputes".into(), path.clone().into());
    }
}
