//! Observing an indexing run: the [`Observer`] a caller passes in hears the
//! run's phases, progress and warnings, and may cancel it.

use crate::model::Warning;

/// Hears what an indexing run is doing: its phases, progress and warnings,
/// as they happen; and may ask it to stop.
pub trait Observer: Sync {
    /// A phase begins; `total` is what its progress counts up to.
    fn phase(&self, _phase: Phase, _total: u64) {}
    /// `done` of `total` of the current phase: input bytes while reading,
    /// articles while writing.
    fn progress(&self, _done: u64, _total: u64) {}
    /// Something in the input was read around or skipped.
    fn warning(&self, _warning: &Warning) {}
    /// Whether the run should stop: asked between batches. A stopped run
    /// fails with [`crate::Error::Cancelled`] and commits nothing.
    fn cancelled(&self) -> bool {
        false
    }
}

/// The phases of an indexing run, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Files read and their articles parsed ([`Writer::add_paths`]); counts
    /// input bytes.
    Reading,
    /// New and changed articles analysed and written ([`Writer::commit_with`]);
    /// counts articles.
    Writing,
    /// Segments flushed and the commit made durable; counts nothing.
    Committing,
}

/// An observer whose progress only goes forward: files are read on several
/// threads, which report in whatever order they finish.
pub(super) struct Forward<'a> {
    inner: &'a dyn Observer,
    high: std::sync::Mutex<u64>,
}

impl<'a> Forward<'a> {
    pub(super) fn new(inner: &'a dyn Observer) -> Forward<'a> {
        Forward {
            inner,
            high: std::sync::Mutex::new(0),
        }
    }
}

impl Observer for Forward<'_> {
    fn phase(&self, phase: Phase, total: u64) {
        *self.high.lock().unwrap_or_else(|e| e.into_inner()) = 0;
        self.inner.phase(phase, total);
    }
    fn progress(&self, done: u64, total: u64) {
        let mut high = self.high.lock().unwrap_or_else(|e| e.into_inner());
        if done >= *high {
            *high = done;
            self.inner.progress(done, total);
        }
    }
    fn warning(&self, warning: &Warning) {
        self.inner.warning(warning);
    }
    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}
