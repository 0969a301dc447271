//! `kpi --chart FILE.svg`: the rate measures over the periods as a line
//! chart — recovery, reoffending and CEI (%) on top, DSO (days) below — one
//! line per series (group and currency). Written atomically like reports.
//! `roll --chart` draws one panel the same way.

use crate::dates::{iso, Day};
use crate::files::AtomicFile;
use anyhow::{anyhow, Context, Result};
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::io::Write;

/// One line: a label and one optional value per period.
pub struct Series {
    pub label: String,
    pub values: Vec<Option<Decimal>>,
}

/// The chart's content: period starts and the series of each panel.
pub struct Chart {
    pub periods: Vec<Day>,
    pub rates: Vec<Series>,
    pub dso: Vec<Series>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

pub fn write_svg(chart: &Chart, path: &str) -> Result<()> {
    save(&svg(chart)?, path)
}

/// The chart as SVG text (plotters escapes every label it draws).
pub fn svg(chart: &Chart) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let (top, bottom) = root.split_vertically(400);
        panel(&top, "Collection rates (%)", &chart.periods, &chart.rates)?;
        panel(&bottom, "DSO (days)", &chart.periods, &chart.dso)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// One panel of lines over the periods (`roll --chart`: each bucket's roll
/// rate per month end), written atomically like [`write_svg`].
pub fn write_lines_svg(title: &str, periods: &[Day], series: &[Series], path: &str) -> Result<()> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        panel(&root, title, periods, series)?;
        root.present().map_err(plot_error)?;
    }
    save(&svg, path)
}

fn save(svg: &str, path: &str) -> Result<()> {
    let mut file = AtomicFile::create(path).with_context(|| format!("--chart {path}"))?;
    file.write_all(svg.as_bytes())?;
    file.commit()
}

fn plot_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    periods: &[Day],
    series: &[Series],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let values = series.iter().flat_map(|s| s.values.iter().flatten()).filter_map(|v| v.to_f64());
    let (low, high) = values.fold((0f64, 1f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = (high - low).max(1.0) * 0.08;
    let last = periods.len().saturating_sub(1).max(1);
    let mut ctx = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .margin_right(36)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0usize..last, (low - pad)..(high + pad))
        .map_err(plot_error)?;
    ctx.configure_mesh()
        .x_labels(periods.len().min(12))
        .x_label_formatter(&|i| periods.get(*i).map(|d| iso(*d)[..7].to_string()).unwrap_or_default())
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(plot_error)?;
    for (n, s) in series.iter().enumerate() {
        let color = COLORS[n % COLORS.len()];
        let points: Vec<(usize, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.and_then(|v| v.to_f64()).map(|v| (i, v)))
            .collect();
        ctx.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(plot_error)?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        ctx.draw_series(points.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(plot_error)?;
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_error)?;
    Ok(())
}
