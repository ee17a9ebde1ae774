//! `trystero game`: the wolf-survival match, and `trystero replay`: a recorded one played back.
//!
//! With `--players N` (2 to 4) the players meet through the lobby in `--room`: a quick match
//! for N, everyone ready, the host starts once N are in, and every peer takes the seed and the
//! seat order from the lobby's `GameStarting`. The match then runs in a room of its own (the
//! game's room name plus `-play`) under a rollback session over the room's data channels. With
//! `--players 1` there is no network at all.
//!
//! `--headless` is the only mode until the window lands: a live one-line status on stderr when
//! it is a terminal, the summary on stdout at the end. `--bot` plays your seat with the game's
//! bot (through the same inputs a person's keys make); without it your fighter stands still.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use tokio::io::AsyncWriteExt;
use tokio::time::MissedTickBehavior;
use trystero::game::{Bot, Hud, Match, Replay, Samples, Setup, Summary, Tick};
use trystero::lobby::{GameId, LobbyConfig, LobbyEvent, Profile, join_lobby};
use trystero::netcode::{Config, Frame};
use trystero::rollback::{ACTION, RoomSocket};
use trystero::{PeerId, RoomEvent};

use super::NetworkArgs;

/// The longest a finished peer waits for the others to have its last inputs.
const LINGER: Duration = Duration::from_secs(3);
/// The largest replay file read.
const MAX_REPLAY_BYTES: u64 = 64 << 20;

#[derive(Debug, Args)]
pub(crate) struct GameArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// No window, no audio: a status line and a summary.
    #[arg(long)]
    headless: bool,
    /// Play your seat with the bot.
    #[arg(long)]
    bot: bool,
    /// Players in the match (1 to 4): wait in the room until this many are there.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=4))]
    players: u8,
    /// End the match after this many frames (60 a second); otherwise when everyone fell.
    #[arg(long)]
    frames: Option<Frame>,
    /// Write the end-of-match summary (with the final checksum) to this file as JSON.
    #[arg(long)]
    summary: Option<PathBuf>,
    /// Record the match (seed, roster, every input) to this file, for `trystero replay`.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Your name in the lobby (default: the start of your peer id).
    #[arg(long)]
    name: Option<String>,
    /// In the window: save a screenshot of the last frame to this PNG file, then close.
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// The seed of a one-player match (default: random). With more players the lobby draws it.
    #[arg(long)]
    seed: Option<u64>,
    /// In the window: write the performance monitor's figures of the whole run to this file
    /// as JSON at the end (frame times, 1 % low, hitches, CPU per frame by part).
    #[arg(long)]
    perf: Option<PathBuf>,
    /// Instead of a match, a stress scene for the window's figures: --players bots in one
    /// world, every wave this many wolves, no network; ends after --frames (default 3600).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    stress_wolves: Option<u16>,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The replay file (`trystero game --record FILE`).
    file: PathBuf,
    /// Write the summary (with the final checksum) to this file as JSON.
    #[arg(long)]
    summary: Option<PathBuf>,
}

/// Who plays and how, as agreed.
struct Start {
    seed: u64,
    roster: Vec<PeerId>,
    seat: usize,
    game: Option<GameId>,
}

pub(crate) async fn run(args: GameArgs) -> Result<()> {
    let players = usize::from(args.players);
    if let Some(wolves) = args.stress_wolves {
        return stress(&args, players, usize::from(wolves));
    }
    if players == 1 {
        let seed = match args.seed {
            Some(seed) => seed,
            None => random_seed()?,
        };
        let me = trystero::self_id();
        let start = Start {
            seed,
            roster: vec![me],
            seat: 0,
            game: None,
        };
        return play(&args, start, None).await;
    }
    let network = args.network.resolve().await?;
    let me = trystero::self_id();
    let profile = Profile {
        name: super::lobby::display_name(args.name.as_deref(), me),
        rating: 1500,
        key: None,
    };
    let lobby_config = LobbyConfig {
        max_players: args.players,
        game_mode: "survival".into(),
        ..LobbyConfig::default()
    };
    let mut lobby = join_lobby(
        network.config.clone(),
        &args.network.room,
        &network.options,
        profile,
        lobby_config,
    )
    .await?;
    lobby.quick_match().await?;
    eprintln!(
        "trystero: waiting for {players} players in room {:?}…",
        args.network.room
    );
    let start = loop {
        let event = lobby
            .next_event()
            .await
            .context("the lobby stopped before the game started")?;
        match event {
            LobbyEvent::Entered { .. } => lobby.set_ready(true).await?,
            LobbyEvent::GameStarting {
                game, seed, roster, ..
            } => {
                let seat = roster
                    .iter()
                    .position(|peer| *peer == me)
                    .context("the game started without us")?;
                break Start {
                    seed,
                    roster,
                    seat,
                    game: Some(game),
                };
            }
            _ => {}
        }
        super::lobby::start_when_ready(&lobby, players).await;
    };
    let room_name = match &start.game {
        Some(game) => format!("{}-play", game.room_name()),
        None => unreachable!("a networked start names its game"),
    };
    let room = trystero::join_room_with(network.config, &room_name, &network.options).await?;
    let result = play(&args, start, Some(room)).await;
    drop(lobby);
    result
}

/// The stress scene in the window (`--stress-wolves`).
fn stress(args: &GameArgs, players: usize, wolves: usize) -> Result<()> {
    if !super::window::display_available() {
        bail!("--stress-wolves draws in a window: no display (DISPLAY or WAYLAND_DISPLAY)");
    }
    let frames = args.frames.unwrap_or(3_600);
    let mut stage = super::stress::Stress::new(args.seed.unwrap_or(1), players, wolves, frames);
    tokio::task::block_in_place(|| super::window::run(&mut stage, args.perf.clone()))?;
    eprintln!(
        "trystero: stress scene of {players} bots and {wolves} wolves a wave: {frames} frames, {} wolves alive at the end",
        stage.wolves()
    );
    Ok(())
}

/// A seed from the operating system.
pub(super) fn random_seed() -> Result<u64> {
    use trystero_core::random::{OsRandom, RandomSource};
    let mut bytes = [0u8; 8];
    OsRandom.fill_bytes(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

/// Plays the match at 60 Hz until its end is settled (or Ctrl-C), then writes the record and
/// the summary.
async fn play(args: &GameArgs, start: Start, room: Option<trystero::Room>) -> Result<()> {
    let players = start.roster.len();
    let remotes = remotes(&start.roster, start.seat);
    let mut game = Match::new(Setup {
        seed: start.seed,
        players,
        seat: start.seat,
        remotes: remotes.clone(),
        frames: args.frames,
        session: Config::default(),
    })
    .context("setting up the match")?;
    let socket = match &room {
        Some(room) => Some(RoomSocket::new(room, ACTION).await?),
        None => None,
    };
    let mut bot = args.bot.then(|| Bot::new(start.seat));
    let windowed = !args.headless && super::window::display_available();
    if !args.headless && !windowed {
        eprintln!("trystero: no display (DISPLAY or WAYLAND_DISPLAY): playing headless");
    }
    let mut run = Loop::new(socket, remotes);
    run.live = std::io::stderr().is_terminal() && !windowed;
    let room = if windowed {
        match windowed_match(args, &mut game, &mut run, bot.as_mut(), room, start.seat) {
            (room, Ok(())) => room,
            (room, Err(error)) => {
                eprintln!("trystero: {error}: playing headless");
                run.live = std::io::stderr().is_terminal();
                headless_match(&mut game, &mut run, bot.as_mut(), room).await
            }
        }
    } else {
        headless_match(&mut game, &mut run, bot.as_mut(), room).await
    };
    if run.live {
        eprintln!();
    }
    let duration = run.began.elapsed().as_secs_f64();
    let summary = Summary::of_match(&game, duration, &run.pings, &run.frame_times);
    if let Some(path) = &args.record {
        let names = start
            .roster
            .iter()
            .map(|peer| peer.as_str().to_owned())
            .collect();
        let replay = game
            .replay(names)
            .context("the match did not reach its end, so there is no replay to write")?;
        write_durably(path, replay.to_json().as_bytes()).await?;
    }
    if let Some(path) = &args.summary {
        write_durably(path, summary.to_json().as_bytes()).await?;
    }
    let mut stdout = tokio::io::stdout();
    stdout.write_all(summary.text().as_bytes()).await?;
    stdout.flush().await?;
    if let Some(room) = room {
        let _ = room.leave().await;
    }
    Ok(())
}

/// The other seats of `roster` and their peers, for the match's session.
pub(super) fn remotes(roster: &[PeerId], seat: usize) -> Vec<(usize, PeerId)> {
    roster
        .iter()
        .copied()
        .enumerate()
        .filter(|(other, _)| *other != seat)
        .collect()
}

/// What every tick of a match shares, headless or windowed.
pub(super) struct Loop {
    socket: Option<RoomSocket>,
    remotes: Vec<(usize, PeerId)>,
    pub(super) pings: Samples,
    pub(super) frame_times: Samples,
    pub(super) began: Instant,
    finished_at: Option<Instant>,
    ticks: u64,
    /// Rewrite the status line on stderr.
    live: bool,
}

impl Loop {
    /// The loop of a match over `socket` (none alone) with these remote seats.
    pub(super) fn new(socket: Option<RoomSocket>, remotes: Vec<(usize, PeerId)>) -> Self {
        Self {
            socket,
            remotes,
            pings: Samples::default(),
            frame_times: Samples::default(),
            began: Instant::now(),
            finished_at: None,
            ticks: 0,
            live: false,
        }
    }

    /// One tick with our `input`; whether the match is over (its end settled, or lingered on
    /// long enough for the others).
    pub(super) fn tick(&mut self, game: &mut Match<PeerId>, input: u16) -> bool {
        self.ticks += 1;
        let now = u64::try_from(self.began.elapsed().as_millis()).unwrap_or(u64::MAX);
        let tick_started = Instant::now();
        let tick = match self.socket.as_mut() {
            Some(socket) => game.tick(now, socket, input),
            None => game.tick(now, &mut NoSocket, input),
        };
        let spent = u32::try_from(tick_started.elapsed().as_micros()).unwrap_or(u32::MAX);
        if tick == Tick::Advanced {
            self.frame_times.push(spent);
        }
        while let Some(event) = game.next_session_event() {
            if let trystero::netcode::Event::Desync {
                frame,
                player,
                part,
                local,
                remote,
            } = event
            {
                tracing::error!(frame, seat = player, part, local = %format!("{local:#x}"), remote = %format!("{remote:#x}"), "desync");
                eprintln!(
                    "\ntrystero: DESYNC at frame {frame} with player {}: part {part} ours {local:#018x} theirs {remote:#018x}",
                    player + 1
                );
            }
        }
        while game.next_event().is_some() {}
        if self.ticks.is_multiple_of(10)
            && let Some(session) = game.session()
        {
            for (seat, _) in &self.remotes {
                let rtt = session.rtt_ms(*seat);
                if rtt > 0 {
                    self.pings.push(u32::try_from(rtt).unwrap_or(u32::MAX));
                }
            }
        }
        if self.live && self.ticks.is_multiple_of(6) {
            status(&status_line(game, &self.pings));
        }
        if game.finished().is_some() {
            let since = *self.finished_at.get_or_insert_with(Instant::now);
            return game.settled() || since.elapsed() >= LINGER;
        }
        false
    }

    /// The seat of a remote peer.
    pub(super) fn seat_of(&self, peer: PeerId) -> Option<usize> {
        self.remotes
            .iter()
            .find(|(_, p)| *p == peer)
            .map(|(seat, _)| *seat)
    }

    /// The HUD's network figures now.
    pub(super) fn hud(&self, game: &Match<PeerId>, seat: usize) -> Hud {
        let pings = game.session().map_or_else(Vec::new, |session| {
            self.remotes
                .iter()
                .map(|(seat, _)| {
                    (
                        *seat,
                        u32::try_from(session.rtt_ms(*seat)).unwrap_or(u32::MAX),
                    )
                })
                .collect()
        });
        Hud {
            seat: Some(seat),
            pings,
            rollback: game.counters().max_depth(),
            desync: !game.counters().desyncs.is_empty(),
            overlay: Vec::new(),
            title: None,
        }
    }
}

/// The match at 60 Hz on a tokio timer, until it is over or Ctrl-C; returns the room.
async fn headless_match(
    game: &mut Match<PeerId>,
    run: &mut Loop,
    mut bot: Option<&mut Bot>,
    mut room: Option<trystero::Room>,
) -> Option<trystero::Room> {
    let mut ticker = tokio::time::interval(Duration::from_micros(16_667));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            event = next_room_event(&mut room) => {
                if let Some(RoomEvent::PeerLeft(peer)) = event
                    && let Some(seat) = run.seat_of(peer)
                {
                    game.disconnect(seat);
                }
                continue;
            }
            _ = tokio::signal::ctrl_c() => break,
        }
        let input = match bot.as_mut() {
            Some(bot) => bot.input(game.world(), game.rules()),
            None => 0,
        };
        if run.tick(game, input) {
            break;
        }
    }
    room
}

/// The match in the window, on this (the main) thread, while a task watches the room for
/// peers leaving. Returns the room, and why there was no window if there was none (the
/// caller goes on headless).
fn windowed_match(
    args: &GameArgs,
    game: &mut Match<PeerId>,
    run: &mut Loop,
    bot: Option<&mut Bot>,
    room: Option<trystero::Room>,
    seat: usize,
) -> (Option<trystero::Room>, std::result::Result<(), String>) {
    let (left_tx, left_rx) = std::sync::mpsc::channel::<PeerId>();
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let watcher = room.map(|mut room| {
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    event = room.next_event() => match event {
                        Some(RoomEvent::PeerLeft(peer)) => {
                            let _ = left_tx.send(peer);
                        }
                        Some(_) => {}
                        None => break,
                    },
                    _ = &mut stop_rx => break,
                }
            }
            room
        })
    });
    let run_cell = std::cell::RefCell::new(run);
    let mut tick = |game: &mut Match<PeerId>, input: u16| {
        let mut run = run_cell.borrow_mut();
        while let Ok(peer) = left_rx.try_recv() {
            if let Some(seat) = run.seat_of(peer) {
                game.disconnect(seat);
            }
        }
        run.tick(game, input)
    };
    let mut hud = |game: &Match<PeerId>| run_cell.borrow().hud(game, seat);
    let mut playing = super::window::Playing {
        game,
        tick: &mut tick,
        bot,
        hud: &mut hud,
        screenshot: args.screenshot.clone(),
    };
    let outcome =
        tokio::task::block_in_place(|| super::window::run(&mut playing, args.perf.clone()));
    let _ = stop_tx.send(());
    let room = watcher.and_then(|task| {
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(task)).ok()
    });
    (room, outcome.map_err(|error| error.to_string()))
}

async fn next_room_event(room: &mut Option<trystero::Room>) -> Option<RoomEvent> {
    match room {
        Some(room) => room.next_event().await,
        None => std::future::pending().await,
    }
}

/// The socket of a match with one player (never used).
pub(super) struct NoSocket;

impl trystero::netcode::Socket<PeerId> for NoSocket {
    fn send_to(&mut self, _: &PeerId, _: &[u8]) {}
    fn receive(&mut self, _: &mut Vec<(PeerId, Vec<u8>)>) {}
}

fn status_line(game: &Match<PeerId>, pings: &Samples) -> String {
    let world = game.world();
    let health: Vec<String> = world
        .players
        .iter()
        .map(|p| {
            if p.alive() {
                p.fighter.health.to_string()
            } else if p.present {
                "dead".into()
            } else {
                "gone".into()
            }
        })
        .collect();
    let rollback = game.counters().max_depth();
    format!(
        "frame {:>6} · wave {} · players [{}] · wolves {} · ping {} ms · rollback ≤{} frames · kills {}",
        world.frame,
        world.wave,
        health.join(" "),
        world.wolves_alive(),
        pings.latest(),
        rollback,
        world.kills,
    )
}

/// Rewrites the status line in place.
fn status(line: &str) {
    use std::io::Write as _;
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "\r\x1b[2K{line}");
    let _ = stderr.flush();
}

/// Writes `bytes` to `path` and waits for the disk to have them.
pub(super) async fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .await
        .with_context(|| format!("writing {}", path.display()))?;
    file.sync_all()
        .await
        .with_context(|| format!("saving {}", path.display()))?;
    Ok(())
}

pub(crate) async fn replay(args: ReplayArgs) -> Result<()> {
    let path = &args.file;
    let size = tokio::fs::metadata(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if size > MAX_REPLAY_BYTES {
        bail!(
            "{} is {size} bytes: not a replay (at most {MAX_REPLAY_BYTES})",
            path.display()
        );
    }
    let text = tokio::fs::read_to_string(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    let replay = Replay::from_json(&text).with_context(|| format!("{}", path.display()))?;
    let world = replay
        .play()
        .with_context(|| format!("playing {}", path.display()))?;
    let summary = Summary::of_world(&world, 0, replay.frames, true);
    if let Some(out) = &args.summary {
        write_durably(out, summary.to_json().as_bytes()).await?;
    }
    let text = format!(
        "replayed {} frames of {} player(s): final checksum {}\n{}",
        replay.frames,
        replay.roster.len(),
        summary.final_checksum,
        summary.text()
    );
    let mut stdout = tokio::io::stdout();
    stdout.write_all(text.as_bytes()).await?;
    stdout.flush().await?;
    Ok(())
}
