//! Typed actions: `room.make_action::<T>("name")`, Trystero's `makeAction`.
//!
//! What travels is decided by the value's type, with exactly the flags JS uses: `String` as
//! text, `Vec<u8>` as binary, and any serde type wrapped in [`Json`] (or a `serde_json::Value`)
//! as JSON. Sending is a builder that is awaited (`action.send(&value).to(peer).await`, see
//! [`Sending`]); receiving is `while let Some(message) = action.recv().await`. A message that
//! does not decode into `T` is dropped (and counted, see [`Action::invalid`]), never a panic.

use std::marker::PhantomData;

use super::queue::EventReceiver;
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::RoomEvent;
use super::handle::{Room, RoomError, RoomSender};
use super::request::{parse_meta, response_metadata};
use super::send::{Requesting, Sending};
use crate::id::PeerId;
use crate::wire::{ActionType, ActionTypeError, JsonText, Payload, PayloadError, PayloadKind};

/// A value an action can carry.
pub trait ActionData: Sized + Send + Sync + 'static {
    /// The payload to send.
    fn encode(&self) -> Result<Payload, PayloadError>;
    /// The value from a received payload.
    fn decode(payload: Payload) -> Result<Self, PayloadError>;
}

impl ActionData for String {
    fn encode(&self) -> Result<Payload, PayloadError> {
        Ok(Payload::Text(self.clone()))
    }

    fn decode(payload: Payload) -> Result<Self, PayloadError> {
        match payload {
            Payload::Text(text) => Ok(text),
            other => Err(PayloadError::WrongKind {
                expected: PayloadKind::Text,
                found: other.kind(),
            }),
        }
    }
}

impl ActionData for Vec<u8> {
    fn encode(&self) -> Result<Payload, PayloadError> {
        Ok(Payload::Binary(self.clone()))
    }

    fn decode(payload: Payload) -> Result<Self, PayloadError> {
        match payload {
            Payload::Binary(bytes) => Ok(bytes),
            other => Err(PayloadError::WrongKind {
                expected: PayloadKind::Binary,
                found: other.kind(),
            }),
        }
    }
}

impl ActionData for serde_json::Value {
    fn encode(&self) -> Result<Payload, PayloadError> {
        Payload::json(self)
    }

    fn decode(payload: Payload) -> Result<Self, PayloadError> {
        Json::<Self>::decode(payload).map(|json| json.0)
    }
}

/// Sends and receives `T` as JSON (JS objects, arrays, numbers, booleans, null).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> ActionData for Json<T> {
    fn encode(&self) -> Result<Payload, PayloadError> {
        Payload::json(&self.0)
    }

    fn decode(payload: Payload) -> Result<Self, PayloadError> {
        match payload {
            Payload::Json(json) => json.deserialize().map(Json),
            other => Err(PayloadError::WrongKind {
                expected: PayloadKind::Json,
                found: other.kind(),
            }),
        }
    }
}

/// An action could not be made or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActionError {
    /// The name is empty or longer than 32 UTF-8 bytes.
    #[error(transparent)]
    Name(#[from] ActionTypeError),
    /// The value could not be encoded.
    #[error(transparent)]
    Encode(#[from] PayloadError),
    /// The room refused or a target left.
    #[error(transparent)]
    Room(#[from] RoomError),
}

/// A message an action received.
#[derive(Debug, Clone, PartialEq)]
pub struct Message<T> {
    /// The sender.
    pub peer: PeerId,
    /// The value.
    pub value: T,
    /// The metadata, if any.
    pub metadata: Option<JsonText>,
}

/// Called while a message arrives: the sender, the fraction received (0 to 1), and the
/// metadata once known.
type ReceiveProgress = Box<dyn FnMut(PeerId, f32, Option<&JsonText>) + Send>;

/// A typed action of one room. It stays usable while the room is joined.
pub struct Action<T> {
    room: RoomSender,
    action: ActionType,
    events: EventReceiver,
    progress: Option<ReceiveProgress>,
    invalid: u64,
    _value: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Action<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("action", &self.action)
            .finish()
    }
}

impl Room {
    /// Makes a typed action. From now on, messages of this action go to it instead of to
    /// [`Room::next_event`]. The name must be 1 to 32 UTF-8 bytes.
    pub async fn make_action<T: ActionData>(&self, name: &str) -> Result<Action<T>, ActionError> {
        let action = ActionType::new(name)?;
        let events = self.subscribe_action(action).await?;
        Ok(Action {
            room: self.sender(),
            action,
            events,
            progress: None,
            invalid: 0,
            _value: PhantomData,
        })
    }
}

impl<T: ActionData> Action<T> {
    /// The action's name.
    pub fn name(&self) -> &str {
        self.action.as_str()
    }

    /// Sends `value` to every active peer; add `.to(peer)`, `.meta(json)` or
    /// `.progress(|peer, fraction| ..)`, then await it. See [`Sending`] for when it resolves.
    pub fn send(&self, value: &T) -> Sending<'_> {
        Sending::new(&self.room, Ok(self.action), value.encode())
    }

    /// Calls `progress(peer, fraction, metadata)` while a message arrives (from within
    /// [`Action::recv`]): Trystero's receive progress, the fraction rising to 1.
    pub fn on_progress(
        &mut self,
        progress: impl FnMut(PeerId, f32, Option<&JsonText>) + Send + 'static,
    ) {
        self.progress = Some(Box::new(progress));
    }

    /// How many messages were dropped because they did not decode into `T`.
    pub fn invalid(&self) -> u64 {
        self.invalid
    }

    /// The next message; `None` once the room is gone. Messages that are not a `T` (another
    /// kind, or JSON of another shape) are dropped and counted in [`Action::invalid`].
    pub async fn recv(&mut self) -> Option<Message<T>> {
        loop {
            match self.events.next().await? {
                RoomEvent::Message(message) => {
                    let peer = message.peer;
                    match T::decode(message.payload) {
                        Ok(value) => {
                            return Some(Message {
                                peer,
                                value,
                                metadata: message.metadata,
                            });
                        }
                        Err(_) => self.invalid += 1,
                    }
                }
                RoomEvent::Progress {
                    peer,
                    progress,
                    metadata,
                    ..
                } => {
                    if let Some(callback) = &mut self.progress {
                        callback(peer, f32::from(progress) / 255.0, metadata.as_ref());
                    }
                }
                _ => {}
            }
        }
    }
}

/// A request/response action: `make_action(name, {kind: "request"})` in JS.
pub struct RequestAction<Req, Resp> {
    room: RoomSender,
    action: ActionType,
    events: EventReceiver,
    _types: PhantomData<fn() -> (Req, Resp)>,
}

impl<Req, Resp> std::fmt::Debug for RequestAction<Req, Resp> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestAction")
            .field("action", &self.action)
            .finish()
    }
}

/// A request from a peer, to answer with [`IncomingRequest::respond`] or
/// [`IncomingRequest::reject`].
#[derive(Debug)]
pub struct IncomingRequest<Req, Resp> {
    /// The requester.
    pub peer: PeerId,
    /// The request value, or why it did not decode (then [`IncomingRequest::reject`] it).
    pub value: Result<Req, PayloadError>,
    /// The requester's own metadata (`m`), if any.
    pub metadata: Option<JsonText>,
    id: String,
    room: RoomSender,
    _response: PhantomData<fn() -> Resp>,
}

impl Room {
    /// Makes a request/response action.
    pub async fn make_request_action<Req: ActionData, Resp: ActionData>(
        &self,
        name: &str,
    ) -> Result<RequestAction<Req, Resp>, ActionError> {
        let action = ActionType::new(name)?;
        let events = self.subscribe_action(action).await?;
        Ok(RequestAction {
            room: self.sender(),
            action,
            events,
            _types: PhantomData,
        })
    }
}

impl<Req: ActionData, Resp: ActionData> RequestAction<Req, Resp> {
    /// Asks `target`; add `.meta(json)` or `.timeout(duration)` (default
    /// [`DEFAULT_REQUEST_TIMEOUT`](super::send::DEFAULT_REQUEST_TIMEOUT)), then await the
    /// typed answer.
    pub fn request(&self, value: &Req, target: PeerId) -> Requesting<'_, Resp> {
        Requesting::new(&self.room, self.action, value.encode(), target)
    }

    /// The next request from a peer; `None` once the room is gone. Messages without request
    /// metadata are skipped.
    pub async fn recv(&mut self) -> Option<IncomingRequest<Req, Resp>> {
        loop {
            let RoomEvent::Message(message) = self.events.next().await? else {
                continue;
            };
            let Some(meta) = message.metadata.as_ref().and_then(parse_meta) else {
                continue;
            };
            return Some(IncomingRequest {
                peer: message.peer,
                value: Req::decode(message.payload),
                metadata: meta.user,
                id: meta.id,
                room: self.room.clone(),
                _response: PhantomData,
            });
        }
    }
}

impl<Req, Resp: ActionData> IncomingRequest<Req, Resp> {
    /// Answers with `value`.
    pub async fn respond(self, value: &Resp) -> Result<(), ActionError> {
        let payload = value.encode()?;
        self.answer(payload, None).await
    }

    /// Answers with an error; the requester gets [`RequestError::Rejected`](super::request::RequestError::Rejected).
    pub async fn reject(self, error: &str) -> Result<(), ActionError> {
        let null = Payload::Json(JsonText::parse("null")?);
        self.answer(null, Some(error)).await
    }

    async fn answer(self, payload: Payload, error: Option<&str>) -> Result<(), ActionError> {
        let action = ActionType::new(ActionType::RESPONSE)?;
        let metadata = response_metadata(&self.id, error);
        self.room
            .transmit(
                action,
                payload,
                Some(metadata),
                Some(vec![self.peer]),
                None,
                false,
            )
            .await
            .map_err(ActionError::Room)
    }
}
