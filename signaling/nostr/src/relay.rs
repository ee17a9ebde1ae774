//! One relay connection: a task that owns the WebSocket, reconnects, and speaks NIP-01.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tracing::Instrument;
use trystero_core::id::random_id;
use trystero_core::random::OsRandom;
use trystero_core::signaler::{ReconnectSchedule, RelayMessage, RelayState, redact_userinfo};
use trystero_crypto::nostr_kind;

use crate::Topics;

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first announcement back-off after `rate-limited:`; it doubles up to the maximum.
const RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(60);
const MAX_RATE_LIMIT_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Topics per `REQ` (JS: 250).
const TOPICS_PER_REQ: usize = 250;

pub(crate) enum RelayCommand {
    TopicsChanged,
    Publish { message: String, announcement: bool },
    Wake,
    Shutdown,
}

pub(crate) struct RelayHandle {
    pub(crate) url: String,
    commands: UnboundedSender<RelayCommand>,
    state: Arc<Mutex<RelayState>>,
}

impl RelayHandle {
    pub(crate) fn spawn(
        index: usize,
        url: String,
        inbox: UnboundedSender<RelayMessage>,
        topics: Topics,
        paused: Arc<AtomicBool>,
    ) -> Self {
        let (commands, receiver) = unbounded_channel();
        let state = Arc::new(Mutex::new(RelayState::Connecting));
        let relay = Relay {
            index,
            url: url.clone(),
            inbox,
            topics,
            paused,
            state: state.clone(),
            commands: receiver,
            subscription: random_id(60).unwrap_or_else(|_| "trystero".repeat(8)),
            groups_sent: 0,
            backoff: None,
        };
        let span = tracing::info_span!("relay", url = %redact_userinfo(&url));
        tokio::spawn(relay.run().instrument(span));
        Self {
            url,
            commands,
            state,
        }
    }

    pub(crate) fn send(&self, command: RelayCommand) {
        // The task ends only on Shutdown or after retiring; then commands have no effect.
        let _ = self.commands.send(command);
    }

    pub(crate) fn state(&self) -> RelayState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

enum SessionEnd {
    Disconnected,
    Retired(String),
    Shutdown,
}

struct Relay {
    index: usize,
    url: String,
    inbox: UnboundedSender<RelayMessage>,
    topics: Topics,
    paused: Arc<AtomicBool>,
    state: Arc<Mutex<RelayState>>,
    commands: UnboundedReceiver<RelayCommand>,
    /// The subscription id prefix (60 random characters + a two-digit group number).
    subscription: String,
    /// How many `REQ` groups are open on the current connection.
    groups_sent: usize,
    /// Announcements are skipped until then, after `rate-limited:` (until, current length).
    backoff: Option<(Instant, Duration)>,
}

impl Relay {
    fn set_state(&self, state: RelayState) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }

    async fn run(mut self) {
        let mut schedule = ReconnectSchedule::new();
        loop {
            while self.paused.load(Ordering::SeqCst) {
                match self.commands.recv().await {
                    Some(RelayCommand::Shutdown) | None => return,
                    _ => {}
                }
            }
            self.set_state(RelayState::Connecting);
            let connected =
                tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(&self.url))
                    .await;
            match connected {
                Ok(Ok((socket, _))) => {
                    tracing::info!("connected");
                    self.set_state(RelayState::Open);
                    schedule.reset();
                    match self.session(socket).await {
                        SessionEnd::Disconnected => tracing::info!("disconnected"),
                        SessionEnd::Shutdown => return,
                        SessionEnd::Retired(reason) => {
                            tracing::warn!(%reason, "retired");
                            self.set_state(RelayState::Retired(reason));
                            return;
                        }
                    }
                }
                Ok(Err(error)) => tracing::debug!(%error, "could not connect"),
                Err(_) => tracing::debug!(timeout = ?CONNECT_TIMEOUT, "could not connect in time"),
            }
            let Some(delay) = schedule.next_delay(&mut OsRandom) else {
                tracing::warn!("unreachable; gave up reconnecting");
                self.set_state(RelayState::Retired(format!(
                    "{} unreachable; gave up reconnecting",
                    self.url
                )));
                return;
            };
            tracing::info!(?delay, "reconnecting");
            self.set_state(RelayState::Connecting);
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => break,
                    command = self.commands.recv() => match command {
                        Some(RelayCommand::Shutdown) | None => return,
                        // While disconnected, publishes are dropped (announcements repeat) and
                        // topics are sent in full on the next connection.
                        _ => {}
                    },
                }
            }
        }
    }

    async fn session(
        &mut self,
        socket: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> SessionEnd {
        let (mut sink, mut stream) = socket.split();
        self.groups_sent = 0;
        for message in self.subscription_messages() {
            if sink.send(Message::text(message)).await.is_err() {
                return SessionEnd::Disconnected;
            }
        }
        loop {
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(RelayCommand::TopicsChanged) => {
                        for message in self.subscription_messages() {
                            if sink.send(Message::text(message)).await.is_err() {
                                return SessionEnd::Disconnected;
                            }
                        }
                    }
                    Some(RelayCommand::Publish { message, announcement }) => {
                        if announcement && self.backoff.is_some_and(|(until, _)| Instant::now() < until) {
                            continue;
                        }
                        if sink.send(Message::text(message)).await.is_err() {
                            return SessionEnd::Disconnected;
                        }
                    }
                    Some(RelayCommand::Wake) => {}
                    Some(RelayCommand::Shutdown) | None => {
                        let _ = sink.close().await;
                        return SessionEnd::Shutdown;
                    }
                },
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(end) = self.on_text(text.as_str()) {
                            let _ = sink.close().await;
                            return end;
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return SessionEnd::Disconnected,
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// `REQ`s for the current topics (groups of 250), and `CLOSE`s for groups no longer needed.
    fn subscription_messages(&mut self) -> Vec<String> {
        let topics: Vec<String> = self
            .topics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let mut messages = Vec::new();
        let groups: Vec<&[String]> = topics.chunks(TOPICS_PER_REQ).collect();
        for (group, topics) in groups.iter().enumerate() {
            let mut kinds: Vec<u16> = topics.iter().map(|topic| nostr_kind(topic)).collect();
            kinds.sort_unstable();
            kinds.dedup();
            let filter = json!({"kinds": kinds, "since": since, "#x": topics});
            messages.push(json!(["REQ", self.subscription_id(group), filter]).to_string());
        }
        for group in groups.len()..self.groups_sent {
            messages.push(json!(["CLOSE", self.subscription_id(group)]).to_string());
        }
        self.groups_sent = groups.len();
        messages
    }

    fn subscription_id(&self, group: usize) -> String {
        format!("{}{:02}", self.subscription, group % 100)
    }

    /// Handles one relay message; `Some` ends the session.
    fn on_text(&mut self, text: &str) -> Option<SessionEnd> {
        let Ok(Value::Array(parts)) = serde_json::from_str::<Value>(text) else {
            return None;
        };
        match parts.first().and_then(Value::as_str) {
            Some("EVENT") => {
                let event = parts.get(2)?;
                let content = event.get("content")?.as_str()?;
                let topic = event.get("tags")?.as_array()?.iter().find_map(|tag| {
                    let tag = tag.as_array()?;
                    (tag.first()?.as_str()? == "x").then(|| tag.get(1)?.as_str())?
                })?;
                let _ = self.inbox.send(RelayMessage {
                    relay: self.index,
                    topic: topic.to_owned(),
                    payload: content.to_owned(),
                });
                None
            }
            Some("OK") if parts.get(2) == Some(&Value::Bool(false)) => {
                let reason = parts.get(3).and_then(Value::as_str).unwrap_or_default();
                if reason.starts_with("rate-limited:") {
                    let length = self.backoff.map_or(RATE_LIMIT_BACKOFF, |(_, length)| {
                        (length * 2).min(MAX_RATE_LIMIT_BACKOFF)
                    });
                    self.backoff = Some((Instant::now() + length, length));
                    tracing::warn!(%reason, backoff = ?length, "rate limited: announcing less");
                    None
                } else if reason.starts_with("duplicate:") {
                    None
                } else {
                    Some(SessionEnd::Retired(format!(
                        "{} refused an event: {reason}",
                        self.url
                    )))
                }
            }
            Some("CLOSED") => {
                let reason = parts.get(2).and_then(Value::as_str).unwrap_or_default();
                Some(SessionEnd::Retired(format!(
                    "{} closed our subscription: {reason}",
                    self.url
                )))
            }
            _ => None,
        }
    }
}
