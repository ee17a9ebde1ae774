//! Time as a port: the engine never reads a clock; its driver passes [`Millis`] in.
//!
//! [`Clock`] is what a driver needs (now, and a way to sleep); [`ManualClock`] is the in-memory
//! adapter that tests advance by hand, so timeouts are deterministic.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Milliseconds on a monotonic clock, from an arbitrary origin.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// This instant plus `duration` (saturating).
    #[must_use]
    pub fn after(self, duration: Duration) -> Self {
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// The time from `earlier` to this instant, zero if `earlier` is later.
    pub fn since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// A monotonic clock with timers.
///
/// Contract: `now` never goes backwards; `sleep_until` completes once `now() >= deadline`
/// (immediately if it already is) and may be dropped at any time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Millis;

    /// Completes at `deadline`.
    fn sleep_until(&self, deadline: Millis) -> impl Future<Output = ()> + Send;
}

#[derive(Debug, Default)]
struct ManualState {
    now: Millis,
    sleepers: Vec<(Millis, Waker)>,
}

/// A clock that only moves when told to: the in-memory adapter of [`Clock`].
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

impl ManualClock {
    /// A clock at 0 ms.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come.
    pub fn advance(&self, duration: Duration) {
        let woken = {
            let mut state = self.lock();
            state.now = state.now.after(duration);
            let now = state.now;
            let (due, waiting): (Vec<_>, Vec<_>) = state
                .sleepers
                .drain(..)
                .partition(|(deadline, _)| *deadline <= now);
            state.sleepers = waiting;
            due
        };
        for (_, waker) in woken {
            waker.wake();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A panic while holding this lock cannot leave the state inconsistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.lock().now
    }

    fn sleep_until(&self, deadline: Millis) -> impl Future<Output = ()> + Send {
        ManualSleep {
            clock: self.clone(),
            deadline,
        }
    }
}

struct ManualSleep {
    clock: ManualClock,
    deadline: Millis,
}

impl Future for ManualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.clock.lock();
        if state.now >= self.deadline {
            return Poll::Ready(());
        }
        state.sleepers.push((self.deadline, cx.waker().clone()));
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::Wake;

    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn millis_arithmetic_saturates() {
        assert_eq!(Millis(5).after(Duration::from_millis(10)), Millis(15));
        assert_eq!(
            Millis(u64::MAX).after(Duration::from_secs(1)),
            Millis(u64::MAX)
        );
        assert_eq!(Millis(15).since(Millis(5)), Duration::from_millis(10));
        assert_eq!(Millis(5).since(Millis(15)), Duration::ZERO);
    }

    #[test]
    fn manual_sleep_completes_only_when_advanced() {
        let clock = ManualClock::new();
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let mut sleep = Box::pin(clock.sleep_until(Millis(100)));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        clock.advance(Duration::from_millis(99));
        assert!(!flag.0.load(Ordering::SeqCst));
        clock.advance(Duration::from_millis(1));
        assert!(flag.0.load(Ordering::SeqCst), "woken at the deadline");
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
        assert_eq!(clock.now(), Millis(100));
    }
}
