//! The collector's files other commands read beside the ledger, as flags
//! defined once: `--promises FILE --tolerance DAYS` and `--disputes FILE`.

use crate::error::usage;
use anyhow::Result;
use clap::Args;

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
        if self.tolerance < 0 {
            return Err(usage("--tolerance must be 0 or more days"));
        }
        Ok(self.tolerance)
    }
}
