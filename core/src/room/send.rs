//! Sends as builders that are awaited: `action.send(&value).await`, or
//! `action.send(&file).to(peer).meta(json).progress(|peer, fraction| ..).await`.
//!
//! A [`Sending`] does nothing until awaited. It resolves once every chunk of the message was
//! handed to each target's channel (the transport then holds at most 64 KiB per peer that the
//! peer has not acknowledged yet). It does not wait for the peer to read the message: to know
//! that the peers have everything, await [`Room::leave`](super::Room::leave), or have the peer
//! answer (a request/response action).

use std::borrow::Borrow;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::action::{ActionData, ActionError};
use super::handle::{RoomSender, SendProgress};
use super::request::RequestError;
use crate::id::PeerId;
use crate::wire::{ActionType, JsonText, Payload, PayloadError};

/// Who a message goes to: one peer, a slice, a `Vec`, an array or any iterator of peers.
pub trait IntoTargets {
    /// The peers.
    fn into_targets(self) -> Vec<PeerId>;
}

impl IntoTargets for PeerId {
    fn into_targets(self) -> Vec<PeerId> {
        vec![self]
    }
}

impl IntoTargets for &PeerId {
    fn into_targets(self) -> Vec<PeerId> {
        vec![*self]
    }
}

impl<I> IntoTargets for I
where
    I: IntoIterator,
    I::Item: Borrow<PeerId>,
{
    fn into_targets(self) -> Vec<PeerId> {
        self.into_iter().map(|peer| *peer.borrow()).collect()
    }
}

/// A send being built; await it to send. See the [module docs](self) for when it resolves.
#[must_use = "a send does nothing until it is awaited"]
pub struct Sending<'a> {
    room: &'a RoomSender,
    action: Result<ActionType, ActionError>,
    payload: Result<Payload, PayloadError>,
    metadata: Result<Option<JsonText>, PayloadError>,
    targets: Option<Vec<PeerId>>,
    progress: Option<SendProgress>,
    unordered: bool,
}

impl std::fmt::Debug for Sending<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sending")
            .field("action", &self.action.as_ref().ok())
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl<'a> Sending<'a> {
    pub(crate) fn new(
        room: &'a RoomSender,
        action: Result<ActionType, ActionError>,
        payload: Result<Payload, PayloadError>,
    ) -> Self {
        Self {
            room,
            action,
            payload,
            metadata: Ok(None),
            targets: None,
            progress: None,
            unordered: false,
        }
    }

    /// Sends to these peers only (one peer, a slice, or an iterator), instead of every active
    /// peer of the room. A target that is not an active peer makes the send fail.
    pub fn to(mut self, targets: impl IntoTargets) -> Self {
        self.targets = Some(targets.into_targets());
        self
    }

    /// Metadata that travels with the message: any serde value (a `serde_json::json!`, a
    /// struct, or a [`JsonText`], kept verbatim).
    pub fn meta(mut self, metadata: impl Serialize) -> Self {
        self.metadata = JsonText::from_value(&metadata).map(Some);
        self
    }

    /// Prefers the connection's second channel, unordered and without retransmissions, for
    /// traffic that would rather be lost than late (rollback inputs, positions): a message
    /// that fits one frame of at most [`MAX_UNORDERED_FRAME`] bytes goes on it to every target
    /// that has one (a trystero-rs peer; opened by itself shortly after the peer joins), where
    /// it may be lost, duplicated or overtake others; to the other targets (Trystero JS peers,
    /// or before the channel opens), and when larger, it goes on the reliable channel as
    /// usual. The send then resolves once the message is handed to the channels.
    pub fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// Calls `progress(peer, fraction)` after each chunk handed to a target; `fraction` goes
    /// from just above 0 to exactly 1.0 (Trystero's progress byte divided by 255).
    pub fn progress(mut self, progress: impl Fn(PeerId, f32) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(move |peer, byte| {
            progress(peer, f32::from(byte) / 255.0);
        }));
        self
    }
}

impl<'a> IntoFuture for Sending<'a> {
    type Output = Result<(), ActionError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let action = self.action?;
            let payload = self.payload?;
            let metadata = self.metadata?;
            self.room
                .transmit(
                    action,
                    payload,
                    metadata,
                    self.targets,
                    self.progress,
                    self.unordered,
                )
                .await
                .map_err(ActionError::Room)
        })
    }
}

/// The largest frame [`Sending::unordered`] puts on the unordered channel: one datagram after
/// DTLS and SCTP headers, so a lost packet loses one message, never half of one.
pub const MAX_UNORDERED_FRAME: usize = 1_100;

/// How long a request waits for its answer unless told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A request being built; await it for the typed answer.
#[must_use = "a request does nothing until it is awaited"]
pub struct Requesting<'a, Resp> {
    room: &'a RoomSender,
    action: ActionType,
    payload: Result<Payload, PayloadError>,
    target: PeerId,
    metadata: Result<Option<JsonText>, PayloadError>,
    timeout: Duration,
    _response: std::marker::PhantomData<fn() -> Resp>,
}

impl<Resp> std::fmt::Debug for Requesting<'_, Resp> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Requesting")
            .field("action", &self.action)
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a, Resp> Requesting<'a, Resp> {
    pub(crate) fn new(
        room: &'a RoomSender,
        action: ActionType,
        payload: Result<Payload, PayloadError>,
        target: PeerId,
    ) -> Self {
        Self {
            room,
            action,
            payload,
            target,
            metadata: Ok(None),
            timeout: DEFAULT_REQUEST_TIMEOUT,
            _response: std::marker::PhantomData,
        }
    }

    /// The requester's own metadata (`m` on the wire), any serde value.
    pub fn meta(mut self, metadata: impl Serialize) -> Self {
        self.metadata = JsonText::from_value(&metadata).map(Some);
        self
    }

    /// How long to wait for the answer ([`DEFAULT_REQUEST_TIMEOUT`] otherwise).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl<'a, Resp: ActionData> IntoFuture for Requesting<'a, Resp> {
    type Output = Result<Resp, RequestError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let not_sent = |error: PayloadError| RequestError::NotSent(error.to_string());
            let payload = self.payload.map_err(not_sent)?;
            let metadata = self.metadata.map_err(not_sent)?;
            let message = self
                .room
                .request(self.action, payload, metadata, self.target, self.timeout)
                .await?;
            Resp::decode(message.payload)
                .map_err(|error| RequestError::InvalidResponse(error.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(count: usize) -> Vec<PeerId> {
        (0..count).map(|_| PeerId::random().unwrap()).collect()
    }

    #[test]
    fn targets_come_from_a_peer_a_slice_or_an_iterator() {
        let peers = ids(3);
        assert_eq!(peers[0].into_targets(), [peers[0]]);
        assert_eq!((&peers[1]).into_targets(), [peers[1]]);
        assert_eq!(peers.as_slice().into_targets(), peers);
        assert_eq!(peers.clone().into_targets(), peers);
        assert_eq!([peers[2], peers[0]].into_targets(), [peers[2], peers[0]]);
        assert_eq!(peers.iter().skip(1).into_targets(), peers[1..]);
    }
}
