//! `trystero game --headless --bot` processes meeting through the lobby on the embedded relay
//! and playing over real WebRTC; `trystero replay` of what one recorded.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use trystero_testkit::free_port;

fn trystero() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trystero"))
}

/// A bot player: `trystero game --headless --bot --local` in `room` for `players` players.
/// Returns once it waits in the lobby (so its embedded relay is up for the next one).
fn player(port: u16, room: &str, players: u8, frames: u32, out: &Path, name: &str) -> Child {
    let mut child = trystero()
        .args(["game", "--headless", "--bot", "--local", "--local-port"])
        .arg(port.to_string())
        .args([
            "--room",
            room,
            "--players",
            &players.to_string(),
            "--frames",
        ])
        .arg(frames.to_string())
        .arg("--summary")
        .arg(out.join(format!("{name}.json")))
        .arg("--record")
        .arg(out.join(format!("{name}.replay")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "{name} exited before waiting"
        );
        if line.contains("waiting for") {
            break;
        }
    }
    // Keep draining its logs so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    child
}

fn finish(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the match did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

fn summary(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trystero-game-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Two bots play 1 800 frames (30 s) over real WebRTC: the same checkpoint every second and
/// the same final checksum on both; the recording replays to it; damaged and foreign replays
/// are refused.
#[test]
fn two_headless_bots_play_a_match_in_sync_and_its_replay_ends_the_same() {
    let _heavy = super::heavy();
    let dir = temp("pair");
    let port = free_port();
    let a = player(port, "arena", 2, 1_800, &dir, "a");
    let b = player(port, "arena", 2, 1_800, &dir, "b");
    for (name, child) in [("a", a), ("b", b)] {
        let output = finish(child, Duration::from_secs(120));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{name}: {text}");
        assert!(text.contains("final checksum"), "{name}: {text}");
    }
    let (a, b) = (summary(dir.join("a.json")), summary(dir.join("b.json")));
    assert_eq!(a["finished"], true);
    assert_eq!(a["frames"], 1_800);
    assert_eq!(a["final_checksum"], b["final_checksum"]);
    assert_eq!(a["checkpoints"], b["checkpoints"]);
    assert_eq!(a["checkpoints"].as_array().unwrap().len(), 30);
    assert_eq!(a["desyncs"].as_array().unwrap().len(), 0);
    assert_ne!(a["seat"], b["seat"]);
    assert!(a["kills"].as_u64().unwrap() > 0, "they fought: {a}");
    assert_eq!(a["seats"], b["seats"], "both saw the same results");

    // The replay of the match ends in its final checksum.
    let replayed = trystero()
        .arg("replay")
        .arg(dir.join("a.replay"))
        .arg("--summary")
        .arg(dir.join("replayed.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&replayed.stdout);
    assert!(replayed.status.success(), "{text}");
    let checksum = a["final_checksum"].as_str().unwrap();
    assert!(text.contains(checksum), "{text}");
    assert_eq!(
        summary(dir.join("replayed.json"))["final_checksum"],
        checksum
    );

    // A damaged replay and one of another version get their errors.
    let original = std::fs::read_to_string(dir.join("a.replay")).unwrap();
    let refused = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let output = trystero().arg("replay").arg(&path).output().unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let start = original.find("\"inputs\":[").unwrap() + 10;
    let mut damaged = original.clone();
    let digit = if &original[start..=start] == "1" {
        "2"
    } else {
        "1"
    };
    damaged.replace_range(start..=start, digit);
    let error = refused("damaged.replay", damaged);
    assert!(error.contains("corrupt"), "{error}");
    let error = refused("cut.replay", original[..original.len() / 2].to_owned());
    assert!(error.contains("not a replay"), "{error}");
    let error = refused(
        "newer.replay",
        original.replacen("\"version\":1", "\"version\":9", 1),
    );
    assert!(error.contains("version 9 is not supported"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A bot is killed mid-match: the other drops it and plays on to the end.
#[test]
fn when_a_player_is_killed_mid_match_the_other_plays_on() {
    let _heavy = super::heavy();
    let dir = temp("leaver");
    let port = free_port();
    let a = player(port, "leavers", 2, 1_200, &dir, "a");
    let mut b = player(port, "leavers", 2, 1_200, &dir, "b");
    // About 5 s into the 20 s match.
    std::thread::sleep(Duration::from_secs(7));
    b.kill().unwrap();
    b.wait().unwrap();
    let output = finish(a, Duration::from_secs(90));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    let a = summary(dir.join("a.json"));
    assert_eq!(a["finished"], true, "{a}");
    // It played on past the kill, to the frame limit, or to the end of the run if the wolves
    // got it alone.
    let frames = a["frames"].as_u64().unwrap();
    assert!(frames > 300, "{a}");
    assert!(frames == 1_200 || a["run_over"] == true, "{a}");
    let seats = a["seats"].as_array().unwrap();
    let other = seats.iter().find(|s| s["seat"] != a["seat"]).unwrap();
    assert_eq!(other["present"], false, "the killed player left: {a}");
    assert!(text.contains("(left)"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
