//! The room engine: a sans-IO state machine for everything that happens on data channels.
//!
//! One [`Engine`] serves one app for one local peer. It owns the shared connections ("links",
//! one per remote peer, protocol §5.4), the rooms joined on them and, per (room, peer), the
//! handshake (§6.5), the reassembler and the nonce counters. It never performs IO and never reads
//! a clock: the driver feeds it events with the current [`Millis`] and drains [`Output`]s —
//! frames to send, links to close, and [`RoomEvent`]s for the user.
//!
//! What it does, following Trystero JS 0.25:
//! - on a new link, a presence frame for every joined room, then the room's handshake;
//! - binds further rooms on the same link when the remote's presence frame names them;
//! - buffers room frames for rooms not bound yet (bounded, unlike JS);
//! - the `@_hsready` / password handshake with its deadline; only active peers get user actions;
//! - `@_ping`/`@_pong`, `@_leave`, presence 0 on leave, and idle links closed after 123 333 ms;
//! - nonces per (room, action) for every transmission, and receive progress;
//! - beyond JS, between two trystero-rs peers: `@_features` once per connection, after which
//!   the leading peer opens the connection's second, unordered channel
//!   ([`Output::OpenUnordered`]); single-frame user messages may then travel on it
//!   ([`Engine::unordered_message`]). A Trystero JS peer never announces it, so its
//!   connections keep one channel.
//!
//! Sending user payloads is split: [`Engine::prepare_send`] picks the nonce and the active
//! targets; the driver streams the chunks to each link with back-pressure, checking
//! [`Engine::is_active`] between chunks so a transfer stops when its target leaves.
//!
//! This file holds the engine's types, links, rooms and sessions; `inbound.rs` the path of a
//! received room frame (buffering, reassembly, dispatch); `handshake.rs` the per-peer
//! `@_hsready` / password handshake; `unordered.rs` the second channel (`@_features`, opening
//! it, what it may carry).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use self::handshake::{CHALLENGE_LEN, Handshake, HandshakeStep};
use super::{LinkId, RoomEvent};
use crate::id::{PeerId, RoomToken, random_id_with};
use crate::keys::RoomKeys;
use crate::random::RandomSource;
use crate::time::Millis;
use crate::wire::{
    ActionType, Frame, NonceCounter, Payload, Reassembler, ReassemblyLimits, chunks, decode_frame,
    encode_presence_frame,
};

pub mod handshake;
mod inbound;
pub use inbound::{PING_BURST, PING_FLOOD, PINGS_PER_SECOND};
mod unordered;

use self::unordered::Unordered;

/// How long a link with no room on it stays open (JS: 123 333 ms).
pub const IDLE_LINK_CLOSE: Duration = Duration::from_millis(123_333);

/// Tunables of the engine; the defaults follow JS where it has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// Limits of every room's reassembler.
    pub reassembly: ReassemblyLimits,
    /// How long an unused link stays open.
    pub idle_link_close: Duration,
    /// Frames buffered per link for rooms not bound yet (JS: unbounded).
    pub max_pending_frames: usize,
    /// Bytes buffered per link for rooms not bound yet.
    pub max_pending_bytes: usize,
    /// Distinct room tokens a remote may advertise on one link.
    pub max_remote_rooms: usize,
    /// How long leaving a room waits for its peers to acknowledge what was sent to them.
    pub leave_flush_timeout: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            reassembly: ReassemblyLimits::default(),
            idle_link_close: IDLE_LINK_CLOSE,
            max_pending_frames: 256,
            max_pending_bytes: 4 << 20,
            max_remote_rooms: 64,
            leave_flush_timeout: Duration::from_secs(10),
        }
    }
}

/// What the driver must do.
#[derive(Debug)]
pub enum Output {
    /// Send one data-channel message on the link.
    SendFrame {
        /// The link.
        link: LinkId,
        /// The message bytes.
        frame: Vec<u8>,
    },
    /// Close the link (idle, replaced, or all of its rooms failed).
    CloseLink {
        /// The link.
        link: LinkId,
    },
    /// Open the link's second, unordered channel (both ends announced `@_features`).
    OpenUnordered {
        /// The link.
        link: LinkId,
    },
    /// Tell the user of the room.
    Event {
        /// The room.
        room: RoomToken,
        /// What happened.
        event: RoomEvent,
    },
}

/// An engine call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The room is not joined.
    #[error("not in room {0}")]
    UnknownRoom(RoomToken),
    /// The peer is not an active member of the room.
    #[error("peer {0} is not in the room")]
    PeerNotInRoom(PeerId),
    /// No random bytes for a challenge.
    #[error("no randomness available: {0}")]
    Random(String),
}

/// Counters for diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Messages that were not a valid frame or chunk.
    pub malformed_frames: u64,
    /// Frames dropped because a bound is reached (pending frames, advertised rooms).
    pub dropped_frames: u64,
    /// User chunks dropped because the peer had not finished the handshake.
    pub dropped_while_pending: u64,
    /// Internal actions this engine ignores (`@_signal`, `@_stream`, `@_track`).
    pub ignored_internal: u64,
    /// `@_ping`s not answered: the peer pinged faster than [`PINGS_PER_SECOND`] allows.
    pub unanswered_pings: u64,
    /// Links closed because their peer kept pinging far beyond the budget ([`PING_FLOOD`]).
    pub flooding_links: u64,
}

/// The targets and nonce of one user transmission, from [`Engine::prepare_send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmission {
    /// The room.
    pub room: RoomToken,
    /// The action.
    pub action: ActionType,
    /// The nonce every target receives.
    pub nonce: u16,
    /// Each active target and its link.
    pub targets: Vec<(PeerId, LinkId)>,
}

#[derive(Debug)]
struct Session {
    link: LinkId,
    handshake: Handshake,
}

struct JoinedRoom {
    keys: Arc<dyn RoomKeys>,
    handshake_timeout: Duration,
    sessions: BTreeMap<PeerId, Session>,
    reassembler: Reassembler,
    nonces: NonceCounter,
    pings: BTreeMap<PeerId, VecDeque<Millis>>,
    /// Messages from the unordered channel: single-frame ones only, so it never holds a
    /// partial transfer.
    unordered: Reassembler,
}

impl std::fmt::Debug for JoinedRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinedRoom")
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Link {
    peer: PeerId,
    /// `@_features` went out on this link.
    features_sent: bool,
    /// The second channel.
    unordered: Unordered,
    remote_rooms: BTreeSet<RoomToken>,
    pending: VecDeque<(RoomToken, Vec<u8>)>,
    pending_bytes: usize,
    idle_since: Option<Millis>,
    /// The `@_ping` budget: answers left, when it was last refilled, pings refused so far.
    pings: (u32, Millis, u32),
}

/// The sans-IO room engine for one app and one local peer id. See the [module docs](self).
pub struct Engine {
    self_id: PeerId,
    config: EngineConfig,
    rooms: BTreeMap<RoomToken, JoinedRoom>,
    links: BTreeMap<LinkId, Link>,
    outputs: VecDeque<Output>,
    random: Box<dyn RandomSource + Send>,
    stats: EngineStats,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("self_id", &self.self_id)
            .field("rooms", &self.rooms)
            .field("links", &self.links)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine for `self_id`, drawing password challenges from `random`.
    pub fn new(
        self_id: PeerId,
        random: impl RandomSource + Send + 'static,
        config: EngineConfig,
    ) -> Self {
        Self {
            self_id,
            config,
            rooms: BTreeMap::new(),
            links: BTreeMap::new(),
            outputs: VecDeque::new(),
            random: Box::new(random),
            stats: EngineStats::default(),
        }
    }

    /// Our peer id.
    pub fn self_id(&self) -> PeerId {
        self.self_id
    }

    /// The counters so far.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// The next output to carry out.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Joins a room (idempotent: joining again returns the same token and changes nothing).
    /// Advertises it on every open link and binds it where the remote already advertised it.
    pub fn join(
        &mut self,
        now: Millis,
        keys: Arc<dyn RoomKeys>,
        handshake_timeout: Duration,
    ) -> Result<RoomToken, EngineError> {
        let token = keys.token();
        if self.rooms.contains_key(&token) {
            return Ok(token);
        }
        self.rooms.insert(
            token,
            JoinedRoom {
                keys,
                handshake_timeout,
                sessions: BTreeMap::new(),
                reassembler: Reassembler::with_limits(self.config.reassembly),
                nonces: NonceCounter::new(),
                pings: BTreeMap::new(),
                unordered: Reassembler::with_limits(self.config.reassembly),
            },
        );
        let links: Vec<(LinkId, bool)> = self
            .links
            .iter()
            .map(|(id, link)| (*id, link.remote_rooms.contains(&token)))
            .collect();
        for (link, advertised) in links {
            self.send_presence(link, token, true);
            if advertised {
                self.bind(now, link, token)?;
            }
        }
        Ok(token)
    }

    /// Every peer of a room (pending ones too) and the link it is on.
    pub fn sessions(&self, room: RoomToken) -> Vec<(PeerId, LinkId)> {
        self.rooms.get(&room).map_or_else(Vec::new, |room| {
            room.sessions
                .iter()
                .map(|(peer, session)| (*peer, session.link))
                .collect()
        })
    }

    /// Leaves a room: `@_leave` to every peer (pending ones too), presence 0, then forgets it.
    pub fn leave(&mut self, now: Millis, room: RoomToken) -> Result<(), EngineError> {
        let sessions: Vec<(PeerId, LinkId)> = self
            .room(room)?
            .sessions
            .iter()
            .map(|(peer, session)| (*peer, session.link))
            .collect();
        for (_, link) in &sessions {
            self.send_internal(
                room,
                *link,
                ActionType::LEAVE,
                &Payload::Text(String::new()),
            );
        }
        for link in self.links.keys().copied().collect::<Vec<_>>() {
            self.send_presence(link, room, false);
        }
        self.rooms.remove(&room);
        for (_, link) in sessions {
            self.mark_idle_if_unused(now, link);
        }
        Ok(())
    }

    /// Active peers of a room.
    pub fn peers(&self, room: RoomToken) -> Vec<PeerId> {
        self.rooms.get(&room).map_or_else(Vec::new, |room| {
            room.sessions
                .iter()
                .filter(|(_, session)| session.handshake.is_active())
                .map(|(peer, _)| *peer)
                .collect()
        })
    }

    /// Whether an open link to `peer` exists (a shared connection any room can use).
    pub fn has_link_to(&self, peer: PeerId) -> bool {
        self.links.values().any(|link| link.peer == peer)
    }

    /// Bytes the room's reassembler holds for transfers in progress.
    pub fn buffered_bytes(&self, room: RoomToken) -> usize {
        self.rooms
            .get(&room)
            .map_or(0, |room| room.reassembler.total_buffered_bytes())
    }

    /// Incoming transfers in progress in `room`.
    pub fn incoming_transfers(&self, room: RoomToken) -> usize {
        self.rooms
            .get(&room)
            .map_or(0, |room| room.reassembler.total_transfers())
    }

    /// Whether `peer` is an active member of `room`.
    pub fn is_active(&self, room: RoomToken, peer: PeerId) -> bool {
        self.rooms
            .get(&room)
            .and_then(|room| room.sessions.get(&peer))
            .is_some_and(|session| session.handshake.is_active())
    }

    /// A new connection to `peer` is open, made for `room`. Presence frames for every joined
    /// room go out first, then `room`'s handshake starts. A previous link to the same peer is
    /// replaced (closed).
    pub fn link_opened(
        &mut self,
        now: Millis,
        link: LinkId,
        peer: PeerId,
        room: RoomToken,
    ) -> Result<(), EngineError> {
        let previous: Vec<LinkId> = self
            .links
            .iter()
            .filter(|(id, existing)| existing.peer == peer && **id != link)
            .map(|(id, _)| *id)
            .collect();
        for old in previous {
            self.link_closed(now, old);
            self.outputs.push_back(Output::CloseLink { link: old });
        }
        self.links.insert(
            link,
            Link {
                peer,
                features_sent: false,
                unordered: Unordered::Closed,
                remote_rooms: BTreeSet::new(),
                pending: VecDeque::new(),
                pending_bytes: 0,
                idle_since: None,
                pings: (PING_BURST, now, 0),
            },
        );
        for token in self.rooms.keys().copied().collect::<Vec<_>>() {
            self.send_presence(link, token, true);
        }
        if self.rooms.contains_key(&room) {
            self.bind(now, link, room)?;
        } else {
            self.mark_idle_if_unused(now, link);
        }
        Ok(())
    }

    /// The link closed or failed: its peers leave every room they were in.
    pub fn link_closed(&mut self, now: Millis, link: LinkId) {
        let Some(closed) = self.links.remove(&link) else {
            return;
        };
        let _ = now;
        for (token, room) in &mut self.rooms {
            let Some(session) = room.sessions.get(&closed.peer) else {
                continue;
            };
            if session.link != link {
                continue;
            }
            let was_active = session.handshake.is_active();
            room.sessions.remove(&closed.peer);
            room.reassembler.forget_peer(&closed.peer);
            room.pings.remove(&closed.peer);
            if was_active {
                self.outputs.push_back(Output::Event {
                    room: *token,
                    event: RoomEvent::PeerLeft(closed.peer),
                });
            }
        }
    }

    /// One data-channel message arrived on `link`.
    pub fn link_message(&mut self, now: Millis, link: LinkId, message: &[u8]) {
        let Some(peer) = self.links.get(&link).map(|l| l.peer) else {
            return;
        };
        match decode_frame(message) {
            Err(_) => self.stats.malformed_frames += 1,
            Ok(Frame::Presence { token, present }) => {
                let Ok(token) = RoomToken::from_bytes(token) else {
                    self.stats.malformed_frames += 1;
                    return;
                };
                self.on_presence(now, link, token, present);
            }
            Ok(Frame::Room { token, chunk }) => {
                let Ok(token) = RoomToken::from_bytes(token) else {
                    self.stats.malformed_frames += 1;
                    return;
                };
                let bound = self
                    .rooms
                    .get(&token)
                    .and_then(|room| room.sessions.get(&peer))
                    .is_some_and(|session| session.link == link);
                if bound {
                    self.on_chunk(now, token, peer, link, chunk);
                } else {
                    self.buffer_pending(link, token, chunk);
                }
            }
        }
    }

    /// Sends `@_ping` to an active peer; its `@_pong` becomes [`RoomEvent::Pong`].
    pub fn ping(&mut self, now: Millis, room: RoomToken, peer: PeerId) -> Result<(), EngineError> {
        let link = self.active_link(room, peer)?;
        self.room_mut(room)?
            .pings
            .entry(peer)
            .or_default()
            .push_back(now);
        self.send_internal(room, link, ActionType::PING, &Payload::Text(String::new()));
        Ok(())
    }

    /// Picks the nonce and the active targets of a user transmission (`None`: every active
    /// peer). Unknown or inactive explicit targets are an error, so a caller never believes a
    /// message went where it did not.
    pub fn prepare_send(
        &mut self,
        room: RoomToken,
        action: ActionType,
        targets: Option<&[PeerId]>,
    ) -> Result<Transmission, EngineError> {
        let peers = match targets {
            Some(list) => list.to_vec(),
            None => self.peers(room),
        };
        let mut resolved = Vec::with_capacity(peers.len());
        for peer in peers {
            resolved.push((peer, self.active_link(room, peer)?));
        }
        let nonce = self.room_mut(room)?.nonces.next(action);
        Ok(Transmission {
            room,
            action,
            nonce,
            targets: resolved,
        })
    }

    /// Checks deadlines: handshake timeouts and idle links.
    pub fn tick(&mut self, now: Millis) {
        let mut failures = Vec::new();
        for (token, room) in &mut self.rooms {
            for (peer, session) in &mut room.sessions {
                for step in session.handshake.on_tick(now) {
                    if let HandshakeStep::Failed(error) = step {
                        failures.push((*token, *peer, error));
                    }
                }
            }
        }
        for (token, peer, error) in failures {
            self.fail_session(now, token, peer, error);
        }
        let idle_after = self.config.idle_link_close;
        let expired: Vec<LinkId> = self
            .links
            .iter()
            .filter(|(_, link)| {
                link.idle_since
                    .is_some_and(|since| now >= since.after(idle_after))
            })
            .map(|(id, _)| *id)
            .collect();
        for link in expired {
            self.links.remove(&link);
            self.outputs.push_back(Output::CloseLink { link });
        }
    }

    /// The earliest instant [`Engine::tick`] has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        let handshakes = self
            .rooms
            .values()
            .flat_map(|room| room.sessions.values())
            .filter_map(|session| session.handshake.deadline());
        let idle = self.links.values().filter_map(|link| {
            link.idle_since
                .map(|since| since.after(self.config.idle_link_close))
        });
        handshakes.chain(idle).min()
    }

    fn room(&self, room: RoomToken) -> Result<&JoinedRoom, EngineError> {
        self.rooms.get(&room).ok_or(EngineError::UnknownRoom(room))
    }

    fn room_mut(&mut self, room: RoomToken) -> Result<&mut JoinedRoom, EngineError> {
        self.rooms
            .get_mut(&room)
            .ok_or(EngineError::UnknownRoom(room))
    }

    fn active_link(&self, room: RoomToken, peer: PeerId) -> Result<LinkId, EngineError> {
        self.room(room)?
            .sessions
            .get(&peer)
            .filter(|session| session.handshake.is_active())
            .map(|session| session.link)
            .ok_or(EngineError::PeerNotInRoom(peer))
    }

    fn on_presence(&mut self, now: Millis, link: LinkId, token: RoomToken, present: bool) {
        let max_rooms = self.config.max_remote_rooms;
        let Some(state) = self.links.get_mut(&link) else {
            return;
        };
        if !present {
            state.remote_rooms.remove(&token);
            return;
        }
        if !state.remote_rooms.contains(&token) && state.remote_rooms.len() >= max_rooms {
            self.stats.dropped_frames += 1;
            return;
        }
        state.remote_rooms.insert(token);
        let peer = state.peer;
        let unbound = self
            .rooms
            .get(&token)
            .is_some_and(|room| !room.sessions.contains_key(&peer));
        if unbound {
            // A room we are in: start its handshake on this shared link (§5.4). Challenge
            // randomness failing leaves the room unbound; the next presence retries.
            let _ = self.bind(now, link, token);
        }
    }

    /// Starts `room`'s handshake with the link's peer, then replays frames buffered for it.
    fn bind(&mut self, now: Millis, link: LinkId, token: RoomToken) -> Result<(), EngineError> {
        let Some(peer) = self.links.get(&link).map(|l| l.peer) else {
            return Ok(());
        };
        let challenge = random_id_with(&mut *self.random, CHALLENGE_LEN)
            .map_err(|error| EngineError::Random(error.to_string()))?;
        let initiator = self.self_id.leads(&peer);
        let room = self.room_mut(token)?;
        let (handshake, steps) = Handshake::start(
            now,
            room.handshake_timeout,
            initiator,
            room.keys.as_ref(),
            challenge,
        );
        room.sessions.insert(peer, Session { link, handshake });
        if let Some(state) = self.links.get_mut(&link) {
            state.idle_since = None;
        }
        self.apply_steps(now, token, peer, link, steps);
        self.replay_pending(now, link, token);
        Ok(())
    }

    fn apply_steps(
        &mut self,
        now: Millis,
        token: RoomToken,
        peer: PeerId,
        link: LinkId,
        steps: Vec<HandshakeStep>,
    ) {
        for step in steps {
            match step {
                HandshakeStep::SendData(json) => {
                    self.send_internal(
                        token,
                        link,
                        ActionType::HANDSHAKE_DATA,
                        &Payload::Json(json),
                    );
                }
                HandshakeStep::SendReady => {
                    self.send_internal(
                        token,
                        link,
                        ActionType::HANDSHAKE_READY,
                        &Payload::Text(String::new()),
                    );
                }
                HandshakeStep::Activated => {
                    self.outputs.push_back(Output::Event {
                        room: token,
                        event: RoomEvent::PeerJoined(peer),
                    });
                    self.announce_features(token, link);
                }
                HandshakeStep::Failed(error) => self.fail_session(now, token, peer, error),
            }
        }
    }

    fn fail_session(&mut self, now: Millis, token: RoomToken, peer: PeerId, error: String) {
        self.outputs.push_back(Output::Event {
            room: token,
            event: RoomEvent::JoinError { peer, error },
        });
        self.remove_session(now, token, peer, false);
    }

    /// Drops the binding of `peer` in `token`; `PeerLeft` if it was active and `announce`.
    fn remove_session(&mut self, now: Millis, token: RoomToken, peer: PeerId, announce: bool) {
        let Some(room) = self.rooms.get_mut(&token) else {
            return;
        };
        let Some(session) = room.sessions.remove(&peer) else {
            return;
        };
        room.reassembler.forget_peer(&peer);
        room.pings.remove(&peer);
        if announce && session.handshake.is_active() {
            self.outputs.push_back(Output::Event {
                room: token,
                event: RoomEvent::PeerLeft(peer),
            });
        }
        self.mark_idle_if_unused(now, session.link);
    }

    fn mark_idle_if_unused(&mut self, now: Millis, link: LinkId) {
        let used = self
            .rooms
            .values()
            .any(|room| room.sessions.values().any(|session| session.link == link));
        if let Some(state) = self.links.get_mut(&link)
            && !used
            && state.idle_since.is_none()
        {
            state.idle_since = Some(now);
        }
    }

    fn send_presence(&mut self, link: LinkId, token: RoomToken, present: bool) {
        let mut frame = Vec::with_capacity(68);
        encode_presence_frame(&token, present, &mut frame);
        self.outputs.push_back(Output::SendFrame { link, frame });
    }

    /// Sends a small internal payload (whole, no back-pressure needed) to one link.
    fn send_internal(&mut self, token: RoomToken, link: LinkId, name: &str, payload: &Payload) {
        let Ok(action) = ActionType::new(name) else {
            return;
        };
        let Some(room) = self.rooms.get_mut(&token) else {
            return;
        };
        let nonce = room.nonces.next(action);
        for frame in
            chunks(action, nonce, payload.kind(), payload.as_bytes(), None).into_room_frames(token)
        {
            self.outputs.push_back(Output::SendFrame { link, frame });
        }
    }
}
