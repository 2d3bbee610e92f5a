//! The indexing progress bar on stderr (only on a terminal): each phase of
//! a run with its own progress and time left, and warnings printed above it.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicU64, Ordering};

use hpsearch::{Observer, Phase, Warning};
use indicatif::{ProgressBar, ProgressStyle};

/// Progress bar and warnings on stderr; the bar only on a terminal.
pub struct CliObserver {
    bar: Option<ProgressBar>,
    pub warnings: AtomicU64,
}

impl CliObserver {
    pub fn new(show_bar: bool) -> CliObserver {
        let bar = (show_bar && io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(phase_style(Phase::Reading));
            bar
        });
        CliObserver {
            bar,
            warnings: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The bar of each phase: reading counts bytes, writing articles, each with
/// the time left at its own pace; committing only turns.
fn phase_style(phase: Phase) -> ProgressStyle {
    let template = match phase {
        Phase::Reading => "reading {bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        Phase::Writing => "writing {bar:40} {pos}/{len} articles {per_sec} eta {eta}",
        _ => "{spinner} committing ({elapsed})",
    };
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Observer for CliObserver {
    fn phase(&self, phase: Phase, total: u64) {
        if let Some(bar) = &self.bar {
            bar.reset();
            bar.set_style(phase_style(phase));
            bar.set_length(total);
            if phase == Phase::Committing {
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
            }
        }
    }

    fn progress(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    fn warning(&self, w: &Warning) {
        self.warnings.fetch_add(1, Ordering::Relaxed);
        let line = format!("hpsearch: warning: {w}");
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}
