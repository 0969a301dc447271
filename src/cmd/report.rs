//! `cobro report`: the nightly page a collections manager opens. It is
//! composed from the very reports `age`, `kpi`, `segment`, `dunning` and
//! `plan check` print (each built by that command's own `report` function
//! with that command's defaults), so every figure equals the command's JSON.

use super::side::PromisesArgs;
use crate::cli::InputArgs;
use crate::cmd::{age, dunning, kpi, plan, promise, segment};
use crate::dates::{date_of, day_of, iso, Day};
use crate::error::usage;
use crate::files::paths::Paths;
use crate::files::AtomicFile;
use crate::input::{load_ledger_with, SideData, SideFiles};
use crate::money;
use crate::render::chart::{self, Chart, Series};
use crate::render::html::{self, AgingBar, Figure, Headline, Page, Section};
use crate::render::{xlsx, Cell, Report};
use anyhow::{Context, Result};
use chrono::{Datelike, Months};
use clap::{Args, FromArgMatches};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::Write;

/// The nightly page: where we stand, the trend, the aging, who to call,
/// which letters go out today — one self-contained HTML file, or with
/// -o FILE.xlsx one workbook with a sheet per section.
///
/// Every figure is the one the command it comes from prints (age, kpi
/// --every month, segment, dunning, plan check, each with its defaults) for
/// the same inputs; each carries data-source, data-key, data-field and
/// data-value attributes with that command's JSON value. The file has no
/// script and makes no request: mail it as it is.
///
/// Example:
///   cobro report fixtures/invoices.csv --payments fixtures/payments.csv \
///       --policy examples/policy.toml --plans examples/plans.csv \
///       --plan-payments examples/plan_payments.csv --as-of 2025-06-30 -o report.html
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// Invoices file (CSV, or Parquet by extension; - for standard input)
    #[arg(value_name = "INVOICES")]
    pub invoices: String,

    /// Dunning policy (TOML): adds today's dunning actions counted per level
    #[arg(long, value_name = "FILE")]
    pub policy: Option<String>,

    /// Dunning log (CSV) the actions are decided against (with --policy)
    #[arg(long, value_name = "FILE", requires = "policy")]
    pub log: Option<String>,

    /// Payment plans (as `plan check` reads them): adds plan statuses counted
    #[arg(long, value_name = "FILE", requires = "plan_payments")]
    pub plans: Option<String>,

    /// Payments toward the --plans
    #[arg(long, value_name = "FILE", requires = "plans")]
    pub plan_payments: Option<String>,

    #[command(flatten)]
    pub promises: PromisesArgs,

    /// Months in the KPI trend (1 to 120)
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub months: u32,

    /// Rows of the segment worklist shown
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,

    /// The page to write, atomically: FILE.html, or FILE.xlsx for a workbook
    #[arg(short, long, value_name = "FILE.html|FILE.xlsx", required = true)]
    pub output: String,

    #[command(flatten)]
    pub input: InputArgs,
}

/// The worklist fields the page shows, when the segment report has them.
const WORKLIST_FIELDS: [&str; 8] = [
    "priority",
    "customer",
    "customer_name",
    "currency",
    "segment",
    "overdue",
    "max_days_past_due",
    "action",
];

/// The KPI measures of the headline: (JSON field, label).
const HEADLINE_MEASURES: [(&str, &str); 4] = [
    ("recovery_rate_pct", "Recovery rate %"),
    ("dso", "DSO (days)"),
    ("cei_pct", "CEI %"),
    ("reoffending_rate_pct", "Reoffending rate %"),
];

/// What `-o` asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PageFormat {
    Html,
    Xlsx,
}

pub fn run(args: &ReportArgs) -> Result<()> {
    let name = args.output.to_ascii_lowercase();
    let format = match () {
        _ if name.ends_with(".html") => PageFormat::Html,
        _ if name.ends_with(".xlsx") => PageFormat::Xlsx,
        _ => return Err(usage(format!("-o {}: cobro report writes FILE.html or FILE.xlsx", args.output))),
    };
    if !(1..=120).contains(&args.months) {
        return Err(usage("--months must be between 1 and 120"));
    }
    Paths::new()
        .input("INVOICES", Some(&args.invoices))
        .input("--policy", args.policy.as_deref())
        .input("--log", args.log.as_deref())
        .input("--plans", args.plans.as_deref())
        .input("--plan-payments", args.plan_payments.as_deref())
        .input("--promises", args.promises.promises.as_deref())
        .input_args(&args.input)
        .output("-o", Some(&args.output))
        .check()?;
    let as_of = args.input.as_of()?;
    let parts = Parts::run(args, as_of)?;
    let bytes = match format {
        PageFormat::Html => html::page(&page(args, &parts, as_of)?).into_bytes(),
        PageFormat::Xlsx => parts.workbook()?,
    };
    let mut file = AtomicFile::create(&args.output)?;
    file.write_all(&bytes)?;
    file.commit()
}

/// The reports of the commands the page is made of, each built by that
/// command with its defaults and the report's input flags.
struct Parts {
    aging: Report,
    kpis: Report,
    worklist: Report,
    dunning: Option<Report>,
    plans: Option<Report>,
    promises: Option<Report>,
}

/// The argument lists of the parts' commands, parsed with each command's
/// defaults and given the report's input flags.
struct PartArgs {
    age: age::AgeArgs,
    kpi: kpi::KpiArgs,
    segment: segment::SegmentArgs,
    /// With `--policy`.
    dunning: Option<dunning::DunningArgs>,
    /// With `--promises`.
    promise: Option<promise::PromiseArgs>,
}

impl PartArgs {
    fn new(args: &ReportArgs, as_of: Day) -> Result<PartArgs> {
        let age = with_input(parse(&["age", &args.invoices])?, args, |a: &mut age::AgeArgs| &mut a.input);
        let first_month = month_start(as_of, args.months.saturating_sub(1).max(12))?;
        let kpi_argv =
            ["kpi", &args.invoices, "--every", "month", "--from", &iso(first_month), "--to", &iso(as_of)];
        let kpi = with_input(parse(&kpi_argv)?, args, |a: &mut kpi::KpiArgs| &mut a.input);
        let top = args.top.to_string();
        let segment_argv = ["segment", &args.invoices, "--top", &top];
        let segment = with_input(parse(&segment_argv)?, args, |a: &mut segment::SegmentArgs| &mut a.input);
        let tolerance = args.promises.tolerance.to_string();
        let dunning = match &args.policy {
            // Today's actions as `cobro dunning` gives them with the same
            // files: customers on track with a plan, or with an open
            // promise, get none.
            Some(policy) => {
                let mut argv = vec!["dunning", &args.invoices, "--policy", policy];
                if let Some(log) = &args.log {
                    argv.extend(["--log", log]);
                }
                if let (Some(plans), Some(plan_payments)) = (&args.plans, &args.plan_payments) {
                    argv.extend(["--plans", plans, "--plan-payments", plan_payments]);
                }
                if let Some(promises) = &args.promises.promises {
                    argv.extend(["--promises", promises, "--tolerance", &tolerance]);
                }
                Some(with_input(parse(&argv)?, args, |a: &mut dunning::DunningArgs| &mut a.input))
            }
            None => None,
        };
        let promise = match &args.promises.promises {
            Some(file) => {
                let argv = ["promise", &args.invoices, "--promises", file, "--tolerance", &tolerance];
                Some(with_input(parse(&argv)?, args, |a: &mut promise::PromiseArgs| &mut a.input))
            }
            None => None,
        };
        Ok(PartArgs { age, kpi, segment, dunning, promise })
    }
}

impl Parts {
    /// Reads the input once (with the `--promises` file, if any) and makes
    /// every part from that one ledger.
    fn run(args: &ReportArgs, as_of: Day) -> Result<Parts> {
        let parts = PartArgs::new(args, as_of)?;
        // Every part's flags are checked, and the policy, log and rules read,
        // before the input is: a mistake in them costs no wait.
        let age_settings = age::Settings::new(&parts.age)?;
        let kpi_settings = kpi::Settings::new(&parts.kpi)?;
        let segment_settings = segment::Settings::new(&parts.segment)?;
        let dunning_settings = parts.dunning.as_ref().map(dunning::Settings::new).transpose()?;
        let promise_settings = parts.promise.as_ref().map(promise::Settings::new).transpose()?;
        // The plans are read with the rest of the input, so that their bad
        // rows go to the one rejects file (a second read would overwrite it).
        let side = SideFiles {
            promises: args.promises.promises.as_deref(),
            plans: args.plans.as_deref().zip(args.plan_payments.as_deref()),
            ..SideFiles::default()
        };
        let payments = args.input.payments.as_deref();
        let read_options = args.input.read_options()?;
        let (ledger, mut data) = load_ledger_with(&args.invoices, payments, &read_options, &[], as_of, side)?;
        let aging = age::report_on(&parts.age, age_settings, &ledger, SideData::default())?;
        let kpis = kpi::report_on(&parts.kpi, kpi_settings, &ledger, SideData::default())?;
        let worklist = segment::report_on(&parts.segment, segment_settings, &ledger, SideData::default())?;
        let plans = match (&args.plans, &data.plans) {
            (Some(path), Some((plans, payments))) => {
                let check: plan::CheckArgs = parse(&["check", path])?;
                Some(plan::check_report_on(&check, as_of, plans, payments))
            }
            _ => None,
        };
        let dunning = match (&parts.dunning, dunning_settings) {
            (Some(dunning_args), Some(settings)) => {
                let side = SideData {
                    promises: data.promises.clone(),
                    plans: data.plans.take(),
                    ..SideData::default()
                };
                Some(dunning::report_on(dunning_args, settings, &ledger, side)?)
            }
            _ => None,
        };
        let promises =
            promise_settings.map(|settings| promise::report_on(settings, &ledger, data)).transpose()?;
        Ok(Parts { aging, kpis, worklist, dunning, plans, promises })
    }

    /// One workbook with each part as its command's `-f xlsx` sheet (and
    /// its totals, when it has any, on a sheet named after it).
    fn workbook(&self) -> Result<Vec<u8>> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let parts = [
            Some(&self.aging),
            Some(&self.kpis),
            Some(&self.worklist),
            self.dunning.as_ref(),
            self.plans.as_ref(),
            self.promises.as_ref(),
        ];
        for report in parts.into_iter().flatten() {
            let name = xlsx::sheet_name(&report.command);
            xlsx::add_sheet(&mut workbook, &name, &report.columns, &report.rows)?;
            if !report.totals.is_empty() {
                xlsx::add_sheet(
                    &mut workbook,
                    &xlsx::sheet_name(&format!("{name} totals")),
                    report.totals_columns(),
                    &report.totals,
                )?;
            }
        }
        workbook.save_to_buffer().context("cannot build the report's workbook")
    }
}

/// Lays out the parts' figures on the page.
fn page(args: &ReportArgs, parts: &Parts, as_of: Day) -> Result<Page> {
    let mut sections = vec![worklist_section(&parts.worklist)];
    sections.extend(parts.dunning.as_ref().map(dunning_section));
    sections.extend(parts.plans.as_ref().map(plan_section));
    if let Some(promises) = &parts.promises {
        sections.extend(promise_sections(promises, as_of)?);
    }
    let trend_months = trend_periods(&parts.kpis, month_start(as_of, args.months - 1)?);
    Ok(Page {
        as_of,
        inputs: inputs(args),
        headlines: headlines(&parts.aging, &parts.kpis, as_of)?,
        trend_svg: trend_svg(&parts.kpis, &trend_months)?,
        aging: aging_bars(&parts.aging),
        sections,
    })
}

/// Parses a command's arguments (its name first) with that command's defaults.
fn parse<T: Args + FromArgMatches>(argv: &[&str]) -> Result<T> {
    let command = T::augment_args(clap::Command::new("cobro"));
    let matches = command.try_get_matches_from(argv).context("cannot compose the report's commands")?;
    Ok(T::from_arg_matches(&matches)?)
}

/// Gives a command the report's input flags (files, column map, as-of...).
fn with_input<T>(mut args: T, report: &ReportArgs, input: impl Fn(&mut T) -> &mut InputArgs) -> T {
    *input(&mut args) = report.input.clone();
    args
}

/// The first day of the month `back` months before the as-of date's month.
fn month_start(as_of: Day, back: u32) -> Result<Day> {
    let date = date_of(as_of).with_day(1).and_then(|d| d.checked_sub_months(Months::new(back)));
    date.map(day_of).ok_or_else(|| usage("--as-of is too early for the report's months"))
}

fn inputs(args: &ReportArgs) -> Vec<(String, String)> {
    let mut inputs = vec![("invoices".to_string(), args.invoices.clone())];
    let optional = [
        ("payments", &args.input.payments),
        ("policy", &args.policy),
        ("log", &args.log),
        ("plans", &args.plans),
        ("plan payments", &args.plan_payments),
        ("promises", &args.promises.promises),
    ];
    for (label, file) in optional {
        if let Some(file) = file {
            inputs.push((label.to_string(), file.clone()));
        }
    }
    inputs
}

/// The value of `field` in `row` of a report with these `columns`.
fn cell<'a>(columns: &[String], row: &'a [Cell], field: &str) -> Option<&'a Cell> {
    columns.iter().position(|c| c == field).and_then(|i| row.get(i))
}

fn text_of(cell: Option<&Cell>) -> String {
    cell.map(Cell::display).unwrap_or_default()
}

fn figure(source: &str, key: &str, field: &str, cell: Cell) -> Figure {
    Figure { source: source.into(), key: key.into(), field: field.into(), cell }
}

/// The per-currency headlines: age totals and this month's KPIs beside
/// last month's and the same month a year before.
fn headlines(aging: &Report, kpis: &Report, as_of: Day) -> Result<Vec<Headline>> {
    let months = [month_start(as_of, 0)?, month_start(as_of, 1)?, month_start(as_of, 12)?];
    let periods = months.iter().map(|m| iso(*m)[..7].to_string()).collect();
    let mut headlines = Vec::new();
    for row in &aging.totals {
        let currency = text_of(cell(aging.totals_columns(), row, "currency"));
        let key = format!("totals/{currency}");
        let standing = [("total_open", "Total open"), ("overdue", "Overdue"), ("overdue_pct", "Overdue %")]
            .iter()
            .filter_map(|(field, label)| {
                let value = cell(aging.totals_columns(), row, field)?.clone();
                Some((label.to_string(), figure("age", &key, field, value)))
            })
            .collect();
        let measures = HEADLINE_MEASURES
            .iter()
            .map(|(field, label)| {
                let figures = months.iter().map(|m| kpi_figure(kpis, *m, &currency, field)).collect();
                (label.to_string(), figures)
            })
            .collect();
        headlines.push(Headline { currency, standing, periods: Vec::clone(&periods), measures });
    }
    Ok(headlines)
}

/// The KPI row of the month starting on `month` for `currency`, as a figure.
fn kpi_figure(kpis: &Report, month: Day, currency: &str, field: &str) -> Option<Figure> {
    let start = Cell::Date(month);
    let row = kpis.rows.iter().find(|r| {
        cell(&kpis.columns, r, "period_start") == Some(&start)
            && text_of(cell(&kpis.columns, r, "currency")) == currency
    })?;
    let key = format!("rows/{}/{currency}", iso(month));
    Some(figure("kpi", &key, field, cell(&kpis.columns, row, field)?.clone()))
}

/// The period starts of the trend: the KPI months from `first` on.
fn trend_periods(kpis: &Report, first: Day) -> Vec<Day> {
    let mut months: Vec<Day> = kpis
        .rows
        .iter()
        .filter_map(|r| match cell(&kpis.columns, r, "period_start") {
            Some(Cell::Date(d)) if *d >= first => Some(*d),
            _ => None,
        })
        .collect();
    months.sort_unstable();
    months.dedup();
    months
}

/// The trend chart of `kpi --chart`, drawn from the KPI rows of `months`.
fn trend_svg(kpis: &Report, months: &[Day]) -> Result<Option<String>> {
    if months.is_empty() {
        return Ok(None);
    }
    let mut currencies: Vec<String> =
        kpis.rows.iter().map(|r| text_of(cell(&kpis.columns, r, "currency"))).collect();
    currencies.sort();
    currencies.dedup();
    let series = |field: &str, label: &str, currency: &str| Series {
        label: format!("{label} {currency}"),
        values: months.iter().map(|m| kpi_value(kpis, *m, currency, field)).collect(),
    };
    let mut chart = Chart { periods: months.to_vec(), rates: Vec::new(), dso: Vec::new() };
    for c in &currencies {
        chart.rates.push(series("recovery_rate_pct", "recovery", c));
        chart.rates.push(series("reoffending_rate_pct", "reoffending", c));
        chart.rates.push(series("cei_pct", "CEI", c));
        chart.dso.push(series("dso", "DSO", c));
    }
    Ok(Some(chart::svg(&chart)?))
}

fn kpi_value(kpis: &Report, month: Day, currency: &str, field: &str) -> Option<Decimal> {
    match kpi_figure(kpis, month, currency, field)?.cell {
        Cell::Fixed2(v) | Cell::Money(v, _) => Some(v),
        _ => None,
    }
}

/// One bar per currency from the age totals' bucket columns (those
/// between `currency` and `total_open`).
fn aging_bars(aging: &Report) -> Vec<AgingBar> {
    let columns = aging.totals_columns();
    let first = columns.iter().position(|c| c == "currency").map_or(0, |i| i + 1);
    let last = columns.iter().position(|c| c == "total_open").unwrap_or(columns.len());
    aging
        .totals
        .iter()
        .map(|row| {
            let currency = text_of(cell(columns, row, "currency"));
            let key = format!("totals/{currency}");
            let buckets = (first..last).map(|i| figure("age", &key, &columns[i], row[i].clone())).collect();
            AgingBar { currency, buckets }
        })
        .collect()
}

fn worklist_section(worklist: &Report) -> Section {
    let columns: Vec<String> = WORKLIST_FIELDS
        .iter()
        .filter(|f| worklist.columns.iter().any(|c| c == *f))
        .map(|f| f.to_string())
        .collect();
    let rows = worklist
        .rows
        .iter()
        .map(|row| {
            let key = format!("rows/{}", text_of(cell(&worklist.columns, row, "priority")));
            columns
                .iter()
                .map(|f| {
                    figure("segment", &key, f, cell(&worklist.columns, row, f).cloned().unwrap_or(Cell::Null))
                })
                .collect()
        })
        .collect();
    Section {
        title: "Who to call first".into(),
        note: "The segment worklist, highest priority first.".into(),
        columns,
        rows,
    }
}

/// Today's dunning actions counted per (level, currency), with their total due.
fn dunning_section(actions: &Report) -> Section {
    let mut groups: BTreeMap<(i64, String, String), (String, i64, Decimal)> = BTreeMap::new();
    for row in &actions.rows {
        let level = match cell(&actions.columns, row, "level") {
            Some(Cell::Int(l)) => *l,
            _ => 0,
        };
        let name = text_of(cell(&actions.columns, row, "level_name"));
        let currency = text_of(cell(&actions.columns, row, "currency"));
        let action = text_of(cell(&actions.columns, row, "action"));
        let due = match cell(&actions.columns, row, "total_due") {
            Some(Cell::Money(v, _)) => *v,
            _ => Decimal::ZERO,
        };
        let entry = groups.entry((level, name, currency)).or_insert((action, 0, Decimal::ZERO));
        entry.1 += 1;
        entry.2 += due;
    }
    let rows = groups
        .into_iter()
        .map(|((level, name, currency), (action, count, due))| {
            let key = format!("level/{level}/{currency}");
            vec![
                figure("dunning", &key, "level", Cell::Int(level)),
                figure("dunning", &key, "level_name", Cell::text(name)),
                figure("dunning", &key, "action", Cell::text(action)),
                figure("dunning", &key, "currency", Cell::text(currency.clone())),
                figure("dunning", &key, "actions", Cell::Int(count)),
                figure("dunning", &key, "total_due", Cell::Money(due, money::minor_digits(&currency))),
            ]
        })
        .collect();
    Section {
        title: "Dunning today".into(),
        note: "Reminders due today, counted per level (total due summed per currency).".into(),
        columns: ["level", "level_name", "action", "currency", "actions", "total_due"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// Payment plans counted per status.
fn plan_section(statuses: &Report) -> Section {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for row in &statuses.rows {
        *counts.entry(text_of(cell(&statuses.columns, row, "status"))).or_default() += 1;
    }
    let rows = counts
        .into_iter()
        .map(|(status, count)| {
            let key = format!("status/{status}");
            vec![
                figure("plan check", &key, "status", Cell::text(status)),
                figure("plan check", &key, "plans", Cell::Int(count)),
            ]
        })
        .collect();
    Section {
        title: "Payment plans".into(),
        note: "Agreements counted by status at the as-of date.".into(),
        columns: vec!["status".into(), "plans".into()],
        rows,
    }
}

/// The promise fields the page shows.
const PROMISE_FIELDS: [&str; 9] = [
    "promise_id",
    "customer",
    "customer_name",
    "currency",
    "promised_date",
    "deadline",
    "amount",
    "paid",
    "status",
];

/// Promises due this week (open, promised for the as-of date or one of
/// the six days after it) and broken this month (`broken` or
/// `partially_kept`, their deadline in the as-of month).
fn promise_sections(promises: &Report, as_of: Day) -> Result<[Section; 2]> {
    let month = month_start(as_of, 0)?;
    let date = |row: &[Cell], field: &str| match cell(&promises.columns, row, field) {
        Some(Cell::Date(d)) => Some(*d),
        _ => None,
    };
    let status = |row: &[Cell]| text_of(cell(&promises.columns, row, "status"));
    let due = |row: &[Cell]| {
        status(row) == "open" && date(row, "promised_date").is_some_and(|d| (as_of..=as_of + 6).contains(&d))
    };
    let broken = |row: &[Cell]| {
        matches!(status(row).as_str(), "broken" | "partially_kept")
            && date(row, "deadline").is_some_and(|d| (month..=as_of).contains(&d))
    };
    let section = |title: &str, note: &str, keep: &dyn Fn(&[Cell]) -> bool| Section {
        title: title.into(),
        note: note.into(),
        columns: PROMISE_FIELDS.map(String::from).to_vec(),
        rows: promises
            .rows
            .iter()
            .filter(|r| keep(r))
            .map(|row| {
                let key = format!("rows/{}", text_of(cell(&promises.columns, row, "promise_id")));
                PROMISE_FIELDS
                    .iter()
                    .map(|f| {
                        figure(
                            "promise",
                            &key,
                            f,
                            cell(&promises.columns, row, f).cloned().unwrap_or(Cell::Null),
                        )
                    })
                    .collect()
            })
            .collect(),
    };
    Ok([
        section("Promises due this week", "Open promises to pay promised for the next seven days.", &due),
        section(
            "Promises broken this month",
            "Broken or partially kept, their deadline this month.",
            &broken,
        ),
    ])
}
