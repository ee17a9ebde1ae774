//! The examples in `app/examples/`, run: each must finish by itself, exit 0 and print what
//! it promises. `swap_strategy` also gets a real MQTT broker and WebTorrent tracker, so all
//! four of its adapters run.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::tracker::Tracker;

/// How long an example may run before it is killed and the test fails.
const LIMIT: Duration = Duration::from_secs(60);

/// The examples' binaries are built once per test run: `cargo test` builds them with the
/// other targets, but `cargo test --test it` does not, and a binary left from an earlier
/// build may be stale. With nothing to do, the build takes a fraction of a second.
fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<bool> = Mutex::new(false);
    // target/<profile>/deps/it-<hash> → target/<profile>
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary is in target/<profile>/deps");
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !*built {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--examples", "--manifest-path"])
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
        // Without the variables cargo sets for this test, or build scripts that watch them
        // (ring's watches CARGO_MANIFEST_DIR) would run again, and every later build with them.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if [
                "CARGO_MANIFEST_",
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_PRIMARY_",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                || name == "CARGO_TARGET_TMPDIR"
                || name == "OUT_DIR"
            {
                cargo.env_remove(name.as_ref());
            }
        }
        match profile_dir.file_name().and_then(|name| name.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                cargo.arg("--release");
            }
            Some(profile) => {
                cargo.args(["--profile", profile]);
            }
        }
        let output = cargo.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        *built = true;
    }
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs the example `name` with `args`: its stdout, once it exited 0 within [`LIMIT`].
fn run(name: &str, args: &[&str]) -> String {
    let binary = example(name);
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status: Option<ExitStatus> = loop {
        if let Some(status) = child.try_wait().expect("the example can be waited for") {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().expect("the stdout reader");
    let stderr = stderr.join().expect("the stderr reader");
    let report = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    let status = status.unwrap_or_else(|| panic!("{name} ran over {LIMIT:?}\n{report}"));
    assert!(status.success(), "{name} failed: {status}\n{report}");
    stdout
}

/// Each of `expected` is part of a line of `output`, in this order.
fn assert_lines(output: &str, expected: &[&str]) {
    let mut lines = output.lines();
    for wanted in expected {
        assert!(
            lines.any(|line| line.contains(wanted)),
            "no line containing {wanted:?} (in order) in:\n{output}"
        );
    }
}

#[test]
fn chat() {
    let output = run("chat", &[]);
    assert_lines(
        &output,
        &[
            "alice and bob are in the room",
            "alice -> bob: Hi Bob!",
            "bob -> alice: Hi Alice, loud and clear.",
            "alice -> bob: Great, see you.",
            "bob saw alice leave",
            "both left",
        ],
    );
}

#[test]
fn file_transfer() {
    let _heavy = super::heavy();
    let output = run("file_transfer", &[]);
    assert_lines(&output, &["alice: sent 100 %"]);
    assert_lines(
        &output,
        &[
            "bob:   received  25 % of example.bin",
            "bob:   received 100 % of example.bin",
            "bob:   example.bin (8388608 bytes) from ",
            "alice: delivered example.bin, 8388608 bytes in ",
            "alice: bob verified sha256 ",
        ],
    );
}

#[test]
fn request_response() {
    let output = run("request_response", &[]);
    assert_lines(
        &output,
        &[
            "alice: 84 / 2 = 42",
            "alice: 1 / 0 rejected: division by zero",
            "alice: 3000000 / 3 timed out after 100 ms",
            "alice: 3000000 / 3 = 1000000",
            "done",
        ],
    );
}

#[test]
fn swap_strategy_without_servers_runs_memory_and_nostr() {
    let output = run("swap_strategy", &[]);
    assert_lines(
        &output,
        &[
            "memory: met in",
            "nostr: met in",
            "mqtt: skipped (add --mqtt",
            "torrent: skipped (add --tracker",
        ],
    );
}

#[test]
fn swap_strategy_over_all_four_adapters() {
    let broker = Mosquitto::start();
    let tracker = Tracker::start();
    let output = run(
        "swap_strategy",
        &["--mqtt", &broker.url(), "--tracker", &tracker.url()],
    );
    assert_lines(
        &output,
        &[
            "memory: met in",
            "nostr: met in",
            "mqtt: met in",
            "torrent: met in",
        ],
    );
    assert!(output.matches("ping -> pong").count() == 4, "{output}");
}

#[test]
fn rollback_box() {
    let output = run("rollback_box", &[]);
    assert_lines(
        &output,
        &[
            "playing 300 frames at 60 Hz",
            "alice: frame 300, boxes at",
            "bob: frame 300, boxes at",
            "in sync, and equal to the offline replay",
        ],
    );
}
