//! `trystero play` (what a bare `trystero` runs): the game's window with its title screen —
//! Solo, Host, Join (the lobby's open games and quick match) and Quit — over a bot match as
//! the backdrop, then the match, then its results and the local leaderboard, and back.
//!
//! With `--script`, keys come from stdin as lines (`up`, `down`, `enter`, `esc`, ...) and every
//! change of screen is printed on stdout as a JSON line: how the menu-flow test drives two
//! copies through Host and Join.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;
use trystero::PeerId;
use trystero::game::{Bot, Hud, Match, Setup, Summary};
use trystero::lobby::Advert;
use trystero::netcode::{Config, Frame};
use winit::keyboard::KeyCode;

use super::NetworkArgs;
use super::game::{Loop, NoSocket, random_seed};
use super::leaderboard::{Entry, Leaderboard};
use super::matchmaker::{self, Link, Notice, Request, Started};
use super::window::{KeyUse, Stage, View};

/// Lines of script read ahead.
const SCRIPT_QUEUE: usize = 64;

#[derive(Debug, Args)]
pub(crate) struct PlayArgs {
    #[command(flatten)]
    pub(crate) network: NetworkArgs,
    /// Your name in the lobby (default: the start of your peer id).
    #[arg(long)]
    name: Option<String>,
    /// Play your seat with the bot.
    #[arg(long)]
    bot: bool,
    /// End each match after this many frames (60 a second); otherwise when everyone fell.
    #[arg(long)]
    frames: Option<Frame>,
    /// Keys from stdin, one a line (`up`, `down`, `enter`, `esc`, `quit`, or `shot FILE` to
    /// save the next frame as a PNG), and every screen change as a JSON line on stdout.
    #[arg(long)]
    script: bool,
    /// Write the performance monitor's figures of the whole run to this file as JSON at the
    /// end.
    #[arg(long)]
    perf: Option<PathBuf>,
}

pub(crate) async fn run(args: PlayArgs) -> Result<()> {
    if !super::window::display_available() {
        eprintln!(
            "trystero: no display (DISPLAY or WAYLAND_DISPLAY): playing a headless solo match with the bot"
        );
        return headless(&args).await;
    }
    let board = match super::lobby::store::Store::open() {
        Ok(store) => Some(Leaderboard::path(store.dir())),
        Err(error) => {
            eprintln!("trystero: no leaderboard: {error:#}");
            None
        }
    };
    let link = matchmaker::start(&args.network, args.name.clone());
    let script = args.script.then(script_reader);
    let mut title = Title::new(&args, link, script, board)?;
    let outcome = tokio::task::block_in_place(|| super::window::run(&mut title, args.perf.clone()));
    // Out of the lobby (and a match's room) before the process ends.
    let Link { requests, task, .. } = title.link;
    drop(requests);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), task).await;
    if let Err(error) = outcome {
        eprintln!("trystero: {error}: playing a headless solo match with the bot");
        return headless(&args).await;
    }
    Ok(())
}

/// The no-display path: `trystero game --headless --bot --players 1`.
async fn headless(args: &PlayArgs) -> Result<()> {
    let mut argv = vec![
        "trystero".to_owned(),
        "game".into(),
        "--headless".into(),
        "--bot".into(),
        "--players".into(),
        "1".into(),
        "--room".into(),
        args.network.room.clone(),
    ];
    if let Some(frames) = args.frames {
        argv.extend(["--frames".into(), frames.to_string()]);
    }
    let cli = <super::Cli as clap::Parser>::try_parse_from(argv)?;
    match cli.command {
        Some(super::Command::Game(game)) => super::game::run(game).await,
        _ => unreachable!("the headless command parses as a game"),
    }
}

/// Reads the script's lines from stdin on a thread of its own.
fn script_reader() -> std::sync::mpsc::Receiver<String> {
    let (lines, receiver) = std::sync::mpsc::sync_channel(SCRIPT_QUEUE);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if lines.send(line.trim().to_owned()).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Where the title screen is.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    /// Solo, Host, Join, Quit.
    Title { selected: usize },
    /// Quick match, the open games, Back.
    Browse { selected: usize },
    /// In a game of the lobby, waiting for its start.
    Waiting,
    /// A match.
    Playing,
    /// A match's results.
    Results { lines: Vec<String> },
}

const TITLE_ITEMS: [&str; 4] = ["SOLO", "HOST A GAME", "JOIN A GAME", "QUIT"];

/// A match being played.
struct Playing {
    game: Match<PeerId>,
    run: Loop,
    seat: usize,
    bot: Option<Bot>,
    networked: bool,
}

/// The title screen's stage.
struct Title {
    link: Link,
    screen: Screen,
    /// A solo bot match behind the menus.
    backdrop: Match<PeerId>,
    backdrop_bot: Bot,
    backdrop_began: std::time::Instant,
    playing: Option<Playing>,
    games: Vec<Advert>,
    status: String,
    /// The game we wait in: players, whether we host it, whether it can start.
    lobby_game: (Vec<String>, bool, bool),
    script: Option<std::sync::mpsc::Receiver<String>>,
    bot: bool,
    frames: Option<Frame>,
    board: Option<PathBuf>,
    quit: bool,
    /// The last screen reported on stdout (script mode).
    reported: String,
    /// Save the next frame here (the script's `shot FILE`).
    shot: Option<PathBuf>,
}

impl Title {
    fn new(
        args: &PlayArgs,
        link: Link,
        script: Option<std::sync::mpsc::Receiver<String>>,
        board: Option<PathBuf>,
    ) -> Result<Self> {
        Ok(Self {
            link,
            screen: Screen::Title { selected: 0 },
            backdrop: solo(random_seed()?, None)?,
            backdrop_bot: Bot::new(0),
            backdrop_began: std::time::Instant::now(),
            playing: None,
            games: Vec::new(),
            status: String::new(),
            lobby_game: (Vec::new(), false, false),
            script,
            bot: args.bot,
            frames: args.frames,
            board,
            quit: false,
            reported: String::new(),
            shot: None,
        })
    }

    /// The menu's entries on the current screen.
    fn items(&self) -> usize {
        match self.screen {
            Screen::Title { .. } => TITLE_ITEMS.len(),
            Screen::Browse { .. } => self.games.len() + 2,
            _ => 0,
        }
    }

    /// Enter on the selected entry.
    fn choose(&mut self) -> Result<()> {
        match self.screen.clone() {
            Screen::Title { selected: 0 } => {
                let game = solo(random_seed()?, self.frames)?;
                self.begin(game, Loop::new(None, Vec::new()), 0, false);
            }
            Screen::Title { selected: 1 } => {
                self.request(Request::Host);
                self.lobby_game = (Vec::new(), true, false);
                self.screen = Screen::Waiting;
            }
            Screen::Title { selected: 2 } => self.screen = Screen::Browse { selected: 0 },
            Screen::Title { .. } => self.quit = true,
            Screen::Browse { selected: 0 } => {
                self.request(Request::QuickMatch);
                self.lobby_game = (Vec::new(), false, false);
                self.screen = Screen::Waiting;
            }
            Screen::Browse { selected } if selected <= self.games.len() => {
                let game = self.games[selected - 1].game;
                self.request(Request::Join(game));
                self.lobby_game = (Vec::new(), false, false);
                self.screen = Screen::Waiting;
            }
            Screen::Browse { .. } => self.screen = Screen::Title { selected: 2 },
            Screen::Waiting => {
                if self.lobby_game.2 {
                    self.request(Request::Start);
                }
            }
            Screen::Results { .. } => self.screen = Screen::Title { selected: 0 },
            Screen::Playing => {}
        }
        Ok(())
    }

    /// Esc: back a screen, out of a match, or quit from the title.
    fn back(&mut self) {
        match self.screen {
            Screen::Title { .. } => self.quit = true,
            Screen::Browse { .. } => self.screen = Screen::Title { selected: 2 },
            Screen::Waiting => {
                self.request(Request::Leave);
                self.screen = Screen::Title { selected: 0 };
            }
            Screen::Playing => self.end_match(),
            Screen::Results { .. } => self.screen = Screen::Title { selected: 0 },
        }
    }

    fn request(&mut self, request: Request) {
        if self.link.requests.try_send(request).is_err() {
            self.status = "THE LOBBY IS NOT ANSWERING".into();
        }
    }

    /// A match starts.
    fn begin(&mut self, game: Match<PeerId>, run: Loop, seat: usize, networked: bool) {
        self.playing = Some(Playing {
            game,
            run,
            seat,
            bot: self.bot.then(|| Bot::new(seat)),
            networked,
        });
        self.screen = Screen::Playing;
    }

    fn started(&mut self, started: Started) -> Result<()> {
        let remotes = super::game::remotes(&started.roster, started.seat);
        let game = Match::new(Setup {
            seed: started.seed,
            players: started.roster.len(),
            seat: started.seat,
            remotes: remotes.clone(),
            frames: self.frames,
            session: Config::default(),
        })
        .context("setting up the match")?;
        let run = Loop::new(Some(started.socket), remotes);
        self.begin(game, run, started.seat, true);
        Ok(())
    }

    /// The match is over (or left): the results, the leaderboard, and out of its room.
    fn end_match(&mut self) {
        let Some(playing) = self.playing.take() else {
            return;
        };
        if playing.networked {
            self.request(Request::Leave);
        }
        let seconds = playing.run.began.elapsed().as_secs_f64();
        let summary = Summary::of_match(
            &playing.game,
            seconds,
            &playing.run.pings,
            &playing.run.frame_times,
        );
        let mut lines = vec![
            format!("WAVE {} REACHED, {} CLEARED", summary.wave, summary.waves),
            format!("{} WOLVES KILLED IN {:.0} S", summary.kills, seconds),
        ];
        for seat in &summary.seats {
            let you = if seat.seat == playing.seat {
                " (YOU)"
            } else {
                ""
            };
            lines.push(format!(
                "P{}{you}: {} KILLS, {} DEATHS",
                seat.seat + 1,
                seat.kills,
                seat.deaths
            ));
        }
        lines.push(String::new());
        lines.extend(self.record(&summary, seconds));
        lines.push("ENTER: BACK TO THE TITLE".into());
        if self.script.is_some() {
            emit(&json!({"screen": "results", "frames": summary.frames,
                "final_checksum": summary.final_checksum, "finished": summary.finished}));
        }
        self.screen = Screen::Results { lines };
    }

    /// Adds the run to the leaderboard; its lines.
    fn record(&mut self, summary: &Summary, seconds: f64) -> Vec<String> {
        let Some(path) = &self.board else {
            return Vec::new();
        };
        let mut board = match Leaderboard::load(path) {
            Ok(board) => board,
            Err(error) => return vec![format!("{error}").to_uppercase()],
        };
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let entry = Entry::new(
            summary.kills,
            summary.waves,
            seconds as u32,
            u8::try_from(summary.players).unwrap_or(u8::MAX),
            at,
        );
        let place = board.add(entry);
        let mut lines = vec!["LEADERBOARD".to_owned()];
        lines.extend(board.lines(place));
        if let Err(error) = board.save(path) {
            lines.push(format!("NOT SAVED: {error}").to_uppercase());
        }
        lines
    }

    /// The network's news.
    fn notices(&mut self) -> Result<()> {
        while let Ok(notice) = self.link.notices.try_recv() {
            match notice {
                Notice::Games(games) => self.games = games,
                Notice::Game {
                    players,
                    host,
                    can_start,
                } => self.lobby_game = (players, host, can_start),
                Notice::Status(status) => self.status = status,
                Notice::Start(started) if self.screen == Screen::Waiting => {
                    self.started(started)?
                }
                Notice::Start(_) => self.request(Request::Leave),
                Notice::Left(peer) => {
                    if let Some(playing) = &mut self.playing
                        && let Some(seat) = playing.run.seat_of(peer)
                    {
                        playing.game.disconnect(seat);
                    }
                }
            }
        }
        if let Screen::Browse { selected } = &mut self.screen {
            *selected = (*selected).min(self.games.len() + 1);
        }
        Ok(())
    }

    /// The script's keys due now.
    fn scripted(&mut self) {
        let Some(script) = &self.script else { return };
        let lines: Vec<String> = script.try_iter().collect();
        for line in lines {
            let code = match line.as_str() {
                "up" => KeyCode::ArrowUp,
                "down" => KeyCode::ArrowDown,
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Escape,
                "quit" => {
                    self.quit = true;
                    continue;
                }
                "" => continue,
                other if other.starts_with("shot ") => {
                    self.shot = Some(PathBuf::from(other["shot ".len()..].trim()));
                    continue;
                }
                other => {
                    emit(&json!({"error": format!("unknown key {other:?}")}));
                    continue;
                }
            };
            if self.key(code, true) == KeyUse::Quit {
                self.quit = true;
            }
        }
    }

    /// In script mode, a JSON line for each new screen.
    fn report(&mut self) {
        if self.script.is_none() {
            return;
        }
        let line = match &self.screen {
            Screen::Title { selected } => json!({"screen": "title", "selected": selected}),
            Screen::Browse { selected } => json!({"screen": "browse", "selected": selected,
                "games": self.games.len()}),
            Screen::Waiting => json!({"screen": "waiting", "players": self.lobby_game.0.len(),
                "host": self.lobby_game.1, "can_start": self.lobby_game.2}),
            Screen::Playing => {
                let Some(playing) = &self.playing else { return };
                json!({"screen": "playing", "seed": playing.game.world().seed,
                    "players": playing.game.world().players.len(), "seat": playing.seat})
            }
            Screen::Results { .. } => return,
        };
        let text = line.to_string();
        if text != self.reported {
            emit(&line);
            self.reported = text;
        }
    }

    /// The menu's lines.
    fn menu(&self) -> Vec<String> {
        let mark = |on: bool, text: &str| {
            if on {
                format!("- {text} -")
            } else {
                format!("  {text}")
            }
        };
        let mut lines = match &self.screen {
            Screen::Title { selected } => TITLE_ITEMS
                .iter()
                .enumerate()
                .map(|(index, item)| mark(index == *selected, item))
                .collect(),
            Screen::Browse { selected } => {
                let mut lines = vec![mark(*selected == 0, "QUICK MATCH")];
                for (index, advert) in self.games.iter().enumerate() {
                    let text = format!(
                        "{} ({}/{})  HOST {}",
                        advert.name,
                        advert.players,
                        advert.max_players,
                        &advert.host.as_str()[..6]
                    );
                    lines.push(mark(*selected == index + 1, &text));
                }
                if self.games.is_empty() {
                    lines.push("  (NO OPEN GAMES YET)".into());
                }
                lines.push(mark(*selected == self.games.len() + 1, "BACK"));
                lines
            }
            Screen::Waiting => {
                let (players, host, can_start) = &self.lobby_game;
                let mut lines = vec![format!("WAITING FOR PLAYERS ({})", players.len())];
                lines.extend(players.iter().map(|name| format!("  {name}")));
                if *can_start {
                    lines.push("ENTER: START".into());
                } else if *host {
                    lines.push("START WHEN 2 ARE IN".into());
                }
                lines.push("ESC: LEAVE".into());
                lines
            }
            Screen::Results { lines } => lines.clone(),
            Screen::Playing => Vec::new(),
        };
        if !self.status.is_empty() && !matches!(self.screen, Screen::Results { .. }) {
            lines.push(String::new());
            lines.push(self.status.chars().take(46).collect());
        }
        lines
    }
}

/// One JSON line on stdout (script mode), flushed.
fn emit(line: &serde_json::Value) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// A match of one.
fn solo(seed: u64, frames: Option<Frame>) -> Result<Match<PeerId>> {
    Match::new(Setup {
        seed,
        players: 1,
        seat: 0,
        remotes: Vec::new(),
        frames,
        session: Config::default(),
    })
    .context("setting up the match")
}

impl Stage for Title {
    fn step(&mut self, keys: u16) -> bool {
        self.scripted();
        if let Err(error) = self.notices() {
            self.status = format!("{error:#}").to_uppercase();
            self.request(Request::Leave);
            self.screen = Screen::Title { selected: 0 };
        }
        if let Some(playing) = &mut self.playing {
            let input = match playing.bot.as_mut() {
                Some(bot) => bot.input(playing.game.world(), playing.game.rules()),
                None => keys,
            };
            if playing.run.tick(&mut playing.game, input) {
                self.end_match();
            }
        } else {
            let now = u64::try_from(self.backdrop_began.elapsed().as_millis()).unwrap_or(0);
            let input = self
                .backdrop_bot
                .input(self.backdrop.world(), self.backdrop.rules());
            self.backdrop.tick(now, &mut NoSocket, input);
            while self.backdrop.next_event().is_some() {}
            if self.backdrop.world().is_over()
                && let Ok(seed) = random_seed()
                && let Ok(next) = solo(seed, None)
            {
                self.backdrop = next;
                self.backdrop_began = std::time::Instant::now();
            }
        }
        self.report();
        self.quit
    }

    fn key(&mut self, code: KeyCode, pressed: bool) -> KeyUse {
        if self.screen == Screen::Playing {
            if pressed && code == KeyCode::Escape {
                self.back();
                return KeyUse::Taken;
            }
            return KeyUse::Passed;
        }
        if !pressed {
            return KeyUse::Taken;
        }
        let items = self.items();
        match code {
            KeyCode::ArrowUp | KeyCode::KeyW => {
                if let Screen::Title { selected } | Screen::Browse { selected } = &mut self.screen {
                    *selected = (*selected + items.max(1) - 1) % items.max(1);
                }
            }
            KeyCode::ArrowDown | KeyCode::KeyS => {
                if let Screen::Title { selected } | Screen::Browse { selected } = &mut self.screen {
                    *selected = (*selected + 1) % items.max(1);
                }
            }
            KeyCode::Enter | KeyCode::Space => {
                if let Err(error) = self.choose() {
                    self.status = format!("{error:#}").to_uppercase();
                }
            }
            KeyCode::Escape => self.back(),
            KeyCode::F1 | KeyCode::F3 => return KeyUse::Passed,
            _ => {}
        }
        if self.quit {
            KeyUse::Quit
        } else {
            KeyUse::Taken
        }
    }

    fn view(&mut self) -> View<'_> {
        if let Some(playing) = &self.playing {
            let hud = playing.run.hud(&playing.game, playing.seat);
            return View::of_match(&playing.game, hud);
        }
        let title = match self.screen {
            Screen::Results { .. } => "RESULTS",
            _ => "WOLVES",
        };
        let hud = Hud {
            overlay: self.menu(),
            title: Some(title.into()),
            ..Hud::default()
        };
        View::of_match(&self.backdrop, hud)
    }

    fn capture(&mut self) -> Option<PathBuf> {
        self.shot.take()
    }

    fn closing(&mut self) {
        if self.playing.is_some() {
            self.end_match();
        }
        let _ = self.link.requests.try_send(Request::Leave);
    }
}
