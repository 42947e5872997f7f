//! What `corpus` writes to stderr: a progress bar (indicatif, drawn only
//! when stderr is a terminal), one summary line per phase with its time,
//! CPU time and peak memory, and one line per skipped input; and the count
//! of skipped inputs, which makes the exit status.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Wall-clock and CPU time of one phase, for the summaries.
pub struct Clock {
    wall: Instant,
    cpu: Option<f64>,
}

impl Clock {
    pub fn start() -> Clock {
        Clock { wall: Instant::now(), cpu: cpu_seconds() }
    }

    /// Wall-clock seconds so far (never zero, to divide by).
    pub fn secs(&self) -> f64 {
        self.wall.elapsed().as_secs_f64().max(1e-9)
    }
}

/// `1.23 s (cpu 2.40 s, peak RSS 120 MB)`: CPU time of all threads and the
/// peak resident memory so far, where `/proc` tells them (Linux).
impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} s", self.secs())?;
        let cpu = self.cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
        match (cpu, peak_rss_bytes()) {
            (Some(cpu), Some(rss)) => write!(f, " (cpu {cpu:.2} s, peak RSS {:.0} MB)", rss as f64 / 1e6),
            (Some(cpu), None) => write!(f, " (cpu {cpu:.2} s)"),
            (None, Some(rss)) => write!(f, " (peak RSS {:.0} MB)", rss as f64 / 1e6),
            (None, None) => Ok(()),
        }
    }
}

/// User plus system CPU seconds of the process (all threads), from
/// `/proc/self/stat` (fields 14 and 15, in units of USER_HZ = 100).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// Peak resident set size (`VmHWM` of `/proc/self/status`).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What a phase's bar counts.
#[derive(Clone, Copy)]
pub enum Unit {
    /// Bytes of input read (the count in the message is of articles).
    Bytes,
    /// Articles done (the count in the message is of pairs).
    Articles,
}

/// Everything written to stderr, and the count of skipped inputs.
pub struct Status {
    /// The bar of the current phase: hidden between phases, with
    /// `--quiet`, and (by indicatif) when stderr is not a terminal.
    bar: ProgressBar,
    quiet: bool,
    /// What the bar's message counts (`articles`, `pairs`).
    counting: &'static str,
    /// Inputs skipped (reported, not read).
    pub skipped: usize,
    /// Entries of walked directories whose names start with `.` (not read).
    pub hidden: usize,
    /// Symbolic links to directories met in walked directories (not followed).
    pub dir_links: usize,
}

impl Status {
    pub fn new(quiet: bool) -> Status {
        Status { bar: ProgressBar::hidden(), quiet, counting: "", skipped: 0, hidden: 0, dir_links: 0 }
    }

    /// Writes one line above the bar.
    fn line(&self, text: &str) {
        self.bar.suspend(|| eprintln!("{text}"));
    }

    /// Reports an input that was skipped.
    pub fn skip(&mut self, message: &str) {
        self.skipped += 1;
        self.line(&format!("corpus: skipped {message}"));
    }

    /// A warning: printed even with `--quiet`.
    pub fn warn(&self, message: &str) {
        self.line(&format!("corpus: {message}"));
    }

    /// A phase's summary line (not with `--quiet`); it ends the phase's bar.
    pub fn summary(&mut self, message: &str) {
        self.bar.finish_and_clear();
        self.bar = ProgressBar::hidden();
        if !self.quiet {
            self.line(&format!("corpus: {message}"));
        }
    }

    /// Starts the bar of a phase: `total` units of work, and a message that
    /// counts `counting` (`articles`, `pairs`).
    pub fn phase(&mut self, name: &str, total: u64, unit: Unit, counting: &'static str) {
        if self.quiet {
            return;
        }
        let (done, rate) = match unit {
            Unit::Bytes => ("{bytes}/{total_bytes}", "{bytes_per_sec}"),
            Unit::Articles => ("{pos}/{len} articles", "{per_sec}"),
        };
        let template = format!("{name} [{{bar:30}}] {{percent:>3}}% {done}, {{msg}}, {rate}, {{eta}} left");
        let style = ProgressStyle::with_template(&template).expect("a valid template").progress_chars("#>-");
        self.bar.finish_and_clear();
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        self.bar = bar.with_style(style).with_message(format!("0 {counting}"));
        self.counting = counting;
    }

    /// Moves the bar: `done` units of work, `count` articles (or pairs) so far.
    pub fn progress(&self, done: u64, count: usize) {
        if !self.bar.is_hidden() {
            self.bar.set_position(done);
            self.bar.set_message(format!("{count} {}", self.counting));
        }
    }
}

impl Drop for Status {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
