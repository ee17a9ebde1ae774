//! `trystero-torrent`: Trystero's BitTorrent strategy. WebTorrent trackers (JSON over
//! WebSocket) carry the offers and answers (protocol §4.3).
//!
//! [`TorrentSignaler`] implements core's `Signaler` port in its tracker style: the room engine
//! keeps the pool of offers and decides who answers (`trystero-core`'s
//! `room::signaling::tracker`); this crate only moves its messages.
//! - `TorrentSignaler` is the shared relay client's `RelaySignaler` over the [`Torrent`]
//!   strategy: one reconnecting WebSocket per tracker (`trystero-signaling-client`), each in
//!   its own task, so a tracker that is down never blocks the others;
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
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use trystero_core::config::RoomConfig;
use trystero_core::signaler::{SignalingError, SignalingStyle, redact_userinfo};
use trystero_signaling_client::{
    Publication, RelaySet, RelaySignaler, RelayTask, Strategy, websocket,
};

use tracker::Tracker;

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

/// Trystero's torrent strategy as a signaler: `TorrentSignaler::connect(&urls)`. Must be created
/// inside a tokio runtime.
pub type TorrentSignaler = RelaySignaler<Torrent>;

/// The torrent strategy: the rooms (their `info_hash` and last announce) every tracker serves.
/// Its relay command is a tracker message, ready to send.
#[derive(Debug, Default)]
pub struct Torrent {
    rooms: SharedRooms,
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

impl Strategy for Torrent {
    type Command = String;

    const NAME: &'static str = "TorrentSignaler";

    fn style(&self) -> SignalingStyle {
        SignalingStyle::Tracker
    }

    fn start_relay(&self, task: RelayTask<String>) {
        let span = tracing::info_span!("tracker", url = %redact_userinfo(task.url()));
        let tracker = Tracker::new(self.rooms.clone());
        websocket::spawn(task, tracker, span);
    }

    fn subscribe(&self, _: &RelaySet<String>, topic: &str) {
        lock(&self.rooms)
            .topics
            .insert(info_hash(topic), topic.to_owned());
    }

    fn unsubscribe(&self, _: &RelaySet<String>, topic: &str) {
        // No `stopped` event on leave, as in JS: the tracker forgets us on its own.
        let mut rooms = lock(&self.rooms);
        rooms.topics.remove(&info_hash(topic));
        rooms.announces.remove(topic);
    }

    fn publish(
        &self,
        trackers: &RelaySet<String>,
        publication: Publication<'_>,
    ) -> Result<(), SignalingError> {
        let Some(message) = tracker_message(publication.topic, publication.payload) else {
            return Err(SignalingError::Relay {
                relay: publication.relay.unwrap_or(0),
                reason: "a tracker message must be a JSON object".into(),
            });
        };
        if publication.relay.is_none() {
            // Announces go to every tracker; a reconnecting tracker gets the last one again.
            lock(&self.rooms)
                .announces
                .insert(publication.topic.to_owned(), message.clone());
        }
        trackers.send(publication.relay, || message.clone())
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
