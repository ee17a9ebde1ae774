//! Rooms: joining, the peers in them, and the messages between them.
//!
//! The room is built in layers, each in its own module:
//!
//! - The handles (`handle.rs`) are what users hold: [`Instance`] (one local peer of one app, made
//!   with [`Instance::new`]), [`Room`] (a joined room) and [`RoomSender`]; [`action`], [`send`]
//!   and [`request`] add typed actions, the send builder and request/response on top of them.
//! - [`engine`] is the sans-IO data half: shared links, presence, the `@_hsready` / password
//!   handshake, chunking, reassembly, pings and leaving (protocol §5–§6).
//! - [`signaling`] is the sans-IO signalling half: who offers, offers and answers through the
//!   relays, candidates and the announce schedule, for topic strategies
//!   ([`signaling::TopicSignaling`]) and trackers ([`signaling::TrackerSignaling`]); its
//!   [`signaling::message`] module reads and writes the relay messages (protocol §3).
//! - `driver` runs both halves against the ports (signaler, transport, clock, randomness) as one
//!   future, and answers the handles' commands.
//! - [`events`] holds [`RoomEvent`], what a room reports to its user; [`queue`] the bounded
//!   queue it reaches the user through (back-pressure on the peers when the user lags).
//!
//! Both halves number connections with the same [`LinkId`]s.

pub mod action;
mod driver;
pub mod engine;
pub mod events;
mod handle;
pub mod queue;
pub mod request;
pub mod send;
pub mod signaling;

pub use driver::WRITE_QUEUE;
pub use engine::{
    Engine, EngineConfig, EngineError, EngineStats, Output, PING_BURST, PING_FLOOD,
    PINGS_PER_SECOND, Transmission,
};
pub use events::{DropReason, RoomEvent};
pub use handle::{Instance, PeerInfo, Room, RoomError, RoomSender, RoomStats, SendProgress};
pub use queue::{EVENT_QUEUE, EVENT_QUEUE_RESUME, EventReceiver};

/// Identifies one connection (one WebRTC peer connection) for the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u64);
