//! `cobro plan` end to end.
mod common;
use common::Workdir;

/// 1,000.00 with 100.00 down and a 10.00 fee, no interest, in 3 monthly
/// installments from Jan 31: financed 910.00 -> 303.33, 303.33, 303.34, due
/// Feb 28, Mar 31, Apr 30 (month ends clamped, counted from the start).
#[test]
fn schedule_with_down_payment_and_fee_as_csv() {
    let run = Workdir::new().run(&[
        "plan",
        "schedule",
        "--amount",
        "1000",
        "--installments",
        "3",
        "--start",
        "2025-01-31",
        "--down-payment",
        "100",
        "--fee",
        "10",
        "-f",
        "csv",
    ]);
    assert_eq!(
        run.ok(),
        "n,due_date,installment,interest,principal,balance
0,2025-01-31,100.00,0.00,100.00,910.00
1,2025-02-28,303.33,0.00,303.33,606.67
2,2025-03-31,303.33,0.00,303.33,303.34
3,2025-04-30,303.34,0.00,303.34,0.00
"
    );
}

/// The textbook loan: 10,000 at 12% a year, 12 monthly payments of 888.49
/// (any amortization table, e.g. P*r/(1-(1+r)^-n) with r = 1%: 888.4879);
/// rounding each month's interest to cents, the last payment is 888.47 and
/// total interest 661.86.
#[test]
fn textbook_loan_totals_in_json() {
    let doc = Workdir::new()
        .run(&[
            "plan",
            "schedule",
            "--amount",
            "10000",
            "--installments",
            "12",
            "--start",
            "2025-01-15",
            "--annual-rate",
            "12",
            "-f",
            "json",
            "--as-of",
            "2025-01-15",
        ])
        .json();
    assert_eq!(doc["command"], "plan schedule");
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows[0]["installment"].to_string(), "888.49");
    assert_eq!(rows[0]["due_date"], "2025-02-15");
    assert_eq!(rows[11]["installment"].to_string(), "888.47");
    assert_eq!(rows[11]["balance"].to_string(), "0.00");
    let totals = &doc["totals"][0];
    assert_eq!(totals["installments"].to_string(), "12");
    assert_eq!(totals["total_paid"].to_string(), "10661.86");
    assert_eq!(totals["interest"].to_string(), "661.86");
    assert_eq!(totals["principal"].to_string(), "10000.00");
}

#[test]
fn max_installment_and_its_errors() {
    let wd = Workdir::new();
    let rows = wd
        .run(&[
            "plan",
            "schedule",
            "--amount",
            "1000",
            "--max-installment",
            "333.33",
            "--start",
            "2025-01-01",
            "-f",
            "csv",
        ])
        .csv_rows();
    // 3 x 333.33 would leave a last installment of 333.34 > 333.33: 4 x 250.00.
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3]["installment"], "250.00");
    let too_small = wd.run(&[
        "plan",
        "schedule",
        "--amount",
        "1000",
        "--max-installment",
        "10",
        "--start",
        "2025-01-01",
        "--annual-rate",
        "12",
    ]);
    assert_eq!(too_small.code, 2, "{}", too_small.stderr);
    assert!(too_small.stderr.contains("interest"));
    assert_eq!(wd.run(&["plan", "schedule", "--amount", "1000", "--start", "2025-01-01"]).code, 2);
}

#[test]
fn offer_options() {
    let rows = Workdir::new()
        .run(&["plan", "offer", "--amount", "1200", "--discount", "10", "--options", "3,12", "-f", "csv"])
        .csv_rows();
    assert_eq!(rows[0]["option"], "lump_sum");
    assert_eq!(rows[0]["total_paid"], "1080.00");
    assert_eq!(rows[1]["option"], "3_installments");
    assert_eq!(rows[1]["installment"], "400.00");
    assert_eq!(rows[1]["cost_vs_lump_sum"], "120.00");
    assert_eq!(rows[2]["option"], "12_installments");
    assert_eq!(rows[2]["last_installment"], "100.00");
}

/// The CSV of `plan schedule --plan-id --customer` is read back by `plan check`.
#[test]
fn schedule_output_round_trips_into_check() {
    let wd = Workdir::new();
    let plans = wd.path("plans.csv");
    wd.run(&[
        "plan",
        "schedule",
        "--amount",
        "900",
        "--installments",
        "3",
        "--start",
        "2025-01-10",
        "--plan-id",
        "AG-9",
        "--customer",
        "C9",
        "-f",
        "csv",
        "-o",
        plans.to_str().unwrap(),
    ])
    .ok();
    // Installments of 300.00 due Feb 10, Mar 10, Apr 10. 450 paid on Feb 10:
    // the first installment and 150.00 of the second.
    let pay = wd.write("pay.csv", "plan_id,date,amount\nAG-9,2025-02-10,450\n");
    let rows = wd
        .run(&[
            "plan",
            "check",
            plans.to_str().unwrap(),
            "--payments",
            &pay,
            "--as-of",
            "2025-03-15",
            "-f",
            "csv",
        ])
        .csv_rows();
    assert_eq!(rows[0]["status"], "on_track"); // Mar 10 + 5 days grace = Mar 15
    assert_eq!(rows[0]["next_amount"], "150.00");
    assert_eq!(rows[0]["remaining"], "450.00");
    let late = wd
        .run(&[
            "plan",
            "check",
            plans.to_str().unwrap(),
            "--payments",
            &pay,
            "--as-of",
            "2025-03-16",
            "-f",
            "csv",
        ])
        .csv_rows();
    assert_eq!(late[0]["status"], "late");
    assert_eq!(late[0]["overdue_amount"], "150.00");
    assert_eq!(late[0]["max_days_late"], "6");
}

/// examples/plans.csv holds one agreement in each state at 2025-06-30.
#[test]
fn example_plans_in_every_state() {
    let rows = Workdir::new()
        .run(&[
            "plan",
            "check",
            "examples/plans.csv",
            "--payments",
            "examples/plan_payments.csv",
            "--as-of",
            "2025-06-30",
            "-f",
            "csv",
        ])
        .csv_rows();
    let status: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["plan_id"].as_str(), r["status"].as_str(), r["max_days_late"].as_str()))
        .collect();
    assert_eq!(
        status,
        vec![
            ("AG-1", "completed", "5"), // last installment paid 5 days late
            ("AG-2", "on_track", "2"),  // the Jul 2 payment is after the as-of date
            ("AG-3", "late", "10"),     // Jun 20 unpaid: 10 days > 5 days of grace
            ("AG-4", "broken", "86"),   // Apr 5, May 5, Jun 5 unpaid
            ("AG-5", "on_track", "0"),  // customer-only payments, one before its due date
            ("AG-6", "late", "15"),     // the Jun 15 payment bounced on Jun 20
        ]
    );
    assert_eq!(rows[3]["overdue_amount"], "300.00");
    assert_eq!(rows[3]["installments_overdue"], "3");
}

#[test]
fn unknown_plan_is_a_bad_row_never_dropped() {
    let wd = Workdir::new();
    let pay = wd.write("pay.csv", "plan_id,date,amount\nAG-1,2025-03-14,200\nNOPE,2025-03-14,5\n");
    let strict =
        wd.run(&["plan", "check", "examples/plans.csv", "--payments", &pay, "--as-of", "2025-06-30"]);
    strict.fails_with(&["pay.csv:3", "NOPE", "no plan with this id"]);
    let rejects = wd.path("rejects.csv");
    let run = wd.run(&[
        "plan",
        "check",
        "examples/plans.csv",
        "--payments",
        &pay,
        "--as-of",
        "2025-06-30",
        "--skip-bad-rows",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    run.ok();
    assert!(run.stderr.contains("skipped 1 bad row"));
    assert!(wd.read("rejects.csv").contains("NOPE,2025-03-14,5"));
}

/// Lines are counted as an editor shows them, also after "\r\n" line ends
/// and blank lines: the bad installment is on line 4 of each file, the bad
/// payment on line 3.
#[test]
fn bad_rows_name_their_line_after_crlf_and_blank_lines() {
    let wd = Workdir::new();
    let plans = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\r\nAG-1,C001,1,2025-03-15,200.00\r\n\r\nAG-1,C001,x,2025-04-15,200.00\r\n",
    );
    let pay = wd.write("pay.csv", "plan_id,date,amount\r\n\r\nAG-1,2025-03-14,two\r\n");
    wd.run(&["plan", "check", &plans, "--payments", &pay, "--as-of", "2025-06-30"])
        .fails_with(&["plans.csv:4", "the installment number is not a whole number"]);
    let plans = wd.write(
        "plans_ok.csv",
        "plan_id,customer,n,due_date,installment\r\nAG-1,C001,1,2025-03-15,200.00\r\n",
    );
    wd.run(&["plan", "check", &plans, "--payments", &pay, "--as-of", "2025-06-30"])
        .fails_with(&["pay.csv:3", "two"]);
}

/// A date column is read as a whole, as an invoice file's is: `01/02/2025`
/// on the first row reads both ways, `13/03/2025` below it only day first,
/// so the column is day first from its first row (SPEC §2). Plan Q1: 100.00
/// due 1 Feb 2025, paid that day (0 days late); 100.00 due 13 Mar 2025, of
/// which 0.01 is paid on 14 Mar (the payments' column is told the same
/// way). At 2025-06-30 the second is unpaid and 109 days late (18 days of
/// March, 30 + 31 + 30): one installment overdue, so late, not broken.
#[test]
fn day_first_dates_are_told_by_a_later_row_of_the_column() {
    let wd = Workdir::new();
    let plans = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\nQ1,A,1,01/02/2025,100.00\nQ1,A,2,13/03/2025,100.00\n",
    );
    let pay = wd.write("pay.csv", "plan_id,date,amount\nQ1,01/02/2025,100.00\nQ1,14/03/2025,0.01\n");
    let rows = wd
        .run(&["plan", "check", &plans, "--payments", &pay, "--as-of", "2025-06-30", "-f", "csv"])
        .csv_rows();
    let row = &rows[0];
    assert_eq!((row["status"].as_str(), row["paid_amount"].as_str()), ("late", "100.01"));
    assert_eq!((row["next_due_date"].as_str(), row["max_days_late"].as_str()), ("2025-03-13", "109"));
    // Every value reading both ways is still an error, never a guess.
    let unsure =
        wd.write("unsure.csv", "plan_id,customer,n,due_date,installment\nQ1,A,1,01/02/2025,100.00\n");
    wd.run(&["plan", "check", &unsure, "--payments", &pay, "--as-of", "2025-06-30"]).fails_with(&[
        "unsure.csv:2",
        "01/02/2025",
        "--date-format",
    ]);
}

/// A second row numbered 1 in plan A is a bad row that names the value it
/// repeats (the message used to show `value ""`).
#[test]
fn a_repeated_installment_number_names_its_value() {
    let wd = Workdir::new();
    let plans = wd.write(
        "plans.csv",
        "plan_id,customer,n,due_date,installment\nA,C1,1,2025-03-01,10\nA,C1,01,2025-04-01,20\n",
    );
    let pay = wd.write("pay.csv", "plan_id,date,amount\n");
    // The value is the cell as written (01); the number it reads as is 1.
    wd.run(&["plan", "check", &plans, "--payments", &pay, "--as-of", "2025-06-30"])
        .fails_with(&["plans.csv:3: column \"n\": value \"01\": plan 'A' already has installment 1"]);
}
