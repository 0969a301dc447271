//! `cobro report`'s page: one self-contained HTML file (inline CSS and SVG,
//! no script, no external request) that reads on a phone, in a mail client
//! and on A4 paper.
//!
//! Every figure on the page is a [`Figure`]: the cell of one command's
//! report, printed for people and tagged with where it comes from
//! (`data-source` = the command, `data-key` = its row, `data-field` = the
//! JSON field, `data-value` = the exact JSON value), so a script — or a
//! test — can check the page against the commands' JSON. maud escapes
//! every value it inserts; customer names are never markup.

use super::json::cell_value;
use super::number::{cell_text, styled, NumberStyle};
use super::Cell;
use crate::dates::{iso, Day};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One number (or text) of the page and the command row it comes from.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The command whose JSON holds this value (`age`, `kpi`, ...).
    pub source: String,
    /// The row within that JSON: e.g. `totals/EUR` or `rows/2025-06-01/EUR`.
    pub key: String,
    /// The JSON field name.
    pub field: String,
    pub cell: Cell,
}

/// A table of figures under a heading.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub title: String,
    /// One short sentence under the title (what the table is).
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Figure>>,
}

/// The headline of one currency: where we stand and how we collect.
#[derive(Clone, Debug)]
pub struct Headline {
    pub currency: String,
    /// Total open, overdue and overdue share (from `age`).
    pub standing: Vec<(String, Figure)>,
    /// Column labels of `measures`: this month, last month, a year before.
    pub periods: Vec<String>,
    /// One row per measure: its label and one figure per period (None when
    /// the period is before the data's first month).
    pub measures: Vec<(String, Vec<Option<Figure>>)>,
}

/// The aging of one currency as a bar: each bucket's share of the open total.
#[derive(Clone, Debug)]
pub struct AgingBar {
    pub currency: String,
    /// Bucket name and its open amount.
    pub buckets: Vec<Figure>,
}

/// The whole page.
#[derive(Clone, Debug)]
pub struct Page {
    pub as_of: Day,
    /// Input label and file name, for the header.
    pub inputs: Vec<(String, String)>,
    pub headlines: Vec<Headline>,
    /// The monthly KPI trend as inline SVG (None without any month).
    pub trend_svg: Option<String>,
    pub aging: Vec<AgingBar>,
    /// Worklist, dunning, plans... in the order they are shown.
    pub sections: Vec<Section>,
}

const CSS: &str = r#"
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;margin:0;padding:16px;background:#fff;line-height:1.4}
main{max-width:1100px;margin:0 auto}
h1{font-size:1.5em;margin:0 0 4px}
h2{font-size:1.15em;margin:28px 0 6px;border-bottom:2px solid #d9e2ec;padding-bottom:4px}
h3{font-size:1em;margin:14px 0 6px}
p.meta,p.note{color:#52606d;margin:2px 0 8px;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:6px 0 12px}
th,td{padding:5px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f5f7fa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 300px;border:1px solid #d9e2ec;border-radius:6px;padding:10px 12px;min-width:0}
.bar{display:flex;height:22px;border-radius:4px;overflow:hidden;margin:4px 0}
.bar span{display:block;height:100%}
.legend{font-size:.85em;color:#52606d}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border-radius:2px}
figure{margin:0}
figure svg{max-width:100%;height:auto}
@media (max-width:600px){
 body{padding:8px}
 table.list thead{display:none}
 table.list tr{display:block;border:1px solid #e4e7eb;border-radius:6px;margin:0 0 8px;padding:4px 0}
 table.list td{display:flex;justify-content:space-between;gap:12px;border:0;padding:3px 8px;text-align:right;white-space:normal}
 table.list td::before{content:attr(data-label);font-weight:600;color:#52606d;text-align:left}
}
@media print{@page{size:A4;margin:12mm} body{padding:0;font-size:10pt} h2{break-after:avoid} tr{break-inside:avoid}}
"#;

/// Bucket colours, from current (green) to the oldest (dark red).
const BUCKET_COLORS: [&str; 8] =
    ["#3f9142", "#f0b429", "#f08c00", "#e12d39", "#ab091e", "#610316", "#3d0310", "#1f0208"];

/// The page as one HTML document.
pub fn page(page: &Page) -> String {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "cobro report " (iso(page.as_of)) }
                style { (PreEscaped(CSS)) }
            }
            body {
                main {
                    h1 { "Collections report" }
                    p.meta { "As of " strong { (iso(page.as_of)) } }
                    p.meta {
                        @for (i, (label, file)) in page.inputs.iter().enumerate() {
                            @if i > 0 { " · " }
                            (label) ": " code { (file) }
                        }
                    }
                    h2 { "Where we stand" }
                    div.cards { @for h in &page.headlines { (headline(h)) } }
                    @if let Some(svg) = &page.trend_svg {
                        h2 { "Monthly trend" }
                        figure { (PreEscaped(svg)) }
                    }
                    h2 { "Aging" }
                    @for bar in &page.aging { (aging_bar(bar)) }
                    @for s in &page.sections { (section(s)) }
                }
            }
        }
    };
    markup.into_string()
}

fn headline(h: &Headline) -> Markup {
    html! {
        div.card {
            h3 { (h.currency) }
            table {
                @for (label, f) in &h.standing {
                    tr { th { (label) } (figure_cell(f, label)) }
                }
            }
            table {
                thead { tr { th { "" } @for p in &h.periods { th style="text-align:right" { (p) } } } }
                tbody {
                    @for (label, figures) in &h.measures {
                        tr {
                            th { (label) }
                            @for (f, p) in figures.iter().zip(&h.periods) {
                                @match f {
                                    Some(f) => (figure_cell(f, p)),
                                    None => td.num data-label=(p) { "–" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn aging_bar(bar: &AgingBar) -> Markup {
    let positive: Vec<f64> = bar
        .buckets
        .iter()
        .map(|f| cell_decimal(&f.cell).max(Decimal::ZERO).to_f64().unwrap_or(0.0))
        .collect();
    let whole: f64 = positive.iter().sum();
    html! {
        h3 { (bar.currency) }
        @if whole > 0.0 {
            div.bar role="img" aria-label={ "Aging of " (bar.currency) } {
                @for (i, share) in positive.iter().enumerate() {
                    @if *share > 0.0 {
                        span style={ "width:" (format!("{:.3}", share / whole * 100.0)) "%;background:" (BUCKET_COLORS[i % BUCKET_COLORS.len()]) } {}
                    }
                }
            }
        }
        div.legend {
            @for (i, f) in bar.buckets.iter().enumerate() {
                i style={ "background:" (BUCKET_COLORS[i % BUCKET_COLORS.len()]) } {}
                (f.field) " "
                span data-source=(f.source) data-key=(f.key) data-field=(f.field) data-value=(json_text(&f.cell)) {
                    (human(&f.cell))
                }
            }
        }
    }
}

fn section(s: &Section) -> Markup {
    html! {
        h2 { (s.title) }
        @if !s.note.is_empty() { p.note { (s.note) } }
        @if s.rows.is_empty() {
            p.note { "Nothing today." }
        } @else {
            table.list {
                thead { tr { @for c in &s.columns { th { (c) } } } }
                tbody {
                    @for row in &s.rows {
                        tr { @for (f, label) in row.iter().zip(&s.columns) { (figure_cell(f, label)) } }
                    }
                }
            }
        }
    }
}

/// A table cell holding one figure, tagged with its origin.
fn figure_cell(f: &Figure, label: &str) -> Markup {
    let class = if f.cell.is_numeric() { "num" } else { "" };
    html! {
        td class=(class) data-label=(label) data-source=(f.source) data-key=(f.key) data-field=(f.field)
            data-value=(json_text(&f.cell)) { (human(&f.cell)) }
    }
}

/// The exact JSON text of a cell, as the command's `-f json` prints it.
fn json_text(cell: &Cell) -> String {
    cell_value(cell).to_string()
}

fn cell_decimal(cell: &Cell) -> Decimal {
    match cell {
        Cell::Money(v, _) | Cell::Fixed2(v) => *v,
        Cell::Int(i) => Decimal::from(*i),
        _ => Decimal::ZERO,
    }
}

/// A cell printed for people: money and counts with thousands separators
/// (as `table` prints them), a dash for null.
pub fn human(cell: &Cell) -> String {
    match cell {
        Cell::Int(_) => styled(&cell.display(), false, true),
        Cell::Null => "–".to_string(),
        other => cell_text(other, NumberStyle { decimal_comma: false, group_money: true }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn figures_are_printed_for_people() {
        assert_eq!(human(&Cell::Money(Decimal::from_str("-1234567.891").unwrap(), 2)), "-1,234,567.89");
        assert_eq!(human(&Cell::Fixed2(Decimal::from_str("66.666").unwrap())), "66.67");
        assert_eq!(human(&Cell::Int(12000)), "12,000");
        assert_eq!(human(&Cell::Null), "–");
    }

    #[test]
    fn hostile_text_is_escaped() {
        let f = Figure {
            source: "segment".into(),
            key: "rows/1".into(),
            field: "customer_name".into(),
            cell: Cell::text("<script>alert(1)</script>\"><img src=x onerror=alert(2)>"),
        };
        let s = Section {
            title: "t".into(),
            note: String::new(),
            columns: vec!["customer_name".into()],
            rows: vec![vec![f]],
        };
        let html = section(&s).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
