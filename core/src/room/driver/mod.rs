//! The async driver: runs the two sans-IO halves ([`Engine`] and [`Signaling`](super::signaling::Signaling)) against real
//! ports ([`Signaler`], [`PeerTransport`], [`Clock`]) and gives users [`Room`] handles.
//!
//! Runtime-agnostic: [`Instance::new`] returns the handle and one future, the driver, which the
//! caller spawns on any executor. Handles talk to the driver through channels only. Inside, one
//! loop waits on user commands, relay messages, link events, finished port operations and the
//! next deadline; transfers (user sends) run as their own futures, polled by the same loop, so a
//! 64 MiB send never blocks signalling or other peers.
//!
//! This file holds the state and the loop, and carries the engine's and signalling's outputs to
//! the ports; `command.rs` answers user commands; `ops.rs` holds the futures the loop polls.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_channel::mpsc::{Sender, UnboundedReceiver, channel};
use futures_channel::oneshot;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tracing::Instrument;

use self::ops::{Write, add_candidate, pump, write_frames};
use super::events::DropReason;
use super::handle::Command;
use super::handle::{PeerInfo, RoomError, RoomStats, SendProgress};
use super::queue::EventSender;
use super::request::{RequestError, parse_meta};
use super::signaling::{IceCandidate, LinkIds, RoomSignaling, SignalingOutput, Step};
use super::{Engine, EngineConfig, LinkId, Output, RoomEvent};
use crate::id::{PeerId, RoomToken};
use crate::random::SharedRandom;
use crate::signaler::Signaler;
use crate::time::{Clock, Millis};
use crate::transport::{LinkEvent, LinkOptions, PeerLink, PeerTransport, TransportError};
use crate::wire::{ActionType, ReceivedMessage};

mod command;
mod ops;

struct PendingRequest {
    room: RoomToken,
    peer: PeerId,
    deadline: Millis,
    reply: oneshot::Sender<Result<ReceivedMessage, RequestError>>,
}

/// Engine frames (handshakes, pongs, leaves) that may wait for one link's writer. A peer that
/// stops reading while they pile up is dropped ([`DropReason::Unresponsive`]).
pub const WRITE_QUEUE: usize = 256;

struct RoomState {
    signaling: RoomSignaling,
    options: LinkOptions,
    events: Vec<EventSender>,
    /// The joining caller's span; the room's logs go under it.
    span: tracing::Span,
    /// The user handles (one per `join`) still held; the room is left when the last goes.
    handles: BTreeSet<u64>,
    /// Typed actions' listeners; their messages and progress go there only.
    actions: BTreeMap<ActionType, Vec<EventSender>>,
    /// Links not read while a listener of the room is full (see `queue`).
    paused: Vec<LinkId>,
    /// A `Done::Drained` for this room is on its way.
    waiting: bool,
}

impl RoomState {
    fn emit(&mut self, event: &RoomEvent) {
        let action = match event {
            RoomEvent::Message(message) => Some(message.action),
            RoomEvent::Progress { action, .. } => Some(*action),
            _ => None,
        };
        if let Some(listeners) = action.and_then(|action| self.actions.get_mut(&action)) {
            listeners.retain(|events| events.send(event.clone()));
            if !listeners.is_empty() {
                return;
            }
        }
        self.events.retain(|events| events.send(event.clone()));
    }

    /// The full listeners: while there is one, the room's links are not read.
    fn full(&self) -> impl Iterator<Item = &EventSender> {
        self.events
            .iter()
            .chain(self.actions.values().flatten())
            .filter(|events| events.is_full())
    }
}

struct LinkState<L> {
    link: Arc<L>,
    /// The remote peer; `None` for a tracker offer no answer has claimed yet.
    peer: Option<PeerId>,
    /// The room the connection was made for.
    room: RoomToken,
    /// Frames from the engine (and flush requests), written in order by the link's writer; at
    /// most [`WRITE_QUEUE`] wait.
    writer: Sender<Write>,
    /// `link{peer}`, under the room's span.
    span: tracing::Span,
    /// Bytes handed to the link (engine frames and user chunks), shared with the writers.
    sent: Arc<AtomicU64>,
    /// Bytes that arrived on the link.
    received: u64,
    alive: Arc<AtomicBool>,
}

/// Results of asynchronous port operations, back in the driver loop.
enum Done<L> {
    Created {
        link: LinkId,
        peer: Option<PeerId>,
        room: RoomToken,
        offerer: bool,
        result: Result<(L, String), TransportError>,
    },
    Event(LinkId, LinkEvent),
    /// A full listener of the room read enough (or went away): its links may be read again.
    Drained(RoomToken),
    Nothing,
}

type Ops<L> = FuturesUnordered<BoxFuture<'static, Done<L>>>;

type PingReply = oneshot::Sender<Result<Duration, RoomError>>;

pub(super) struct Driver<S, T: PeerTransport, C> {
    engine: Engine,
    /// How long leaving waits for the room's peers to have what was sent.
    leave_flush_timeout: Duration,
    /// The id of the next room handle (see `Command::Release`).
    next_handle: u64,
    signaler: Arc<S>,
    transport: Arc<T>,
    clock: C,
    rooms: BTreeMap<RoomToken, RoomState>,
    links: BTreeMap<LinkId, LinkState<T::Link>>,
    link_ids: LinkIds,
    random: SharedRandom,
    pings: BTreeMap<(RoomToken, PeerId), VecDeque<PingReply>>,
    /// The last ping round trip per (room, peer), for [`PeerInfo::rtt`] when the transport
    /// measures none.
    last_rtt: BTreeMap<(RoomToken, PeerId), Duration>,
    /// Whether each (room, peer) is active, shared with transfers so they stop on leave.
    active: BTreeMap<(RoomToken, PeerId), Arc<AtomicBool>>,
    /// Remote candidates for links whose offer is still being created.
    early_candidates: BTreeMap<LinkId, Vec<IceCandidate>>,
    signaling_out: Vec<(RoomToken, Vec<SignalingOutput>)>,
    requests: BTreeMap<String, PendingRequest>,
    /// Port operations started outside the loop's reach, handed to it at the next flush.
    deferred: Vec<BoxFuture<'static, Done<T::Link>>>,
    /// Links whose event was handled: read again at the end of the flush, unless a room they
    /// carry is full.
    reread: Vec<LinkId>,
}

impl<S: Signaler, T: PeerTransport, C: Clock + Clone> Driver<S, T, C> {
    /// A driver for `self_id` on these ports; the engine and the driver draw from one `random`.
    pub(super) fn new(
        self_id: PeerId,
        signaler: S,
        transport: T,
        clock: C,
        random: SharedRandom,
        config: EngineConfig,
    ) -> Self {
        Self {
            leave_flush_timeout: config.leave_flush_timeout,
            next_handle: 0,
            engine: Engine::new(self_id, random.clone(), config),
            signaler: Arc::new(signaler),
            transport: Arc::new(transport),
            clock,
            rooms: BTreeMap::new(),
            links: BTreeMap::new(),
            link_ids: LinkIds::default(),
            random,
            pings: BTreeMap::new(),
            last_rtt: BTreeMap::new(),
            active: BTreeMap::new(),
            early_candidates: BTreeMap::new(),
            signaling_out: Vec::new(),
            requests: BTreeMap::new(),
            deferred: Vec::new(),
            reread: Vec::new(),
        }
    }

    /// The loop, until every handle is dropped (`inbox` ends) or the signaler closes.
    pub(super) async fn run(mut self, mut inbox: UnboundedReceiver<Command>) {
        let mut ops: Ops<T::Link> = FuturesUnordered::new();
        let mut transfers: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
        loop {
            let mut sleep = match self.next_deadline() {
                Some(at) => {
                    let clock = self.clock.clone();
                    async move { clock.sleep_until(at).await }.boxed()
                }
                None => futures_util::future::pending().boxed(),
            }
            .fuse();
            let signaler = self.signaler.clone();
            let mut recv = async move { signaler.recv().await }.boxed().fuse();
            futures_util::select! {
                command = inbox.next() => match command {
                    Some(command) => self.on_command(command, &mut transfers).await,
                    None => return,
                },
                message = recv => match message {
                    Some(message) => self.on_relay_message(&message),
                    None => return,
                },
                done = ops.select_next_some() => self.on_done(done, &mut ops),
                () = transfers.select_next_some() => {},
                () = sleep => self.tick(),
            }
            self.flush(&mut ops).await;
        }
    }

    fn next_deadline(&self) -> Option<Millis> {
        let rooms = self
            .rooms
            .values()
            .filter_map(|room| room.signaling.next_deadline());
        let requests = self.requests.values().map(|request| request.deadline);
        self.engine
            .next_deadline()
            .into_iter()
            .chain(rooms)
            .chain(requests)
            .min()
    }

    fn tick(&mut self) {
        let now = self.clock.now();
        let expired: Vec<String> = self
            .requests
            .iter()
            .filter(|(_, request)| now >= request.deadline)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(request) = self.requests.remove(&id) {
                let _ = request.reply.send(Err(RequestError::Timeout));
            }
        }
        self.engine.tick(now);
        for (token, room) in &mut self.rooms {
            let mut out = Vec::new();
            room.signaling.tick(&mut Step {
                now,
                links: &mut self.link_ids,
                random: &mut self.random,
                out: &mut out,
            });
            self.signaling_out.push((*token, out));
        }
    }

    fn on_relay_message(&mut self, message: &crate::signaler::RelayMessage) {
        let now = self.clock.now();
        for (token, room) in &mut self.rooms {
            let mut out = Vec::new();
            let mut step = Step {
                now,
                links: &mut self.link_ids,
                random: &mut self.random,
                out: &mut out,
            };
            room.signaling.on_relay_message(
                &mut step,
                message.relay,
                &message.topic,
                &message.payload,
            );
            self.signaling_out.push((*token, out));
        }
    }

    fn on_done(&mut self, done: Done<T::Link>, ops: &mut Ops<T::Link>) {
        let now = self.clock.now();
        match done {
            Done::Nothing => {}
            Done::Drained(room) => {
                if let Some(state) = self.rooms.get_mut(&room) {
                    state.waiting = false;
                    // Read again; `flush` pauses them again if a listener is still full.
                    self.reread.append(&mut state.paused);
                }
            }
            Done::Created {
                link: id,
                peer,
                room,
                offerer,
                result,
            } => {
                let room_span = self.room_span(room);
                let (link, sdp) = match result {
                    Ok(made) => made,
                    Err(error) => {
                        tracing::warn!(parent: &room_span, %error, offerer, "could not make the connection");
                        // A topic offer or answer expires in the signalling half; a tracker drops
                        // the offer and makes another.
                        if let Some(state) = self.rooms.get_mut(&room)
                            && offerer
                        {
                            let mut out = Vec::new();
                            state.signaling.offer_failed(id, &mut out);
                            self.signaling_out.push((room, out));
                        }
                        return;
                    }
                };
                let span = match peer {
                    Some(peer) => {
                        tracing::debug_span!(parent: &room_span, "link", %peer, id = id.0)
                    }
                    None => tracing::debug_span!(parent: &room_span, "link", id = id.0),
                };
                tracing::debug!(parent: &span, offerer, sdp_bytes = sdp.len(), "connection made");
                let link = Arc::new(link);
                let (writer, frames) = channel(WRITE_QUEUE);
                let alive = Arc::new(AtomicBool::new(true));
                let sent = Arc::new(AtomicU64::new(0));
                ops.push(write_frames(link.clone(), frames, sent.clone()));
                ops.push(pump(id, link.clone()));
                for candidate in self.early_candidates.remove(&id).unwrap_or_default() {
                    ops.push(add_candidate(link.clone(), candidate));
                }
                self.links.insert(
                    id,
                    LinkState {
                        link,
                        peer,
                        room,
                        writer,
                        span,
                        alive,
                        sent,
                        received: 0,
                    },
                );
                if let Some(state) = self.rooms.get_mut(&room) {
                    let mut out = Vec::new();
                    if offerer {
                        state.signaling.offer_created(now, id, &sdp, &mut out);
                    } else {
                        state.signaling.answer_created(id, &sdp, &mut out);
                    }
                    self.signaling_out.push((room, out));
                }
            }
            Done::Event(id, event) => {
                let Some(state) = self.links.get(&id) else {
                    return;
                };
                let (peer, room) = (state.peer, state.room);
                let span = state.span.clone();
                match event {
                    LinkEvent::LocalCandidate(candidate) => {
                        if let Some(state) = self.rooms.get_mut(&room) {
                            let mut out = Vec::new();
                            state.signaling.local_candidate(id, candidate, &mut out);
                            self.signaling_out.push((room, out));
                        }
                    }
                    LinkEvent::Open => {
                        tracing::debug!(parent: &span, "data channel open");
                        // A tracker offer opens only after an answer bound it to a peer.
                        let Some(peer) = peer else {
                            return;
                        };
                        if let Some(state) = self.rooms.get_mut(&room) {
                            state.signaling.connected(peer, id);
                        }
                        let _ = self.engine.link_opened(now, id, peer, room);
                    }
                    LinkEvent::Message(frame) => {
                        if let Some(state) = self.links.get_mut(&id) {
                            state.received += frame.len() as u64;
                        }
                        self.engine.link_message(now, id, &frame);
                    }
                    LinkEvent::UnorderedOpen => {
                        tracing::debug!(parent: &span, "unordered channel open");
                        self.engine.unordered_opened(id);
                    }
                    LinkEvent::UnorderedMessage(frame) => {
                        if let Some(state) = self.links.get_mut(&id) {
                            state.received += frame.len() as u64;
                        }
                        self.engine.unordered_message(now, id, &frame);
                    }
                    LinkEvent::Closed => {
                        tracing::debug!(parent: &span, "connection closed");
                        self.close_link(id);
                        return;
                    }
                }
                self.reread.push(id);
            }
        }
    }

    /// The room's span (none once the room is gone).
    pub(super) fn room_span(&self, room: RoomToken) -> tracing::Span {
        self.rooms
            .get(&room)
            .map_or_else(tracing::Span::none, |state| state.span.clone())
    }

    /// Cuts a peer that misbehaves: [`RoomEvent::PeerDropped`] in every room it is in, then
    /// its link closes (and `PeerLeft` follows).
    fn drop_peer(&mut self, link: LinkId, reason: DropReason) {
        let Some(peer) = self.links.get(&link).and_then(|state| state.peer) else {
            self.close_link(link);
            return;
        };
        for (token, state) in &mut self.rooms {
            if self.engine.sessions(*token).contains(&(peer, link)) {
                tracing::warn!(parent: &state.span, %peer, %reason, "dropping the peer");
                state.emit(&RoomEvent::PeerDropped { peer, reason });
            }
        }
        self.close_link(link);
    }

    fn close_link(&mut self, id: LinkId) {
        let now = self.clock.now();
        if let Some(state) = self.links.remove(&id) {
            state.alive.store(false, Ordering::SeqCst);
            state.link.close();
            if let Some(peer) = state.peer {
                for room in self.rooms.values_mut() {
                    room.signaling.disconnected(now, peer);
                }
            }
        }
        self.engine.link_closed(now, id);
    }

    /// Carries out everything the two halves asked for.
    async fn flush(&mut self, ops: &mut Ops<T::Link>) {
        loop {
            let mut moved = false;
            for (room, outputs) in std::mem::take(&mut self.signaling_out) {
                for output in outputs {
                    moved = true;
                    self.carry_signaling(room, output, ops).await;
                }
            }
            while let Some(output) = self.engine.poll_output() {
                moved = true;
                self.carry_engine(output);
            }
            for op in self.deferred.drain(..) {
                ops.push(op);
            }
            if !moved {
                break;
            }
        }
        self.read_again(ops);
    }

    /// Reads the links in `reread` again, except those carrying a room with a full listener:
    /// they wait in the room's `paused` until a `Done::Drained`.
    fn read_again(&mut self, ops: &mut Ops<T::Link>) {
        for id in std::mem::take(&mut self.reread) {
            let Some(link) = self.links.get(&id) else {
                continue;
            };
            let full = self.rooms.iter_mut().find(|(token, state)| {
                state.full().next().is_some()
                    && (link.room == **token
                        || self
                            .engine
                            .sessions(**token)
                            .iter()
                            .any(|(_, session)| *session == id))
            });
            let Some((token, state)) = full else {
                ops.push(pump(id, link.link.clone()));
                continue;
            };
            state.paused.push(id);
            if !state.waiting {
                state.waiting = true;
                tracing::debug!(parent: &state.span, "events unread: not reading from the peers");
                let token = *token;
                let drained: Vec<_> = state.full().map(EventSender::drained).collect();
                ops.push(
                    async move {
                        futures_util::future::select_all(drained).await;
                        Done::Drained(token)
                    }
                    .boxed(),
                );
            }
        }
    }

    async fn carry_signaling(
        &mut self,
        room: RoomToken,
        output: SignalingOutput,
        ops: &mut Ops<T::Link>,
    ) {
        let span = self.room_span(room);
        match output {
            SignalingOutput::Subscribe(topic) => {
                let _ = self.signaler.subscribe(&topic).await;
            }
            SignalingOutput::Publish {
                relay,
                topic,
                payload,
            } => {
                // The payload is encrypted, yet never logged: its size is enough.
                tracing::trace!(parent: &span, ?relay, bytes = payload.len(), "publishing");
                if let Err(error) = self.signaler.publish(relay, &topic, &payload).await {
                    tracing::debug!(parent: &span, %error, "publish failed");
                }
            }
            SignalingOutput::CreateOffer { peer, .. }
            | SignalingOutput::AcceptOffer { peer, .. }
                if self.engine.has_link_to(peer) =>
            {
                // One connection per peer: this room binds on the existing one.
                tracing::debug!(parent: &span, %peer, "using the connection we already have");
                if let Some(state) = self.rooms.get_mut(&room) {
                    let mut out = Vec::new();
                    state.signaling.use_shared_connection(peer, &mut out);
                    self.signaling_out.push((room, out));
                }
            }
            SignalingOutput::BindPeer { link, peer } if self.engine.has_link_to(peer) => {
                self.close_link(link);
                if let Some(state) = self.rooms.get_mut(&room) {
                    let mut out = Vec::new();
                    state.signaling.use_shared_connection(peer, &mut out);
                    self.signaling_out.push((room, out));
                }
            }
            SignalingOutput::BindPeer { link, peer } => {
                if let Some(state) = self.links.get_mut(&link) {
                    state.peer = Some(peer);
                }
            }
            SignalingOutput::CreatePoolOffer { link } => {
                self.create_link(room, link, None, None, ops);
            }
            SignalingOutput::RelayNotice { relay, message } => {
                tracing::warn!(parent: &span, relay, %message, "relay notice");
                if let Some(state) = self.rooms.get_mut(&room) {
                    state.emit(&RoomEvent::RelayNotice { relay, message });
                }
            }
            SignalingOutput::CreateOffer { link, peer } => {
                tracing::debug!(parent: &span, %peer, "offering a connection");
                self.create_link(room, link, Some(peer), None, ops);
            }
            SignalingOutput::AcceptOffer { link, peer, sdp } => {
                tracing::debug!(parent: &span, %peer, "answering an offer");
                self.create_link(room, link, Some(peer), Some(sdp), ops);
            }
            SignalingOutput::ApplyAnswer { link, sdp } => {
                if let Some(state) = self.links.get(&link) {
                    tracing::debug!(parent: &state.span, "applying the answer");
                    let link = state.link.clone();
                    ops.push(
                        async move {
                            // A bad answer leaves the offer to expire in the signalling half.
                            let _ = link.apply_answer(&sdp).await;
                            Done::Nothing
                        }
                        .boxed(),
                    );
                }
            }
            SignalingOutput::AddCandidate { link, candidate } => match self.links.get(&link) {
                Some(state) => ops.push(add_candidate(state.link.clone(), candidate)),
                None => self
                    .early_candidates
                    .entry(link)
                    .or_default()
                    .push(candidate),
            },
            SignalingOutput::CloseLink { link } => self.close_link(link),
            SignalingOutput::JoinError { peer, error } => {
                tracing::warn!(parent: &span, %peer, %error, "peer could not join");
                if let Some(state) = self.rooms.get_mut(&room) {
                    state.emit(&RoomEvent::JoinError { peer, error });
                }
            }
        }
    }

    /// Makes a connection: an offer (no `offer` SDP) or an answer to `offer`.
    fn create_link(
        &mut self,
        room: RoomToken,
        link: LinkId,
        peer: Option<PeerId>,
        offer: Option<String>,
        ops: &mut Ops<T::Link>,
    ) {
        let Some(options) = self.rooms.get(&room).map(|r| r.options.clone()) else {
            return;
        };
        let transport = self.transport.clone();
        let span = self.room_span(room);
        ops.push(
            async move {
                let offerer = offer.is_none();
                let result = match offer {
                    None => transport.create_offer(&options).await,
                    Some(sdp) => transport.accept_offer(&sdp, &options).await,
                };
                Done::Created {
                    link,
                    peer,
                    room,
                    offerer,
                    result,
                }
            }
            // The transport's own logs (ICE and connection states) go under the room.
            .instrument(span)
            .boxed(),
        );
    }

    fn carry_engine(&mut self, output: Output) {
        match output {
            Output::OpenUnordered { link } => {
                if let Some(state) = self.links.get(&link) {
                    tracing::debug!(parent: &state.span, "opening the unordered channel");
                    let link = state.link.clone();
                    self.deferred.push(
                        async move {
                            // If it fails the link keeps its one channel: sends stay reliable.
                            let _ = link.open_unordered().await;
                            Done::Nothing
                        }
                        .boxed(),
                    );
                }
            }
            Output::SendFrame { link, frame } => {
                let full = self.links.get_mut(&link).is_some_and(|state| {
                    match state.writer.try_send(Write::Frame(frame)) {
                        Err(error) => error.is_full(),
                        Ok(()) => false,
                    }
                });
                if full {
                    self.drop_peer(link, DropReason::Unresponsive);
                }
            }
            Output::CloseLink { link } => self.close_link(link),
            Output::Event { room, event } => {
                let span = self.room_span(room);
                match &event {
                    RoomEvent::PeerJoined(peer) => {
                        tracing::info!(parent: &span, %peer, "peer joined");
                        self.active
                            .insert((room, *peer), Arc::new(AtomicBool::new(true)));
                    }
                    RoomEvent::Message(message)
                        if message.action.as_str() == ActionType::RESPONSE =>
                    {
                        let meta = message.metadata.as_ref().and_then(parse_meta);
                        let pending = meta.as_ref().and_then(|meta| {
                            let request = self.requests.get(&meta.id)?;
                            (request.room == room && request.peer == message.peer).then_some(meta)
                        });
                        if let Some(meta) = pending
                            && let Some(request) = self.requests.remove(&meta.id)
                        {
                            let outcome = match &meta.error {
                                Some(error) => Err(RequestError::Rejected(error.clone())),
                                None => Ok(message.clone()),
                            };
                            let _ = request.reply.send(outcome);
                        }
                        return;
                    }
                    RoomEvent::PeerLeft(peer) | RoomEvent::JoinError { peer, .. } => {
                        if matches!(event, RoomEvent::PeerLeft(_)) {
                            tracing::info!(parent: &span, %peer, "peer left");
                        } else {
                            tracing::warn!(parent: &span, %peer, ?event, "peer could not join");
                        }
                        if let Some(flag) = self.active.remove(&(room, *peer)) {
                            flag.store(false, Ordering::SeqCst);
                        }
                        let gone: Vec<String> = self
                            .requests
                            .iter()
                            .filter(|(_, r)| r.room == room && r.peer == *peer)
                            .map(|(id, _)| id.clone())
                            .collect();
                        for id in gone {
                            if let Some(request) = self.requests.remove(&id) {
                                let _ = request.reply.send(Err(RequestError::Disconnected));
                            }
                        }
                        for waiter in self.pings.remove(&(room, *peer)).unwrap_or_default() {
                            let _ = waiter.send(Err(RoomError::PeerLeft(*peer)));
                        }
                    }
                    RoomEvent::Pong { peer, rtt } => {
                        tracing::debug!(parent: &span, %peer, ?rtt, "pong");
                        self.last_rtt.insert((room, *peer), *rtt);
                        if let Some(waiter) = self
                            .pings
                            .get_mut(&(room, *peer))
                            .and_then(VecDeque::pop_front)
                        {
                            let _ = waiter.send(Ok(*rtt));
                        }
                        return;
                    }
                    RoomEvent::ReceiveError { peer, error } => {
                        tracing::warn!(parent: &span, %peer, %error, "dropped a message");
                    }
                    _ => {}
                }
                if let Some(state) = self.rooms.get_mut(&room) {
                    state.emit(&event);
                }
            }
        }
    }
}
