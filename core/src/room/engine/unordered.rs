//! The second, unordered channel of a link: `@_features` once per connection, the leader
//! opening the channel when both ends announced it, and what the channel may carry (a whole
//! single-frame user message from an active peer, nothing else).

use super::{Engine, LinkId, Output, RoomEvent};
use crate::id::{PeerId, RoomToken};
use crate::time::Millis;
use crate::wire::{ActionChunk, ActionType, Frame, Payload, Received, decode_frame};

/// Where a link's second, unordered channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unordered {
    /// Not asked for (the peer did not announce it, or we do not lead).
    Closed,
    /// Asked the transport to open it.
    Opening,
    /// Open: frames may go on it.
    Open,
}

impl Engine {
    /// The link's second channel opened (see [`Output::OpenUnordered`]; the peer may have
    /// opened it).
    pub fn unordered_opened(&mut self, link: LinkId) {
        if let Some(state) = self.links.get_mut(&link) {
            state.unordered = Unordered::Open;
        }
    }

    /// Whether frames may go on the link's second channel.
    pub fn is_unordered_open(&self, link: LinkId) -> bool {
        self.links
            .get(&link)
            .is_some_and(|state| state.unordered == Unordered::Open)
    }

    /// One message arrived on the link's second channel. Only a whole user message in one
    /// frame, from an active peer of a room bound on this link, is taken; anything else is
    /// dropped and counted (the channel carries nothing else, and keeps no partial state).
    pub fn unordered_message(&mut self, now: Millis, link: LinkId, message: &[u8]) {
        let _ = now;
        let Some(peer) = self.links.get(&link).map(|l| l.peer) else {
            return;
        };
        let Ok(Frame::Room { token, chunk }) = decode_frame(message) else {
            self.stats.malformed_frames += 1;
            return;
        };
        let (Ok(token), Ok(chunk)) = (RoomToken::from_bytes(token), ActionChunk::decode(chunk))
        else {
            self.stats.malformed_frames += 1;
            return;
        };
        let single = chunk.header.flags.is_last() && !chunk.header.flags.is_meta();
        let Some(room) = self.rooms.get_mut(&token) else {
            return;
        };
        let active = room
            .sessions
            .get(&peer)
            .is_some_and(|session| session.link == link && session.handshake.is_active());
        if !active || !single || chunk.header.action.is_internal() {
            self.stats.dropped_frames += 1;
            return;
        }
        if let Ok(Received::Message(message)) = room.unordered.push(peer, chunk) {
            self.outputs.push_back(Output::Event {
                room: token,
                event: RoomEvent::Message(message),
            });
        } else {
            self.stats.dropped_frames += 1;
        }
    }

    /// `@_features` once per link, in the first room whose handshake completes on it.
    pub(super) fn announce_features(&mut self, token: RoomToken, link: LinkId) {
        let Some(state) = self.links.get_mut(&link) else {
            return;
        };
        if state.features_sent {
            return;
        }
        state.features_sent = true;
        let features = crate::wire::JsonText::from_value(&serde_json::json!({"unordered": true}));
        if let Ok(features) = features {
            self.send_internal(token, link, ActionType::FEATURES, &Payload::Json(features));
        }
    }

    /// The peer announced its features: if it has the unordered channel and we lead, open it.
    pub(super) fn on_features(&mut self, peer: PeerId, link: LinkId, payload: &Payload) {
        let unordered = match payload {
            Payload::Json(json) => json
                .deserialize::<serde_json::Value>()
                .is_ok_and(|value| value["unordered"] == serde_json::Value::Bool(true)),
            _ => false,
        };
        let leads = self.self_id.leads(&peer);
        let Some(state) = self.links.get_mut(&link) else {
            return;
        };
        if unordered && leads && state.unordered == Unordered::Closed {
            state.unordered = Unordered::Opening;
            self.outputs.push_back(Output::OpenUnordered { link });
        }
    }
}
