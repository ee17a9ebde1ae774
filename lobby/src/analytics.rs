//! The lobby's figures for a dashboard: counters and fixed-bucket histograms, bounded in memory,
//! read as one [`Analytics`] snapshot.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use trystero_core::PeerId;
use trystero_core::time::Millis;

/// A histogram with fixed bucket bounds (the last bucket takes everything above).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Histogram {
    /// Upper bounds of the buckets (inclusive), ascending.
    pub bounds: Vec<u64>,
    /// Counts per bucket; one more than `bounds` (the overflow).
    pub counts: Vec<u64>,
    /// Samples so far.
    pub total: u64,
    /// Their sum, for the mean.
    pub sum: u64,
}

impl Histogram {
    /// Empty, with these bucket bounds.
    pub fn new(bounds: &[u64]) -> Self {
        Self {
            bounds: bounds.to_vec(),
            counts: vec![0; bounds.len() + 1],
            total: 0,
            sum: 0,
        }
    }

    /// Records one sample.
    pub fn record(&mut self, value: u64) {
        let bucket = self.bounds.partition_point(|bound| *bound < value);
        self.counts[bucket] += 1;
        self.total += 1;
        self.sum = self.sum.saturating_add(value);
    }

    /// The mean, if any sample.
    pub fn mean(&self) -> Option<u64> {
        self.sum.checked_div(self.total)
    }

    /// The upper bound of the bucket holding the `q`-quantile (0–1), `None` while empty or in
    /// the overflow bucket.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )] // a rank within `total`
        let rank = ((self.total as f64) * q.clamp(0.0, 1.0)).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return self.bounds.get(bucket).copied();
            }
        }
        None
    }
}

/// One snapshot of the lobby's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analytics {
    /// Peers in the lobby room now (ourselves included).
    pub players_online: usize,
    /// Games listed now.
    pub games_listed: usize,
    /// Games we saw start (as a member).
    pub games_started: u64,
    /// Quick-match tickets closed in a game, and how long each took (ms).
    pub time_to_match_ms: Histogram,
    /// How long after the lobby started the first other peer appeared (ms).
    pub lobby_join_ms: Option<u64>,
    /// Chat lines heard in the last minute.
    pub chat_last_minute: usize,
    /// Chat lines heard in all.
    pub chat_total: u64,
    /// Chat lines dropped (too long, too fast).
    pub chat_dropped: u64,
    /// Ratings of the players seen in games (profiles), in buckets of 100.
    pub ratings: Histogram,
}

/// The running figures behind [`Analytics`].
#[derive(Debug, Clone)]
pub(crate) struct Recorder {
    started: Millis,
    online: BTreeSet<PeerId>,
    games_started: u64,
    time_to_match: Histogram,
    lobby_join: Option<u64>,
    /// Arrival times of the chat lines of the last minute (bounded by the rate limits × peers,
    /// and trimmed on every line).
    recent_chat: std::collections::VecDeque<Millis>,
    chat_total: u64,
    chat_dropped: u64,
    ratings: Histogram,
    rated: BTreeSet<PeerId>,
}

/// The most chat arrivals remembered for the per-minute rate.
const MAX_RECENT_CHAT: usize = 4096;
/// The most players whose rating is counted (each once).
const MAX_RATED: usize = 4096;

impl Recorder {
    pub(crate) fn new(started: Millis) -> Self {
        let minutes: Vec<u64> = [1, 2, 5, 10, 20, 30, 60, 120, 300]
            .iter()
            .map(|s| s * 1000)
            .collect();
        let ratings: Vec<u64> = (0..=30).map(|n| n * 100).collect();
        Self {
            started,
            online: BTreeSet::new(),
            games_started: 0,
            time_to_match: Histogram::new(&minutes),
            lobby_join: None,
            recent_chat: std::collections::VecDeque::new(),
            chat_total: 0,
            chat_dropped: 0,
            ratings: Histogram::new(&ratings),
            rated: BTreeSet::new(),
        }
    }

    pub(crate) fn peer_joined(&mut self, now: Millis, peer: PeerId) {
        if self.lobby_join.is_none() {
            self.lobby_join = u64::try_from(now.since(self.started).as_millis()).ok();
        }
        self.online.insert(peer);
    }

    pub(crate) fn peer_left(&mut self, peer: &PeerId) {
        self.online.remove(peer);
    }

    pub(crate) fn game_started(&mut self) {
        self.games_started += 1;
    }

    pub(crate) fn matched(&mut self, waited: Duration) {
        self.time_to_match
            .record(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX));
    }

    pub(crate) fn chat(&mut self, now: Millis) {
        self.chat_total += 1;
        self.recent_chat.push_back(now);
        self.trim_chat(now);
    }

    pub(crate) fn chat_dropped(&mut self) {
        self.chat_dropped += 1;
    }

    pub(crate) fn rated(&mut self, peer: PeerId, rating: i32) {
        if self.rated.len() < MAX_RATED && self.rated.insert(peer) {
            self.ratings
                .record(u64::try_from(rating.max(0)).unwrap_or(0));
        }
    }

    fn trim_chat(&mut self, now: Millis) {
        while self
            .recent_chat
            .front()
            .is_some_and(|at| now.since(*at) >= Duration::from_secs(60))
            || self.recent_chat.len() > MAX_RECENT_CHAT
        {
            self.recent_chat.pop_front();
        }
    }

    pub(crate) fn snapshot(&mut self, now: Millis, games_listed: usize) -> Analytics {
        self.trim_chat(now);
        Analytics {
            players_online: self.online.len() + 1,
            games_listed,
            games_started: self.games_started,
            time_to_match_ms: self.time_to_match.clone(),
            lobby_join_ms: self.lobby_join,
            chat_last_minute: self.recent_chat.len(),
            chat_total: self.chat_total,
            chat_dropped: self.chat_dropped,
            ratings: self.ratings.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_bucket_and_answer_quantiles() {
        let mut histogram = Histogram::new(&[10, 100, 1000]);
        for value in [5, 50, 50, 500, 5000] {
            histogram.record(value);
        }
        assert_eq!(histogram.counts, [1, 2, 1, 1]);
        assert_eq!(histogram.quantile(0.5), Some(100));
        assert_eq!(histogram.quantile(0.8), Some(1000));
        assert_eq!(histogram.quantile(1.0), None, "in the overflow bucket");
        assert_eq!(histogram.mean(), Some(1121));
        assert_eq!(Histogram::new(&[1]).quantile(0.5), None);
    }

    #[test]
    fn the_chat_rate_covers_the_last_minute_only() {
        let mut recorder = Recorder::new(Millis(0));
        for at in [0, 10_000, 59_000, 61_000] {
            recorder.chat(Millis(at));
        }
        let snapshot = recorder.snapshot(Millis(65_000), 0);
        assert_eq!((snapshot.chat_last_minute, snapshot.chat_total), (3, 4));
    }
}
