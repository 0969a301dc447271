//! `forecast --chart FILE.svg`: expected cash per week as bars, one panel
//! per currency, with the actual cash beside each bar under `--backtest`.
//! Written like every file cobro writes (`crate::files`).

use crate::files::AtomicFile;
use anyhow::{anyhow, Context, Result};
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::io::Write;

/// One currency's bars: a label per week and one value per week per series.
pub struct Panel {
    pub title: String,
    pub labels: Vec<String>,
    pub series: Vec<(String, Vec<Decimal>)>,
}

const COLORS: [RGBColor; 2] = [RGBColor(31, 119, 180), RGBColor(255, 127, 14)];
const PANEL_HEIGHT: u32 = 320;

pub fn write_svg(panels: &[Panel], path: &str) -> Result<()> {
    let mut svg = String::new();
    {
        let height = PANEL_HEIGHT * panels.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (960, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        for (panel, area) in panels.iter().zip(root.split_evenly((panels.len().max(1), 1))) {
            draw(&area, panel)?;
        }
        root.present().map_err(plot_error)?;
    }
    let mut file = AtomicFile::create(path).with_context(|| format!("--chart {path}"))?;
    file.write_all(svg.as_bytes())?;
    file.commit()
}

fn plot_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("cannot draw the chart: {e:?}")
}

/// Week i is centred on x = i; its bars share 80 % of the space around it.
fn draw<DB: DrawingBackend>(area: &DrawingArea<DB, plotters::coord::Shift>, panel: &Panel) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let values = panel.series.iter().flat_map(|s| s.1.iter()).filter_map(|v| v.to_f64());
    let (low, high) = values.fold((0f64, 1f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = (high - low) * 0.08;
    let weeks = panel.labels.len();
    let mut ctx = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5..weeks as f64 - 0.5, (low - pad).min(0.0)..(high + pad))
        .map_err(plot_error)?;
    let labels = &panel.labels;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(weeks)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                String::new()
            } else {
                labels.get(i as usize).cloned().unwrap_or_default()
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(plot_error)?;
    let width = 0.8 / panel.series.len().max(1) as f64;
    for (n, (name, values)) in panel.series.iter().enumerate() {
        let color = COLORS[n % COLORS.len()];
        let bars = values.iter().enumerate().map(|(i, v)| {
            let x = i as f64 - 0.4 + n as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, v.to_f64().unwrap_or(0.0))], color.filled())
        });
        ctx.draw_series(bars)
            .map_err(plot_error)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled()));
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_error)?;
    Ok(())
}
