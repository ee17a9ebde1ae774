//! Inbound room frames: buffering for rooms not bound yet, reassembly of chunks, and dispatch of
//! what arrives: the handshake, `@_ping`/`@_pong`, `@_leave` and, for active peers, user messages.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{Engine, LinkId, Output, RoomEvent};
use crate::id::{PeerId, RoomToken};
use crate::room::events::DropReason;
use crate::time::Millis;
use crate::wire::{ActionChunk, ActionType, Payload, ReassemblyError, Received, ReceivedMessage};

impl Engine {
    pub(super) fn replay_pending(&mut self, now: Millis, link: LinkId, token: RoomToken) {
        let Some(state) = self.links.get_mut(&link) else {
            return;
        };
        let peer = state.peer;
        let (mine, others): (VecDeque<_>, VecDeque<_>) =
            state.pending.drain(..).partition(|(t, _)| *t == token);
        state.pending = others;
        state.pending_bytes = state.pending.iter().map(|(_, chunk)| chunk.len()).sum();
        for (_, chunk) in mine {
            self.on_chunk(now, token, peer, link, &chunk);
        }
    }

    pub(super) fn buffer_pending(&mut self, link: LinkId, token: RoomToken, chunk: &[u8]) {
        let (max_frames, max_bytes) = (
            self.config.max_pending_frames,
            self.config.max_pending_bytes,
        );
        let Some(state) = self.links.get_mut(&link) else {
            return;
        };
        if state.pending.len() >= max_frames || state.pending_bytes + chunk.len() > max_bytes {
            self.stats.dropped_frames += 1;
            tracing::debug!(
                peer = %state.peer,
                %token,
                reason = "the buffer for rooms not joined yet is full",
                "dropped a frame"
            );
            return;
        }
        state.pending_bytes += chunk.len();
        state.pending.push_back((token, chunk.to_vec()));
    }

    pub(super) fn on_chunk(
        &mut self,
        now: Millis,
        token: RoomToken,
        peer: PeerId,
        link: LinkId,
        chunk: &[u8],
    ) {
        let chunk = match ActionChunk::decode(chunk) {
            Ok(chunk) => chunk,
            Err(error) => {
                self.stats.malformed_frames += 1;
                tracing::debug!(%peer, %error, "dropped a malformed frame");
                return;
            }
        };
        let Some(room) = self.rooms.get_mut(&token) else {
            return;
        };
        let active = room
            .sessions
            .get(&peer)
            .is_some_and(|session| session.handshake.is_active());
        let action = chunk.header.action;
        // `@_features` is about the connection, not the room: taken even before this room's
        // handshake completes on our side (the peer sends it once its side completed).
        let while_pending = matches!(
            action.as_str(),
            ActionType::HANDSHAKE_READY
                | ActionType::HANDSHAKE_DATA
                | ActionType::LEAVE
                | ActionType::FEATURES
        );
        if !active && !while_pending {
            self.stats.dropped_while_pending += 1;
            tracing::debug!(
                %peer,
                action = action.as_str(),
                reason = "the peer has not finished the handshake",
                "dropped a frame"
            );
            return;
        }
        let internal = action.is_internal() && action.as_str() != ActionType::RESPONSE;
        if internal && (!chunk.header.flags.is_last() || chunk.header.flags.is_meta()) {
            // Internal messages (handshake, leave, ping, features) are a few bytes: one chunk.
            // A longer one would be buffered for nothing, up to the message cap (64 MiB), and a
            // peer still in the handshake may send these.
            self.stats.dropped_frames += 1;
            tracing::debug!(
                %peer,
                action = action.as_str(),
                reason = "an internal message longer than one chunk",
                "dropped a frame"
            );
            return;
        }
        let message = match room.reassembler.push(peer, chunk) {
            Ok(Received::Message(message)) => message,
            Ok(Received::Progress(progress)) => {
                if !internal {
                    let event = RoomEvent::Progress {
                        peer,
                        action,
                        nonce: progress.nonce,
                        progress: progress.progress,
                        metadata: progress.metadata.cloned(),
                    };
                    self.outputs.push_back(Output::Event { room: token, event });
                }
                return;
            }
            Ok(Received::Discarded { .. }) => return,
            Err(error) => {
                // Past the transfer limit the peer is desynchronized: every later chunk of it
                // would be refused. It is cut off instead of kept useless.
                let desynchronized = matches!(error, ReassemblyError::TooManyTransfers { .. });
                self.outputs.push_back(Output::Event {
                    room: token,
                    event: RoomEvent::ReceiveError {
                        peer,
                        error: Arc::new(error),
                    },
                });
                if desynchronized {
                    tracing::warn!(%peer, "too many transfers at once: closing the link");
                    self.drop_link(now, link, DropReason::TooManyTransfers);
                }
                return;
            }
        };
        self.on_message(now, token, peer, link, message);
    }

    pub(super) fn on_message(
        &mut self,
        now: Millis,
        token: RoomToken,
        peer: PeerId,
        link: LinkId,
        message: ReceivedMessage,
    ) {
        let Some(room) = self.rooms.get_mut(&token) else {
            return;
        };
        let steps = match message.action.as_str() {
            ActionType::HANDSHAKE_READY => room
                .sessions
                .get_mut(&peer)
                .map(|session| session.handshake.on_ready()),
            ActionType::HANDSHAKE_DATA => {
                let keys = room.keys.as_ref();
                room.sessions
                    .get_mut(&peer)
                    .map(|session| session.handshake.on_data(&message.payload, keys))
            }
            ActionType::LEAVE => {
                self.remove_session(now, token, peer, true);
                return;
            }
            ActionType::PING => {
                if self.ping_allowed(now, link) {
                    self.send_internal(
                        token,
                        link,
                        ActionType::PONG,
                        &Payload::Text(String::new()),
                    );
                }
                return;
            }
            ActionType::PONG => {
                if let Some(sent) = room.pings.get_mut(&peer).and_then(VecDeque::pop_front) {
                    self.outputs.push_back(Output::Event {
                        room: token,
                        event: RoomEvent::Pong {
                            peer,
                            rtt: now.since(sent),
                        },
                    });
                }
                return;
            }
            ActionType::FEATURES => {
                self.on_features(peer, link, &message.payload);
                return;
            }
            ActionType::SIGNAL | ActionType::STREAM | ActionType::TRACK => {
                self.stats.ignored_internal += 1;
                return;
            }
            _ => {
                self.outputs.push_back(Output::Event {
                    room: token,
                    event: RoomEvent::Message(message),
                });
                return;
            }
        };
        if let Some(steps) = steps {
            self.apply_steps(now, token, peer, link, steps);
        }
    }
}

/// `@_ping`s one link may send in a burst; they are answered, then at [`PINGS_PER_SECOND`].
pub const PING_BURST: u32 = 16;
/// The steady rate at which a link's `@_ping`s are answered.
pub const PINGS_PER_SECOND: u32 = 4;
/// A link whose peer sends this many `@_ping`s beyond the budget is closed: it floods.
pub const PING_FLOOD: u32 = 1_000;

impl Engine {
    /// Whether a `@_ping` on `link` gets its `@_pong`: a token bucket of [`PING_BURST`]
    /// refilled at [`PINGS_PER_SECOND`]. A peer that keeps pinging beyond it ([`PING_FLOOD`]
    /// refused) makes us answer nothing more and close the link: it leaves every room.
    fn ping_allowed(&mut self, now: Millis, link: LinkId) -> bool {
        let Some(state) = self.links.get_mut(&link) else {
            return false;
        };
        let (tokens, since, refused) = state.pings;
        let elapsed = u32::try_from(now.0.saturating_sub(since.0)).unwrap_or(u32::MAX);
        let refill = elapsed.saturating_mul(PINGS_PER_SECOND) / 1_000;
        let tokens = if refill > 0 {
            state.pings.1 = now;
            tokens.saturating_add(refill).min(PING_BURST)
        } else {
            tokens
        };
        if tokens > 0 {
            state.pings.0 = tokens - 1;
            return true;
        }
        state.pings = (0, state.pings.1, refused + 1);
        self.stats.unanswered_pings += 1;
        if refused + 1 >= PING_FLOOD {
            let peer = state.peer;
            tracing::warn!(%peer, "pings far beyond the budget: closing the link");
            self.stats.flooding_links += 1;
            self.drop_link(now, link, DropReason::PingFlood);
        }
        false
    }

    /// Cuts off the peer of `link`: [`RoomEvent::PeerDropped`] in every room where it is
    /// active, then the link closes (and `PeerLeft` follows).
    fn drop_link(&mut self, now: Millis, link: LinkId, reason: DropReason) {
        let Some(peer) = self.links.get(&link).map(|state| state.peer) else {
            return;
        };
        for (token, room) in &self.rooms {
            if room
                .sessions
                .get(&peer)
                .is_some_and(|session| session.link == link && session.handshake.is_active())
            {
                self.outputs.push_back(Output::Event {
                    room: *token,
                    event: RoomEvent::PeerDropped { peer, reason },
                });
            }
        }
        self.link_closed(now, link);
        self.outputs.push_back(Output::CloseLink { link });
    }
}
