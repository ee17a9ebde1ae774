//! `trystero send` and `trystero receive` between two processes on the embedded relay.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trystero_testkit::free_port;
use trystero_testkit::peer::Peer;

fn trystero(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command
        .args(args)
        .stderr(if std::env::var_os("TRYSTERO_TRACE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    command
}

fn wait(child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
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

/// Runs a receiver and a sender; returns the path the receiver printed and what the sender
/// said on stderr.
fn transfer(port: u16, room: &str, file: &Path, out: &Path) -> (String, String) {
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
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = receiver.stdout.take().unwrap();
    let mut stderr = sender.stderr.take().unwrap();
    let said = std::thread::spawn(move || {
        let mut said = String::new();
        stderr.read_to_string(&mut said).unwrap();
        said
    });
    wait(&mut receiver, "the receiver");
    wait(&mut sender, "the sender");
    let mut printed = String::new();
    stdout.read_to_string(&mut printed).unwrap();
    (printed.trim().to_owned(), said.join().unwrap())
}

/// Bytes that differ in every position of a large file (a constant would hide a misplaced
/// piece).
fn pattern(length: usize) -> Vec<u8> {
    (0..length as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
        .collect()
}

/// 64 MiB and 256 MiB: the sender exits as soon as it says "delivered", and the receiver
/// has the whole file on disk by then. (Before pieces and confirmations, a 64 MiB file with
/// its metadata went over the receiver's message limit: the sender said "sent" and the
/// receiver silently dropped it.)
#[test]
fn large_files_are_delivered_and_confirmed() {
    let _heavy = super::heavy();
    let dir = std::env::temp_dir().join(format!("trystero-large-{}", std::process::id()));
    let (source, out) = (dir.join("source"), dir.join("out"));
    std::fs::create_dir_all(&source).unwrap();
    let port = free_port();
    for (name, size) in [
        ("sixty-four.bin", 64usize << 20),
        ("two-fifty-six.bin", 256 << 20),
    ] {
        let data = pattern(size);
        let file = source.join(name);
        std::fs::write(&file, &data).unwrap();
        let (printed, said) = transfer(port, "large", &file, &out);
        assert_eq!(printed, out.join(name).to_str().unwrap());
        assert!(said.contains("delivered"), "{said}");
        assert!(
            std::fs::read(&printed).unwrap() == data,
            "{name} arrived whole"
        );
        std::fs::remove_file(&file).unwrap();
        std::fs::remove_file(&printed).unwrap();
    }
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert!(
        left.is_empty(),
        "no partial files are left behind: {left:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A peer that takes the file but never confirms it (a plain `trystero peer`): the sender
/// never says "delivered" and exits non-zero.
#[test]
fn an_unconfirmed_file_is_not_delivered() {
    let dir = std::env::temp_dir().join(format!("trystero-unconfirmed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("note.txt");
    std::fs::write(&file, b"hello").unwrap();
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command.args(["peer", "--local", "--local-port", &port.to_string()]);
    command.args(["--room", "unconfirmed"]);
    let silent = Peer::spawn(command);
    let output = trystero(&["send", file.to_str().unwrap(), "--local", "--local-port"])
        .arg(port.to_string())
        .args(["--room", "unconfirmed", "--confirm-secs", "2"])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("not delivered"), "{stderr}");
    assert!(!stderr.contains("delivered note.txt"), "{stderr}");
    let message = silent.next("message");
    assert_eq!(message["action"], "file", "the peer did get the bytes");
    std::fs::remove_dir_all(&dir).unwrap();
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
    let (first, said) = transfer(port, "files", &file, &out);
    assert!(said.contains("delivered photo.jpg"), "{said}");
    assert_eq!(first, out.join("photo.jpg").to_str().unwrap());
    assert_eq!(std::fs::read(&first).unwrap(), data);

    // The same name again: a numbered copy, the first file untouched.
    let (second, _) = transfer(port, "files", &file, &out);
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
