//! The title screen's network side: a tokio task that keeps the lobby, hosts, joins or quick
//! matches on the window's request, and hands the window a match's room socket when the lobby
//! says `GameStarting`. The window (on the main thread) and this task talk through two
//! bounded channels; neither ever blocks the other.

use std::time::Duration;

use tokio::sync::mpsc::{Receiver, Sender, channel};
use trystero::lobby::{
    Advert, GameId, GameSettings, LobbyClient, LobbyConfig, LobbyEvent, Profile,
};
use trystero::rollback::{ACTION, RoomSocket};
use trystero::{PeerId, Room, RoomEvent};

use super::{Network, NetworkArgs};

/// Requests and notices in flight at once, each way.
const QUEUE: usize = 32;
/// How often the open games are listed again.
const LISTING: Duration = Duration::from_millis(500);
/// Players in a game hosted from the title screen.
pub(super) const MAX_PLAYERS: u8 = 4;
/// A quick match starts as soon as this many are in.
const QUICK_MATCH_PLAYERS: usize = 2;

/// What the window asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Request {
    /// Open a game and wait for players.
    Host,
    /// Join this open game.
    Join(GameId),
    /// Find a game (or open one) through the lobby's matchmaking.
    QuickMatch,
    /// As host: start now with whoever is in.
    Start,
    /// Leave the game, or the match that was played (back to the title screen).
    Leave,
}

/// What the window is told.
#[derive(Debug)]
pub(super) enum Notice {
    /// The lobby's open games, as now listed.
    Games(Vec<Advert>),
    /// The game we are in: its players' names, whether we host it, whether it can start.
    Game {
        /// The players' names, in order.
        players: Vec<String>,
        /// We host it (Enter starts it).
        host: bool,
        /// Everyone is ready and there are enough players.
        can_start: bool,
    },
    /// A line for the person: connecting, an error.
    Status(String),
    /// The match starts.
    Start(Started),
    /// A player of the running match left its room.
    Left(PeerId),
}

/// A match that starts, as the lobby agreed it.
#[derive(Debug)]
pub(super) struct Started {
    /// The seed.
    pub(super) seed: u64,
    /// The players, in seat order.
    pub(super) roster: Vec<PeerId>,
    /// Our seat.
    pub(super) seat: usize,
    /// The inputs' socket in the match's own room.
    pub(super) socket: RoomSocket,
}

/// The window's ends of the channels.
pub(super) struct Link {
    pub(super) requests: Sender<Request>,
    pub(super) notices: Receiver<Notice>,
    /// The task: it leaves the lobby and ends once `requests` is dropped.
    pub(super) task: tokio::task::JoinHandle<()>,
}

/// Starts the task on the current tokio runtime.
pub(super) fn start(network: &NetworkArgs, name: Option<String>) -> Link {
    let (requests, request_rx) = channel(QUEUE);
    let (notice_tx, notices) = channel(QUEUE);
    let network = Box::new(network_args(network));
    let task = tokio::spawn(async move {
        let notify = notice_tx.clone();
        if let Err(error) = run(*network, name, request_rx, notice_tx).await {
            let _ = notify
                .send(Notice::Status(format!("LOBBY UNAVAILABLE: {error:#}")))
                .await;
        }
    });
    Link {
        requests,
        notices,
        task,
    }
}

/// A copy of the network arguments for the task.
fn network_args(args: &NetworkArgs) -> NetworkArgs {
    NetworkArgs {
        app: args.app.clone(),
        room: args.room.clone(),
        password: args.password.clone(),
        password_file: args.password_file.clone(),
        hardened_password: args.hardened_password,
        strategy: args.strategy.clone(),
        relays: args.relays.clone(),
        local: args.local,
        local_port: args.local_port,
        ice: args.ice.clone(),
        no_default_ice: args.no_default_ice,
    }
}

/// Where the task stands.
enum Place {
    /// In the lobby, in no game.
    Idle,
    /// In a game (or asking for one): `quick` starts at two players.
    InGame { quick: bool },
    /// Playing in the match's room.
    Playing(Room),
}

async fn run(
    args: NetworkArgs,
    name: Option<String>,
    mut requests: Receiver<Request>,
    notices: Sender<Notice>,
) -> anyhow::Result<()> {
    notices
        .send(Notice::Status("CONNECTING TO THE LOBBY...".into()))
        .await?;
    let network: Network = args.resolve().await?;
    let me = trystero::self_id();
    let profile = Profile::new(super::lobby::display_name(name.as_deref(), me), 1500);
    let config = LobbyConfig {
        max_players: MAX_PLAYERS,
        game_mode: "survival".into(),
        ..LobbyConfig::default()
    };
    let mut lobby = trystero::lobby::join_lobby(
        network.config.clone(),
        &args.room,
        &network.options,
        profile,
        config,
    )
    .await?;
    notices
        .send(Notice::Status(format!(
            "IN THE LOBBY OF ROOM {}",
            args.room
        )))
        .await?;
    let mut place = Place::Idle;
    let mut listing = tokio::time::interval(LISTING);
    loop {
        tokio::select! {
            request = requests.recv() => {
                let Some(request) = request else { break };
                place = handle(&lobby, request, place).await;
            }
            event = lobby.next_event() => {
                let Some(event) = event else {
                    anyhow::bail!("the lobby stopped");
                };
                if let Some(next) = on_event(&lobby, &network, event, &place, me, &notices).await? {
                    place = next;
                }
            }
            event = next_room_event(&mut place) => match event {
                Some(RoomEvent::PeerLeft(peer)) => notices.send(Notice::Left(peer)).await?,
                Some(_) => {}
                // The match's room closed under us: the match goes on without the network.
                None => place = Place::Idle,
            },
            _ = listing.tick() => {
                if matches!(place, Place::Idle) {
                    let games = lobby.games().await.unwrap_or_default();
                    let open = games.into_iter().filter(|game| !game.started).collect();
                    let _ = notices.try_send(Notice::Games(open));
                } else if let Place::InGame { quick } = place {
                    game_notice(&lobby, me, quick, &notices).await;
                }
            }
        }
    }
    if let Place::Playing(room) = place {
        let _ = room.leave().await;
    }
    let _ = lobby.leave_room().await;
    Ok(())
}

/// Carries out one request of the window.
async fn handle(lobby: &LobbyClient, request: Request, place: Place) -> Place {
    if request == Request::Leave {
        if let Place::Playing(room) = place {
            let _ = room.leave().await;
        }
        let _ = lobby.leave_room().await;
        return Place::Idle;
    }
    let result = match (&request, &place) {
        (Request::Host, Place::Idle) => lobby
            .create_room(GameSettings::named("WOLVES"))
            .await
            .map(|_| Place::InGame { quick: false }),
        (Request::Join(game), Place::Idle) => lobby
            .join_room(*game, false)
            .await
            .map(|()| Place::InGame { quick: false }),
        (Request::QuickMatch, Place::Idle) => lobby
            .quick_match()
            .await
            .map(|()| Place::InGame { quick: true }),
        (Request::Start, Place::InGame { .. }) => lobby.start_game().await.map(|()| place),
        _ => return place,
    };
    result.unwrap_or_else(|error| {
        tracing::warn!(%error, ?request, "the lobby refused");
        Place::Idle
    })
}

/// Reacts to the lobby: ready once in, quick matches started by their host at two players,
/// and the match's room joined once the game starts.
async fn on_event(
    lobby: &LobbyClient,
    network: &Network,
    event: LobbyEvent,
    place: &Place,
    me: PeerId,
    notices: &Sender<Notice>,
) -> anyhow::Result<Option<Place>> {
    match event {
        LobbyEvent::Entered { .. } => {
            lobby.set_ready(true).await?;
        }
        LobbyEvent::JoinRejected { reason, .. } => {
            notices
                .send(Notice::Status(format!("THE GAME REFUSED US: {reason:?}")))
                .await?;
            return Ok(Some(Place::Idle));
        }
        LobbyEvent::GameStarting {
            game, seed, roster, ..
        } => {
            let Some(seat) = roster.iter().position(|peer| *peer == me) else {
                return Ok(None);
            };
            notices
                .send(Notice::Status("JOINING THE MATCH...".into()))
                .await?;
            let name = format!("{}-play", game.room_name());
            let room =
                trystero::join_room_with(network.config.clone(), &name, &network.options).await?;
            let socket = RoomSocket::new(&room, ACTION).await?;
            notices
                .send(Notice::Start(Started {
                    seed,
                    roster,
                    seat,
                    socket,
                }))
                .await?;
            return Ok(Some(Place::Playing(room)));
        }
        _ => {}
    }
    if let Place::InGame { quick } = place {
        game_notice(lobby, me, *quick, notices).await;
        if *quick {
            super::lobby::start_when_ready(lobby, QUICK_MATCH_PLAYERS).await;
        }
    }
    Ok(None)
}

/// Tells the window about the game we are in.
async fn game_notice(lobby: &LobbyClient, me: PeerId, quick: bool, notices: &Sender<Notice>) {
    let Ok(Some((state, host))) = lobby.game().await else {
        return;
    };
    let players = state
        .players
        .iter()
        .map(|player| {
            let you = if player.id == me { " (YOU)" } else { "" };
            format!("{}{you}", player.profile.name)
        })
        .collect();
    let can_start = host && !quick && state.players.len() >= 2 && state.can_start();
    let _ = notices.try_send(Notice::Game {
        players,
        host,
        can_start,
    });
}

async fn next_room_event(place: &mut Place) -> Option<RoomEvent> {
    match place {
        Place::Playing(room) => room.next_event().await,
        _ => std::future::pending().await,
    }
}
