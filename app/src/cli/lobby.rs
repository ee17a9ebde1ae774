//! `trystero lobby`: the serverless lobby from a terminal. `--room` names the lobby (every
//! player of the app in that room sees the same games).
//!
//! With `--json` it is scriptable, one JSON object per line each way:
//! - stdin: `{"quick_match": true}`, `{"create": "<name>"}`, `{"join": "<game id>"}`,
//!   `{"spectate": "<game id>"}`, `{"ready": true|false}`, `{"start": true}`,
//!   `{"chat": "<text>"}`, `{"leave": true}`, `{"games": true}`, `{"analytics": true}`;
//! - stdout: `self`, `entered`, `player_joined`, `player_left`, `spectator_joined`, `ready`,
//!   `host`, `game_starting`, `message`, `chat_dropped`, `rejected`, `left`, `refused`, `games`,
//!   `analytics` and `error` events.
//!
//! Without it, at a terminal: the full view (`lobby_view.rs`: games, your game, chat, a live
//! dashboard; type to chat, `/` for commands). Piped, or with `--ready`, `--start-at N` (the
//! host starts once N players are in and ready) or `--exit-on-start`: the same events as lines
//! of text, which script a whole match start from the command line.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use trystero::PeerId;
use trystero::lobby::{
    GameId, GameSettings, LobbyClient, LobbyConfig, LobbyEvent, Phase, Profile, join_lobby,
};

use super::NetworkArgs;

#[derive(Debug, Args)]
pub(crate) struct LobbyArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Your name (default: the start of your peer id).
    #[arg(long)]
    name: Option<String>,
    /// Your rating, for skill matching.
    #[arg(long, default_value_t = 1500)]
    rating: i32,
    /// The game mode you play.
    #[arg(long, default_value = "default")]
    mode: String,
    /// Your region, if you prefer games there.
    #[arg(long)]
    region: Option<String>,
    /// Players per game.
    #[arg(long, default_value_t = 4)]
    max_players: u8,
    /// Match by rating (windows widen with time).
    #[arg(long)]
    skill_matching: bool,
    /// Quick-match at once.
    #[arg(long)]
    quick_match: bool,
    /// Be ready as soon as you are in a game.
    #[arg(long)]
    ready: bool,
    /// As host, start once this many players are in and ready.
    #[arg(long)]
    start_at: Option<usize>,
    /// Exit once the game starts.
    #[arg(long)]
    exit_on_start: bool,
    /// JSON lines in and out.
    #[arg(long)]
    json: bool,
    /// Rated games: sign results with your identity key and keep ratings, both in the data
    /// folder (`$TRYSTERO_DATA_DIR`, else `$XDG_DATA_HOME/trystero`, else
    /// `~/.local/share/trystero`).
    #[arg(long)]
    rated: bool,
}

pub(crate) async fn run(args: LobbyArgs) -> Result<()> {
    let network = args.network.resolve().await?;
    let me = trystero::self_id();
    let name = display_name(args.name.as_deref(), me);
    let profile = Profile {
        name: name.clone(),
        rating: args.rating,
        key: None,
    };
    let config = LobbyConfig {
        max_players: args.max_players,
        game_mode: args.mode.clone(),
        skill_matching: args.skill_matching,
        region: args.region.clone(),
        ..LobbyConfig::default()
    };
    let store = if args.rated {
        Some(store::Store::open()?)
    } else {
        None
    };
    let mut client = match &store {
        Some(store) => {
            trystero::lobby::join_rated_lobby(
                network.config,
                &args.network.room,
                &network.options,
                profile,
                config,
                store.identity()?,
                store.ratings()?,
            )
            .await?
        }
        None => {
            join_lobby(
                network.config,
                &args.network.room,
                &network.options,
                profile,
                config,
            )
            .await?
        }
    };
    if args.quick_match {
        let started = client.quick_match().await;
        if let Err(error) = &started {
            eprintln!("* quick match: {error}");
        }
    }
    // A person at a terminal gets the full view; scripts and pipes get lines.
    let scripted = args.json || args.ready || args.start_at.is_some() || args.exit_on_start;
    if !scripted && std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        let title = format!("room {:?} · {} ({})", args.network.room, name, args.rating);
        return super::lobby_view::run(client, me, title).await;
    }
    let mut out = Output { json: args.json };
    out.emit(json!({"event": "self", "id": me.as_str()})).await;
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut reading = true;
    loop {
        tokio::select! {
            line = stdin.next_line(), if reading => match line {
                Ok(Some(line)) if line.trim().is_empty() => {}
                Ok(Some(line)) => command(&client, &mut out, &line).await,
                // Input closed: go on with the events (scripts pipe a few lines, or none).
                Ok(None) | Err(_) => reading = false,
            },
            event = client.next_event() => {
                let Some(event) = event else { break };
                let starting = matches!(event, LobbyEvent::GameStarting { .. });
                if let (Some(store), LobbyEvent::RatingsChanged { .. }) = (&store, &event)
                    && let Ok(Some(saved)) = client.saved_ratings().await
                    && let Err(error) = store.save_ratings(&saved)
                {
                    out.emit(json!({"event": "error", "message": format!("{error:#}")})).await;
                }
                if args.ready && matches!(event, LobbyEvent::Entered { .. }) {
                    report(&mut out, client.set_ready(true).await).await;
                }
                out.emit(event_json(&event)).await;
                if let Some(wanted) = args.start_at {
                    start_when_ready(&client, wanted).await;
                }
                if starting && args.exit_on_start {
                    break;
                }
            },
        }
    }
    Ok(())
}

/// The name a player goes by in the lobby: the one given, else the start of its peer id.
pub(super) fn display_name(name: Option<&str>, me: PeerId) -> String {
    name.map_or_else(|| me.as_str()[..8].to_owned(), str::to_owned)
}

/// As host: starts once `wanted` players are in and every other player is ready.
pub(super) async fn start_when_ready(client: &LobbyClient, wanted: usize) {
    let Ok(Some((state, true))) = client.game().await else {
        return;
    };
    if state.phase == Phase::Open && state.players.len() >= wanted && state.can_start() {
        let _ = client.start_game().await;
    }
}

async fn command(client: &LobbyClient, out: &mut Output, line: &str) {
    let Ok(Value::Object(command)) = serde_json::from_str::<Value>(line) else {
        out.emit(json!({"event": "error", "message": "not a JSON object"}))
            .await;
        return;
    };
    let game = |key: &str| -> Option<Result<GameId, String>> {
        let text = command.get(key)?.as_str()?;
        Some(text.parse::<GameId>().map_err(|error| error.to_string()))
    };
    let result = if command.contains_key("quick_match") {
        client.quick_match().await
    } else if let Some(name) = command.get("create").and_then(Value::as_str) {
        client
            .create_room(GameSettings::named(name))
            .await
            .map(|_| ())
    } else if let Some(game) = game("join").or_else(|| game("spectate")) {
        match game {
            Ok(game) => {
                let spectator = command.contains_key("spectate");
                client.join_room(game, spectator).await
            }
            Err(message) => {
                out.emit(json!({"event": "error", "message": message}))
                    .await;
                return;
            }
        }
    } else if let Some(ready) = command.get("ready").and_then(Value::as_bool) {
        client.set_ready(ready).await
    } else if command.contains_key("start") {
        client.start_game().await
    } else if let Some(text) = command.get("chat").and_then(Value::as_str) {
        client.send_message(text).await
    } else if command.contains_key("leave") {
        client.leave_room().await
    } else if let Some(places) = command.get("result").and_then(Value::as_array) {
        let mut parsed = Vec::new();
        for entry in places {
            let peer = entry
                .get(0)
                .and_then(Value::as_str)
                .map(str::parse::<PeerId>);
            let place = entry.get(1).and_then(Value::as_u64).map(u8::try_from);
            match (peer, place) {
                (Some(Ok(peer)), Some(Ok(place))) => parsed.push((peer, place)),
                _ => {
                    out.emit(json!({"event": "error", "message": "result: [[peer id, place], …]"}))
                        .await;
                    return;
                }
            }
        }
        client.report_result(parsed).await
    } else if let Some(report) = command.get("report") {
        let id = report
            .get("match")
            .and_then(Value::as_u64)
            .map(u16::try_from);
        let winner = report
            .get("winner")
            .and_then(Value::as_str)
            .map(str::parse::<PeerId>);
        match (id, winner) {
            (Some(Ok(id)), Some(Ok(winner))) => client.report_match(id, winner).await,
            _ => {
                out.emit(json!({"event": "error", "message": "report: {\"match\": n, \"winner\": peer id}"}))
                    .await;
                return;
            }
        }
    } else if command.contains_key("analytics") {
        match client.analytics().await {
            Ok(figures) => {
                let figures = serde_json::to_value(figures).unwrap_or(Value::Null);
                out.emit(json!({"event": "analytics", "analytics": figures}))
                    .await;
            }
            Err(error) => {
                out.emit(json!({"event": "error", "message": error.to_string()}))
                    .await;
            }
        }
        return;
    } else if command.contains_key("games") {
        let games = client.games().await.unwrap_or_default();
        let games: Vec<Value> = games
            .iter()
            .map(|advert| {
                json!({
                    "game": advert.game.to_string(),
                    "name": advert.name,
                    "mode": advert.mode,
                    "region": advert.region,
                    "players": advert.players,
                    "max_players": advert.max_players,
                    "mean_rating": advert.mean_rating,
                    "started": advert.started,
                })
            })
            .collect();
        out.emit(json!({"event": "games", "games": games})).await;
        return;
    } else {
        out.emit(json!({"event": "error", "message": "unknown command"}))
            .await;
        return;
    };
    report(out, result).await;
}

async fn report<E: std::fmt::Display>(out: &mut Output, result: Result<(), E>) {
    if let Err(error) = result {
        out.emit(json!({"event": "error", "message": error.to_string()}))
            .await;
    }
}

/// A lobby event as the JSON line it prints.
pub(super) fn event_json(event: &LobbyEvent) -> Value {
    match event {
        LobbyEvent::Entered { game } => json!({"event": "entered", "game": game.to_string()}),
        LobbyEvent::PlayerJoined { player, profile } => json!({
            "event": "player_joined", "player": player.as_str(),
            "name": profile.name, "rating": profile.rating,
        }),
        LobbyEvent::PlayerLeft { player } => {
            json!({"event": "player_left", "player": player.as_str()})
        }
        LobbyEvent::SpectatorJoined { spectator, profile } => json!({
            "event": "spectator_joined", "spectator": spectator.as_str(), "name": profile.name,
        }),
        LobbyEvent::ReadyChanged { player, ready } => {
            json!({"event": "ready", "player": player.as_str(), "ready": ready})
        }
        LobbyEvent::HostChanged { host } => json!({"event": "host", "host": host.as_str()}),
        LobbyEvent::GameStarting {
            game,
            seed,
            start_frame,
            roster,
        } => json!({
            "event": "game_starting",
            "game": game.to_string(),
            // As a string: JSON numbers lose precision past 2^53.
            "seed": seed.to_string(),
            "start_frame": start_frame,
            "roster": roster.iter().map(|peer| peer.as_str()).collect::<Vec<_>>(),
        }),
        LobbyEvent::Message {
            channel,
            from,
            text,
        } => json!({
            "event": "message", "channel": format!("{channel:?}").to_lowercase(),
            "from": from.as_str(), "text": text,
        }),
        LobbyEvent::ChatDropped { from, reason } => json!({
            "event": "chat_dropped", "from": from.as_str(), "reason": reason.to_string(),
        }),
        LobbyEvent::JoinRejected { game, reason } => json!({
            "event": "rejected", "game": game.to_string(), "reason": reason.to_string(),
        }),
        LobbyEvent::Left { game } => json!({"event": "left", "game": game.to_string()}),
        LobbyEvent::RatingsChanged { game, ratings } => json!({
            "event": "ratings", "game": game.to_string(),
            "ratings": ratings.iter().map(|(key, rating)| json!([key.to_string(), rating])).collect::<Vec<_>>(),
        }),
        LobbyEvent::BracketChanged { revision } => {
            json!({"event": "bracket", "revision": revision})
        }
        LobbyEvent::TournamentOver { champion } => {
            json!({"event": "champion", "champion": champion.as_str()})
        }
        LobbyEvent::Refused { from, error } => json!({
            "event": "refused", "from": from.as_str(), "reason": error.to_string(),
        }),
        other => json!({"event": "other", "detail": format!("{other:?}")}),
    }
}

/// Where events go: JSON lines, or text for a person.
struct Output {
    json: bool,
}

impl Output {
    async fn emit(&mut self, event: Value) {
        let line = if self.json {
            event.to_string()
        } else {
            text(&event)
        };
        let mut stdout = tokio::io::stdout();
        let _ = stdout.write_all(format!("{line}\n").as_bytes()).await;
        let _ = stdout.flush().await;
    }
}

/// An event as a line of text.
pub(super) fn text(event: &Value) -> String {
    let field = |key: &str| match event.get(key) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    match field("event").as_str() {
        "self" => format!("* you are {}", field("id")),
        "entered" => format!("* you are in game {}", field("game")),
        "player_joined" => format!("* {} ({}) joined", field("name"), field("rating")),
        "player_left" => format!("* {} left", field("player")),
        "ready" => format!("* {} ready: {}", field("player"), field("ready")),
        "host" => format!("* {} hosts now", field("host")),
        "game_starting" => format!(
            "* the game starts: seed {}, frame {}, players {}",
            field("seed"),
            field("start_frame"),
            field("roster")
        ),
        "message" => format!("[{}] {}", field("from"), field("text")),
        "spectator_joined" => format!("* {} watches", field("name")),
        "left" => format!("* you left game {}", field("game")),
        "rejected" => format!("* game {} refused you: {}", field("game"), field("reason")),
        "chat_dropped" => format!(
            "* a line from {} was dropped: {}",
            field("from"),
            field("reason")
        ),
        "refused" => format!(
            "* dropped a message from {}: {}",
            field("from"),
            field("reason")
        ),
        "error" => format!("* {}", field("message")),
        "games" => match event.get("games").and_then(Value::as_array) {
            Some(games) if !games.is_empty() => games
                .iter()
                .map(|game| {
                    format!(
                        "* {} {:?}: {}/{} players, rating {}",
                        game["game"].as_str().unwrap_or_default(),
                        game["name"].as_str().unwrap_or_default(),
                        game["players"],
                        game["max_players"],
                        game["mean_rating"]
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => "* no open games".to_owned(),
        },
        _ => format!("* {event}"),
    }
}

/// The player's identity key and ratings on disk.
pub(super) mod store {
    use std::path::{Path, PathBuf};

    use anyhow::{Context, Result, bail};
    use trystero::lobby::{RatingSystem, Ratings, SavedRatings};
    use trystero_crypto::Ed25519Identity;

    /// The data folder of this player.
    pub(in crate::cli) struct Store {
        dir: PathBuf,
    }

    impl Store {
        /// `$TRYSTERO_DATA_DIR`, else `$XDG_DATA_HOME/trystero`, else `~/.local/share/trystero`.
        pub(in crate::cli) fn open() -> Result<Self> {
            let dir = if let Some(dir) = std::env::var_os("TRYSTERO_DATA_DIR") {
                PathBuf::from(dir)
            } else if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
                PathBuf::from(data).join("trystero")
            } else if let Some(home) = std::env::var_os("HOME") {
                PathBuf::from(home).join(".local/share/trystero")
            } else {
                bail!("no data folder: set TRYSTERO_DATA_DIR");
            };
            Self::at(dir)
        }

        /// The folder.
        pub(in crate::cli) fn dir(&self) -> &Path {
            &self.dir
        }

        pub(super) fn at(dir: PathBuf) -> Result<Self> {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            Ok(Self { dir })
        }

        /// The player's identity, made (and saved, readable by the owner only) on first use.
        pub(super) fn identity(&self) -> Result<Ed25519Identity> {
            let path = self.dir.join("identity.key");
            if path.exists() {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let seed = parse_seed(text.trim())
                    .with_context(|| format!("{} is not 64 hex digits", path.display()))?;
                return Ok(Ed25519Identity::from_seed(seed));
            }
            let identity = Ed25519Identity::generate()?;
            let hex: String = identity.seed().iter().map(|b| format!("{b:02x}")).collect();
            write_atomically(&path, hex.as_bytes(), true)?;
            Ok(identity)
        }

        /// The saved ratings (Glicko-2), or an empty table.
        pub(super) fn ratings(&self) -> Result<Ratings> {
            let path = self.dir.join("ratings.json");
            if !path.exists() {
                return Ok(Ratings::new(RatingSystem::default()));
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let saved: SavedRatings = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a ratings file", path.display()))?;
            Ok(Ratings::load(RatingSystem::default(), saved))
        }

        /// Saves the ratings: written, synced, then renamed into place.
        pub(super) fn save_ratings(&self, saved: &SavedRatings) -> Result<()> {
            let text = serde_json::to_vec_pretty(saved)?;
            write_atomically(&self.dir.join("ratings.json"), &text, false)
        }
    }

    fn parse_seed(text: &str) -> Option<[u8; 32]> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut seed = [0u8; 32];
        for (slot, pair) in seed.iter_mut().zip(text.as_bytes().chunks(2)) {
            *slot = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(seed)
    }

    fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
        use std::io::Write;
        let part = path.with_extension("part");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        let mut file = options
            .open(&part)
            .with_context(|| format!("writing {}", part.display()))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&part, path).with_context(|| format!("saving {}", path.display()))?;
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use trystero_core::identity::Identity;

        use super::*;

        #[test]
        fn the_identity_and_ratings_survive_a_restart() {
            let dir = std::env::temp_dir().join(format!("trystero-store-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let store = Store::at(dir.clone()).unwrap();
            let key = store.identity().unwrap().public_key();
            assert_eq!(
                Store::at(dir.clone())
                    .unwrap()
                    .identity()
                    .unwrap()
                    .public_key(),
                key
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir.join("identity.key"))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            assert!(store.ratings().unwrap().save().players.is_empty());
            let saved = SavedRatings {
                players: vec![(key, trystero::lobby::Rating::default())],
                counted: Vec::new(),
            };
            store.save_ratings(&saved).unwrap();
            assert_eq!(store.ratings().unwrap().save(), saved);
            std::fs::write(dir.join("identity.key"), "nonsense").unwrap();
            assert!(store.identity().is_err());
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
