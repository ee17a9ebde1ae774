//! [`TokioClock`]: core's `Clock` port on tokio's monotonic clock.

use std::time::Duration;

use tokio::time::Instant;
use trystero_core::time::{Clock, Millis};

/// Milliseconds since the clock was made, with tokio timers.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin: Instant,
}

impl TokioClock {
    /// A clock starting at 0 now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Millis {
        Millis(u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    async fn sleep_until(&self, deadline: Millis) {
        tokio::time::sleep_until(self.origin + Duration::from_millis(deadline.0)).await;
    }
}
