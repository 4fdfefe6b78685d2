//! The startup trace: how long the way from the process starting to an
//! interactive calendar takes, in marks (process start, webview created,
//! engine ready, setup done, first paint, calendar visible). The window reports
//! the last two; once the calendar shows, the whole trace is logged in one
//! line that the startup benchmark reads:
//!
//! `startup trace: process start 0 ms, webview created 140 ms, … (process start at 1765049400123 ms since 1970)`

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use specta::Type;

/// The marks the window reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum WindowMark {
    /// The first frame with the app's shell in it.
    FirstPaint,
    /// The calendar drawn with the posts of its range.
    CalendarVisible,
}

impl WindowMark {
    fn name(self) -> &'static str {
        match self {
            Self::FirstPaint => "first paint",
            Self::CalendarVisible => "calendar visible",
        }
    }
}

struct Trace {
    start: Instant,
    start_wall: SystemTime,
    marks: Vec<(&'static str, u128)>,
    logged: bool,
}

impl Trace {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            start_wall: SystemTime::now(),
            marks: Vec::new(),
            logged: false,
        }
    }

    /// Records `name` once, until the trace is logged.
    fn record(&mut self, name: &'static str) {
        if self.logged || self.marks.iter().any(|(n, _)| *n == name) {
            return;
        }
        let ms = self.start.elapsed().as_millis();
        self.marks.push((name, ms));
    }
}

static TRACE: Mutex<Option<Trace>> = Mutex::new(None);

/// Runs `f` on the trace (started by the first call) under its lock.
fn with_trace<T>(f: impl FnOnce(&mut Trace) -> T) -> Option<T> {
    let mut guard = TRACE.lock().ok()?;
    Some(f(guard.get_or_insert_with(Trace::new)))
}

/// Starts the trace (the first call) and records `name` once.
pub fn mark(name: &'static str) {
    with_trace(|trace| trace.record(name));
}

/// A mark from the window; the calendar's one ends the trace and logs it.
pub fn window_mark(which: WindowMark) {
    let done = with_trace(|trace| {
        trace.record(which.name());
        let ends = which == WindowMark::CalendarVisible && !trace.logged;
        trace.logged |= ends;
        ends.then(|| line(trace))
    });
    if let Some(line) = done.flatten() {
        tracing::info!("{line}");
    }
}

fn line(trace: &Trace) -> String {
    let marks: Vec<String> = trace
        .marks
        .iter()
        .map(|(name, ms)| format!("{name} {ms} ms"))
        .collect();
    let at = trace
        .start_wall
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!(
        "startup trace: {} (process start at {at} ms since 1970)",
        marks.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mark_is_recorded_once_and_none_after_the_trace_is_logged() {
        let mut trace = Trace::new();
        trace.record("process start");
        trace.record("process start");
        trace.record("engine ready");
        trace.logged = true;
        trace.record("calendar visible");
        let names: Vec<_> = trace.marks.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["process start", "engine ready"]);
    }

    #[test]
    fn the_line_names_each_mark_in_order_with_the_wall_clock_start() {
        let trace = Trace {
            start: Instant::now(),
            start_wall: UNIX_EPOCH + std::time::Duration::from_millis(1_765_000_000_123),
            marks: vec![
                ("process start", 0),
                ("engine ready", 42),
                ("calendar visible", 640),
            ],
            logged: false,
        };
        assert_eq!(
            line(&trace),
            "startup trace: process start 0 ms, engine ready 42 ms, calendar visible 640 ms \
             (process start at 1765000000123 ms since 1970)"
        );
    }
}
