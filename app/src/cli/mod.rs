//! Command-line parsing and the shared network options.

mod chat;
mod controls;
mod files;
mod game;
mod gamepad;
mod leaderboard;
mod lobby;
mod lobby_view;
mod matchmaker;
mod peer;
mod stress;
mod title;
mod window;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use trystero::relay::{DEFAULT_LOCAL_PORT, EmbeddedRelay, local_relay};
use trystero::{IceServer, JoinOptions, RoomConfig, Strategy, WebRtcConfig};

/// Serverless peer-to-peer rooms, compatible with Trystero JS, and the wolf-survival game. With
/// no command: the game's title screen, meeting players on this machine
/// (`trystero play --local --room lobby`).
#[derive(Debug, Parser)]
#[command(name = "trystero", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// More logs on stderr: -v info, -vv debug, -vvv trace (`RUST_LOG`, when set, decides
    /// instead, e.g. `RUST_LOG=trystero=debug`).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The game in its window: title screen, solo, host, join, results (the default).
    Play(title::PlayArgs),
    /// A scriptable peer: JSON lines in (commands) and out (events).
    Peer(peer::PeerArgs),
    /// Send a file to the first peer that joins the room.
    Send(files::SendArgs),
    /// Receive a file (or, with --keep, files) into a folder.
    Receive(files::ReceiveArgs),
    /// A small interactive chat.
    Chat(chat::ChatArgs),
    /// The serverless lobby: games, quick match, ready and start, chat (`--room` names it).
    Lobby(lobby::LobbyArgs),
    /// The wolf-survival game: meet N players through the lobby, play, summarise.
    Game(game::GameArgs),
    /// Play a recorded match back and print its final checksum.
    Replay(game::ReplayArgs),
    /// Host the embedded Nostr relay on 127.0.0.1 (or --bind).
    Relay {
        /// The port to listen on.
        #[arg(long, default_value_t = DEFAULT_LOCAL_PORT)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
}

/// Where and how to meet peers; every room command takes these.
#[derive(Debug, Args)]
pub(crate) struct NetworkArgs {
    /// The app id (namespaces rooms).
    #[arg(long, default_value = "trystero-cli")]
    pub(crate) app: String,
    /// The room id.
    #[arg(long)]
    pub(crate) room: String,
    /// The room password (encrypts signalling and runs the password handshake). Other users
    /// of this machine can read a command line: prefer `--password-file` or the
    /// `TRYSTERO_PASSWORD` variable.
    #[arg(
        long,
        default_value = "",
        env = "TRYSTERO_PASSWORD",
        hide_env_values = true
    )]
    pub(crate) password: String,
    /// Read the room password from this file (its first line; at most 4 KiB).
    #[arg(long, conflicts_with = "password")]
    pub(crate) password_file: Option<std::path::PathBuf>,
    /// Stretch the password with Argon2id before deriving the room's keys, so a recorded
    /// offer is slow to brute-force. Every peer must use it: to Trystero JS peers and to
    /// peers without it the password is wrong.
    #[arg(long)]
    pub(crate) hardened_password: bool,
    /// Signalling strategy: `nostr`, `mqtt` or `torrent`.
    #[arg(long, default_value = "nostr")]
    pub(crate) strategy: String,
    /// Relay (nostr), broker (mqtt) or tracker (torrent) URL, repeatable; default: Trystero's public ones,
    /// or with --local the embedded Nostr relay.
    #[arg(long = "relay")]
    pub(crate) relays: Vec<String>,
    /// Run on this machine only: the embedded relay on 127.0.0.1 (started if none runs),
    /// loopback WebRTC, and no public STUN server.
    #[arg(long)]
    pub(crate) local: bool,
    /// The embedded relay's port with `--local`.
    #[arg(long, default_value_t = DEFAULT_LOCAL_PORT)]
    pub(crate) local_port: u16,
    /// ICE server (repeatable): `stun:host:port`, or TURN as `turn:user:pass@host:port`.
    #[arg(long = "ice")]
    pub(crate) ice: Vec<String>,
    /// Do not use Trystero's default public STUN servers.
    #[arg(long)]
    pub(crate) no_default_ice: bool,
}

/// Everything a room command needs, resolved from [`NetworkArgs`].
pub(crate) struct Network {
    pub(crate) config: RoomConfig,
    pub(crate) options: JoinOptions,
    /// Keeps the embedded relay alive when this process started it.
    pub(crate) _relay: Option<EmbeddedRelay>,
}

impl NetworkArgs {
    pub(crate) async fn resolve(&self) -> Result<Network> {
        let strategy: Strategy = self.strategy.parse()?;
        let mut relays = self.relays.clone();
        let mut embedded = None;
        if self.local && relays.is_empty() && strategy != Strategy::Nostr {
            bail!(
                "--local embeds a Nostr relay only: give {} a --relay URL on this machine",
                strategy.name()
            );
        }
        if self.local && relays.is_empty() {
            let (url, started) = local_relay(self.local_port).await?;
            relays.push(url);
            embedded = started;
        }
        let password = match &self.password_file {
            Some(path) => read_password(path)?,
            None => self.password.clone(),
        };
        let mut builder = RoomConfig::builder(&self.app).password(password);
        if self.hardened_password {
            builder = builder.password_mode(trystero::PasswordMode::Hardened);
        }
        if !relays.is_empty() {
            builder = builder.relay_urls(relays);
        }
        let custom: Vec<IceServer> = self
            .ice
            .iter()
            .map(|url| parse_ice(url))
            .collect::<Result<_>>()?;
        builder = if self.local || self.no_default_ice {
            builder.ice_servers(custom)
        } else {
            custom
                .into_iter()
                .fold(builder, |builder, server| builder.turn_server(server))
        };
        let config = builder.build().context("invalid room configuration")?;
        let webrtc = if self.local {
            WebRtcConfig::loopback()
        } else {
            WebRtcConfig::default()
        };
        Ok(Network {
            config,
            options: JoinOptions {
                strategy,
                webrtc,
                peer_id: None,
            },
            _relay: embedded,
        })
    }
}

/// The largest password file read.
const MAX_PASSWORD_FILE: u64 = 4 << 10;

/// The first line of a password file (without its line ending); an empty one is an error.
fn read_password(path: &std::path::Path) -> Result<String> {
    let text = read_small_file(path, MAX_PASSWORD_FILE)
        .with_context(|| format!("reading the password file {}", path.display()))?
        .with_context(|| format!("the password file {} does not exist", path.display()))?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!("the password file {} is empty", path.display());
    }
    Ok(line.to_owned())
}

/// Why a small file could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SmallFileError {
    /// Larger than the caller takes.
    #[error("{size} bytes, at most {max}")]
    TooLarge { size: u64, max: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The text of a file of at most `max` bytes (a config, a leaderboard, a password); `None`
/// when there is no file. Never reads more than `max + 1` bytes, whatever the file grew to.
pub(crate) fn read_small_file(
    path: &std::path::Path,
    max: u64,
) -> Result<Option<String>, SmallFileError> {
    use std::io::Read as _;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    let mut text = String::new();
    file.take(max + 1).read_to_string(&mut text)?;
    let size = text.len() as u64;
    if size > max {
        return Err(SmallFileError::TooLarge { size, max });
    }
    Ok(Some(text))
}

/// `stun:host:port`, `turn:host:port`, or `turn:user:pass@host:port`.
fn parse_ice(url: &str) -> Result<IceServer> {
    let (scheme, rest) = url
        .split_once(':')
        .with_context(|| format!("ICE server {url:?} has no scheme (stun: or turn:)"))?;
    match (scheme, rest.rsplit_once('@')) {
        ("turn" | "turns", Some((credentials, host))) => {
            let (user, pass) = credentials
                .split_once(':')
                .with_context(|| format!("TURN server {url:?}: write turn:user:pass@host:port"))?;
            Ok(IceServer::turn(format!("{scheme}:{host}"), user, pass))
        }
        ("stun" | "stuns", None) => Ok(IceServer::stun(url)),
        _ => bail!("ICE server {url:?}: use stun:host:port or turn:user:pass@host:port"),
    }
}

/// What a bare `trystero` runs: the game's title screen, meeting players in room "lobby" on
/// this machine.
fn default_command() -> Result<Command> {
    Cli::try_parse_from(["trystero", "play", "--local", "--room", "lobby"])?
        .command
        .context("the default command parses")
}

pub(crate) async fn run(cli: Cli) -> Result<()> {
    let command = match cli.command {
        Some(command) => command,
        None => default_command()?,
    };
    match command {
        Command::Play(args) => title::run(args).await,
        Command::Peer(args) => peer::run(args).await,
        Command::Send(args) => files::send(args).await,
        Command::Receive(args) => files::receive(args).await,
        Command::Chat(args) => chat::run(args).await,
        Command::Lobby(args) => lobby::run(args).await,
        Command::Game(args) => game::run(args).await,
        Command::Replay(args) => game::replay(args).await,
        Command::Relay { port, bind } => {
            let relay = EmbeddedRelay::start_on(bind, port).await?;
            eprintln!("trystero: relay listening on {}", relay.url());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            relay.shutdown();
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_trystero_is_the_game_meeting_players_on_this_machine() {
        let Command::Play(play) = default_command().unwrap() else {
            panic!("expected play");
        };
        let debug = format!("{play:?}");
        assert!(debug.contains("local: true"), "{debug}");
        assert!(debug.contains("room: \"lobby\""), "{debug}");
    }

    /// The password comes from a file (its first line), or from `TRYSTERO_PASSWORD`, never
    /// needing the command line; a file and `--password` together are refused.
    #[test]
    fn the_password_comes_from_a_file_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("trystero-password-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("password");
        std::fs::write(&file, "correct horse\nsecond line\n").unwrap();
        let peer = |extra: &[&str]| {
            let mut args = vec!["trystero", "peer", "--room", "r", "--local-port", "1"];
            args.extend_from_slice(extra);
            Cli::try_parse_from(args).map(|cli| match cli.command {
                Some(Command::Peer(peer)) => peer,
                _ => panic!("expected peer"),
            })
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let password = |extra: &[&str]| {
            let args = peer(extra).unwrap();
            runtime
                .block_on(args.network.resolve())
                .map(|network| network.config.password().to_owned())
        };
        let file_arg = file.to_str().unwrap();
        assert_eq!(
            password(&["--password-file", file_arg]).unwrap(),
            "correct horse"
        );
        assert!(peer(&["--password-file", file_arg, "--password", "x"]).is_err());
        std::fs::write(&file, "\n").unwrap();
        let error = password(&["--password-file", file_arg]).unwrap_err();
        assert!(error.to_string().contains("is empty"), "{error}");
        let error = password(&["--password-file", "/nonexistent/password"]).unwrap_err();
        assert!(format!("{error:#}").contains("password file"), "{error:#}");
        // The variable, read by clap (the test sets it only for a parse of its own).
        let command = <Cli as clap::CommandFactory>::command();
        let arg = command
            .get_subcommands()
            .find(|sub| sub.get_name() == "peer")
            .and_then(|peer| peer.get_arguments().find(|arg| arg.get_id() == "password"))
            .unwrap();
        assert_eq!(
            arg.get_env().and_then(|name| name.to_str()),
            Some("TRYSTERO_PASSWORD")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ice_urls_parse_with_credentials() {
        let turn = parse_ice("turn:user:pass@127.0.0.1:3478").unwrap();
        assert_eq!(turn.urls, ["turn:127.0.0.1:3478"]);
        assert_eq!(turn.username.as_deref(), Some("user"));
        assert_eq!(turn.credential.as_deref(), Some("pass"));
        let stun = parse_ice("stun:127.0.0.1:3478").unwrap();
        assert_eq!(stun.urls, ["stun:127.0.0.1:3478"]);
        assert!(
            parse_ice("turn:127.0.0.1:3478").is_err(),
            "TURN needs credentials"
        );
        assert!(parse_ice("http://x").is_err());
    }

    #[test]
    fn strategies_resolve_by_name() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["trystero", "peer", "--room", "r"];
            args.extend_from_slice(extra);
            let Some(Command::Peer(peer)) = Cli::try_parse_from(args).unwrap().command else {
                panic!("expected peer");
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            runtime
                .block_on(peer.network.resolve())
                .map(|network| network.options.strategy)
        };
        let mqtt = ["--strategy", "mqtt", "--relay", "ws://127.0.0.1:1/mqtt"];
        assert_eq!(parse(&mqtt).unwrap(), Strategy::Mqtt);
        let error = parse(&["--strategy", "mqtt", "--local"]).unwrap_err();
        assert!(error.to_string().contains("--relay"), "{error}");
        let error = parse(&["--strategy", "smoke-signals"]).unwrap_err();
        assert!(error.to_string().contains("unknown strategy"), "{error}");
    }
}
