//! The lobby on real room machinery (the engine, the handshake, actions; in-process relay and
//! links): four players quick-match, ready up, and the host's start reaches everyone with the
//! same seed, frame and roster; then the host leaves and the game moves on.

use std::time::Duration;

use trystero::lobby::{LobbyClient, LobbyConfig, LobbyEvent, Profile, join_memory_lobby};
use trystero::memory::Network;
use trystero::{PeerId, RoomConfig};

const WAIT: Duration = Duration::from_secs(20);

async fn next_matching(client: &mut LobbyClient, f: impl Fn(&LobbyEvent) -> bool) -> LobbyEvent {
    tokio::time::timeout(WAIT, async {
        loop {
            let event = client.next_event().await.expect("the lobby runs");
            if f(&event) {
                return event;
            }
        }
    })
    .await
    .expect("the event came in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_players_quick_match_and_start_together() {
    let network = Network::new();
    let config = RoomConfig::builder("lobby-test").build().unwrap();
    let mut clients = Vec::new();
    for n in 0..4 {
        let peer = PeerId::random().unwrap();
        let profile = Profile {
            name: format!("player {n}"),
            rating: 1500,
            key: None,
        };
        let client = join_memory_lobby(
            &network,
            config.clone(),
            peer,
            profile,
            LobbyConfig::default(),
        )
        .await
        .unwrap();
        clients.push((peer, client));
    }
    for (_, client) in &clients {
        client.quick_match().await.unwrap();
    }
    // Everyone ends up in one game of four.
    let game = tokio::time::timeout(WAIT, async {
        loop {
            let mut games = Vec::new();
            for (_, client) in &clients {
                games.push(client.game().await.unwrap());
            }
            let ids: Vec<_> = games
                .iter()
                .flatten()
                .map(|(s, _)| (s.game, s.players.len()))
                .collect();
            if ids.len() == 4 && ids.iter().all(|id| *id == ids[0] && id.1 == 4) {
                return ids[0].0;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let Ok(game) = game else {
        for (peer, client) in &clients {
            let state = client.game().await.unwrap();
            let games = client.games().await.unwrap();
            eprintln!("{peer}: {state:?}\n  listing {games:?}");
        }
        panic!("no game of four formed");
    };
    for (_, client) in &clients {
        client.set_ready(true).await.unwrap();
    }
    // The host starts once it has seen everyone ready.
    let mut host = None;
    for (index, (_, client)) in clients.iter().enumerate() {
        if client
            .game()
            .await
            .unwrap()
            .is_some_and(|(_, hosting)| hosting)
        {
            host = Some(index);
        }
    }
    let host = host.expect("someone hosts");
    tokio::time::timeout(WAIT, async {
        while clients[host].1.start_game().await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the host could start");
    let mut starts = Vec::new();
    for (_, client) in &mut clients {
        starts.push(
            next_matching(client, |event| {
                matches!(event, LobbyEvent::GameStarting { .. })
            })
            .await,
        );
    }
    let LobbyEvent::GameStarting {
        game: started,
        roster,
        ..
    } = &starts[0]
    else {
        unreachable!()
    };
    assert_eq!(*started, game);
    assert_eq!(roster.len(), 4);
    assert!(starts.iter().all(|start| start == &starts[0]), "{starts:?}");
}

/// `trystero lobby --json` processes on the embedded relay and loopback WebRTC.
struct LobbyProcess {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl LobbyProcess {
    fn start(port: u16, name: &str) -> Self {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_trystero"))
            .args([
                "lobby",
                "--json",
                "--local",
                "--local-port",
                &port.to_string(),
            ])
            .args(["--room", "lobby-cli", "--name", name])
            .args([
                "--quick-match",
                "--ready",
                "--start-at",
                "2",
                "--exit-on-start",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(value) = serde_json::from_str(&line) else {
                    continue;
                };
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The first line whose `event` is `kind`.
    fn expect(&self, kind: &str) -> serde_json::Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100))
                && line["event"] == kind
            {
                return line;
            }
        }
        panic!("no {kind:?} event");
    }
}

impl Drop for LobbyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_cli_lobbies_quick_match_and_print_the_same_start() {
    let port = trystero_testkit::free_port();
    let first = LobbyProcess::start(port, "ada");
    let a = first.expect("self");
    // The first process hosts the embedded relay; give it a moment to listen.
    std::thread::sleep(Duration::from_millis(500));
    let second = LobbyProcess::start(port, "bob");
    let b = second.expect("self");
    let start_a = first.expect("game_starting");
    let start_b = second.expect("game_starting");
    assert_eq!(start_a, start_b);
    let roster = start_a["roster"].as_array().unwrap();
    assert_eq!(roster.len(), 2);
    assert!(roster.contains(&a["id"]) && roster.contains(&b["id"]));
    assert_eq!(start_a["start_frame"], 0);
    assert!(start_a["seed"].as_str().unwrap().parse::<u64>().is_ok());
}
