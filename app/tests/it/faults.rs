//! Whole-stack faults on a simulated network: `trystero peer` processes on test hosts in their
//! own network namespaces (`trystero_testkit::netlab`), the embedded relay on another, and
//! faults made there: a link cut during a transfer, relays killed mid-join, a peer killed
//! mid-transfer, and direct paths missing so that only a TURN server joins the peers.
//!
//! Each test is bounded in time (every wait has a deadline). `cargo xtask faults` runs them one
//! at a time with their timings, moving 16 MiB over the lossy network; `cargo xtask ci` runs
//! them with the rest of the tests, moving 1 MiB there.

use std::net::Ipv4Addr;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use trystero_testkit::WAIT;
use trystero_testkit::netlab::{Host, Impairment, Lab};
use trystero_testkit::peer::{Peer, talk};

const PORT: u16 = 7777;
const ROOM: &str = "faults";

/// The embedded relay on `host`, listening on `bind`; waits until it says it listens.
struct Relay(Child);

impl Relay {
    fn start(host: &Host, bind: Ipv4Addr) -> Self {
        let mut child = host
            .command(env!("CARGO_BIN_EXE_trystero"))
            .args([
                "relay",
                "--bind",
                &bind.to_string(),
                "--port",
                &PORT.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = trystero_testkit::read_lines(child.stderr.take().unwrap());
        trystero_testkit::line_containing(&lines, "relay listening", Duration::from_secs(10))
            .expect("the relay listens within 10 s");
        Self(child)
    }

    fn url(bind: Ipv4Addr) -> String {
        format!("ws://{bind}:{PORT}")
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `trystero peer` on `host` using these relays (and ICE servers), no public STUN server.
fn peer(host: &Host, relays: &[String], extra: &[&str]) -> Peer {
    let mut command = host.command(env!("CARGO_BIN_EXE_trystero"));
    command.args(["peer", "--room", ROOM, "--no-default-ice"]);
    for relay in relays {
        command.args(["--relay", relay]);
    }
    command.args(extra);
    Peer::spawn(command)
}

/// Waits until `peer` has seen every one of `others` join.
fn joined(peer: &Peer, others: &[&Peer]) {
    let mut missing: Vec<&str> = others.iter().map(|other| other.id.as_str()).collect();
    while !missing.is_empty() {
        let join = peer.next("join");
        missing.retain(|id| join["peer"] != *id);
    }
}

/// `size` bytes of a pattern, and their base64.
fn blob(size: usize) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
    (bytes, text)
}

/// A 3 s cut of the receiver's link while 8 MiB are in flight: the transfer resumes and arrives
/// intact, or the send fails with an error; it never hangs. Either way the peers talk again.
#[test]
fn a_link_cut_during_a_transfer_never_hangs() {
    let _turn = super::heavy();
    let mut lab = Lab::new();
    let net = lab.net();
    let relay_host = lab.host("relay", &[net]);
    let (a_host, b_host) = (lab.host("a", &[net]), lab.host("b", &[net]));
    let _relay = Relay::start(&relay_host, relay_host.addr(net));
    let relays = [Relay::url(relay_host.addr(net))];
    let mut a = peer(&a_host, &relays, &[]);
    let b = peer(&b_host, &relays, &[]);
    joined(&a, &[&b]);
    joined(&b, &[&a]);

    let (bytes, text) = blob(8 << 20);
    a.send(&json!({"send": {"action": "blob", "binary": text, "to": [b.id]}}));
    // Cut once the transfer is under way.
    b.next_of(&["progress"], Duration::from_secs(20))
        .expect("the transfer starts");
    let cut = Instant::now();
    lab.set_connected(&b_host, false);
    std::thread::sleep(Duration::from_secs(3));
    lab.set_connected(&b_host, true);

    // The message arrives intact, or a's send ends in an error: within 60 s of the cut.
    let outcome = loop {
        let left = Duration::from_secs(60).saturating_sub(cut.elapsed());
        if let Some(message) = b.next_of(&["message"], Duration::from_millis(200)) {
            let got = base64::engine::general_purpose::STANDARD
                .decode(message["binary"].as_str().unwrap())
                .unwrap();
            assert!(got == bytes, "the message arrived corrupted");
            break "resumed";
        }
        if let Ok(error) = a.lines.try_recv()
            && error["event"] == "error"
        {
            assert_eq!(error["kind"], "send", "{error}");
            break "failed";
        }
        assert!(
            !left.is_zero(),
            "the transfer neither finished nor failed in 60 s"
        );
    };
    eprintln!(
        "faults: link cut 3 s mid-transfer: {outcome} after {:.1} s",
        cut.elapsed().as_secs_f64()
    );
    // If the connection was lost, they meet again; then they talk.
    if outcome == "failed" {
        joined(&a, &[&b]);
    }
    talk(&mut a, &b, "after the cut", WAIT);
}

/// Three relays; two are killed while the second peer's offer and answer go through them: the
/// join completes through the third.
#[test]
fn two_of_three_relays_killed_mid_join() {
    let mut lab = Lab::new();
    let net = lab.net();
    let relay_hosts: Vec<Host> = (0..3)
        .map(|i| lab.host(&format!("relay{i}"), &[net]))
        .collect();
    let mut relays: Vec<Option<Relay>> = relay_hosts
        .iter()
        .map(|host| Some(Relay::start(host, host.addr(net))))
        .collect();
    let urls: Vec<String> = relay_hosts
        .iter()
        .map(|host| Relay::url(host.addr(net)))
        .collect();
    let (a_host, b_host) = (lab.host("a", &[net]), lab.host("b", &[net]));
    let a = peer(&a_host, &urls, &[]);
    // a is in the room (its announce is out); b joins, and as soon as it runs, relays 1 and 2 go.
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let b = peer(&b_host, &urls, &[]);
    relays[1] = None;
    relays[2] = None;
    joined(&a, &[&b]);
    joined(&b, &[&a]);
    eprintln!(
        "faults: two of three relays killed mid-join: joined {:.2} s after b started",
        start.elapsed().as_secs_f64()
    );
}

/// `peer`'s `stats` event: what its room holds and its live async tasks.
fn stats(peer: &mut Peer) -> Value {
    peer.send(&json!({"stats": true}));
    peer.next_of(&["stats"], Duration::from_secs(10))
        .expect("a stats event")
}

/// Waits until `peer`'s stats are back to `baseline`: the same counts, and no more live tasks
/// (a departed peer's connection, tasks and buffers take a moment to wind down; a task that was
/// finishing when the baseline was taken may be gone). Panics with both after `within`.
fn back_to(peer: &mut Peer, baseline: &Value, within: Duration) -> Duration {
    let counts = |stats: &Value| {
        let mut stats = stats.clone();
        let tasks = stats["tasks"].take().as_u64().expect("a task count");
        (stats, tasks)
    };
    let (baseline_counts, baseline_tasks) = counts(baseline);
    let start = Instant::now();
    loop {
        let now = stats(peer);
        let (now_counts, tasks) = counts(&now);
        if now_counts == baseline_counts && tasks <= baseline_tasks {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "not back to the baseline within {within:?}: {now} (baseline {baseline})"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A peer killed (SIGKILL) while it receives 16 MiB and sends 16 MiB: the sender and a third
/// peer see it leave within the connection's timeout, the send fails with an error, the two go
/// on talking, and the sender's room and tasks return to what they were before the peer came
/// (the half-received transfer's buffer freed, no task left behind).
#[test]
fn a_peer_killed_mid_transfer_leaves_and_the_others_go_on() {
    let _turn = super::heavy();
    let mut lab = Lab::new();
    let net = lab.net();
    let relay_host = lab.host("relay", &[net]);
    let hosts: Vec<Host> = ["a", "b", "c"]
        .iter()
        .map(|name| lab.host(name, &[net]))
        .collect();
    let _relay = Relay::start(&relay_host, relay_host.addr(net));
    let relays = [Relay::url(relay_host.addr(net))];
    let mut a = peer(&hosts[0], &relays, &[]);
    let c = peer(&hosts[2], &relays, &[]);
    joined(&a, &[&c]);
    joined(&c, &[&a]);
    talk(&mut a, &c, "before", WAIT);
    let baseline = stats(&mut a);
    assert_eq!(baseline["peers"], 1, "{baseline}");
    assert_eq!(baseline["buffered_bytes"], 0, "{baseline}");

    // 8 Mbit/s each way: 16 MiB take 16 s, so both transfers are cut in the middle.
    lab.limit_rate(&hosts[1], 8_000);
    let mut b = peer(&hosts[1], &relays, &[]);
    joined(&a, &[&b]);
    joined(&c, &[&b]);
    joined(&b, &[&a, &c]);
    let (_, text) = blob(16 << 20);
    a.send(&json!({"send": {"action": "blob", "binary": text, "to": [b.id]}}));
    b.send(&json!({"send": {"action": "blob", "binary": text, "to": [a.id]}}));
    b.next_of(&["progress"], Duration::from_secs(20))
        .expect("a's transfer starts");
    loop {
        let progress = a
            .next_of(&["progress"], Duration::from_secs(20))
            .expect("b's transfer starts");
        if progress["direction"] == "receive" {
            break;
        }
    }
    let during = stats(&mut a);
    assert_eq!(during["peers"], 2, "{during}");
    assert!(
        during["incoming_transfers"] == 1 && during["buffered_bytes"].as_u64() > Some(0),
        "a holds b's transfer in progress: {during}"
    );
    let b_id = b.id.clone();
    let killed = Instant::now();
    drop(b); // SIGKILL
    // a sees the leave and its send's error (in either order), c the leave.
    let mut send_failed = false;
    let mut a_saw_leave = false;
    while !(send_failed && a_saw_leave) {
        let event = a
            .next_of(&["leave", "error"], Duration::from_secs(30))
            .expect("a sees the killed peer leave and its send fail within 30 s");
        if event["event"] == "leave" {
            assert_eq!(event["peer"], b_id.as_str());
            a_saw_leave = true;
            eprintln!(
                "faults: a saw the killed peer leave after {:.1} s",
                killed.elapsed().as_secs_f64()
            );
        } else {
            assert_eq!(event["kind"], "send", "{event}");
            send_failed = true;
        }
    }
    let leave = c
        .next_of(&["leave"], Duration::from_secs(30))
        .expect("c sees the killed peer leave within 30 s");
    assert_eq!(leave["peer"], b_id.as_str());
    eprintln!(
        "faults: c saw the killed peer leave after {:.1} s",
        killed.elapsed().as_secs_f64()
    );
    talk(&mut a, &c, "still here", WAIT);
    let settled = back_to(&mut a, &baseline, Duration::from_secs(30));
    eprintln!(
        "faults: a's room and tasks back to the baseline ({baseline}; {} tasks during the \
         transfers) {:.1} s after the leave",
        during["tasks"],
        settled.as_secs_f64()
    );
}

/// The peers on two networks that only a third host joins, with coturn there: no direct path
/// exists, and the join goes through TURN (both connections' candidates are relayed).
#[test]
fn only_turn_reachable_the_join_goes_through_coturn() {
    let mut lab = Lab::new();
    let (left, right) = (lab.net(), lab.net());
    let middle = lab.host("turn", &[left, right]);
    let a_host = lab.host("a", &[left]);
    let b_host = lab.host("b", &[right]);
    // The relay on every address of the middle host, and coturn relaying from one of them.
    let _relay = Relay::start(&middle, Ipv4Addr::UNSPECIFIED);
    let mut turn = middle
        .command("turnserver")
        .args([
            "-n",
            "--listening-port=3478",
            &format!("--relay-ip={}", middle.addr(left)),
            "--min-port=49160",
            "--max-port=49260",
            "--lt-cred-mech",
            "--user=trystero:relay-secret",
            "--realm=trystero",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--log-file=stdout",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("coturn's turnserver must be installed (.ci/run installs it)");
    std::thread::sleep(Duration::from_millis(500));
    let peer_on = |host: &Host, net| {
        let turn = format!("turn:trystero:relay-secret@{}:3478", middle.addr(net));
        peer(host, &[Relay::url(middle.addr(net))], &["--ice", &turn])
    };
    let start = Instant::now();
    let mut a = peer_on(&a_host, left);
    let mut b = peer_on(&b_host, right);
    joined(&a, &[&b]);
    joined(&b, &[&a]);
    eprintln!(
        "faults: only TURN reachable: joined in {:.2} s",
        start.elapsed().as_secs_f64()
    );
    // No host pair exists, so at least one end of the connection is relayed (the other may
    // reach the relay's address directly from its own host candidate).
    let mut candidates = Vec::new();
    for peer in [&mut a, &mut b] {
        peer.send(&json!({"peers": true}));
        let peers = peer
            .next_of(&["peers"], Duration::from_secs(10))
            .expect("the peers");
        candidates.push(peers["peers"][0]["candidate"].clone());
    }
    eprintln!("faults: only TURN reachable: local candidates {candidates:?}");
    assert!(
        candidates.iter().any(|kind| kind == "relay"),
        "{candidates:?}"
    );
    talk(&mut a, &b, "through the relay", WAIT);
    let _ = turn.kill();
    let _ = turn.wait();
}

/// 100 ms round trips (50 ms each way, up to 5 ms of jitter, which reorders) and 5 % loss each
/// way, seeded, on every path, the relay's too: two peers join, and `size` bytes arrive intact.
fn lossy_transfer(size: usize, within: Duration) {
    let _turn = super::heavy();
    let mut lab = Lab::new();
    let hosts = lab.lossy_hosts(
        &["relay", "a", "b"],
        Impairment {
            delay: Duration::from_millis(50),
            jitter: Duration::from_millis(5),
            loss: 0.05,
            seed: 7,
        },
    );
    let relay_address = hosts[0].first_addr();
    let _relay = Relay::start(&hosts[0], relay_address);
    let relays = [Relay::url(relay_address)];
    let start = Instant::now();
    let a = peer(&hosts[1], &relays, &[]);
    let b = peer(&hosts[2], &relays, &[]);
    joined(&a, &[&b]);
    joined(&b, &[&a]);
    let join = start.elapsed();

    let (bytes, text) = blob(size);
    let mut a = a;
    let sent = Instant::now();
    a.send(&json!({"send": {"action": "blob", "binary": text, "to": [b.id]}}));
    let message = b
        .next_of(&["message"], within)
        .unwrap_or_else(|| panic!("{size} bytes did not arrive within {within:?}"));
    let took = sent.elapsed();
    let got = base64::engine::general_purpose::STANDARD
        .decode(message["binary"].as_str().unwrap())
        .unwrap();
    assert!(got == bytes, "the message arrived corrupted");
    eprintln!(
        "faults: 100 ms RTT, 5 % loss: joined in {:.2} s; {} KiB arrived intact in {:.1} s ({:.0} KiB/s)",
        join.as_secs_f64(),
        size / 1024,
        took.as_secs_f64(),
        size as f64 / 1024.0 / took.as_secs_f64()
    );
}

/// CI moves 1 MiB; `cargo xtask faults` sets `TRYSTERO_LOSSY_MIB=16` (minutes at 44 KiB/s).
#[test]
fn a_lossy_slow_network_joins_and_carries_an_action_intact() {
    let mib: usize = std::env::var("TRYSTERO_LOSSY_MIB")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1);
    // 60 s per MiB: well above the 23–36 s a MiB took at 28–44 KiB/s.
    lossy_transfer(mib << 20, Duration::from_secs(60 * mib as u64));
}
