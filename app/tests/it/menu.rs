//! The title screen's menus (`trystero play`, what a bare `trystero` opens), driven by
//! scripted keys: one copy hosts, another finds its game in the lobby's list and joins, the
//! host starts, and both play the same match to the same end, then see their results.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;
use trystero_testkit::free_port;

/// The longest any one screen is waited for.
const WAIT: Duration = Duration::from_secs(60);

/// One `trystero play --script` process: its stdin and its stdout's JSON lines.
struct Copy {
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
}

impl Copy {
    fn start(name: &'static str, display: &str, port: u16, room: &str, data: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trystero"))
            .args(["play", "--script", "--bot", "--frames", "300", "--local"])
            .args(["--local-port", &port.to_string(), "--room", room])
            .args(["--name", name])
            .env("DISPLAY", display)
            .env_remove("WAYLAND_DISPLAY")
            .env("TRYSTERO_DATA_DIR", data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if let Ok(value) = serde_json::from_str::<Value>(&line)
                    && sender.send(value).is_err()
                {
                    break;
                }
            }
        });
        Self {
            name,
            child,
            stdin,
            lines,
        }
    }

    fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            writeln!(self.stdin, "{key}").unwrap();
        }
        self.stdin.flush().unwrap();
    }

    /// The first screen line that `wanted` accepts.
    fn until(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{}: no {what} within {WAIT:?}", self.name)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("{}: exited before {what}", self.name)
                }
            }
        }
    }

    fn quit(mut self) {
        self.keys(&["quit"]);
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(20) {
                self.child.kill().unwrap();
                panic!("{} did not quit", self.name);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(self.child.wait().unwrap().success(), "{} failed", self.name);
    }
}

fn screen(line: &Value, name: &str) -> bool {
    line["screen"] == name
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trystero-menu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn host_and_join_through_the_menus_meet_play_and_see_their_results() {
    let _heavy = super::heavy();
    let xvfb = trystero_testkit::xvfb::Xvfb::start();
    let port = free_port();
    let room = format!("menu-{}", std::process::id());
    let (host_data, guest_data) = (temp("host"), temp("guest"));

    let mut host = Copy::start("host", &xvfb.display, port, &room, &host_data);
    host.until("the title screen", |line| screen(line, "title"));
    host.keys(&["down", "enter"]);
    host.until("its own game", |line| {
        screen(line, "waiting") && line["host"] == true && line["players"] == 1
    });

    let mut guest = Copy::start("guest", &xvfb.display, port, &room, &guest_data);
    guest.until("the title screen", |line| screen(line, "title"));
    guest.keys(&["down", "down", "enter"]);
    guest.until("the host's game in the list", |line| {
        screen(line, "browse") && line["games"] == 1
    });
    guest.keys(&["down", "enter"]);
    guest.until("the host's game", |line| {
        screen(line, "waiting") && line["players"] == 2
    });

    host.until("a game it can start", |line| {
        screen(line, "waiting") && line["can_start"] == true
    });
    host.keys(&["enter"]);
    let hosting = host.until("the match", |line| screen(line, "playing"));
    let joined = guest.until("the match", |line| screen(line, "playing"));
    assert_eq!(hosting["seed"], joined["seed"]);
    assert_eq!(hosting["players"], 2);
    assert_eq!(joined["players"], 2);
    assert_ne!(hosting["seat"], joined["seat"]);

    let host_end = host.until("the results", |line| screen(line, "results"));
    let guest_end = guest.until("the results", |line| screen(line, "results"));
    assert_eq!(host_end["finished"], true, "{host_end}");
    assert_eq!(host_end["frames"], 300);
    assert_eq!(host_end["final_checksum"], guest_end["final_checksum"]);

    host.keys(&["enter"]);
    host.until("the title again", |line| screen(line, "title"));
    host.quit();
    guest.quit();
    for data in [&host_data, &guest_data] {
        let board: Value =
            serde_json::from_str(&std::fs::read_to_string(data.join("leaderboard.json")).unwrap())
                .unwrap();
        assert_eq!(board["runs"].as_array().unwrap().len(), 1, "{board}");
        assert_eq!(board["runs"][0]["players"], 2);
        std::fs::remove_dir_all(data).unwrap();
    }
}

/// With no display, `trystero play` (what a bare `trystero` runs) says so in one line and
/// plays a headless match with the bot to its end, then prints the summary.
#[test]
fn without_a_display_the_game_says_so_and_plays_a_headless_bot_match() {
    let data = temp("headless");
    let output = Command::new(env!("CARGO_BIN_EXE_trystero"))
        .args(["play", "--room", "headless", "--frames", "300"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("TRYSTERO_DATA_DIR", &data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    let notes: Vec<&str> = said
        .lines()
        .filter(|line| line.contains("no display"))
        .collect();
    assert_eq!(notes.len(), 1, "{said}");
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains("match over (the frame limit) after 300 frames"),
        "{summary}"
    );
    std::fs::remove_dir_all(data).unwrap();
}
