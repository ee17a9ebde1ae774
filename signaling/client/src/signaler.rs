//! [`RelaySignaler`]: core's `Signaler` port, written once for every relay strategy. A strategy
//! says how a topic becomes relay commands ([`Strategy`]); the relay set does the rest (publish
//! targeting, `recv`, `relay_sockets`, pausing, shutdown on drop).

use trystero_core::signaler::{RelayMessage, RelayState, Signaler, SignalingError, SignalingStyle};

use crate::{RelaySet, RelayTask};

/// One signalling strategy over a set of relays (Nostr, MQTT, torrent).
pub trait Strategy: Send + Sync + 'static {
    /// What its relay tasks take.
    type Command: Send + 'static;

    /// The signaler's name in `Debug` output (`"NostrSignaler"`).
    const NAME: &'static str;

    /// How rooms signal over these relays.
    fn style(&self) -> SignalingStyle {
        SignalingStyle::Topics
    }

    /// Spawns whatever drives one relay (a [`crate::websocket::run`] loop, say), in its span.
    fn start_relay(&self, task: RelayTask<Self::Command>);

    /// Subscribes to `topic` (the port's `subscribe`; it cannot fail: a relay that is down
    /// subscribes when it is back).
    fn subscribe(&self, relays: &RelaySet<Self::Command>, topic: &str);

    /// Unsubscribes from `topic` (the port's `unsubscribe`).
    fn unsubscribe(&self, relays: &RelaySet<Self::Command>, topic: &str);

    /// Publishes a message (the port's `publish`).
    fn publish(
        &self,
        relays: &RelaySet<Self::Command>,
        publication: Publication<'_>,
    ) -> Result<(), SignalingError>;
}

/// One publish through the port: `payload` on `topic`, to one relay or (`None`) all.
#[derive(Debug, Clone, Copy)]
pub struct Publication<'a> {
    /// The relay index, or all.
    pub relay: Option<usize>,
    /// The topic.
    pub topic: &'a str,
    /// The §3.1 JSON (the tracker strategy's announce or answer fields).
    pub payload: &'a str,
}

/// A strategy and its relays, as core's `Signaler`. Must be created inside a tokio runtime when
/// its strategy spawns tokio tasks (all of ours do). Dropping it shuts every relay down.
pub struct RelaySignaler<S: Strategy> {
    strategy: S,
    relays: RelaySet<S::Command>,
}

impl<S: Strategy> RelaySignaler<S> {
    /// Connects to these relays with a default strategy.
    pub fn connect(urls: &[String]) -> Self
    where
        S: Default,
    {
        Self::connect_with(S::default(), urls)
    }

    /// Connects to these relays with `strategy`.
    pub fn connect_with(strategy: S, urls: &[String]) -> Self {
        let relays = RelaySet::start(urls, |task| strategy.start_relay(task));
        Self { strategy, relays }
    }

    /// The strategy.
    pub fn strategy(&self) -> &S {
        &self.strategy
    }

    /// The relays.
    pub fn relays(&self) -> &RelaySet<S::Command> {
        &self.relays
    }
}

impl<S: Strategy> std::fmt::Debug for RelaySignaler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(S::NAME)
            .field("relays", &self.relays.relay_sockets())
            .finish_non_exhaustive()
    }
}

impl<S: Strategy> Signaler for RelaySignaler<S> {
    fn relay_count(&self) -> usize {
        self.relays.len()
    }

    fn style(&self) -> SignalingStyle {
        self.strategy.style()
    }

    async fn subscribe(&self, topic: &str) -> Result<(), SignalingError> {
        self.strategy.subscribe(&self.relays, topic);
        Ok(())
    }

    async fn unsubscribe(&self, topic: &str) -> Result<(), SignalingError> {
        self.strategy.unsubscribe(&self.relays, topic);
        Ok(())
    }

    async fn publish(
        &self,
        relay: Option<usize>,
        topic: &str,
        payload: &str,
    ) -> Result<(), SignalingError> {
        let publication = Publication {
            relay,
            topic,
            payload,
        };
        self.strategy.publish(&self.relays, publication)
    }

    async fn recv(&self) -> Option<RelayMessage> {
        self.relays.recv().await
    }

    fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        self.relays.relay_sockets()
    }

    /// Stops reconnecting to relays that drop (`pauseRelayReconnection`).
    fn pause_reconnection(&self) {
        self.relays.pause_reconnection();
    }

    /// Resumes reconnecting (`resumeRelayReconnection`).
    fn resume_reconnection(&self) {
        self.relays.resume_reconnection();
    }
}
