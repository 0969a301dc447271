//! The collector's files other commands read beside the ledger, as flags
//! defined once: `--promises FILE --tolerance DAYS` and `--disputes FILE`.

use crate::domain::disputes::DisputeSums;
use crate::domain::promise::PromiseSums;
use crate::money::percent;
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

/// The fields `kpi --disputes` adds to each row, in order.
pub const KPI_DISPUTE_FIELDS: [&str; 6] = [
    "disputes_opened",
    "disputes_resolved",
    "avg_days_to_resolve",
    "disputes_open_end",
    "disputed_open_end",
    "disputed_pct",
];

/// The cells of [`KPI_DISPUTE_FIELDS`]; `ar_end` is the row's total open at E.
pub fn kpi_dispute_cells(d: &DisputeSums, ar_end: Decimal, digits: u32) -> Vec<Cell> {
    vec![
        Cell::Int(d.opened as i64),
        Cell::Int(d.resolved as i64),
        Cell::fixed2(d.avg_days_to_resolve()),
        Cell::Int(d.open_end as i64),
        Cell::Money(d.disputed_open_end, digits),
        Cell::fixed2(percent(d.disputed_open_end, ar_end)),
    ]
}

/// The fields `kpi --promises` adds to each row, in order.
pub const KPI_PROMISE_FIELDS: [&str; 6] = [
    "promises_due",
    "promises_kept",
    "promise_kept_rate_pct",
    "promised_amount",
    "promised_paid",
    "promise_amount_kept_pct",
];

/// The cells of [`KPI_PROMISE_FIELDS`].
pub fn kpi_promise_cells(p: &PromiseSums, digits: u32) -> Vec<Cell> {
    vec![
        Cell::Int(p.due as i64),
        Cell::Int(p.kept as i64),
        Cell::fixed2(p.kept_rate_pct()),
        Cell::Money(p.amount, digits),
        Cell::Money(p.paid, digits),
        Cell::fixed2(p.amount_kept_pct()),
    ]
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
