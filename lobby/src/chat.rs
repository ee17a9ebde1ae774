//! Chat limits: a length limit and a per-peer token bucket, with bounded memory.

use std::collections::BTreeMap;
use std::time::Duration;

use trystero_core::PeerId;
use trystero_core::time::Millis;

/// How much chat a peer may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatLimits {
    /// The longest line, in characters.
    pub max_chars: usize,
    /// Lines a peer may send at once.
    pub burst: u32,
    /// One more line allowed per this interval.
    pub refill: Duration,
}

impl Default for ChatLimits {
    fn default() -> Self {
        Self {
            max_chars: 280,
            burst: 5,
            refill: Duration::from_secs(1),
        }
    }
}

/// Why a chat line was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChatDrop {
    /// Longer than the limit.
    #[error("the line is longer than {0} characters")]
    TooLong(usize),
    /// Empty or blank.
    #[error("the line is empty")]
    Empty,
    /// The peer sent faster than the rate limit.
    #[error("the peer is sending too fast")]
    RateLimited,
}

/// The most peers whose buckets are remembered; past it, full buckets are forgotten first.
const MAX_TRACKED_PEERS: usize = 1024;

/// Per-peer token buckets.
#[derive(Debug, Default)]
pub(crate) struct ChatLimiter {
    /// Peer → (tokens in thousandths, last refill).
    buckets: BTreeMap<PeerId, (u64, Millis)>,
}

impl ChatLimiter {
    /// Whether `peer` may send `text` now; takes a token if so.
    pub(crate) fn admit(
        &mut self,
        limits: &ChatLimits,
        now: Millis,
        peer: PeerId,
        text: &str,
    ) -> Result<(), ChatDrop> {
        check_line(limits, text)?;
        let full = u64::from(limits.burst) * 1000;
        if self.buckets.len() >= MAX_TRACKED_PEERS && !self.buckets.contains_key(&peer) {
            self.forget_idle(limits, now);
        }
        let (tokens, last) = self.buckets.entry(peer).or_insert((full, now));
        let refill_ms = u64::try_from(limits.refill.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let gained = now.since(*last).as_millis();
        let gained = u64::try_from(gained)
            .unwrap_or(u64::MAX)
            .saturating_mul(1000)
            / refill_ms;
        *tokens = tokens.saturating_add(gained).min(full);
        *last = now;
        if *tokens < 1000 {
            return Err(ChatDrop::RateLimited);
        }
        *tokens -= 1000;
        Ok(())
    }

    /// Forgets a peer that left.
    pub(crate) fn forget(&mut self, peer: &PeerId) {
        self.buckets.remove(peer);
    }

    /// Drops buckets that would be full by now (those peers lose nothing), or if none, the
    /// one idle longest.
    fn forget_idle(&mut self, limits: &ChatLimits, now: Millis) {
        let span = limits.refill.saturating_mul(limits.burst);
        self.buckets.retain(|_, (_, last)| now.since(*last) < span);
        if self.buckets.len() >= MAX_TRACKED_PEERS
            && let Some(oldest) = self
                .buckets
                .iter()
                .min_by_key(|(_, (_, last))| *last)
                .map(|(peer, _)| *peer)
        {
            self.buckets.remove(&oldest);
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

/// Checks a line's length (the sender does it too, before sending).
pub(crate) fn check_line(limits: &ChatLimits, text: &str) -> Result<(), ChatDrop> {
    if text.trim().is_empty() {
        return Err(ChatDrop::Empty);
    }
    if text.chars().count() > limits.max_chars {
        return Err(ChatDrop::TooLong(limits.max_chars));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(n: u32) -> PeerId {
        let text = format!("peer{n:016}");
        PeerId::parse(&text).unwrap()
    }

    #[test]
    fn a_burst_passes_then_one_line_per_interval() {
        let limits = ChatLimits::default();
        let mut limiter = ChatLimiter::default();
        for _ in 0..5 {
            limiter.admit(&limits, Millis(0), peer(1), "hi").unwrap();
        }
        assert_eq!(
            limiter.admit(&limits, Millis(10), peer(1), "hi"),
            Err(ChatDrop::RateLimited)
        );
        // Another peer has its own bucket.
        limiter.admit(&limits, Millis(10), peer(2), "hi").unwrap();
        limiter
            .admit(&limits, Millis(1_010), peer(1), "hi")
            .unwrap();
        assert_eq!(
            limiter.admit(&limits, Millis(1_020), peer(1), "hi"),
            Err(ChatDrop::RateLimited)
        );
        assert_eq!(
            limiter.admit(&limits, Millis(9_000), peer(1), &"x".repeat(281)),
            Err(ChatDrop::TooLong(280))
        );
        assert_eq!(
            limiter.admit(&limits, Millis(9_000), peer(1), "  "),
            Err(ChatDrop::Empty)
        );
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_peers() {
        let limits = ChatLimits::default();
        let mut limiter = ChatLimiter::default();
        for n in 0..5_000 {
            let _ = limiter.admit(&limits, Millis(u64::from(n)), peer(n), "spam");
        }
        assert!(limiter.tracked() <= MAX_TRACKED_PEERS);
    }
}
