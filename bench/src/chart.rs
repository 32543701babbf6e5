//! A small SVG line chart with logarithmic axes: latency (ms) against
//! connections. Written by hand so the harness needs no font or drawing
//! library; the text is SVG `<text>`, drawn by the viewer.

use std::fmt::Write;

/// One line of the chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
    pub dashed: bool,
    /// (x, y), both > 0.
    pub points: Vec<(f64, f64)>,
}

/// A horizontal reference line (a target).
#[derive(Debug, Clone)]
pub struct Rule {
    pub label: String,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub rules: Vec<Rule>,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 230.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 55.0;

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A number for an axis tick: 0.5, 1, 20, 1000.
fn tick_label(value: f64) -> String {
    if value >= 1.0 { format!("{value:.0}") } else { format!("{value}") }
}

/// log-scale ticks (1, 2, 5 per decade) covering `low..=high`.
fn ticks(low: f64, high: f64) -> Vec<f64> {
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(low.log10().floor());
    while decade <= high * 1.0001 {
        for step in [1.0, 2.0, 5.0] {
            let value = decade * step;
            if value >= low * 0.9999 && value <= high * 1.0001 {
                ticks.push(value);
            }
        }
        decade *= 10.0;
    }
    ticks
}

impl Chart {
    /// The chart as an SVG document.
    #[must_use]
    pub fn svg(&self) -> String {
        let points =
            || self.series.iter().flat_map(|series| series.points.iter()).filter(|(x, y)| *x > 0.0 && *y > 0.0);
        let (mut x_low, mut x_high) =
            points().fold((f64::MAX, f64::MIN), |(low, high), (x, _)| (low.min(*x), high.max(*x)));
        let values = points().map(|(_, y)| *y).chain(self.rules.iter().map(|rule| rule.y).filter(|y| *y > 0.0));
        let (y_min, y_max) = values.fold((f64::MAX, f64::MIN), |(low, high), y| (low.min(y), high.max(y)));
        if x_low > x_high {
            (x_low, x_high) = (1.0, 2.0);
        }
        if x_low >= x_high {
            x_high = x_low * 2.0;
            x_low /= 2.0;
        }
        let (y_low, y_high) = if y_min > y_max {
            (1.0, 10.0)
        } else {
            (10f64.powf(y_min.log10().floor()), 10f64.powf(y_max.log10().ceil().max(y_min.log10().floor() + 1.0)))
        };
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let x_of = |x: f64| LEFT + (x.log2() - x_low.log2()) / (x_high.log2() - x_low.log2()) * plot_width;
        let y_of =
            |y: f64| TOP + plot_height - (y.log10() - y_low.log10()) / (y_high.log10() - y_low.log10()) * plot_height;

        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{}</text>"#,
            escape(&self.title)
        );
        let _ = writeln!(svg, r##"<text x="{LEFT}" y="42" fill="#555">{}</text>"##, escape(&self.subtitle));
        // Grid and y ticks.
        for tick in ticks(y_low, y_high) {
            let y = y_of(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                LEFT + plot_width,
                LEFT - 6.0,
                y + 4.0,
                tick_label(tick)
            );
        }
        // x ticks: every x that has a point.
        let mut xs: Vec<f64> = points().map(|(x, _)| *x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        for x in xs {
            let px = x_of(x);
            let _ = writeln!(
                svg,
                r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#eee"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                TOP + plot_height,
                TOP + plot_height + 18.0,
                tick_label(x)
            );
        }
        let _ = writeln!(
            svg,
            r##"<rect x="{LEFT}" y="{TOP}" width="{plot_width}" height="{plot_height}" fill="none" stroke="#333"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + plot_width / 2.0,
            HEIGHT - 12.0,
            escape(&self.x_label)
        );
        let _ = writeln!(
            svg,
            r#"<text x="18" y="{:.1}" text-anchor="middle" transform="rotate(-90 18 {:.1})">{}</text>"#,
            TOP + plot_height / 2.0,
            TOP + plot_height / 2.0,
            escape(&self.y_label)
        );
        for rule in self.rules.iter().filter(|rule| rule.y > 0.0) {
            let y = y_of(rule.y);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#c00" stroke-dasharray="2 4"/><text x="{:.1}" y="{:.1}" fill="#c00" text-anchor="end">{}</text>"##,
                LEFT + plot_width,
                LEFT + plot_width - 4.0,
                y - 5.0,
                escape(&rule.label)
            );
        }
        for (index, series) in self.series.iter().enumerate() {
            let dash = if series.dashed { r#" stroke-dasharray="7 4""# } else { "" };
            let path: Vec<String> = series
                .points
                .iter()
                .filter(|(x, y)| *x > 0.0 && *y > 0.0)
                .map(|(x, y)| format!("{:.1},{:.1}", x_of(*x), y_of(*y)))
                .collect();
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
                path.join(" "),
                series.color
            );
            for point in &path {
                let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
                let _ = writeln!(svg, r#"<circle cx="{px}" cy="{py}" r="3" fill="{}"/>"#, series.color);
            }
            let legend_y = TOP + 10.0 + index as f64 * 20.0;
            let legend_x = LEFT + plot_width + 16.0;
            let _ = writeln!(
                svg,
                r#"<line x1="{legend_x:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{}</text>"#,
                legend_x + 28.0,
                series.color,
                legend_x + 34.0,
                legend_y + 4.0,
                escape(&series.label)
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_every_series_and_rule() {
        let chart = Chart {
            title: "t <1>".into(),
            subtitle: "s".into(),
            x_label: "connections".into(),
            y_label: "ms".into(),
            series: vec![
                Series {
                    label: "a".into(),
                    color: "#123",
                    dashed: false,
                    points: vec![(1.0, 0.5), (16.0, 3.0), (64.0, 40.0)],
                },
                Series { label: "b".into(), color: "#456", dashed: true, points: vec![(1.0, 1.0), (64.0, 9.0)] },
            ],
            rules: vec![Rule { label: "20 ms".into(), y: 20.0 }],
        };
        let svg = chart.svg();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("t &lt;1&gt;") && svg.contains("20 ms"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert_eq!(ticks(0.1, 100.0).len(), 10);
    }

    #[test]
    fn an_empty_chart_is_still_a_document() {
        let chart = Chart {
            title: String::new(),
            subtitle: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            rules: Vec::new(),
        };
        let svg = chart.svg();
        assert!(svg.contains("</svg>") && !svg.contains("NaN"));
    }
}
