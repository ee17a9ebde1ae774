//! The lobby on real room machinery (the engine, the handshake, actions; in-process relay and
//! links): four players quick-match, ready up, and the host's start reaches everyone with the
//! same seed, frame and roster; then the host leaves and the game moves on.

use std::time::Duration;

use trystero::lobby::{LobbyClient, LobbyConfig, LobbyEvent, Profile, join_memory_lobby};
use trystero::memory::Network;
use trystero::{PeerId, RoomConfig};
use trystero_testkit::peer::Peer;

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

/// `count` players of app `app` in one in-process lobby, rated 1500 each.
async fn players(app: &str, count: usize) -> Vec<(PeerId, LobbyClient)> {
    let network = Network::new();
    let config = RoomConfig::builder(app).build().unwrap();
    let mut clients = Vec::new();
    for n in 0..count {
        let peer = PeerId::random().unwrap();
        let profile = Profile::new(format!("player {n}"), 1500);
        let lobby = LobbyConfig::default();
        let client = join_memory_lobby(&network, config.clone(), peer, profile, lobby)
            .await
            .unwrap();
        clients.push((peer, client));
    }
    clients
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_players_quick_match_and_start_together() {
    let mut clients = players("lobby-test", 4).await;
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

/// A `trystero lobby --json` process on the embedded relay of `port` and loopback WebRTC: it
/// quick-matches, readies, and hosts a start for two (`extra` adds flags; `data` is its data
/// folder).
fn lobby_process(port: u16, name: &str, extra: &[&str], data: Option<&std::path::Path>) -> Peer {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trystero"));
    if let Some(data) = data {
        command.env("TRYSTERO_DATA_DIR", data);
    }
    let port = port.to_string();
    command
        .args(["lobby", "--json", "--local", "--local-port", &port])
        .args(["--room", "lobby-cli", "--name", name])
        .args(["--quick-match", "--ready", "--start-at", "2"])
        .args(extra);
    Peer::spawn(command)
}

#[test]
fn two_cli_lobbies_quick_match_and_print_the_same_start() {
    let port = trystero_testkit::free_port();
    // The first process hosts the embedded relay; it is listening once it says who it is.
    let first = lobby_process(port, "ada", &["--exit-on-start"], None);
    let second = lobby_process(port, "bob", &["--exit-on-start"], None);
    let start_a = first.next("game_starting");
    let start_b = second.next("game_starting");
    assert_eq!(start_a, start_b);
    let roster = start_a["roster"].as_array().unwrap();
    assert_eq!(roster.len(), 2);
    assert!(
        roster.contains(&first.id.as_str().into()) && roster.contains(&second.id.as_str().into())
    );
    assert_eq!(start_a["start_frame"], 0);
    assert!(start_a["seed"].as_str().unwrap().parse::<u64>().is_ok());
}

/// Runs `tmux` with these arguments.
fn tmux(socket: &str, args: &[&str]) -> String {
    let output = std::process::Command::new("tmux")
        .args(["-L", socket])
        .args(args)
        .output()
        .expect("tmux is installed (cargo xtask setup installs it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The terminal view as a person sees it: a game created, a quick-matching player let in, chat,
/// the start, all on screen (tmux runs the view; the screen is read back as text).
#[test]
fn the_terminal_view_shows_the_game_its_players_chat_and_the_start() {
    let port = trystero_testkit::free_port();
    let socket = format!("trystero-lobby-{port}");
    let command = format!(
        "{} lobby --local --local-port {port} --room view --name ada --rating 1620",
        env!("CARGO_BIN_EXE_trystero")
    );
    tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "ada",
            "-x",
            "120",
            "-y",
            "34",
            &command,
        ],
    );
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            tmux(&self.0, &["kill-server"]);
        }
    }
    let _kill = Kill(socket.clone());
    let screen = || tmux(&socket, &["capture-pane", "-t", "ada", "-p"]);
    let wait_for = |wanted: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if screen().contains(wanted) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the screen never showed {wanted:?}:\n{}", screen());
    };
    wait_for("not in a game");
    tmux(
        &socket,
        &["send-keys", "-t", "ada", "/create arena", "Enter"],
    );
    wait_for("ada 1620 host (you)");
    // Bob quick-matches from a script and is let into ada's game.
    let bob = std::process::Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(["lobby", "--local", "--local-port", &port.to_string()])
        .args([
            "--room",
            "view",
            "--name",
            "bob",
            "--quick-match",
            "--ready",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _bob = Reap(bob);
    wait_for("bob 1500 ready");
    wait_for("bob is ready");
    tmux(&socket, &["send-keys", "-t", "ada", "hello bob", "Enter"]);
    wait_for("[you] hello bob");
    tmux(&socket, &["send-keys", "-t", "ada", "/start", "Enter"]);
    wait_for("players you, bob");
    wait_for("arena · started, seed");
    wait_for("started 1");
}

/// Rated games from the CLI: both players report the same result, both print the same new
/// ratings, and each keeps its identity key and ratings in its data folder.
#[test]
fn two_rated_cli_players_report_a_result_and_keep_their_ratings() {
    let port = trystero_testkit::free_port();
    let base = std::env::temp_dir().join(format!("trystero-rated-{port}"));
    let (ada_dir, bob_dir) = (base.join("ada"), base.join("bob"));
    let mut first = lobby_process(port, "ada", &["--rated"], Some(&ada_dir));
    let mut second = lobby_process(port, "bob", &["--rated"], Some(&bob_dir));
    first.next("game_starting");
    second.next("game_starting");
    let (a, b) = (first.id.clone(), second.id.clone());
    let result = format!(r#"{{"result": [["{a}", 1], ["{b}", 2]]}}"#);
    first.send_raw(&result);
    second.send_raw(&result);
    let ratings_a = first.next("ratings");
    let ratings_b = second.next("ratings");
    assert_eq!(ratings_a, ratings_b);
    let values: Vec<i64> = ratings_a["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry[1].as_i64().unwrap())
        .collect();
    assert!(values[0] > 1500 && values[1] < 1500, "{values:?}");
    for dir in [&ada_dir, &bob_dir] {
        assert!(dir.join("identity.key").exists());
        let saved = std::fs::read_to_string(dir.join("ratings.json")).unwrap();
        assert!(saved.contains("players"), "{saved}");
    }
    drop((first, second));
    let _ = std::fs::remove_dir_all(&base);
}

/// Eight players on the in-memory adapters (the real engine, handshake and actions) quick-match
/// into two full games; then one host leaves and its game goes on under the lowest remaining
/// player.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_players_form_two_games_and_survive_a_host_leaving() {
    let clients = players("lobby-eight", 8).await;
    for (_, client) in &clients {
        client.quick_match().await.unwrap();
    }
    let games = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let mut games = std::collections::BTreeMap::new();
            for (peer, client) in &clients {
                if let Some((state, _)) = client.game().await.unwrap()
                    && state.is_player(*peer)
                {
                    games.insert(*peer, state);
                }
            }
            let full = games.len() == 8
                && games.values().all(|state| state.players.len() == 4)
                && games
                    .values()
                    .map(|state| state.game)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
                    == 2;
            if full {
                return games;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("two full games formed");
    // The host of one game leaves.
    let (host_index, state) = clients
        .iter()
        .enumerate()
        .find_map(|(index, (peer, _))| {
            let state = &games[peer];
            (state.host == *peer).then(|| (index, state.clone()))
        })
        .unwrap();
    clients[host_index].1.leave_room().await.unwrap();
    let successor = state
        .players
        .iter()
        .map(|player| player.id)
        .filter(|id| *id != state.host)
        .min()
        .unwrap();
    let members: Vec<usize> = clients
        .iter()
        .enumerate()
        .filter(|(index, (peer, _))| *index != host_index && state.is_player(*peer))
        .map(|(index, _)| index)
        .collect();
    let moved = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let mut moved = 0;
            for index in &members {
                if let Some((now, _)) = clients[*index].1.game().await.unwrap()
                    && now.game == state.game
                    && now.host == successor
                    && now.players.len() == 3
                {
                    moved += 1;
                }
            }
            if moved == members.len() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if moved.is_err() {
        for index in &members {
            let now = clients[*index].1.game().await.unwrap();
            eprintln!("{}: {now:?}", clients[*index].0);
        }
        panic!("the lowest remaining player ({successor}) does not host the three who stayed");
    }
}
