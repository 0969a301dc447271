//! The bundled fixtures: three export styles of the same receivables give
//! the same aging, and the aging reconciles with the raw files.
mod common;
use common::Workdir;

const AS_OF: &str = "2025-06-30";

fn age_csv(args: &[&str]) -> String {
    let mut all = vec!["age"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", AS_OF, "-f", "csv", "--totals"]);
    Workdir::new().run(&all).ok().to_string()
}

#[test]
fn english_spanish_sap_and_parquet_exports_age_the_same() {
    let english = age_csv(&["fixtures/invoices.csv", "--payments", "fixtures/payments.csv"]);
    let spanish =
        age_csv(&["fixtures/es/facturas.csv", "--payments", "fixtures/es/cobros.csv", "--decimal-comma"]);
    let sap = age_csv(&["fixtures/sap/fbl5n.txt", "--config", "examples/sap_fbl5n.toml"]);
    let parquet = age_csv(&["fixtures/invoices.parquet", "--payments", "fixtures/payments.csv"]);
    // header + the 39 customers with an open balance + one total per currency
    assert_eq!(english.lines().count(), 1 + 39 + 2, "{english}");
    assert_eq!(english, spanish);
    assert_eq!(english, sap);
    assert_eq!(english, parquet);
}

/// Totals cross-checked with DuckDB on the same files:
/// `sum(amount - paid)` where paid = payments dated <= 2025-06-30 ->
/// EUR 571296.49 (overdue 404831.80, 116 open documents), USD 148859.77 (110370.63, 24).
#[test]
fn fixture_totals_match_an_independent_computation() {
    let out = age_csv(&["fixtures/invoices.csv", "--payments", "fixtures/payments.csv", "--by", "none"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with("EUR,") && lines[1].contains(",571296.49,404831.80,70.86,116,"), "{out}");
    assert!(lines[2].starts_with("USD,") && lines[2].contains(",148859.77,110370.63,74.14,24,"), "{out}");
}
