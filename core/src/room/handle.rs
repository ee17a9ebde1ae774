//! The handles users hold: [`Instance`] (one local peer of one app), [`Room`] (a joined room,
//! which reads events) and [`RoomSender`] (cloneable, for sending from other tasks). They talk
//! to the driver only through `Command`s on a channel.

use std::sync::Arc;
use std::time::Duration;

use super::queue::{EventReceiver, EventSender, event_queue};
use futures_channel::mpsc::{UnboundedSender, unbounded};
use futures_channel::oneshot;
use futures_util::stream::StreamExt;

use super::driver::Driver;
use super::request::RequestError;
use super::{EngineConfig, EngineError, RoomEvent};
use crate::config::RoomConfig;
use crate::id::{PeerId, RoomToken};
use crate::keys::RoomKeys;
use crate::random::{OsRandom, RandomSource, SharedRandom};
use crate::signaler::{RelayState, Signaler};
use crate::time::Clock;
use crate::transport::{CandidateType, PeerTransport};
use crate::wire::{ActionType, JsonText, Payload, ReceivedMessage};

use super::send::Sending;

/// A room operation could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoomError {
    /// The engine refused (unknown room, peer not in the room).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A target left (or its connection closed) before every chunk was handed over, or, when
    /// leaving, before it acknowledged everything sent to it.
    #[error("peer {0} left before the message was sent")]
    PeerLeft(PeerId),
    /// Leaving: the peer had not acknowledged everything sent to it when the wait
    /// ([`EngineConfig::leave_flush_timeout`](super::EngineConfig::leave_flush_timeout)) ended.
    #[error("peer {0} did not acknowledge everything sent to it before the room was left")]
    FlushTimeout(PeerId),
    /// The instance's driver is gone.
    #[error("the room's driver stopped")]
    Stopped,
}

/// What the handles ask the driver.
pub(crate) enum Command {
    Join(JoinCommand),
    Leave {
        room: RoomToken,
        reply: oneshot::Sender<Result<(), RoomError>>,
    },
    /// The last clone of one join's handles was dropped.
    Release {
        room: RoomToken,
        handle: u64,
    },
    Send(SendCommand),
    Ping {
        room: RoomToken,
        peer: PeerId,
        reply: oneshot::Sender<Result<Duration, RoomError>>,
    },
    Peers {
        room: RoomToken,
        reply: oneshot::Sender<Vec<PeerInfo>>,
    },
    /// Pause (`true`) or resume relay reconnection.
    PauseReconnection(bool),
    RelaySockets {
        reply: oneshot::Sender<Vec<(String, RelayState)>>,
    },
    Stats {
        room: RoomToken,
        reply: oneshot::Sender<RoomStats>,
    },
    Subscribe {
        room: RoomToken,
        action: ActionType,
        events: EventSender,
        reply: oneshot::Sender<Result<(), RoomError>>,
    },
    Request(RequestCommand),
}

/// Join a room (see [`Instance::join`]).
pub(crate) struct JoinCommand {
    pub(crate) keys: Arc<dyn RoomKeys>,
    pub(crate) config: Box<RoomConfig>,
    /// The caller's span: the room's logs go under it.
    pub(crate) span: tracing::Span,
    pub(crate) events: EventSender,
    pub(crate) reply: oneshot::Sender<Result<(RoomToken, u64), EngineError>>,
}

/// Send a payload to the room's active peers, or some of them.
pub(crate) struct SendCommand {
    pub(crate) room: RoomToken,
    pub(crate) action: ActionType,
    pub(crate) payload: Payload,
    pub(crate) metadata: Option<JsonText>,
    pub(crate) targets: Option<Vec<PeerId>>,
    pub(crate) progress: Option<SendProgress>,
    /// Prefer the second, unordered channel where there is one (see `Sending::unordered`).
    pub(crate) unordered: bool,
    pub(crate) reply: oneshot::Sender<Result<(), RoomError>>,
}

/// Send a request to one peer and wait for its response.
pub(crate) struct RequestCommand {
    pub(crate) room: RoomToken,
    pub(crate) action: ActionType,
    pub(crate) payload: Payload,
    pub(crate) metadata: Option<JsonText>,
    pub(crate) target: PeerId,
    pub(crate) timeout: Duration,
    pub(crate) reply: oneshot::Sender<Result<ReceivedMessage, RequestError>>,
}

/// An active peer of a room and its connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeerInfo {
    /// The peer.
    pub id: PeerId,
    /// The round trip: the transport's (ICE checks) when it measures one, else the last
    /// [`Room::ping`]; `None` before either.
    pub rtt: Option<Duration>,
    /// Bytes sent on the connection to this peer (every room over it).
    pub bytes_sent: u64,
    /// Bytes received on the connection from this peer (every room over it).
    pub bytes_received: u64,
    /// How the connection reaches the peer (host, srflx, prflx or relay), once known.
    pub candidate: Option<CandidateType>,
    /// Whether the connection has its second, unordered channel open (two trystero-rs peers;
    /// never a Trystero JS peer), which [`Sending::unordered`](super::send::Sending::unordered)
    /// uses.
    pub unordered: bool,
}

/// What a room holds now: its peers, connections, buffers and waiting replies. Every count but
/// `peers` and `links` is back to zero once the room is quiet, and a peer that leaves (or is
/// killed) takes its share with it; tests and dashboards check both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoomStats {
    /// Active peers (handshake done).
    pub peers: usize,
    /// Connections made for the room, open or still being signalled.
    pub links: usize,
    /// Incoming transfers in progress.
    pub incoming_transfers: usize,
    /// Bytes those transfers hold.
    pub buffered_bytes: usize,
    /// Pings sent and not yet answered.
    pub pending_pings: usize,
    /// Requests sent and not yet answered.
    pub pending_requests: usize,
    /// Events waiting unread in this handle's queue (see [`Room::pending_events`]).
    pub queued_events: usize,
}

/// Called after each chunk a send hands over: the target and the chunk's progress byte
/// (`round((i + 1) / total · 255)`, 255 for the last).
pub type SendProgress = Arc<dyn Fn(PeerId, u8) + Send + Sync>;

/// Sends a command carrying a reply channel and waits for the driver's answer.
async fn ask<T>(
    commands: &UnboundedSender<Command>,
    command: impl FnOnce(oneshot::Sender<T>) -> Command,
) -> Result<T, RoomError> {
    let (reply, answer) = oneshot::channel();
    commands
        .unbounded_send(command(reply))
        .map_err(|_| RoomError::Stopped)?;
    answer.await.map_err(|_| RoomError::Stopped)
}

/// A handle on one local peer (one self id) of one app; clone it freely.
#[derive(Clone)]
pub struct Instance {
    pub(crate) self_id: PeerId,
    pub(crate) commands: UnboundedSender<Command>,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("self_id", &self.self_id)
            .finish()
    }
}

/// One `join`'s hold on a room, shared by its [`Room`], [`RoomSender`]s and actions. When the
/// last of them is dropped the driver is told; when no join holds the room any more, it leaves
/// it (flushing, as [`Room::leave`] does, but with nobody to tell the outcome).
struct Membership {
    token: RoomToken,
    handle: u64,
    commands: UnboundedSender<Command>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        let _ = self.commands.unbounded_send(Command::Release {
            room: self.token,
            handle: self.handle,
        });
    }
}

/// A joined room.
///
/// Dropping the room and everything made from it (senders, actions) leaves the room; to know
/// that the peers got what was sent before leaving, await [`Room::leave`] instead.
///
/// Read its events: once [`EVENT_QUEUE`](super::EVENT_QUEUE) wait unread (here, or on one of
/// its typed actions), the room stops reading from its peers until they are read, and the peers'
/// sends wait (see [`queue`](super::queue)).
pub struct Room {
    sender: RoomSender,
    events: EventReceiver,
}

/// The sending side of a room: cheap to clone, usable from other tasks while the [`Room`] itself
/// reads events (typed actions hold one too). It keeps the room joined while it lives.
#[derive(Clone)]
pub struct RoomSender {
    token: RoomToken,
    self_id: PeerId,
    commands: UnboundedSender<Command>,
    /// Held, never read: keeps the room joined.
    _membership: Arc<Membership>,
}

impl std::fmt::Debug for RoomSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomSender")
            .field("token", &self.token)
            .finish()
    }
}

impl RoomSender {
    /// The active peers, as [`Room::peers`].
    pub async fn peers(&self) -> Vec<PeerInfo> {
        ask(&self.commands, |reply| Command::Peers {
            room: self.token,
            reply,
        })
        .await
        .unwrap_or_default()
    }

    /// The round-trip time to an active peer (see [`Room::ping`]).
    pub async fn ping(&self, peer: PeerId) -> Result<Duration, RoomError> {
        ask(&self.commands, |reply| Command::Ping {
            room: self.token,
            peer,
            reply,
        })
        .await?
    }

    /// Sends a request to `target` and waits for its `@_response`.
    pub(crate) async fn request(
        &self,
        action: ActionType,
        payload: Payload,
        metadata: Option<JsonText>,
        target: PeerId,
        timeout: Duration,
    ) -> Result<ReceivedMessage, RequestError> {
        ask(&self.commands, |reply| {
            Command::Request(RequestCommand {
                room: self.token,
                action,
                payload,
                metadata,
                target,
                timeout,
                reply,
            })
        })
        .await
        .map_err(|error| RequestError::NotSent(error.to_string()))?
    }

    /// Sends `payload` on the action `name` (1 to 32 UTF-8 bytes) to every active peer; add
    /// `.to(..)`, `.meta(..)` or `.progress(..)`, then await it. See [`Sending`] for when it
    /// resolves. Typed actions ([`Room::make_action`]) are the usual way to send.
    pub fn send(&self, name: &str, payload: Payload) -> Sending<'_> {
        Sending::new(self, ActionType::new(name).map_err(Into::into), Ok(payload))
    }

    /// Sends a payload to every active peer (`None`) or to the given ones, calling `progress`
    /// after each chunk handed to a target. Resolves once every chunk was handed to every
    /// target's channel; fails if a target leaves first.
    pub(crate) async fn transmit(
        &self,
        action: ActionType,
        payload: Payload,
        metadata: Option<JsonText>,
        targets: Option<Vec<PeerId>>,
        progress: Option<SendProgress>,
        unordered: bool,
    ) -> Result<(), RoomError> {
        ask(&self.commands, |reply| {
            Command::Send(SendCommand {
                room: self.token,
                action,
                payload,
                metadata,
                targets,
                progress,
                unordered,
                reply,
            })
        })
        .await?
    }
}

impl std::fmt::Debug for Room {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Room")
            .field("token", &self.sender.token)
            .finish()
    }
}

impl Instance {
    /// A new instance and its driver future, which must be spawned (or polled) for anything to
    /// happen. The driver ends when every handle (instance and rooms) is dropped. Offer ids,
    /// request ids and password challenges come from the operating system's CSPRNG.
    pub fn new<S, T, C>(
        self_id: PeerId,
        signaler: S,
        transport: T,
        clock: C,
        config: EngineConfig,
    ) -> (Self, impl Future<Output = ()> + Send)
    where
        S: Signaler,
        T: PeerTransport,
        C: Clock + Clone,
    {
        Self::with_random(self_id, signaler, transport, clock, OsRandom, config)
    }

    /// [`Instance::new`] drawing every random value of the driver and its engine (offer ids,
    /// request ids, password challenges) from `random`: with a [`SeededRandom`] and seeded peer
    /// ids, a test sees the same signalling every run. Production code keeps [`OsRandom`].
    ///
    /// [`SeededRandom`]: crate::random::SeededRandom
    pub fn with_random<S, T, C>(
        self_id: PeerId,
        signaler: S,
        transport: T,
        clock: C,
        random: impl RandomSource + Send + 'static,
        config: EngineConfig,
    ) -> (Self, impl Future<Output = ()> + Send)
    where
        S: Signaler,
        T: PeerTransport,
        C: Clock + Clone,
    {
        let (commands, inbox) = unbounded();
        let random = SharedRandom::new(random);
        let driver = Driver::new(self_id, signaler, transport, clock, random, config);
        (Self { self_id, commands }, driver.run(inbox))
    }

    /// Our peer id.
    pub fn self_id(&self) -> PeerId {
        self.self_id
    }

    /// Each relay's URL and state (Trystero's `getRelaySockets`); empty once the driver
    /// stopped.
    pub async fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        ask(&self.commands, |reply| Command::RelaySockets { reply })
            .await
            .unwrap_or_default()
    }

    /// Whether the driver still runs (it stops when its executor drops it).
    pub fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }

    /// Joins a room. Joining a room this instance is already in returns another handle on it.
    /// The room's logs (signalling steps, links, peers) go under the caller's current
    /// `tracing` span: wrap the call in a span naming the app and room.
    pub async fn join(
        &self,
        config: RoomConfig,
        keys: Arc<dyn RoomKeys>,
    ) -> Result<Room, RoomError> {
        let (events, receiver) = event_queue();
        let (token, handle) = ask(&self.commands, |reply| {
            Command::Join(JoinCommand {
                keys,
                config: Box::new(config),
                span: tracing::Span::current(),
                events,
                reply,
            })
        })
        .await??;
        Ok(Room {
            sender: RoomSender {
                token,
                self_id: self.self_id,
                commands: self.commands.clone(),
                _membership: Arc::new(Membership {
                    token,
                    handle,
                    commands: self.commands.clone(),
                }),
            },
            events: receiver,
        })
    }
}

impl Room {
    /// The room token.
    pub fn token(&self) -> RoomToken {
        self.sender.token
    }

    /// Our peer id in this room (the instance's).
    pub fn self_id(&self) -> PeerId {
        self.sender.self_id
    }

    /// The next event; `None` once the driver stopped. Events that wait unread hold the room's
    /// peers back once there are [`EVENT_QUEUE`](super::EVENT_QUEUE) of them.
    pub async fn next_event(&mut self) -> Option<RoomEvent> {
        self.events.next().await
    }

    /// Events waiting to be read here (not those routed to typed actions).
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Sends `payload` on the action `name` to every active peer; add `.to(..)`, `.meta(..)`
    /// or `.progress(..)`, then await it (see [`Sending`] for when it resolves). Typed actions
    /// ([`Room::make_action`]) are the usual way to send; this is for action names known only
    /// at run time.
    pub fn send(&self, name: &str, payload: Payload) -> Sending<'_> {
        self.sender.send(name, payload)
    }

    /// A cloneable handle for sending from other tasks.
    pub fn sender(&self) -> RoomSender {
        self.sender.clone()
    }

    /// The round-trip time to an active peer.
    pub async fn ping(&self, peer: PeerId) -> Result<Duration, RoomError> {
        self.sender.ping(peer).await
    }

    /// Bytes held for incoming transfers in progress (freed when a sender leaves).
    pub async fn buffered_bytes(&self) -> usize {
        self.stats().await.buffered_bytes
    }

    /// What the room holds now (all zero once the driver stopped).
    pub async fn stats(&self) -> RoomStats {
        let stats = ask(&self.sender.commands, |reply| Command::Stats {
            room: self.sender.token,
            reply,
        })
        .await
        .unwrap_or_default();
        RoomStats {
            queued_events: self.pending_events(),
            ..stats
        }
    }

    /// Each relay's URL and state, shared by every room of the instance (Trystero's
    /// `getRelaySockets`).
    pub async fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        ask(&self.sender.commands, |reply| Command::RelaySockets {
            reply,
        })
        .await
        .unwrap_or_default()
    }

    /// The active peers, with each connection's round trip, bytes each way and candidate type
    /// (Trystero's `getPeers`).
    pub async fn peers(&self) -> Vec<PeerInfo> {
        self.sender.peers().await
    }

    /// Routes `action`'s messages and progress to a new channel instead of the room's events.
    pub(crate) async fn subscribe_action(
        &self,
        action: ActionType,
    ) -> Result<EventReceiver, RoomError> {
        let (events, receiver) = event_queue();
        ask(&self.sender.commands, |reply| Command::Subscribe {
            room: self.sender.token,
            action,
            events,
            reply,
        })
        .await??;
        Ok(receiver)
    }

    /// Stops reconnecting to relays that drop (Trystero's `pauseRelayReconnection`), for every
    /// room of this instance; open relays stay open.
    pub fn pause_relay_reconnection(&self) {
        let _ = self
            .sender
            .commands
            .unbounded_send(Command::PauseReconnection(true));
    }

    /// Reconnects dropped relays now and from then on (Trystero's `resumeRelayReconnection`).
    pub fn resume_relay_reconnection(&self) {
        let _ = self
            .sender
            .commands
            .unbounded_send(Command::PauseReconnection(false));
    }

    /// Leaves the room (for every handle on it): `@_leave` and presence 0 to every peer, stop
    /// announcing, then wait until each peer has acknowledged every frame sent to it (what
    /// sends already resolved included), at most
    /// [`EngineConfig::leave_flush_timeout`](super::EngineConfig::leave_flush_timeout).
    ///
    /// Sends still in progress stop with [`RoomError::PeerLeft`]. Resolves `Ok` once every
    /// peer has everything; [`RoomError::PeerLeft`] if a peer's connection closed first;
    /// [`RoomError::FlushTimeout`] if one had not confirmed in time. Either way the room is
    /// left. Dropping the future still leaves the room, without waiting.
    pub async fn leave(self) -> Result<(), RoomError> {
        ask(&self.sender.commands, |reply| Command::Leave {
            room: self.sender.token,
            reply,
        })
        .await?
    }
}
