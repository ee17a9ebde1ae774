//! The signalling port: what a strategy (Nostr, MQTT, torrent, …) offers the room driver.
//!
//! A [`Signaler`] is one app's connection to a set of relays, seen as topic publish/subscribe:
//! the engine's [`crate::room::signaling::SignalingOutput`]s map onto it one to one. Topic
//! strategies implement it directly; the torrent adapter maps topics onto its tracker protocol.
//! [`MemoryHub`] is the in-process adapter: every client of one hub sees every other's
//! messages, like one relay.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::StreamExt;
use futures_util::lock::Mutex as AsyncMutex;

/// A relay (or the whole signaler) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalingError {
    /// The relay index does not exist.
    #[error("no relay number {0}")]
    UnknownRelay(usize),
    /// No relay is reachable at the moment.
    #[error("no relay is connected")]
    NoRelay,
    /// The signaler was closed.
    #[error("the signaler is closed")]
    Closed,
    /// A relay-specific failure, in the adapter's words.
    #[error("relay {relay}: {reason}")]
    Relay {
        /// The relay index.
        relay: usize,
        /// What happened.
        reason: String,
    },
}

/// The relay indices a publish goes to: `Some(relay)` alone, or (`None`) all `0..count`.
pub fn relay_targets(
    relay: Option<usize>,
    count: usize,
) -> Result<std::ops::Range<usize>, SignalingError> {
    match relay {
        Some(index) if index >= count => Err(SignalingError::UnknownRelay(index)),
        Some(index) => Ok(index..index + 1),
        None => Ok(0..count),
    }
}

/// Trystero's WebSocket reconnect schedule (Nostr, torrent; protocol §4.1): each retry waits a
/// random delay below a period that starts at 3 333 ms and doubles per failure; a successful
/// open resets it, and once the period would reach 60 s the relay is given up for the session.
#[derive(Debug, Clone)]
pub struct ReconnectSchedule {
    period: std::time::Duration,
}

impl ReconnectSchedule {
    /// The first period.
    pub const FIRST_PERIOD: std::time::Duration = std::time::Duration::from_millis(3_333);
    /// Reconnection stops once the period would reach this (JS 0.25.4: 60 s).
    pub const GIVE_UP_PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

    /// A schedule at its first period.
    pub fn new() -> Self {
        Self {
            period: Self::FIRST_PERIOD,
        }
    }

    /// The connection opened: start over.
    pub fn reset(&mut self) {
        self.period = Self::FIRST_PERIOD;
    }

    /// The delay before the next attempt, or `None` to give up; doubles the period.
    pub fn next_delay(
        &mut self,
        random: &mut dyn crate::random::RandomSource,
    ) -> Option<std::time::Duration> {
        if self.period >= Self::GIVE_UP_PERIOD {
            return None;
        }
        let delay = crate::random::delay_below(random, self.period);
        self.period *= 2;
        Some(delay)
    }
}

impl Default for ReconnectSchedule {
    fn default() -> Self {
        Self::new()
    }
}

/// One message delivered by a relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayMessage {
    /// Which relay delivered it (index into the signaler's relays).
    pub relay: usize,
    /// The topic it was published on.
    pub topic: String,
    /// The payload: the §3.1 JSON text.
    pub payload: String,
}

/// The state of one relay connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayState {
    /// Connecting or reconnecting.
    Connecting,
    /// Connected.
    Open,
    /// Given up on for this session, with the reason (e.g. a Nostr relay that refused events).
    Retired(String),
}

/// How a strategy's relays carry the signalling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignalingStyle {
    /// Announcements on a room's root topic and signals on peer topics (Nostr, MQTT, …).
    #[default]
    Topics,
    /// A WebTorrent tracker: offers made in advance ride on announces of the root topic, and
    /// answers come back by offer id (protocol §4.3).
    Tracker,
}

/// A strategy's relays, as topic publish/subscribe.
///
/// Contract:
/// - `subscribe` is idempotent; messages on a topic arrive only after its `subscribe` completed.
/// - `publish` to `Some(relay)` goes to that relay only, `None` to every open relay. Relays echo
///   a publisher's own messages back (the engine ignores them); adapters need not filter them.
/// - `recv` yields messages in the order each relay delivered them and `None` once the signaler
///   is closed. It is called from one task at a time.
/// - Relay failures never panic; a relay that cannot be used is reported in `relay_sockets`.
pub trait Signaler: Send + Sync + 'static {
    /// How many relays this signaler uses (relay indices are `0..relay_count()`).
    fn relay_count(&self) -> usize;

    /// How rooms signal over these relays.
    fn style(&self) -> SignalingStyle {
        SignalingStyle::Topics
    }

    /// Subscribes to `topic` on every relay.
    fn subscribe(&self, topic: &str) -> impl Future<Output = Result<(), SignalingError>> + Send;

    /// Unsubscribes from `topic` on every relay.
    fn unsubscribe(&self, topic: &str) -> impl Future<Output = Result<(), SignalingError>> + Send;

    /// Publishes `payload` on `topic`.
    fn publish(
        &self,
        relay: Option<usize>,
        topic: &str,
        payload: &str,
    ) -> impl Future<Output = Result<(), SignalingError>> + Send;

    /// The next message from any relay; `None` when closed.
    fn recv(&self) -> impl Future<Output = Option<RelayMessage>> + Send;

    /// Each relay's URL and state, in relay-index order (Trystero's `getRelaySockets`).
    fn relay_sockets(&self) -> Vec<(String, RelayState)>;

    /// Stops reconnecting to relays that drop (Trystero's `pauseRelayReconnection`), e.g.
    /// while the app is in the background; open relays stay open.
    fn pause_reconnection(&self);

    /// Reconnects dropped relays now and from then on (Trystero's `resumeRelayReconnection`).
    fn resume_reconnection(&self);
}

#[derive(Debug)]
struct Client {
    id: u64,
    topics: BTreeSet<String>,
    inbox: UnboundedSender<RelayMessage>,
}

#[derive(Debug, Default)]
struct HubState {
    next_id: u64,
    clients: Vec<Client>,
    published: u64,
}

/// `url` with any credentials (`user:pass@`) replaced by `***@`, for logs.
pub fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// An in-process relay: the in-memory adapter of [`Signaler`]. Clone it to share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryHub {
    state: Arc<Mutex<HubState>>,
}

impl MemoryHub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new client of this hub (one per peer).
    pub fn connect(&self) -> MemorySignaler {
        let (inbox, outbox) = unbounded();
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.clients.push(Client {
            id,
            topics: BTreeSet::new(),
            inbox,
        });
        MemorySignaler {
            hub: self.clone(),
            id,
            outbox: AsyncMutex::new(outbox),
        }
    }

    /// How many messages were published through the hub so far.
    pub fn published(&self) -> u64 {
        self.lock().published
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One client of a [`MemoryHub`]; relay index 0 is the hub.
#[derive(Debug)]
pub struct MemorySignaler {
    hub: MemoryHub,
    id: u64,
    outbox: AsyncMutex<UnboundedReceiver<RelayMessage>>,
}

impl MemorySignaler {
    fn with_client<T>(&self, f: impl FnOnce(&mut Client) -> T) -> Result<T, SignalingError> {
        let mut state = self.hub.lock();
        state
            .clients
            .iter_mut()
            .find(|client| client.id == self.id)
            .map(f)
            .ok_or(SignalingError::Closed)
    }
}

impl Drop for MemorySignaler {
    fn drop(&mut self) {
        self.hub
            .lock()
            .clients
            .retain(|client| client.id != self.id);
    }
}

impl Signaler for MemorySignaler {
    fn relay_count(&self) -> usize {
        1
    }

    /// The in-process relay never drops, so there is nothing to pause.
    fn pause_reconnection(&self) {}

    /// The in-process relay never drops, so there is nothing to resume.
    fn resume_reconnection(&self) {}

    async fn subscribe(&self, topic: &str) -> Result<(), SignalingError> {
        self.with_client(|client| {
            client.topics.insert(topic.to_owned());
        })
    }

    async fn unsubscribe(&self, topic: &str) -> Result<(), SignalingError> {
        self.with_client(|client| {
            client.topics.remove(topic);
        })
    }

    async fn publish(
        &self,
        relay: Option<usize>,
        topic: &str,
        payload: &str,
    ) -> Result<(), SignalingError> {
        if let Some(relay) = relay.filter(|relay| *relay != 0) {
            return Err(SignalingError::UnknownRelay(relay));
        }
        let mut state = self.hub.lock();
        state.published += 1;
        for client in state.clients.iter().filter(|c| c.topics.contains(topic)) {
            // A client whose receiver is gone is being dropped; nothing to deliver.
            let _ = client.inbox.unbounded_send(RelayMessage {
                relay: 0,
                topic: topic.to_owned(),
                payload: payload.to_owned(),
            });
        }
        Ok(())
    }

    async fn recv(&self) -> Option<RelayMessage> {
        self.outbox.lock().await.next().await
    }

    fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        vec![("memory".to_owned(), RelayState::Open)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_from_urls() {
        assert_eq!(
            redact_userinfo("ws://user:pa@ss@127.0.0.1:9001/mqtt"),
            "ws://***@127.0.0.1:9001/mqtt"
        );
        assert_eq!(
            redact_userinfo("wss://relay.example/x@y"),
            "wss://relay.example/x@y"
        );
        assert_eq!(redact_userinfo("not a url"), "not a url");
    }
    use futures_util::FutureExt;

    #[test]
    fn subscribers_get_messages_including_their_own_echo() {
        let hub = MemoryHub::new();
        let (a, b, c) = (hub.connect(), hub.connect(), hub.connect());
        for (client, topic) in [(&a, "t"), (&b, "t"), (&c, "other")] {
            client.subscribe(topic).now_or_never().unwrap().unwrap();
        }
        a.publish(None, "t", "hello")
            .now_or_never()
            .unwrap()
            .unwrap();
        let expected = RelayMessage {
            relay: 0,
            topic: "t".into(),
            payload: "hello".into(),
        };
        assert_eq!(a.recv().now_or_never(), Some(Some(expected.clone())));
        assert_eq!(b.recv().now_or_never(), Some(Some(expected)));
        assert_eq!(
            c.recv().now_or_never(),
            None,
            "not subscribed: nothing pending"
        );
        assert_eq!(hub.published(), 1);
    }

    #[test]
    fn unknown_relays_and_unsubscribes() {
        let hub = MemoryHub::new();
        let a = hub.connect();
        assert_eq!(
            a.publish(Some(3), "t", "x").now_or_never(),
            Some(Err(SignalingError::UnknownRelay(3)))
        );
        a.subscribe("t").now_or_never().unwrap().unwrap();
        a.unsubscribe("t").now_or_never().unwrap().unwrap();
        a.publish(Some(0), "t", "x")
            .now_or_never()
            .unwrap()
            .unwrap();
        assert_eq!(a.recv().now_or_never(), None);
        assert_eq!(a.relay_count(), 1);
        assert_eq!(a.relay_sockets(), [("memory".to_owned(), RelayState::Open)]);
    }

    #[test]
    fn a_dropped_client_leaves_the_hub() {
        let hub = MemoryHub::new();
        let a = hub.connect();
        let b = hub.connect();
        b.subscribe("t").now_or_never().unwrap().unwrap();
        drop(b);
        a.publish(None, "t", "x").now_or_never().unwrap().unwrap();
        assert_eq!(hub.lock().clients.len(), 1);
    }

    #[test]
    fn relay_targets_pick_one_or_all() {
        assert_eq!(relay_targets(None, 3), Ok(0..3));
        assert_eq!(relay_targets(Some(1), 3), Ok(1..2));
        assert_eq!(
            relay_targets(Some(3), 3),
            Err(SignalingError::UnknownRelay(3))
        );
    }

    #[test]
    fn reconnects_double_below_their_period_and_give_up_at_60_s() {
        let mut random = crate::random::SeededRandom::new(3);
        let mut schedule = ReconnectSchedule::new();
        let mut periods = Vec::new();
        let mut period = ReconnectSchedule::FIRST_PERIOD;
        while let Some(delay) = schedule.next_delay(&mut random) {
            assert!(delay < period);
            periods.push(period);
            period *= 2;
        }
        // 3.3, 6.7, 13.3, 26.7, 53.3 s: five retries, then the relay is given up.
        assert_eq!(periods.len(), 5);
        schedule.reset();
        assert!(schedule.next_delay(&mut random).is_some());
    }
}
