//! The reconnecting WebSocket of the Nostr and torrent strategies (protocol §4.1): one loop per
//! relay that connects, lets the strategy's [`Session`] speak on the open socket, and after a
//! drop waits Trystero's reconnect delay, a wake-up while paused, or a shutdown.
//!
//! States, as the signaler reports them: `Connecting` while connecting or waiting to retry,
//! `Open` while connected, `Retired` when the strategy retires the relay (a refusal) or the
//! reconnect schedule gives up (its period would reach 60 s). While disconnected, commands are
//! dropped: announcements repeat, and [`Session::opened`] sends what a fresh connection needs.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tracing::Instrument;
use trystero_core::random::OsRandom;
use trystero_core::signaler::{ReconnectSchedule, RelayState};

use crate::{Control, Inbox, RelayTask};

/// How long a connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one strategy says on a relay's socket. Every method returns the text frames to send.
pub trait Session: Send + 'static {
    /// The strategy's commands (publish, topics changed, …).
    type Command: Send + 'static;

    /// The socket (re)opened: what the relay must hear first (subscriptions, the last
    /// announces).
    fn opened(&mut self) -> Vec<String>;

    /// A command while connected.
    fn command(&mut self, command: Self::Command) -> Vec<String>;

    /// A text frame from the relay; deliver what it carries through `inbox`. `Err(reason)`
    /// retires the relay for the session (the socket is closed and never reopened).
    fn received(&mut self, text: &str, inbox: &Inbox) -> Result<(), String>;
}

enum End {
    Disconnected,
    Retired(String),
    Shutdown,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Spawns [`run`] on the current tokio runtime, inside `span` (the strategy's `relay{url}` or
/// `tracker{url}`, with the URL's user info redacted).
pub fn spawn<S: Session>(task: RelayTask<S::Command>, session: S, span: tracing::Span) {
    tokio::spawn(run(task, session).instrument(span));
}

/// Runs one relay until it is shut down (its [`crate::RelaySet`] dropped) or retired. Spawn it
/// in the strategy's span (`relay{url}`, `tracker{url}`).
pub async fn run<S: Session>(mut task: RelayTask<S::Command>, mut session: S) {
    let mut schedule = ReconnectSchedule::new();
    loop {
        if !task.wait_while_paused().await {
            return;
        }
        task.set_state(RelayState::Connecting);
        let connected = tokio::time::timeout(
            CONNECT_TIMEOUT,
            // Nagle off, as browsers have it: signalling is small messages in quick succession.
            // (The 40 ms a hop that joins lost to Nagle was on the relay's side, see the app's
            // embedded relay; on ours it measured no different, 100 joins each way.)
            tokio_tungstenite::connect_async_with_config(task.url(), None, true),
        )
        .await;
        match connected {
            Ok(Ok((socket, _))) => {
                tracing::info!("connected");
                task.set_state(RelayState::Open);
                schedule.reset();
                match speak(&mut task, &mut session, socket).await {
                    End::Disconnected => tracing::info!("disconnected"),
                    End::Shutdown => return,
                    End::Retired(reason) => {
                        tracing::warn!(%reason, "retired");
                        task.set_state(RelayState::Retired(reason));
                        return;
                    }
                }
            }
            Ok(Err(error)) => tracing::debug!(%error, "could not connect"),
            Err(_) => tracing::debug!(timeout = ?CONNECT_TIMEOUT, "could not connect in time"),
        }
        let Some(delay) = schedule.next_delay(&mut OsRandom) else {
            tracing::warn!("unreachable; gave up reconnecting");
            let reason = format!("{} unreachable; gave up reconnecting", task.url());
            task.set_state(RelayState::Retired(reason));
            return;
        };
        tracing::info!(?delay, "reconnecting");
        task.set_state(RelayState::Connecting);
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = &mut sleep => break,
                control = task.next_control() => match control {
                    Some(Control::Shutdown) | None => return,
                    Some(Control::Wake | Control::Command(_)) => {}
                },
            }
        }
    }
}

/// One connection, until it drops, the session retires the relay, or a shutdown.
async fn speak<S: Session>(
    task: &mut RelayTask<S::Command>,
    session: &mut S,
    socket: Socket,
) -> End {
    let (mut sink, mut stream) = socket.split();
    for text in session.opened() {
        if sink.send(Message::text(text)).await.is_err() {
            return End::Disconnected;
        }
    }
    loop {
        tokio::select! {
            control = task.next_control() => match control {
                Some(Control::Command(command)) => {
                    for text in session.command(command) {
                        if sink.send(Message::text(text)).await.is_err() {
                            return End::Disconnected;
                        }
                    }
                }
                Some(Control::Wake) => {}
                Some(Control::Shutdown) | None => {
                    let _ = sink.close().await;
                    return End::Shutdown;
                }
            },
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Err(reason) = session.received(text.as_str(), task.inbox()) {
                        let _ = sink.close().await;
                        return End::Retired(reason);
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return End::Disconnected,
                Some(Ok(_)) => {}
            },
        }
    }
}
