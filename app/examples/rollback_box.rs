//! Rollback netcode over a room, without a window: the box game of bevy_ggrs, in a terminal.
//!
//! Two players in one process, each with its own [`P2PSession`] over a [`RoomSocket`] (the
//! session's datagrams on a room action, over WebRTC). Each frame a player presses a scripted
//! direction; the session sends it, predicts the other player's input until it arrives, and
//! rolls back (load a saved state, simulate again) when a prediction was wrong. After 300
//! frames at 60 Hz both players must hold the same game state: it prints both and fails if
//! they differ. Offline: an embedded Nostr relay and WebRTC on the loopback interface.
//!
//! The game is deterministic by construction: integer positions on a small grid, inputs
//! applied in player order. That is all rollback asks of a game (plus `Clone` for saving).
//!
//! Run it with `cargo run -p trystero --example rollback_box`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::{Duration, Instant};

use trystero::netcode::{
    Config, Event, Frame, InputStatus, P2PSession, PlayerInput, Request, SessionError, Slots,
    checksum_words,
};
use trystero::relay::EmbeddedRelay;
use trystero::rollback::{ACTION, RoomSocket};
use trystero::{JoinOptions, PeerId, Room, RoomConfig, RoomEvent, WebRtcConfig};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// How long to wait for anything before giving up.
const WAIT: Duration = Duration::from_secs(20);
/// The frames to play.
const FRAMES: Frame = 300;
/// The grid is `GRID` × `GRID` cells and wraps around.
const GRID: u32 = 12;

// The input: one byte, a direction (or nothing).
const STAY: u8 = 0;
const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 3;
const RIGHT: u8 = 4;

/// The whole game state: each player's box on the grid, and the frames played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Game {
    boxes: [(u32, u32); 2],
    frame: u32,
}

impl Game {
    fn new() -> Self {
        Self {
            boxes: [(2, 2), (GRID - 3, GRID - 3)],
            frame: 0,
        }
    }

    /// One frame: each player's input moves its box by one cell.
    fn step(&mut self, inputs: &[PlayerInput<u8>]) {
        for ((x, y), player) in self.boxes.iter_mut().zip(inputs) {
            match player.input {
                UP => *y = (*y + GRID - 1) % GRID,
                DOWN => *y = (*y + 1) % GRID,
                LEFT => *x = (*x + GRID - 1) % GRID,
                RIGHT => *x = (*x + 1) % GRID,
                _ => {}
            }
        }
        self.frame += 1;
    }

    /// The state's checksum: the sessions compare them to detect a desync.
    fn checksum(&self) -> u64 {
        let [(x0, y0), (x1, y1)] = self.boxes;
        checksum_words(&[x0, y0, x1, y1, self.frame].map(u64::from))
    }
}

/// What `player` presses on `frame`: a walk around a square, at a different pace for each
/// player (so the other side's guess, "the same as last frame", is often wrong).
fn scripted_input(player: usize, frame: Frame) -> u8 {
    let pace = if player == 0 { 8 } else { 11 };
    match frame / pace % 5 {
        0 => RIGHT,
        1 => DOWN,
        2 => LEFT,
        3 => UP,
        _ => STAY,
    }
}

/// The game at frame [`FRAMES`] played without a network: every input known in advance.
fn offline() -> Game {
    let mut game = Game::new();
    for frame in 0..FRAMES {
        game.step(&[0, 1].map(|player| PlayerInput {
            input: scripted_input(player, frame),
            status: InputStatus::Confirmed,
        }));
    }
    game
}

/// One peer: its session, the socket it talks through, and its copy of the game.
struct Player {
    name: &'static str,
    /// The player number: the same on both sides (ordered by peer id).
    number: usize,
    session: P2PSession<u8, PeerId>,
    socket: RoomSocket,
    game: Game,
    /// Saved states to roll back to, one per session slot.
    slots: Slots<Game>,
    /// The game as last saved at the start of frame [`FRAMES`] (a rollback saves again).
    at_end: Option<Game>,
    /// Whether `at_end` is final: every input before frame [`FRAMES`] was known when it was
    /// saved.
    done: bool,
    requests: Vec<Request<u8>>,
}

impl Player {
    async fn new(name: &'static str, room: &Room, ids: [PeerId; 2], me: PeerId) -> Result<Self> {
        let number = usize::from(ids[1] == me);
        // No input delay, so that rollbacks happen even on loopback: an input takes effect on
        // the frame it is pressed, before the other side can know it. Games usually keep the
        // default delay of 2 frames, which hides that much latency.
        let config = Config {
            input_delay: 0,
            ..Config::default()
        };
        let mut session = P2PSession::new(config, number)?;
        // The other player, addressed by its peer id.
        session.add_remote(1 - number, ids[1 - number])?;
        let game = Game::new();
        Ok(Self {
            name,
            number,
            slots: Slots::new(&game, session.slots()),
            session,
            socket: RoomSocket::new(room, ACTION).await?,
            game,
            at_end: None,
            done: false,
            requests: Vec::new(),
        })
    }

    /// One tick of the game loop.
    fn tick(&mut self, now_ms: u64) -> Result<()> {
        // The network: send our inputs, receive theirs (also after we are done, so the other
        // side gets everything it needs).
        self.session.poll(now_ms, &mut self.socket);
        while let Some(event) = self.session.next_event() {
            if let Event::Desync { .. } | Event::Disconnected { .. } = event {
                return Err(format!("{}: {event:?}", self.name).into());
            }
        }
        if self.done {
            return Ok(());
        }
        // Once frame FRAMES was reached and every input before it has arrived, this advance
        // does the last rollback that can change the state at FRAMES (if a guess was wrong).
        let settled =
            self.session.current_frame() >= FRAMES && self.session.confirmed_frame() >= FRAMES;
        let input = scripted_input(self.number, self.session.current_frame());
        match self.session.advance_frame(input, &mut self.requests) {
            Ok(()) => {}
            // Too far ahead of the other player: skip this frame, it will catch up.
            Err(SessionError::PredictionThreshold) => return Ok(()),
            Err(error) => return Err(error.into()),
        }
        // Carry out what the session asks, in order: save, load (a rollback), advance.
        let (session, at_end) = (&mut self.session, &mut self.at_end);
        self.slots.carry_out(
            &self.requests,
            &mut self.game,
            Game::step,
            |frame, game, checksum| {
                if checksum {
                    session.report_checksum(frame, &[game.checksum()]);
                }
                if frame == FRAMES {
                    *at_end = Some(*game);
                }
            },
        );
        self.done = settled;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let relay = EmbeddedRelay::start(0).await?;
    let config = RoomConfig::builder("trystero-example-rollback-box")
        .relay_urls([relay.url()])
        .ice_servers(Vec::new())
        .build()?;
    let options = |peer_id| JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        peer_id: Some(peer_id),
        ..JoinOptions::default()
    };
    let (alice_id, bob_id) = (PeerId::random()?, PeerId::random()?);
    let mut alice_room =
        trystero::join_room_with(config.clone(), "arena", &options(alice_id)).await?;
    let mut bob_room = trystero::join_room_with(config, "arena", &options(bob_id)).await?;
    until(
        &mut alice_room,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == bob_id),
    )
    .await?;
    until(
        &mut bob_room,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == alice_id),
    )
    .await?;

    // Both sides must agree on who is player 0: the smaller peer id.
    let mut ids = [alice_id, bob_id];
    ids.sort();
    let mut players = [
        Player::new("alice", &alice_room, ids, alice_id).await?,
        Player::new("bob", &bob_room, ids, bob_id).await?,
    ];
    println!(
        "alice is player {}, bob is player {}; playing {FRAMES} frames at 60 Hz",
        players[0].number, players[1].number
    );

    // The game loop: 60 ticks a second, each player ticks on its own (in a real game each
    // player is a process of its own; here one loop runs both).
    let started = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_micros(16_667));
    while !players.iter().all(|player| player.done) {
        ticks.tick().await;
        if started.elapsed() > 4 * WAIT {
            return Err("the game did not finish in time".into());
        }
        let now_ms = u64::try_from(started.elapsed().as_millis())?;
        for player in &mut players {
            player.tick(now_ms)?;
        }
    }
    println!("played in {} ms", started.elapsed().as_millis());

    for player in &players {
        let game = player.at_end.ok_or("no state at the last frame")?;
        let stats = player.session.stats();
        println!(
            "{}: frame {}, boxes at {:?}, checksum {:016x} ({} rollbacks, {} frames replayed)",
            player.name,
            game.frame,
            game.boxes,
            game.checksum(),
            stats.rollbacks,
            stats.resimulated
        );
    }
    if players[0].at_end != players[1].at_end {
        return Err("desync: the players' states differ".into());
    }
    // And it is the game the scripts give without any network.
    if players[0].at_end != Some(offline()) {
        return Err("both players agree, but not with the offline replay".into());
    }
    println!("in sync, and equal to the offline replay");

    drop(players);
    alice_room.leave().await?;
    until(
        &mut bob_room,
        |event| matches!(event, RoomEvent::PeerLeft(peer) if *peer == alice_id),
    )
    .await?;
    bob_room.leave().await?;
    Ok(())
}

/// Waits (at most [`WAIT`]) for a room event that `wanted` accepts.
async fn until(room: &mut Room, wanted: impl Fn(&RoomEvent) -> bool) -> Result<()> {
    let found = async {
        while let Some(event) = room.next_event().await {
            if wanted(&event) {
                return Ok(());
            }
        }
        Err("the room closed")
    };
    Ok(tokio::time::timeout(WAIT, found).await??)
}
