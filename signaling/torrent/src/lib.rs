//! `trystero-torrent`: Trystero's BitTorrent strategy. WebTorrent trackers (JSON over
//! WebSocket) carry the offers and answers (protocol §4.3).
//!
//! [`TorrentSignaler`] implements core's `Signaler` port in its tracker style: the room engine
//! keeps the pool of offers and decides who answers (`trystero-core`'s `room::tracker`); this
//! crate only moves its messages.
//! - one WebSocket per tracker (tokio-tungstenite), each in its own task, so a tracker that is
//!   down never blocks the others;
//! - a room's root topic becomes its `info_hash` (`sha1b36` of it, 20 characters); what the engine
//!   publishes gets `"action":"announce"` and the `info_hash` in front;
//! - the last announce of every room is sent again whenever a tracker (re)connects, as JS
//!   re-announces every room on open;
//! - tracker messages go to the room of their `info_hash`; a `failure reason` or `warning
//!   message` without one goes to every room, which reports it as a relay notice;
//! - reconnects after a random delay below a period that starts at 3 333 ms and doubles,
//!   giving up once it would reach 60 s, as Trystero JS 0.25.4 does; reconnection can be
//!   paused.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod tracker;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::lock::Mutex as AsyncMutex;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use trystero_core::config::RoomConfig;
use trystero_core::signaler::{
    RelayMessage, RelayState, Signaler, SignalingError, SignalingStyle, relay_targets,
};

use tracker::{TrackerCommand, TrackerHandle};

/// Trystero 0.25.4's default WebTorrent trackers, in order.
pub const DEFAULT_TRACKERS: [&str; 5] = [
    "wss://open.ftorrent.com",
    "wss://tracker.webtorrent.dev",
    "wss://tracker.openwebtorrent.com",
    "wss://tracker.btorrent.xyz",
    "wss://tracker.files.fm:7073/announce",
];

/// How many default trackers a room uses: the first three.
pub const DEFAULT_REDUNDANCY: usize = 3;

/// The trackers a room uses: its explicit URLs, or the first defaults in list order.
pub fn tracker_urls(config: &RoomConfig) -> Vec<String> {
    config.relay().select(
        &DEFAULT_TRACKERS,
        config.app_id(),
        false,
        DEFAULT_REDUNDANCY,
    )
}

/// A room's `info_hash`: the first 20 characters of `sha1b36` of its root topic, as 0.25.4
/// computes it.
pub fn info_hash(topic: &str) -> String {
    trystero_crypto::info_hash_of_topic(topic)
}

/// The rooms of a signaler, shared with the tracker tasks.
#[derive(Debug, Default)]
pub(crate) struct Rooms {
    /// `info_hash` → root topic.
    topics: BTreeMap<String, String>,
    /// Root topic → its last announce, as sent.
    announces: BTreeMap<String, String>,
}

pub(crate) type SharedRooms = Arc<Mutex<Rooms>>;

pub(crate) fn lock(rooms: &SharedRooms) -> MutexGuard<'_, Rooms> {
    rooms.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Rooms {
    pub(crate) fn topic(&self, info_hash: &str) -> Option<&String> {
        self.topics.get(info_hash)
    }

    pub(crate) fn all_topics(&self) -> Vec<String> {
        self.topics.values().cloned().collect()
    }

    pub(crate) fn announces(&self) -> Vec<String> {
        self.announces.values().cloned().collect()
    }
}

/// Trystero's torrent strategy as a signaler. Must be created inside a tokio runtime.
pub struct TorrentSignaler {
    trackers: Vec<TrackerHandle>,
    rooms: SharedRooms,
    paused: Arc<AtomicBool>,
    inbox: AsyncMutex<UnboundedReceiver<RelayMessage>>,
}

impl std::fmt::Debug for TorrentSignaler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TorrentSignaler")
            .field("trackers", &self.relay_sockets())
            .finish_non_exhaustive()
    }
}

impl TorrentSignaler {
    /// Connects to these trackers.
    pub fn connect(urls: &[String]) -> Self {
        let (sender, inbox) = unbounded_channel();
        let rooms = SharedRooms::default();
        let paused = Arc::new(AtomicBool::new(false));
        let trackers = urls
            .iter()
            .enumerate()
            .map(|(index, url)| {
                TrackerHandle::spawn(
                    index,
                    url.clone(),
                    sender.clone(),
                    rooms.clone(),
                    paused.clone(),
                )
            })
            .collect();
        Self {
            trackers,
            rooms,
            paused,
            inbox: AsyncMutex::new(inbox),
        }
    }
}

/// The tracker message for an engine payload `{"peer_id":…,…}`: `action` and `info_hash` first,
/// like JS.
fn tracker_message(topic: &str, payload: &str) -> Option<String> {
    let rest = payload.trim_start().strip_prefix('{')?;
    let head = serde_json::json!({"action": "announce", "info_hash": info_hash(topic)}).to_string();
    let head = head.strip_suffix('}')?;
    Some(if rest.trim_start().starts_with('}') {
        format!("{head}}}")
    } else {
        format!("{head},{rest}")
    })
}

impl Signaler for TorrentSignaler {
    /// Stops reconnecting to trackers that drop (`pauseRelayReconnection`).
    fn pause_reconnection(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }

    /// Resumes reconnecting (`resumeRelayReconnection`).
    fn resume_reconnection(&self) {
        self.paused.store(false, Ordering::SeqCst);
        for tracker in &self.trackers {
            tracker.send(TrackerCommand::Wake);
        }
    }

    fn relay_count(&self) -> usize {
        self.trackers.len()
    }

    fn style(&self) -> SignalingStyle {
        SignalingStyle::Tracker
    }

    async fn subscribe(&self, topic: &str) -> Result<(), SignalingError> {
        lock(&self.rooms)
            .topics
            .insert(info_hash(topic), topic.to_owned());
        Ok(())
    }

    async fn unsubscribe(&self, topic: &str) -> Result<(), SignalingError> {
        // No `stopped` event on leave, as in JS: the tracker forgets us on its own.
        let mut rooms = lock(&self.rooms);
        rooms.topics.remove(&info_hash(topic));
        rooms.announces.remove(topic);
        Ok(())
    }

    async fn publish(
        &self,
        relay: Option<usize>,
        topic: &str,
        payload: &str,
    ) -> Result<(), SignalingError> {
        let targets = relay_targets(relay, self.trackers.len())?;
        let Some(message) = tracker_message(topic, payload) else {
            return Err(SignalingError::Relay {
                relay: relay.unwrap_or(0),
                reason: "a tracker message must be a JSON object".into(),
            });
        };
        if relay.is_none() {
            // Announces go to every tracker; a reconnecting tracker gets the last one again.
            lock(&self.rooms)
                .announces
                .insert(topic.to_owned(), message.clone());
        }
        for tracker in &self.trackers[targets] {
            tracker.send(TrackerCommand::Send(message.clone()));
        }
        Ok(())
    }

    async fn recv(&self) -> Option<RelayMessage> {
        self.inbox.lock().await.recv().await
    }

    fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        self.trackers
            .iter()
            .map(|tracker| (tracker.url.clone(), tracker.state()))
            .collect()
    }
}

impl Drop for TorrentSignaler {
    fn drop(&mut self) {
        for tracker in &self.trackers {
            tracker.send(TrackerCommand::Shutdown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_get_the_action_and_info_hash_first() {
        let topic = "222j6441452ns4d05p4305d3w1f5g5g3sc36";
        // The room1 vector: what @trystero-p2p/torrent 0.25.4 sends.
        assert_eq!(info_hash(topic), "2f3k2t62243h2d3v6f6w");
        assert_eq!(
            tracker_message(topic, r#"{"peer_id":"p","numwant":3,"offers":[]}"#).unwrap(),
            r#"{"action":"announce","info_hash":"2f3k2t62243h2d3v6f6w","peer_id":"p","numwant":3,"offers":[]}"#
        );
        assert_eq!(
            tracker_message(topic, "{}").unwrap(),
            r#"{"action":"announce","info_hash":"2f3k2t62243h2d3v6f6w"}"#
        );
        assert_eq!(tracker_message(topic, "[1]"), None);
    }

    #[test]
    fn default_trackers_are_the_first_three_in_order() {
        let config = RoomConfig::builder("any-app").build().unwrap();
        assert_eq!(tracker_urls(&config), DEFAULT_TRACKERS[..3]);
    }
}
