//! `trystero send` and `trystero receive` between two processes on the embedded relay.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peer::free_port;

fn trystero(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command.args(args).stderr(Stdio::null());
    command
}

fn wait(child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what} failed: {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs a receiver and a sender; returns the path the receiver printed.
fn transfer(port: u16, room: &str, file: &Path, out: &Path) -> String {
    let port = port.to_string();
    let mut receiver = trystero(&["receive", "--local", "--local-port", &port, "--room", room])
        .args(["--out", out.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The receiver starts the embedded relay; give it a moment before the sender looks for it.
    std::thread::sleep(Duration::from_millis(300));
    let mut sender = trystero(&[
        "send",
        file.to_str().unwrap(),
        "--local",
        "--local-port",
        &port,
    ])
    .args(["--room", room, "--wait-secs", "20"])
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let mut stdout = receiver.stdout.take().unwrap();
    wait(&mut receiver, "the receiver");
    wait(&mut sender, "the sender");
    let mut printed = String::new();
    stdout.read_to_string(&mut printed).unwrap();
    printed.trim().to_owned()
}

#[test]
fn a_file_arrives_intact_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("trystero-files-{}", std::process::id()));
    let (source, out) = (dir.join("source"), dir.join("out"));
    std::fs::create_dir_all(&source).unwrap();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let file = source.join("photo.jpg");
    std::fs::write(&file, &data).unwrap();

    let port = free_port();
    let first = transfer(port, "files", &file, &out);
    assert_eq!(first, out.join("photo.jpg").to_str().unwrap());
    assert_eq!(std::fs::read(&first).unwrap(), data);

    // The same name again: a numbered copy, the first file untouched.
    let second = transfer(port, "files", &file, &out);
    assert_eq!(second, out.join("photo (1).jpg").to_str().unwrap());
    assert_eq!(std::fs::read(&second).unwrap(), data);
    assert_eq!(std::fs::read(&first).unwrap(), data);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sending_a_missing_file_fails_with_one_line() {
    let output = trystero(&["send", "/nonexistent/file.bin", "--room", "x"])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot read"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}
