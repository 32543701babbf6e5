//! Latency samples and what the reports show of them.

use serde::Serialize;

/// One measured load: how many requests completed in how long, and their
/// latency percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measure {
    /// Requests (or transactions) completed in the measured window.
    pub requests: u64,
    /// The measured window, seconds.
    pub seconds: f64,
    /// Non-success answers, timeouts and connection errors.
    pub errors: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Measure {
    /// Requests per second.
    #[must_use]
    pub fn throughput(&self) -> f64 {
        if self.seconds > 0.0 { self.requests as f64 / self.seconds } else { 0.0 }
    }

    /// A measure of `samples` (microseconds, any order) over `seconds`.
    #[must_use]
    pub fn of_samples(mut samples: Vec<u64>, seconds: f64, errors: u64) -> Self {
        samples.sort_unstable();
        let ms = |p: f64| percentile(&samples, p) as f64 / 1000.0;
        Self {
            requests: samples.len() as u64,
            seconds,
            errors,
            p50_ms: ms(50.0),
            p90_ms: ms(90.0),
            p99_ms: ms(99.0),
            max_ms: samples.last().copied().unwrap_or(0) as f64 / 1000.0,
        }
    }
}

/// The nearest-rank percentile `p` (0-100) of `sorted`; 0 when empty.
#[must_use]
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied().unwrap_or(0)
}

/// `a / b`, or NaN when `b` is 0 (shown as "–").
#[must_use]
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// A ratio for a table: `1.23x`, or `–`.
#[must_use]
pub fn show_ratio(value: f64) -> String {
    if value.is_finite() { format!("{value:.2}x") } else { "–".to_owned() }
}

/// Milliseconds for a table: 3 significant digits or so.
#[must_use]
pub fn show_ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0} ms")
    } else if value >= 10.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.2} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50.0), 50);
        assert_eq!(percentile(&samples, 99.0), 99);
        assert_eq!(percentile(&samples, 100.0), 100);
        assert_eq!(percentile(&samples, 0.0), 1);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[7], 99.0), 7);
    }

    #[test]
    fn a_measure_of_samples() {
        let measure = Measure::of_samples(vec![3000, 1000, 2000, 4000], 2.0, 0);
        assert_eq!(measure.requests, 4);
        assert!((measure.throughput() - 2.0).abs() < 1e-9);
        assert!((measure.p50_ms - 2.0).abs() < 1e-9);
        assert!((measure.max_ms - 4.0).abs() < 1e-9);
        assert!(ratio(1.0, 0.0).is_nan());
        assert_eq!(show_ratio(f64::NAN), "–");
        assert_eq!(show_ratio(1.234), "1.23x");
        assert_eq!(show_ms(1.234), "1.23 ms");
    }
}
