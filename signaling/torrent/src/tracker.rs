//! What a WebTorrent tracker hears and says: the [`Session`] that the shared reconnecting
//! WebSocket runs for each tracker. It re-announces every room on open and routes the tracker's
//! messages to rooms by `info_hash`.

use serde_json::Value;
use trystero_signaling_client::Inbox;
use trystero_signaling_client::websocket::Session;

use crate::{SharedRooms, lock};

/// One tracker's view of the signaler's rooms.
pub(crate) struct Tracker {
    rooms: SharedRooms,
}

impl Tracker {
    pub(crate) fn new(rooms: SharedRooms) -> Self {
        Self { rooms }
    }
}

impl Session for Tracker {
    /// A tracker message, ready to send.
    type Command = String;

    /// The last announce of every room (JS re-announces every room on open).
    fn opened(&mut self) -> Vec<String> {
        lock(&self.rooms).announces()
    }

    fn command(&mut self, message: String) -> Vec<String> {
        vec![message]
    }

    /// Routes one tracker message to its room (or, for a notice about no room, to all).
    fn received(&mut self, text: &str, inbox: &Inbox) -> Result<(), String> {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
            return Ok(());
        };
        let rooms = lock(&self.rooms);
        let topics = match message.get("info_hash").and_then(Value::as_str) {
            Some(info_hash) => rooms.topic(info_hash).cloned().into_iter().collect(),
            None if message.contains_key("failure reason")
                || message.contains_key("warning message") =>
            {
                rooms.all_topics()
            }
            None => Vec::new(),
        };
        drop(rooms);
        for topic in topics {
            inbox.deliver(topic, text.to_owned());
        }
        Ok(())
    }
}
