//! The thin async layer: a [`Lobby`] driven over core's rooms.
//!
//! [`start`] takes the lobby, the joined lobby room, a [`RoomJoiner`] (how to join a game's room
//! with the app's configuration) and a clock, and returns a [`LobbyClient`] handle and one
//! future to spawn on any executor (`futures` only, like core's room driver). The future owns
//! the lobby: it feeds room events and messages in, ticks every [`TICK`], and carries the lobby's
//! outputs out — messages on the `lobby` action of the lobby or game room, joining and leaving
//! game rooms, events to the client. It ends when the client is dropped.

use std::future::Future;
use std::time::Duration;

use futures_channel::{mpsc, oneshot};
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::StreamExt;
use trystero_core::PeerId;
use trystero_core::identity::PublicKey;
use trystero_core::room::action::{Action, Message as ActionMessage};
use trystero_core::room::{Room, RoomEvent};
use trystero_core::time::Clock;

use crate::game::{GameId, GameSettings, GameState};
use crate::lobby::{Channel, Input, Lobby, LobbyError, LobbyEvent, Output};
use crate::message::Advert;
use crate::rating::Rating;

/// How often the lobby ticks (adverts, takeovers, quick match).
pub const TICK: Duration = Duration::from_millis(100);
/// The action every lobby message travels on, in the lobby room and in game rooms.
pub const ACTION: &str = "lobby";
/// The most events the client may leave unread; later ones are dropped until it reads again.
pub const MAX_PENDING_EVENTS: usize = 1024;

/// How the lobby joins a game's room: the app's configuration and strategy.
pub trait RoomJoiner: Send + Sync + 'static {
    /// Joins the room named `room` (a [`GameId::room_name`]).
    fn join(&self, room: &str) -> impl Future<Output = Result<Room, String>> + Send;
}

/// The driver stopped: the lobby is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the lobby has stopped")]
pub struct Stopped;

type Call = Box<dyn FnOnce(&mut Lobby, trystero_core::time::Millis) + Send>;

/// The handle on a running lobby.
#[derive(Debug)]
pub struct LobbyClient {
    calls: mpsc::UnboundedSender<Call>,
    events: mpsc::Receiver<LobbyEvent>,
}

impl LobbyClient {
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Lobby, trystero_core::time::Millis) -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        let (reply, result) = oneshot::channel();
        let call: Call = Box::new(move |lobby, now| {
            let _ = reply.send(f(lobby, now));
        });
        self.calls.unbounded_send(call).map_err(|_| Stopped)?;
        result.await.map_err(|_| Stopped)
    }

    /// See [`Lobby::create_room`].
    pub async fn create_room(&self, settings: GameSettings) -> Result<GameId, LobbyError> {
        self.call(move |lobby, now| lobby.create_room(now, settings))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::join_room`].
    pub async fn join_room(&self, game: GameId, spectator: bool) -> Result<(), LobbyError> {
        self.call(move |lobby, now| lobby.join_room(now, game, spectator))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::quick_match`].
    pub async fn quick_match(&self) -> Result<(), LobbyError> {
        self.call(|lobby, now| lobby.quick_match(now))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::leave_room`].
    pub async fn leave_room(&self) -> Result<(), LobbyError> {
        self.call(|lobby, now| lobby.leave_room(now))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::set_ready`].
    pub async fn set_ready(&self, ready: bool) -> Result<(), LobbyError> {
        self.call(move |lobby, now| lobby.set_ready(now, ready))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::start_game`].
    pub async fn start_game(&self) -> Result<(), LobbyError> {
        self.call(|lobby, now| lobby.start_game(now))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::send_message`].
    pub async fn send_message(&self, text: &str) -> Result<(), LobbyError> {
        let text = text.to_owned();
        self.call(move |lobby, now| lobby.send_message(now, &text))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// See [`Lobby::report_result`].
    pub async fn report_result(&self, places: Vec<(PeerId, u8)>) -> Result<(), LobbyError> {
        self.call(move |lobby, now| lobby.report_result(now, &places))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// Every known player's rating, if this lobby rates games.
    pub async fn ratings(&self) -> Result<Vec<(PublicKey, Rating)>, Stopped> {
        self.call(|lobby, _| {
            lobby
                .ratings()
                .map(|ratings| ratings.all().map(|(key, rating)| (*key, *rating)).collect())
                .unwrap_or_default()
        })
        .await
    }

    /// The ratings table as a file holds it, if this lobby rates games.
    pub async fn saved_ratings(&self) -> Result<Option<crate::rating::SavedRatings>, Stopped> {
        self.call(|lobby, _| lobby.ratings().map(crate::rating::Ratings::save))
            .await
    }

    /// See [`Lobby::report_match`].
    pub async fn report_match(&self, match_id: u16, winner: PeerId) -> Result<(), LobbyError> {
        self.call(move |lobby, now| lobby.report_match(now, match_id, winner))
            .await
            .unwrap_or(Err(LobbyError::Stopped))
    }

    /// The dashboard's figures now.
    pub async fn analytics(&self) -> Result<crate::analytics::Analytics, Stopped> {
        self.call(|lobby, now| lobby.analytics(now)).await
    }

    /// The listed games.
    pub async fn games(&self) -> Result<Vec<Advert>, Stopped> {
        self.call(|lobby, _| lobby.games()).await
    }

    /// The current game's state, and whether we host it.
    pub async fn game(&self) -> Result<Option<(GameState, bool)>, Stopped> {
        self.call(|lobby, _| lobby.game().cloned().map(|state| (state, lobby.is_host())))
            .await
    }

    /// The next event; `None` once the lobby stopped.
    pub async fn next_event(&mut self) -> Option<LobbyEvent> {
        self.events.next().await
    }
}

/// One room the lobby speaks in: its handle and its `lobby` action.
struct Joined {
    room: Room,
    action: Action<Vec<u8>>,
}

impl Joined {
    async fn new(room: Room) -> Result<Self, String> {
        let action = room
            .make_action::<Vec<u8>>(ACTION)
            .await
            .map_err(|error| error.to_string())?;
        Ok(Self { room, action })
    }
}

/// What woke the driver.
enum Wake {
    Call(Option<Call>),
    Room(Channel, Option<RoomEvent>),
    Message(Channel, Option<ActionMessage<Vec<u8>>>),
    Tick,
}

/// Starts a lobby over `lobby_room` (already joined, the app's well-known lobby room). Spawn the
/// returned future.
pub fn start<J: RoomJoiner, C: Clock + Clone>(
    lobby: Lobby,
    lobby_room: Room,
    joiner: J,
    clock: C,
) -> (LobbyClient, impl Future<Output = ()> + Send) {
    let (calls, call_inbox) = mpsc::unbounded();
    let (events, event_inbox) = mpsc::channel(MAX_PENDING_EVENTS);
    let driver = run(lobby, lobby_room, joiner, clock, call_inbox, events);
    (
        LobbyClient {
            calls,
            events: event_inbox,
        },
        driver,
    )
}

async fn run<J: RoomJoiner, C: Clock + Clone>(
    mut lobby: Lobby,
    lobby_room: Room,
    joiner: J,
    clock: C,
    mut calls: mpsc::UnboundedReceiver<Call>,
    mut events: mpsc::Sender<LobbyEvent>,
) {
    let Ok(mut home) = Joined::new(lobby_room).await else {
        return;
    };
    let mut game: Option<(GameId, Joined)> = None;
    let mut next_tick = clock.now().after(TICK);
    loop {
        // Carry out everything the lobby asked for.
        while let Some(output) = lobby.poll_output() {
            match output {
                Output::Send { channel, to, bytes } => {
                    let joined = match channel {
                        Channel::Lobby => Some(&home),
                        Channel::Game => game.as_ref().map(|(_, joined)| joined),
                    };
                    if let Some(joined) = joined {
                        let sending = joined.action.send(&bytes);
                        // A peer that left meanwhile is the only failure: the lobby hears of it.
                        let _ = match to {
                            Some(peer) => sending.to(peer).await,
                            None => sending.await,
                        };
                    }
                }
                Output::EnterGame(id) => {
                    if let Some((_, old)) = game.take() {
                        let _ = old.room.leave().await;
                    }
                    match joiner.join(&id.room_name()).await {
                        Ok(room) => match Joined::new(room).await {
                            Ok(joined) => game = Some((id, joined)),
                            Err(error) => tracing::warn!(%error, "could not open the game room"),
                        },
                        Err(error) => tracing::warn!(%error, "could not join the game room"),
                    }
                }
                Output::ExitGame(id) => {
                    if game.as_ref().is_some_and(|(current, _)| *current == id)
                        && let Some((_, old)) = game.take()
                    {
                        let _ = old.room.leave().await;
                    }
                }
                // A client that stops reading misses the events past the bound; the lobby never
                // waits for it.
                Output::Event(event) => {
                    let _ = events.try_send(event);
                }
            }
        }
        let wake = {
            let call = calls.next().map(Wake::Call);
            let home_event = home
                .room
                .next_event()
                .map(|e| Wake::Room(Channel::Lobby, e));
            let home_message = home.action.recv().map(|m| Wake::Message(Channel::Lobby, m));
            let tick = clock.sleep_until(next_tick).map(|()| Wake::Tick);
            let game_side: BoxFuture<'_, Wake> = match game.as_mut() {
                Some((_, joined)) => {
                    let Joined { room, action } = joined;
                    let event = room.next_event().map(|e| Wake::Room(Channel::Game, e));
                    let message = action.recv().map(|m| Wake::Message(Channel::Game, m));
                    futures_util::future::select(event.boxed(), message.boxed())
                        .map(|either| either.factor_first().0)
                        .boxed()
                }
                None => futures_util::future::pending().boxed(),
            };
            let lobby_side = futures_util::future::select(home_event.boxed(), home_message.boxed())
                .map(|either| either.factor_first().0);
            let first = futures_util::future::select(call.boxed(), tick.boxed())
                .map(|either| either.factor_first().0);
            let rest = futures_util::future::select(lobby_side.boxed(), game_side)
                .map(|either| either.factor_first().0);
            futures_util::future::select(first.boxed(), rest.boxed())
                .await
                .factor_first()
                .0
        };
        let now = clock.now();
        match wake {
            Wake::Call(Some(call)) => call(&mut lobby, now),
            Wake::Call(None) => return,
            Wake::Room(channel, Some(RoomEvent::PeerJoined(peer))) => {
                lobby.handle(now, Input::PeerJoined { channel, peer });
            }
            Wake::Room(channel, Some(RoomEvent::PeerLeft(peer))) => {
                lobby.handle(now, Input::PeerLeft { channel, peer });
            }
            Wake::Room(_, Some(_)) => {}
            // The lobby room's driver stopped: so do we.
            Wake::Room(Channel::Lobby, None) | Wake::Message(Channel::Lobby, None) => return,
            Wake::Room(Channel::Game, None) | Wake::Message(Channel::Game, None) => {
                game = None;
            }
            Wake::Message(channel, Some(message)) => lobby.handle(
                now,
                Input::Received {
                    channel,
                    from: message.peer,
                    bytes: message.value,
                },
            ),
            Wake::Tick => {
                next_tick = now.after(TICK);
                lobby.handle(now, Input::Tick);
            }
        }
    }
}
