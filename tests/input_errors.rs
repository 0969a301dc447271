//! Every malformed input ends in a clear error (file, line, column, value,
//! what to do; exit 1) or, with --skip-bad-rows, in a rejects file that
//! holds every skipped row.
mod common;
use common::Workdir;

const HEADER: &str = "customer,invoice,due_date,amount\n";

fn age(wd: &Workdir, file: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["age", file, "--as-of", "2025-06-30", "-f", "csv"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

#[test]
fn wrong_delimiter_names_the_headers_and_suggests_the_right_one() {
    let wd = Workdir::new();
    let f = wd.write("semi.csv", "customer;invoice;due_date;amount\nA;1;2025-01-01;5\n");
    age(&wd, &f, &["--delimiter", ","]).fails_with(&[
        "no column for 'customer'",
        "customer;invoice;due_date;amount",
        "--delimiter ';'",
    ]);
}

#[test]
fn ambiguous_dates_ask_for_date_format() {
    let wd = Workdir::new();
    let f = wd.write("amb.csv", &format!("{HEADER}A,1,01/02/2025,5\nA,2,03/04/2025,5\n"));
    age(&wd, &f, &[]).fails_with(&["amb.csv", "due_date", "--date-format"]);
    // With the format given, it reads: 01/02 is 1 February, 03/04 is 3 April.
    let ok = age(&wd, &f, &["--date-format", "%d/%m/%Y", "--detail"]);
    let rows = ok.csv_rows();
    assert_eq!(rows[0]["due_date"], "2025-02-01");
    assert_eq!(rows[1]["due_date"], "2025-04-03");
}

#[test]
fn decimal_comma_without_the_flag_points_at_line_and_column() {
    let wd = Workdir::new();
    let f = wd.write("es.csv", &format!("{HEADER}A,1,2025-01-01,5\nA,2,2025-01-01,\"1.234,56\"\n"));
    age(&wd, &f, &[]).fails_with(&["es.csv:3", "column \"amount\"", "\"1.234,56\"", "--decimal-comma"]);
}

#[test]
fn empty_and_header_only_files() {
    let wd = Workdir::new();
    let empty = wd.write("empty.csv", "");
    age(&wd, &empty, &[]).fails_with(&["empty.csv", "empty"]);
    let header_only = wd.write("header.csv", HEADER);
    age(&wd, &header_only, &[]).fails_with(&["header.csv", "no data rows"]);
}

#[test]
fn missing_column_lists_headers_and_closest_match() {
    let wd = Workdir::new();
    let f = wd.write("miss.csv", "customer,invoice,due_date,amout\nA,1,2025-01-01,5\n");
    age(&wd, &f, &[]).fails_with(&["no column for 'amount'", "'amout'", "closest: 'amout'", "--map amount="]);
    // --map fixes it.
    let ok = age(&wd, &f, &["--map", "amount=amout", "--by", "none"]);
    assert!(ok.ok().contains("EUR,0.00,0.00,0.00,0.00,0.00,5.00,5.00,5.00"), "{}", ok.stdout);
}

#[test]
fn duplicate_invoice_id_is_a_bad_row() {
    let wd = Workdir::new();
    let f = wd.write("dup.csv", &format!("{HEADER}A,1,2025-01-01,5\nB,1,2025-01-01,6\n"));
    age(&wd, &f, &[]).fails_with(&["dup.csv:3", "duplicate invoice id"]);
}

#[test]
fn non_utf8_bytes_are_reported() {
    let wd = Workdir::new();
    let f = wd.write_bytes("latin1.csv", b"customer,invoice,due_date,amount\nCaf\xe9,1,2025-01-01,5\n");
    age(&wd, &f, &[]).fails_with(&["latin1.csv:2", "UTF-8"]);
}

#[test]
fn a_one_megabyte_field_is_refused() {
    let wd = Workdir::new();
    let big = "x".repeat(1 << 20);
    let f = wd.write("big.csv", &format!("{HEADER}A,{big},2025-01-01,5\n"));
    age(&wd, &f, &[]).fails_with(&["big.csv:2", "exceeds"]);
}

#[test]
fn unknown_invoice_and_foreign_customer_in_payments() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", &format!("{HEADER}A,1,2025-01-01,5\n"));
    let pay = wd.write("pay.csv", "invoice,date,amount\n9,2025-01-02,5\n");
    age(&wd, &inv, &["--payments", &pay]).fails_with(&["pay.csv:2", "no invoice with this id"]);
    let pay2 = wd.write("pay2.csv", "invoice,customer,date,amount\n1,B,2025-01-02,5\n");
    age(&wd, &inv, &["--payments", &pay2]).fails_with(&["pay2.csv:2", "belongs to customer 'A'"]);
}

#[test]
fn skip_bad_rows_keeps_every_rejected_row_with_its_reason() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        &format!("{HEADER}A,1,2025-01-01,5\nA,2,not a date,5\nA,1,2025-01-01,7\nB,3,2025-01-01,abc\n,4,2025-01-01,1\nC,5,2025-01-01,2.50\n"),
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-01-02,1\nX,2025-01-02,1\n");
    let rejects = wd.path("rejects.csv");
    let run = age(
        &wd,
        &inv,
        &["--payments", &pay, "--skip-bad-rows", "--rejects", rejects.to_str().unwrap(), "--by", "none"],
    );
    // Kept: invoice 1 (5 - 1 paid = 4) and 5 (2.50) -> 6.50 open.
    assert!(run.ok().contains(",6.50,6.50,100.00,2,"), "{}", run.stdout);
    assert!(run.stderr.contains("skipped 5 bad row(s)"), "{}", run.stderr);
    let mut reader = csv::Reader::from_path(&rejects).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["file", "line", "column", "value", "reason", "row"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let summary: Vec<(String, String)> = rows.iter().map(|r| (r[1].to_string(), r[5].to_string())).collect();
    assert_eq!(
        summary,
        vec![
            ("3".into(), "A,2,not a date,5".into()),
            ("4".into(), "A,1,2025-01-01,7".into()),
            ("5".into(), "B,3,2025-01-01,abc".into()),
            ("6".into(), ",4,2025-01-01,1".into()),
            ("3".into(), "X,2025-01-02,1".into()),
        ]
    );
    assert!(rows[1][4].contains("duplicate"));
    assert!(rows[4][0].ends_with("pay.csv"));
}

#[test]
fn wrong_number_of_cells_is_a_bad_row() {
    let wd = Workdir::new();
    let f = wd.write("short.csv", &format!("{HEADER}A,1,2025-01-01\n"));
    age(&wd, &f, &[]).fails_with(&["short.csv:2", "3 cells, the header has 4"]);
}

#[test]
fn missing_file_and_bad_as_of() {
    let wd = Workdir::new();
    age(&wd, "/nonexistent/inv.csv", &[]).fails_with(&["cannot open /nonexistent/inv.csv"]);
    let f = wd.write("inv.csv", &format!("{HEADER}A,1,2025-01-01,5\n"));
    assert_eq!(wd.run(&["age", &f, "--as-of", "31/12/2025"]).code, 2);
}

#[test]
fn terms_fill_in_missing_due_dates() {
    let wd = Workdir::new();
    let f = wd.write("terms.csv", "customer,invoice,issue_date,amount\nA,1,2025-05-01,100\n");
    age(&wd, &f, &[]).fails_with(&["no column for 'due_date'", "--terms"]);
    // Issued 05-01 + 30 days = due 05-31; 30 days past due on 06-30.
    let rows = age(&wd, &f, &["--terms", "30", "--detail"]).csv_rows();
    assert_eq!(rows[0]["due_date"], "2025-05-31");
    assert_eq!(rows[0]["days_past_due"], "30");
}

#[test]
fn single_file_export_paid_and_open_columns() {
    let wd = Workdir::new();
    // 1: paid in full 2025-02-01; 2: paid 40 of 100 on 2025-07-15 (after the as-of date);
    // 3: open 25 of 100 (undated payment of 75); 4: untouched.
    let f = wd.write(
        "single.csv",
        "customer,invoice,due_date,amount,paid_date,paid_amount,open_amount\n\
         A,1,2025-01-01,100,2025-02-01,,\n\
         A,2,2025-01-01,100,2025-07-15,40,\n\
         A,3,2025-01-01,100,,,25\n\
         A,4,2025-06-30,100,,,\n",
    );
    let rows = age(&wd, &f, &["--detail"]).csv_rows();
    let open: Vec<(&str, &str)> = rows.iter().map(|r| (r["invoice"].as_str(), r["open"].as_str())).collect();
    assert_eq!(open, vec![("2", "100.00"), ("3", "25.00"), ("4", "100.00")]);
}

#[test]
fn config_file_defaults_are_overridden_by_flags() {
    let wd = Workdir::new();
    let f = wd.write("inv.csv", "Kunde;Beleg;Faellig;Betrag\nA;1;2025-06-01;5\n");
    let cfg = wd.write("cobro.toml", "delimiter = \";\"\n[map]\ncustomer = \"Kunde\"\ninvoice = \"Beleg\"\ndue_date = \"Faellig\"\namount = \"Betrag\"\n[age]\nby = \"none\"\nbuckets = \"15,45\"\n");
    let out = age(&wd, &f, &["--config", &cfg]);
    assert!(out.ok().starts_with("currency,current,days_1_15,days_16_45,days_over_45"), "{}", out.stdout);
    let overridden = age(&wd, &f, &["--config", &cfg, "--buckets", "10"]);
    assert!(overridden.ok().starts_with("currency,current,days_1_10,days_over_10"), "{}", overridden.stdout);
    let bad = wd.write("bad.toml", "[age]\nbukets = \"1\"\n");
    assert_eq!(age(&wd, &f, &["--config", &bad]).code, 2);
}

/// 27-digit amounts used to be read, and their sums overflowed (a panic in
/// every command, even with --skip-bad-rows). They are now bad rows.
#[test]
fn amounts_of_19_digits_or_more_are_too_large() {
    let wd = Workdir::new();
    let mut text = String::from(HEADER);
    for i in 0..80 {
        text.push_str(&format!("A,{i},2025-01-01,999999999999999999999999999\n"));
    }
    text.push_str("A,ok,2025-01-01,999999999999999999.99\n");
    let f = wd.write("big.csv", &text);
    age(&wd, &f, &[]).fails_with(&[
        "big.csv:2",
        "column \"amount\"",
        "\"999999999999999999999999999\"",
        "amount too large",
    ]);
    for command in ["age", "kpi", "segment"] {
        let run = wd.run(&[command, &f, "--as-of", "2025-06-30", "-f", "csv", "--skip-bad-rows"]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("skipped 80 bad row(s)"), "{command}: {}", run.stderr);
    }
    // The largest amount that reads is kept whole: 18 nines and 99 cents.
    let rows = age(&wd, &f, &["--skip-bad-rows", "--detail"]).csv_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["open"], "999999999999999999.99");
}

#[test]
fn too_large_amounts_go_to_the_rejects_file() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        &format!("{HEADER}A,1,2025-01-01,5\nA,2,2025-01-01,\"1,000,000,000,000,000,000\"\n"),
    );
    let pay = wd.write("pay.csv", "invoice,date,amount\n1,2025-01-02,-1000000000000000000\n1,2025-01-02,1\n");
    let rejects = wd.path("rejects.csv");
    let run = age(
        &wd,
        &inv,
        &["--payments", &pay, "--skip-bad-rows", "--rejects", rejects.to_str().unwrap(), "--by", "none"],
    );
    // Kept: invoice 1, 5 - 1 = 4.00 open.
    assert!(run.ok().contains(",4.00,4.00,100.00,1,"), "{}", run.stdout);
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_path(&rejects).unwrap().records().map(|r| r.unwrap()).collect();
    let summary: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[1], &r[2], &r[3])).collect();
    assert_eq!(
        summary,
        vec![("3", "amount", "1,000,000,000,000,000,000"), ("2", "amount", "-1000000000000000000")]
    );
    assert!(rows.iter().all(|r| r[4].starts_with("amount too large")), "{rows:?}");
}

/// A rate beyond the policy bounds is a clear policy error; within them the
/// interest on the largest amount still computes, exactly.
#[test]
fn dunning_interest_that_overflows_is_an_error() {
    let wd = Workdir::new();
    let inv = wd.write("inv.csv", &format!("{HEADER}A,1,2025-01-01,100000000000000000\n"));
    let policy = wd.write(
        "policy.toml",
        "[interest]\nannual_rate_pct = 999999999999999999\n[[level]]\nname = \"r\"\ndays = 1\ntemplate = \"x\"\n",
    );
    // A rate this large is refused by the policy's bounds (at most 1000 %),
    // so with amounts below 10^18 the interest cannot overflow at all.
    wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2025-06-30"])
        .fails_with(&["annual_rate_pct", "more than the 1000"]);
    // 1e17 x 10% x 180 days / 365 = 4,931,506,849,315,068.49 still computes.
    let policy = wd.write(
        "policy.toml",
        "[interest]\nannual_rate_pct = 10\n[[level]]\nname = \"r\"\ndays = 1\ntemplate = \"x\"\n",
    );
    let out = wd.run(&["dunning", &inv, "--policy", &policy, "--as-of", "2025-06-30", "-f", "csv"]);
    assert!(out.ok().contains("4931506849315068.49"), "{}", out.stdout);
}

/// --fx conversion multiplies: a product at or above the amount limit is an error.
#[test]
fn fx_conversion_that_leaves_the_limit_is_an_error() {
    let wd = Workdir::new();
    let inv = wd.write(
        "inv.csv",
        "customer,invoice,due_date,amount,currency\nA,1,2025-01-01,900000000000000000,USD\n",
    );
    let rates = wd.write("rates.csv", "currency,rate\nUSD,2\n");
    age(&wd, &inv, &["--fx", &rates, "--base", "EUR"]).fails_with(&["--fx", "invoice 1", "amount too large"]);
    let rates = wd.write("rates.csv", "currency,rate\nUSD,0.5\n");
    let rows = age(&wd, &inv, &["--fx", &rates, "--base", "EUR", "--detail"]).csv_rows();
    assert_eq!(rows[0]["open"], "450000000000000000.00");
}

/// Text next to the number is a currency code or symbol, or the cell is bad.
#[test]
fn trailing_letters_are_not_read_as_a_currency() {
    let wd = Workdir::new();
    for (value, shown) in [("10O", "\"O\" after the number"), ("12.5kg", "\"kg\""), ("3 items", "\"items\"")]
    {
        let f = wd.write("t.csv", &format!("{HEADER}A,1,2025-01-01,{value}\n"));
        age(&wd, &f, &[]).fails_with(&["t.csv:2", "column \"amount\"", value, shown, "is not a currency"]);
    }
    // Codes and symbols still read: 12 + 3.50 + 1000 = 1015.50.
    let f = wd.write(
        "ok.csv",
        &format!("{HEADER}A,1,2025-01-01,12 EUR\nA,2,2025-01-01,€3.50\nA,3,2025-01-01,\"EUR 1,000\"\n"),
    );
    assert!(age(&wd, &f, &["--by", "none"]).ok().contains(",1015.50,1015.50,100.00,3,"));
}

/// A single-file export's open_amount is read even when the row has a
/// paid_date (which decides the payment).
#[test]
fn open_amount_is_checked_on_paid_rows_too() {
    let wd = Workdir::new();
    let head = "customer,invoice,due_date,amount,paid_date,open_amount\n";
    let f = wd.write(
        "s.csv",
        &format!("{head}A,1,2025-01-01,100,2025-02-01,0\nA,2,2025-01-01,100,2025-02-01,NaN\n"),
    );
    age(&wd, &f, &[]).fails_with(&["s.csv:3", "column \"open_amount\"", "\"NaN\"", "no digits"]);
    // Without the bad row: invoice 1 is paid in full, nothing is open.
    let f = wd.write("s.csv", &format!("{head}A,1,2025-01-01,100,2025-02-01,0\nA,2,2025-01-01,100,,40\n"));
    let rows = age(&wd, &f, &["--detail"]).csv_rows();
    let open: Vec<(&str, &str)> = rows.iter().map(|r| (r["invoice"].as_str(), r["open"].as_str())).collect();
    assert_eq!(open, vec![("2", "40.00")]);
}

/// More decimals than the currency's minor unit is no bad row (SPEC §2
/// does not list it): the amount is kept exact and rounded once, when
/// printed (SPEC §3), and stderr counts such amounts per file, for invoices
/// (amount, paid_amount) and payments, by the row's currency.
#[test]
fn sub_cent_amounts_are_kept_exact_and_counted() {
    let wd = Workdir::new();
    let open = |run: &common::Run| -> Vec<(String, String)> {
        let mut open: Vec<_> =
            run.csv_rows().iter().map(|r| (r["invoice"].clone(), r["open"].clone())).collect();
        open.sort();
        open
    };
    // JPY has no minor unit, KWD has 3; trailing zeros do not count: only
    // J-4's 100.5 JPY is finer than its currency, printed 101 (half away
    // from zero); E-3's 10 EUR less an undated 2.001 is 7.999, printed 8.00.
    let head = "customer,invoice,due_date,amount,currency,paid_amount\n";
    let f = wd.write(
        "c.csv",
        &format!("{head}J,1,2025-01-01,1500.00,JPY,\nK,2,2025-01-01,1.234,KWD,\nE,3,2025-01-01,10,EUR,2.001\nJ,4,2025-01-01,100.5,JPY,\n"),
    );
    let run = age(&wd, &f, &["--detail", "--columns", "invoice,open"]);
    let want = [("1", "1500"), ("2", "1.234"), ("3", "8.00"), ("4", "101")];
    assert_eq!(open(&run), want.map(|(i, o)| (i.to_string(), o.to_string())));
    assert!(
        run.stderr.contains("c.csv: 2 amount(s) have more decimals than their currency's minor unit"),
        "{}",
        run.stderr
    );
    // A payment is judged by its invoice's currency: 0.50 is cents in EUR,
    // 0.5 is finer than JPY: 1000 - 0.5 = 999.5, printed 1000.
    let inv = wd.write("i.csv", &format!("{head}E,1,2025-01-01,10,EUR,\nJ,2,2025-01-01,1000,JPY,\n"));
    let pay = wd.write("p.csv", "invoice,date,amount\n1,2025-01-02,0.50\n2,2025-01-02,0.5\n");
    let run = age(&wd, &inv, &["--payments", &pay, "--detail", "--columns", "invoice,open"]);
    assert_eq!(open(&run), [("1", "9.50"), ("2", "1000")].map(|(i, o)| (i.to_string(), o.to_string())));
    assert!(run.stderr.contains("p.csv: 1 amount(s) have more decimals"), "{}", run.stderr);
    assert!(!run.stderr.contains("i.csv"), "{}", run.stderr);
    // The worked example of docs/age.md: 50.00 + 10.005 = 60.005 -> 60.01.
    let f = wd.write(
        "g.csv",
        "customer,invoice,due_date,amount\nC3,F4,2025-07-01,50.00\nC3,F8,2025-06-30,10.005\n",
    );
    let totals = age(&wd, &f, &["--columns", "customer,current,total_open"]);
    assert_eq!(totals.ok(), "customer,current,total_open\nC3,60.01,60.01\n");
}

/// 300 deterministic mutations of the bundled Parquet fixture (truncations
/// and flipped bytes): the Parquet crate panics on some of them; cobro must
/// still end with a message naming the file, never a panic.
#[test]
fn damaged_parquet_files_are_errors_never_panics() {
    let wd = Workdir::new();
    let original = std::fs::read(common::repo_root().join("fixtures/invoices.parquet")).unwrap();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |below: usize| {
        // xorshift64: the same mutations on every run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    for round in 0..300 {
        let mut bytes = original.clone();
        let truncated = round % 3 == 0;
        if truncated {
            bytes.truncate(next(original.len()));
        } else {
            for _ in 0..1 + next(8) {
                let at = next(bytes.len());
                bytes[at] = next(256) as u8;
            }
        }
        let file = wd.write_bytes("damaged.parquet", &bytes);
        let run = age(&wd, &file, &[]);
        assert!(!run.stderr.contains("panicked"), "round {round}: {}", run.stderr);
        if truncated || run.code != 0 {
            assert_eq!(run.code, 1, "round {round}: {}", run.stderr);
            assert!(run.stderr.contains("damaged.parquet"), "round {round}: {}", run.stderr);
        }
        if truncated {
            assert!(run.stderr.contains("not a readable Parquet file"), "round {round}: {}", run.stderr);
        }
    }
}

/// Old Mac files end lines with "\r" alone: errors and rejects name the
/// real line (they all said line 1), for plain and quoted files.
#[test]
fn cr_only_line_ends_keep_real_line_numbers() {
    let wd = Workdir::new();
    let text = "customer,invoice,due_date,amount\rA,1,2025-01-01,5\r\rA,2,2025-01-01,x\r\"A\",3,2025-01-01,y\rA,4,2025-01-01,2\r";
    let f = wd.write("mac.csv", text);
    age(&wd, &f, &[]).fails_with(&["mac.csv:4", "\"x\""]);
    let rejects = wd.path("rejects.csv");
    let run = age(&wd, &f, &["--skip-bad-rows", "--rejects", rejects.to_str().unwrap(), "--by", "none"]);
    // Kept: 5 + 2 = 7.00 open in two documents.
    assert!(run.ok().contains(",7.00,7.00,100.00,2,"), "{}", run.stdout);
    let lines: Vec<String> =
        csv::Reader::from_path(&rejects).unwrap().records().map(|r| r.unwrap()[1].to_string()).collect();
    assert_eq!(lines, ["4", "5"]);
}

/// A --date-format that cannot read a date, or a --map without a header,
/// is a usage error (exit 2) before any file is read: here the file does
/// not even exist.
#[test]
fn bad_date_format_and_empty_map_header_are_usage_errors() {
    let wd = Workdir::new();
    for command in ["age", "kpi", "segment"] {
        for format in ["%Q", "", "%", "%E", "%d/%m", "%H:%M"] {
            let run =
                wd.run(&[command, "/nonexistent.csv", "--as-of", "2025-06-30", "--date-format", format]);
            assert_eq!(run.code, 2, "{command} {format:?}: {}", run.stderr);
            assert!(run.stderr.contains("--date-format"), "{}", run.stderr);
        }
        let run = wd.run(&[command, "/nonexistent.csv", "--as-of", "2025-06-30", "--map", "amount="]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(run.stderr.contains("--map 'amount=': the header is empty"), "{}", run.stderr);
    }
    // A good format still reads: 25/12/2024 is Christmas.
    let f = wd.write("d.csv", &format!("{HEADER}A,1,25/12/2024,5\n"));
    let rows = age(&wd, &f, &["--date-format", "%d/%m/%Y", "--detail"]).csv_rows();
    assert_eq!(rows[0]["due_date"], "2024-12-25");
}

/// A stray quote in the header row swallows the file into one header: the
/// message shows an excerpt and says why (it printed all 50 KB).
#[test]
fn a_stray_quote_in_the_header_gives_a_short_message() {
    let wd = Workdir::new();
    let mut text = String::from("customer,\"invoice,due_date,amount\n");
    for i in 0..2000 {
        text.push_str(&format!("C1,I{i},2025-01-01,12.50\n"));
    }
    let f = wd.write("quote.csv", &text);
    let run = age(&wd, &f, &[]);
    run.fails_with(&[
        "quote.csv",
        "no column for 'invoice'",
        "'invoice,due_date,amount\\nC1,I0,",
        "bytes)",
        "stray quote",
    ]);
    assert!(run.stderr.len() < 600, "{} bytes of message", run.stderr.len());
}

/// A float in --config is the flag typed as written: 100000000000000.01
/// would be 100000000000000.02 through an f64 (its nearest double is
/// ...00.015625), so a config value would not mean what the file says.
/// One installment of the whole amount: total_payable = the amount.
/// `1e3` is 1000; `inf` is no number (usage error, exit 2).
#[test]
fn config_floats_are_read_as_written() {
    let wd = Workdir::new();
    let schedule = |config: &str| {
        let cfg = wd.write("plan.toml", &format!("[\"plan schedule\"]\n{config}\n"));
        wd.run(&[
            "plan",
            "schedule",
            "--config",
            &cfg,
            "--installments",
            "1",
            "--start",
            "2025-01-31",
            "-f",
            "json",
        ])
    };
    let out = schedule("amount = 100000000000000.01");
    assert!(out.ok().contains("\"installment\": 100000000000000.01,"), "{}", out.stdout);
    let out = schedule("amount = 1e3");
    assert!(out.ok().contains("\"installment\": 1000.00,"), "{}", out.stdout);
    let out = schedule("amount = inf");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("config value inf is not a finite number"), "{}", out.stderr);
}
