//! `cobro forecast` on hand-built customers as of 2025-06-30; every figure
//! computed by hand below.
mod common;
use common::Workdir;
use serde_json::Value;

/// Weeks from 2025-06-30: W01 07-01..07-07, W02 07-08..07-14, W03 07-15..07-21,
/// W04 07-22..07-28, W05 07-29..08-04, W06 08-05..08-11, ..., W13 09-23..09-29.
/// Lookback 365 days: settlements from 2024-07-01 on.
///
/// EUR history: A settled 6 invoices (due 05-01) with delays -3, 1, 7, 8, 12, 30
/// (A0, settled 2024-06-30 with delay 29, is one day before the lookback);
/// B settled 2 with delays 15 and 40. The EUR portfolio: -3 1 7 8 12 15 30 40.
/// USD history: D settled 9 (due 01-01) with delays 50 99 100 101 105 110 120 130 140.
///
/// Open at 2025-06-30:
/// - A9 1200.00 due 06-30 (0 days past due): A's delays > 0 are 1 7 8 12 30 (5 =
///   --min-history) -> basis customer, 240.00 on 07-01, 07-07 (day 7: W01), 07-08
///   (day 8: W02), 07-12, 07-30 (W05).
/// - B9 400.00 - 100.00 paid = 300.00 due 06-25 (5 days): B's delays > 5 are 2,
///   too few; the portfolio's are 7 8 12 15 30 40 -> basis portfolio, 50.00 on
///   07-02, 07-03, 07-07 (W01), 07-10 (W02), 07-25 (W04), 08-04 (W05).
/// - C9 500.00 due 03-22 (100 days): no history of its own and no EUR delay
///   above 100 -> basis none, `later`.
/// - D9 USD 600.00 due 03-22 (100 days): D's delays above 100 (not 100 itself)
///   are 101 105 110 120 130 140 -> 100.00 on 07-01, 07-05 (W01), 07-10 (W02),
///   07-20 (W03), 07-30 (W05), 08-09 (W06).
/// - E9 400.00 disputed -> row `disputed`.
/// - Not forecast: A-CN a credit note, B-OVER overpaid, A-PAID paid.
///
/// A9's own name cell is empty: `--detail` still shows A's name, Acme.
const INVOICES: &str = "\
customer,customer_name,invoice,issue_date,due_date,amount,currency,disputed
A,Acme,A0,2024-05-01,2024-06-01,100,EUR,
A,Acme,A1,2025-04-01,2025-05-01,100,EUR,
A,Acme,A2,2025-04-01,2025-05-01,100,EUR,
A,Acme,A3,2025-04-01,2025-05-01,100,EUR,
A,Acme,A4,2025-04-01,2025-05-01,100,EUR,
A,Acme,A5,2025-04-01,2025-05-01,100,EUR,
A,Acme,A6,2025-04-01,2025-05-01,100,EUR,
A,,A9,2025-05-31,2025-06-30,1200,EUR,
A,Acme,A-CN,2025-06-01,2025-06-01,-80,EUR,
A,Acme,A-PAID,2025-06-01,2025-07-01,70,EUR,
B,,B1,2025-04-01,2025-05-01,100,EUR,
B,,B2,2025-04-01,2025-05-01,100,EUR,
B,,B9,2025-05-26,2025-06-25,400,EUR,
B,,B-OVER,2025-05-26,2025-06-25,50,EUR,
C,,C9,2025-02-20,2025-03-22,500,EUR,
D,,D1,2024-12-01,2025-01-01,100,USD,
D,,D2,2024-12-01,2025-01-01,100,USD,
D,,D3,2024-12-01,2025-01-01,100,USD,
D,,D4,2024-12-01,2025-01-01,100,USD,
D,,D5,2024-12-01,2025-01-01,100,USD,
D,,D6,2024-12-01,2025-01-01,100,USD,
D,,D7,2024-12-01,2025-01-01,100,USD,
D,,D8,2024-12-01,2025-01-01,100,USD,
D,,D9x,2024-12-01,2025-01-01,100,USD,
D,,D9,2025-02-20,2025-03-22,600,USD,
E,,E9,2025-05-01,2025-06-01,400,EUR,yes
";

/// The history, then (after the as-of date, for --backtest):
/// A9 500 on 07-03 (W01) and 700 on 07-09 (W02); B9 300 on 07-02 (W01),
/// reversed on 07-10 (W02: -300) and paid again on 10-15 (later); D9 700 on
/// 07-05, clipped to its 600 open (W01); E9 (disputed) 400 on 07-20.
const PAYMENTS: &str = "\
invoice,date,amount
A0,2024-06-30,100
A1,2025-04-28,100
A2,2025-05-02,100
A3,2025-05-08,100
A4,2025-05-09,100
A5,2025-05-13,100
A6,2025-05-31,100
A-PAID,2025-06-10,70
B1,2025-05-16,100
B2,2025-06-10,100
B9,2025-06-01,100
B-OVER,2025-06-20,60
D1,2025-02-20,100
D2,2025-04-10,100
D3,2025-04-11,100
D4,2025-04-12,100
D5,2025-04-16,100
D6,2025-04-21,100
D7,2025-05-01,100
D8,2025-05-11,100
D9x,2025-05-21,100
A9,2025-07-03,500
A9,2025-07-09,700
B9,2025-07-02,300
B9,2025-07-10,-300
B9,2025-10-15,300
D9,2025-07-05,700
E9,2025-07-20,400
";

fn forecast(extra: &[&str]) -> Value {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let mut args = vec!["forecast", &inv, "--payments", &pay, "--as-of", "2025-06-30", "-f", "json"];
    args.extend_from_slice(extra);
    wd.run(&args).json()
}

/// `field` of each row as text ("null" for null), joined by spaces.
fn column(rows: &Value, field: &str) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    rows.as_array().unwrap().iter().map(|r| text(&r[field])).collect::<Vec<_>>().join(" ")
}

fn currency_rows(doc: &Value, currency: &str) -> Value {
    Value::Array(
        doc["rows"].as_array().unwrap().iter().filter(|r| r["currency"] == currency).cloned().collect(),
    )
}

#[test]
fn weekly_rows_per_currency() {
    let doc = forecast(&[]);
    assert_eq!(doc["command"], "forecast");
    assert_eq!(doc["params"]["weeks"], 13);
    let eur = currency_rows(&doc, "EUR");
    assert_eq!(column(&eur, "period"), "W01 W02 W03 W04 W05 W06 W07 W08 W09 W10 W11 W12 W13 later disputed");
    // W01 = A9 480 + B9 150; W02 = A9 480 + B9 50; W04 = B9 50; W05 = A9 240 + B9 50.
    assert_eq!(
        column(&eur, "expected"),
        "630.00 530.00 0.00 50.00 290.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 500.00 400.00"
    );
    assert_eq!(
        column(&eur, "cumulative"),
        "630.00 1160.00 1160.00 1210.00 1500.00 1500.00 1500.00 1500.00 1500.00 1500.00 1500.00 1500.00 1500.00 null null"
    );
    assert_eq!(column(&eur, "invoices"), "2 2 0 1 2 0 0 0 0 0 0 0 0 1 1");
    assert_eq!(eur[0]["week_start"], "2025-07-01");
    assert_eq!(eur[0]["week_end"], "2025-07-07");
    assert_eq!(eur[12]["week_start"], "2025-09-23");
    assert_eq!(eur[12]["week_end"], "2025-09-29");
    assert_eq!(eur[13]["week_start"], Value::Null);
    // D9: 200 in W01 (07-01, 07-05), 100 in W02, W03, W05, W06.
    let usd = currency_rows(&doc, "USD");
    assert_eq!(
        column(&usd, "expected"),
        "200.00 100.00 100.00 0.00 100.00 100.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00"
    );
    // Totals: the open of the positive invoices, disputed included: 1200 + 300 + 500 + 400.
    let totals = &doc["totals"];
    assert_eq!(column(totals, "currency"), "EUR USD");
    assert_eq!(column(totals, "expected"), "2400.00 600.00");
    assert_eq!(column(totals, "invoices"), "4 1");
}

#[test]
fn detail_gives_basis_and_nearest_rank_dates() {
    let doc = forecast(&["--detail"]);
    let rows = &doc["rows"];
    // By days past due (C9 and D9 100, E9 29, B9 5, A9 0), then customer.
    assert_eq!(column(rows, "invoice"), "C9 D9 E9 B9 A9");
    assert_eq!(column(rows, "days_past_due"), "100 100 29 5 0");
    assert_eq!(column(rows, "basis"), "none customer disputed portfolio customer");
    assert_eq!(column(rows, "sample_size"), "0 6 0 6 5");
    assert_eq!(column(rows, "open"), "500.00 600.00 400.00 300.00 1200.00");
    // D9 (n = 6): 3rd = 110 -> 07-10, 1st = 101 -> 07-01, 6th = 140 -> 08-09.
    // B9 (n = 6, from 06-25): 12 -> 07-07, 7 -> 07-02, 40 -> 08-04.
    // A9 (n = 5, from 06-30): 3rd = 8 -> 07-08, 1st = 1 -> 07-01, 5th = 30 -> 07-30.
    assert_eq!(column(rows, "expected_date"), "null 2025-07-10 null 2025-07-07 2025-07-08");
    assert_eq!(column(rows, "p10_date"), "null 2025-07-01 null 2025-07-02 2025-07-01");
    assert_eq!(column(rows, "p90_date"), "null 2025-08-09 null 2025-08-04 2025-07-30");
    assert_eq!(column(rows, "in_horizon_pct"), "null 100.00 null 100.00 100.00");
    assert_eq!(column(rows, "customer_name"), "null null null null Acme");
}

#[test]
fn a_shorter_horizon_moves_the_tail_to_later() {
    let doc = forecast(&["--weeks", "4", "--detail"]);
    // Beyond 07-28: A9's 07-30 (1 of 5), B9's 08-04 (1 of 6), D9's 07-30 and 08-09 (2 of 6).
    assert_eq!(column(&doc["rows"], "in_horizon_pct"), "null 66.67 null 83.33 80.00");
    let weekly = forecast(&["--weeks", "4"]);
    let eur = currency_rows(&weekly, "EUR");
    assert_eq!(column(&eur, "period"), "W01 W02 W03 W04 later disputed");
    // later: C9 500 + A9 240 + B9 50.
    assert_eq!(column(&eur, "expected"), "630.00 530.00 0.00 50.00 790.00 400.00");
    assert_eq!(column(&eur, "invoices"), "2 2 0 1 3 1");
}

#[test]
fn more_history_required_falls_back_to_the_portfolio() {
    // --min-history 6: A's 5 values are too few; the EUR portfolio above 0 is
    // 1 7 8 12 15 30 40 (7 values): A9 gets 1200/7 on each.
    let doc = forecast(&["--min-history", "6", "--detail"]);
    assert_eq!(column(&doc["rows"], "basis"), "none customer disputed portfolio portfolio");
    assert_eq!(column(&doc["rows"], "sample_size"), "0 6 0 6 7");
    let weekly = forecast(&["--min-history", "6"]);
    let eur = currency_rows(&weekly, "EUR");
    // A9's days: 07-01, 07-07 (W01) | 07-08, 07-12 (W02) | 07-15 (W03) | 07-30 (W05) |
    // 08-09 (W06), 1200/7 = 171.428.. each. W01 = 2 x 171.428.. + B9 150 = 492.857..;
    // W02 = 342.857.. + 50; W03 = 171.43; W04 = B9 50; W05 = 171.43 + 50; W06 = 171.43.
    assert_eq!(
        column(&eur, "expected"),
        "492.86 392.86 171.43 50.00 221.43 171.43 0.00 0.00 0.00 0.00 0.00 0.00 0.00 500.00 400.00"
    );
    // The printed weeks add up to 1500.01, their exact sum is 1500.00.
    assert_eq!(eur[12]["cumulative"].to_string(), "1500.00");
}

#[test]
fn backtest_scores_against_what_was_paid_after() {
    let doc = forecast(&["--backtest"]);
    let eur = currency_rows(&doc, "EUR");
    // W01: A9 500 + B9 300; W02: A9 700 - B9's reversal 300; later: B9 again; disputed: E9.
    assert_eq!(
        column(&eur, "actual"),
        "800.00 400.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 300.00 400.00"
    );
    // Everything on max(due, 07-01): W01; disputed: as expected.
    assert_eq!(
        column(&eur, "naive"),
        "2000.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 400.00"
    );
    let usd = currency_rows(&doc, "USD");
    assert_eq!(column(&usd, "actual").split(' ').next(), Some("600.00")); // 700 clipped to 600
    let totals = &doc["totals"];
    assert_eq!(column(totals, "actual"), "1900.00 600.00");
    assert_eq!(column(totals, "naive"), "2400.00 600.00");
    // EUR: |630-800| + |530-400| + 50 + 290 = 640 over 1200 actual; naive 1200 + 400.
    // USD: 400 + 100 + 100 + 100 + 100 = 800 over 600; naive 0.
    assert_eq!(column(totals, "wape_pct"), "53.33 133.33");
    assert_eq!(column(totals, "naive_wape_pct"), "133.33 0.00");
    let detail = forecast(&["--backtest", "--detail"]);
    assert_eq!(column(&detail["rows"], "actual"), "0.00 600.00 400.00 300.00 1200.00");
}

#[test]
fn backtest_without_later_payments_is_an_error() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let run = wd.run(&["forecast", &inv, "--payments", &pay, "--as-of", "2025-10-15", "--backtest"]);
    run.fails_with(&["--backtest", "dated after the as-of date 2025-10-15", "earlier --as-of"]);
}

#[test]
fn bad_flags_are_usage_errors() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    for flag in [["--weeks", "0"], ["--lookback", "0"], ["--lookback", "36501"], ["--min-history", "0"]] {
        let run = wd.run(&["forecast", &inv, "--as-of", "2025-06-30", flag[0], flag[1]]);
        assert_eq!(run.code, 2, "{flag:?}: {}", run.stderr);
    }
}

#[test]
fn csv_totals_and_chart() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let chart = wd.path("f.svg");
    let args = ["forecast", &inv, "--payments", &pay, "--as-of", "2025-06-30", "--weeks", "2", "-f", "csv"];
    let run = wd.run(&[&args[..], &["--totals", "--chart", chart.to_str().unwrap()]].concat());
    assert_eq!(
        run.ok(),
        "period,week_start,week_end,currency,expected,cumulative,invoices\n\
         W01,2025-07-01,2025-07-07,EUR,630.00,630.00,2\n\
         W02,2025-07-08,2025-07-14,EUR,530.00,1160.00,2\n\
         later,,,EUR,840.00,,3\n\
         disputed,,,EUR,400.00,,1\n\
         W01,2025-07-01,2025-07-07,USD,200.00,200.00,1\n\
         W02,2025-07-08,2025-07-14,USD,100.00,300.00,1\n\
         later,,,USD,300.00,,1\n\
         disputed,,,USD,0.00,,0\n\
         TOTAL,,,EUR,2400.00,,4\n\
         TOTAL,,,USD,600.00,,1\n"
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Expected cash per week (USD)"), "{svg:.200}");
}

/// Customers with steady habits (customer k pays 4k days late, give or take
/// a day): the history forecast must beat the calendar.
#[test]
fn steady_habits_beat_the_naive_forecast() {
    let mut invoices = String::from("customer,invoice,issue_date,due_date,amount\n");
    let mut payments = String::from("invoice,date,amount\n");
    let day = |n: i64| {
        (chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n)).to_string()
    };
    for k in 1..=8i64 {
        for i in 0..40i64 {
            let due = i * 9 + k;
            let amount = 100 + 10 * ((i * 7 + k) % 13);
            invoices.push_str(&format!("K{k},K{k}-{i},{},{},{amount}\n", day(due - 30), day(due)));
            payments.push_str(&format!("K{k}-{i},{},{amount}\n", day(due + 4 * k + (i % 3) - 1)));
        }
    }
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", &invoices);
    let pay = wd.write("pay.csv", &payments);
    let run = wd.run(&[
        "forecast",
        &inv,
        "--payments",
        &pay,
        "--as-of",
        "2024-09-30",
        "--weeks",
        "8",
        "--backtest",
        "-f",
        "json",
    ]);
    let doc = run.json();
    let total = &doc["totals"][0];
    let pct = |f: &str| total[f].to_string().parse::<f64>().unwrap();
    assert!(pct("wape_pct") < pct("naive_wape_pct") / 2.0, "{total}");
}

#[test]
fn table_and_ndjson_formats() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let args = ["forecast", &inv, "--payments", &pay, "--as-of", "2025-06-30", "--weeks", "1"];
    let ndjson = wd.run(&[&args[..], &["-f", "ndjson"]].concat());
    let lines: Vec<Value> = ndjson.ok().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // EUR W01, later, disputed; USD W01, later, disputed. W01 EUR: A9 480 + B9 150.
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["expected"].to_string(), "630.00");
    assert_eq!(lines[1]["period"], "later");
    let table = wd.run(&[&args[..], &["--backtest"]].concat());
    let text = table.ok();
    assert!(text.contains("wape_pct") && text.contains("naive_wape_pct"), "{text}");
    // EUR W01: |630 - 800| / 800 = 21.25 %; naive |2000 - 800| / 800 = 150 %.
    assert!(text.contains("21.25") && text.contains("150.00"), "{text}");
}

#[test]
fn the_chart_may_not_overwrite_an_input_or_the_report() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let out = wd.path("out.csv");
    let out = out.to_str().unwrap();
    for chart in [&pay[..], out] {
        let run = wd.run(&[
            "forecast",
            &inv,
            "--payments",
            &pay,
            "--as-of",
            "2025-06-30",
            "-o",
            out,
            "--chart",
            chart,
        ]);
        assert_eq!(run.code, 2, "{chart}: {}", run.stderr);
    }
    assert_eq!(wd.read("pay.csv"), PAYMENTS);
}

#[test]
fn a_dated_disputes_file_decides_who_is_disputed() {
    // E9's dispute closed on 06-20: the file names it, so its `disputed`
    // column no longer counts, and it is forecast: 29 days past due, no
    // history of its own, EUR portfolio delays above 29 are 30 and 40 (2 < 5)
    // -> basis none. C9's dispute opened on 06-01 is still open -> disputed.
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", INVOICES);
    let pay = wd.write("pay.csv", PAYMENTS);
    let disputes =
        wd.write("disputes.csv", "invoice,opened,closed\nE9,2025-06-02,2025-06-20\nC9,2025-06-01,\n");
    let args = ["forecast", &inv, "--payments", &pay, "--disputes", &disputes, "--as-of", "2025-06-30"];
    let detail = wd.run(&[&args[..], &["--detail", "-f", "json"]].concat()).json();
    assert_eq!(column(&detail["rows"], "invoice"), "C9 D9 E9 B9 A9");
    assert_eq!(column(&detail["rows"], "basis"), "disputed customer none portfolio customer");
    let weekly = wd.run(&[&args[..], &["-f", "json"]].concat()).json();
    let eur = currency_rows(&weekly, "EUR");
    let rows = eur.as_array().unwrap();
    // later: E9's 400.00 (C9 moved to disputed); disputed: C9's 500.00.
    assert_eq!(rows[13]["period"], "later");
    assert_eq!(rows[13]["expected"].to_string(), "400.00");
    assert_eq!(rows[14]["expected"].to_string(), "500.00");
    assert_eq!((rows[13]["invoices"].as_u64(), rows[14]["invoices"].as_u64()), (Some(1), Some(1)));
}

/// Rows are exact sums rounded once. A settled six invoices 1, 8, 15, 22,
/// 29 and 36 days late; its open F1 (0.05 EUR, due on the as-of date) puts
/// 0.05 / 6 = 0.008333... in each of W01..W06. Cumulative at W03 is exactly
/// 0.025 -> 0.03 (adding rounded or 28-digit quotients gave 0.02); W01
/// 0.0083 -> 0.01, W02 0.0167 -> 0.02, W04 0.0333 -> 0.03, W05 0.0417 ->
/// 0.04, W06 0.05. The same in JPY with 5 yen: W03 2.5 -> 3.
#[test]
fn cumulative_is_the_exact_running_sum_rounded_once() {
    let wd = Workdir::new();
    let mut invoices = String::from("customer,invoice,issue_date,due_date,amount,currency\n");
    let mut payments = String::from("invoice,date,amount\n");
    for (customer, currency, amount, open) in [("A", "EUR", "100.00", "0.05"), ("J", "JPY", "100", "5")] {
        for (k, paid) in ["05-02", "05-09", "05-16", "05-23", "05-30", "06-06"].iter().enumerate() {
            invoices
                .push_str(&format!("{customer},{customer}H{k},2025-04-01,2025-05-01,{amount},{currency}\n"));
            payments.push_str(&format!("{customer}H{k},2025-{paid},{amount}\n"));
        }
        invoices.push_str(&format!("{customer},{customer}F1,2025-06-01,2025-06-30,{open},{currency}\n"));
    }
    let inv = wd.write("inv.csv", &invoices);
    let pay = wd.write("pay.csv", &payments);
    let doc = wd
        .run(&["forecast", &inv, "--payments", &pay, "--as-of", "2025-06-30", "--weeks", "6", "-f", "json"])
        .json();
    let eur = currency_rows(&doc, "EUR");
    assert_eq!(column(&eur, "expected"), "0.01 0.01 0.01 0.01 0.01 0.01 0.00 0.00");
    assert_eq!(column(&eur, "cumulative"), "0.01 0.02 0.03 0.03 0.04 0.05 null null");
    let jpy = currency_rows(&doc, "JPY");
    assert_eq!(column(&jpy, "expected"), "1 1 1 1 1 1 0 0");
    assert_eq!(column(&jpy, "cumulative"), "1 2 3 3 4 5 null null");
}
