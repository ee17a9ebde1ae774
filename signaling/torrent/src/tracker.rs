//! One tracker connection: a task that owns the WebSocket, reconnects, re-announces every room
//! on open, and routes the tracker's messages to rooms by `info_hash`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;
use tracing::Instrument;
use trystero_core::random::OsRandom;
use trystero_core::signaler::{ReconnectSchedule, RelayMessage, RelayState, redact_userinfo};

use crate::{SharedRooms, lock};

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) enum TrackerCommand {
    Send(String),
    Wake,
    Shutdown,
}

pub(crate) struct TrackerHandle {
    pub(crate) url: String,
    commands: UnboundedSender<TrackerCommand>,
    state: Arc<Mutex<RelayState>>,
}

impl TrackerHandle {
    pub(crate) fn spawn(
        index: usize,
        url: String,
        inbox: UnboundedSender<RelayMessage>,
        rooms: SharedRooms,
        paused: Arc<AtomicBool>,
    ) -> Self {
        let (commands, receiver) = unbounded_channel();
        let state = Arc::new(Mutex::new(RelayState::Connecting));
        let tracker = Tracker {
            index,
            url: url.clone(),
            inbox,
            rooms,
            paused,
            state: state.clone(),
            commands: receiver,
        };
        let span = tracing::info_span!("tracker", url = %redact_userinfo(&url));
        tokio::spawn(tracker.run().instrument(span));
        Self {
            url,
            commands,
            state,
        }
    }

    pub(crate) fn send(&self, command: TrackerCommand) {
        // The task ends only on Shutdown or after giving up; then commands have no effect.
        let _ = self.commands.send(command);
    }

    pub(crate) fn state(&self) -> RelayState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Tracker {
    index: usize,
    url: String,
    inbox: UnboundedSender<RelayMessage>,
    rooms: SharedRooms,
    paused: Arc<AtomicBool>,
    state: Arc<Mutex<RelayState>>,
    commands: UnboundedReceiver<TrackerCommand>,
}

/// Whether the session ended because we were told to stop.
enum SessionEnd {
    Disconnected,
    Shutdown,
}

impl Tracker {
    fn set_state(&self, state: RelayState) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }

    async fn run(mut self) {
        let mut schedule = ReconnectSchedule::new();
        loop {
            while self.paused.load(Ordering::SeqCst) {
                match self.commands.recv().await {
                    Some(TrackerCommand::Shutdown) | None => return,
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
                    if let SessionEnd::Shutdown = self.session(socket).await {
                        return;
                    }
                    tracing::info!("disconnected");
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
                        Some(TrackerCommand::Shutdown) | None => return,
                        // While disconnected, messages are dropped: the last announce of every
                        // room goes out again on the next connection.
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
        let announces = lock(&self.rooms).announces();
        for announce in announces {
            if sink.send(Message::text(announce)).await.is_err() {
                return SessionEnd::Disconnected;
            }
        }
        loop {
            tokio::select! {
                command = self.commands.recv() => match command {
                    Some(TrackerCommand::Send(message)) => {
                        if sink.send(Message::text(message)).await.is_err() {
                            return SessionEnd::Disconnected;
                        }
                    }
                    Some(TrackerCommand::Wake) => {}
                    Some(TrackerCommand::Shutdown) | None => {
                        let _ = sink.close().await;
                        return SessionEnd::Shutdown;
                    }
                },
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => self.on_text(text.as_str()),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return SessionEnd::Disconnected,
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// Routes one tracker message to its room (or, for a notice about no room, to all).
    fn on_text(&self, text: &str) {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let rooms = lock(&self.rooms);
        let topics = match message.get("info_hash").and_then(Value::as_str) {
            Some(info_hash) => rooms.topic(info_hash).cloned().into_iter().collect(),
            None if message.contains_key("failure reason")
                || message.contains_key("warning message") =>
            {
                rooms.all_topics()
            }
            None => Vec::new(),
        };
        drop(rooms);
        for topic in topics {
            let _ = self.inbox.send(RelayMessage {
                relay: self.index,
                topic,
                payload: text.to_owned(),
            });
        }
    }
}
