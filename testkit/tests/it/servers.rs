//! The launchers: listening on 127.0.0.1 once started, gone once dropped, and (for the ones
//! tests restart) back on the same address after a restart.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use trystero_testkit::coturn::Coturn;
use trystero_testkit::mosquitto::Mosquitto;
use trystero_testkit::nostr_relay::NostrRelay;
use trystero_testkit::peer::Peer;
use trystero_testkit::tracker::Tracker;
use trystero_testkit::{free_port, js_peer};

/// The port of a `ws://127.0.0.1:PORT[/path]` URL.
fn port_of(url: &str) -> u16 {
    let rest = url
        .strip_prefix("ws://127.0.0.1:")
        .unwrap_or_else(|| panic!("{url} is a ws:// URL on 127.0.0.1"));
    rest.split('/').next().unwrap().parse().unwrap()
}

fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Waits (up to 5 s) until nothing listens on `port` any more.
fn closed(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if !listening(port) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn free_ports_are_free_on_loopback() {
    let port = free_port();
    assert_ne!(port, 0);
    std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
}

#[test]
fn mosquitto_listens_restarts_and_dies_with_its_handle() {
    let mut broker = Mosquitto::start();
    let url = broker.url();
    assert!(url.ends_with("/mqtt"), "{url}");
    assert_eq!(
        broker.url_with("u:p@"),
        url.replacen("ws://", "ws://u:p@", 1)
    );
    let port = port_of(&url);
    assert!(listening(port));
    broker.stop();
    assert!(closed(port), "stopped");
    broker.restart();
    assert!(listening(port), "back on the same port");
    drop(broker);
    assert!(closed(port), "killed on drop");
}

#[test]
fn mosquitto_with_a_password_listens() {
    let broker = Mosquitto::start_with_password("alice", "s3cret");
    assert!(listening(port_of(&broker.url())));
}

#[test]
fn the_tracker_listens_restarts_and_dies_with_its_handle() {
    let mut tracker = Tracker::start_with(&["--reject", "abcde"]);
    let port = port_of(&tracker.url());
    assert!(listening(port));
    tracker.restart();
    assert!(listening(port), "back on the same port");
    drop(tracker);
    assert!(closed(port), "killed on drop");
}

#[test]
fn the_nostr_relay_listens_and_dies_with_its_handle() {
    let relay = NostrRelay::start();
    let port = port_of(&relay.url());
    assert!(listening(port));
    drop(relay);
    assert!(closed(port), "killed on drop");
}

#[test]
fn coturn_answers_stun_and_names_its_credentials() {
    let coturn = Coturn::start();
    let url = coturn.url();
    assert!(url.starts_with("turn:127.0.0.1:"), "{url}");
    assert!(url.ends_with("?transport=udp"), "{url}");
    let server = coturn.ice_server();
    assert_eq!(server.urls, [url]);
    assert_eq!(
        server.username.as_deref(),
        Some(trystero_testkit::coturn::USER)
    );
}

/// The JS peer, joined to nothing reachable, still says who it is; dropping it ends it.
#[test]
fn the_js_peer_says_its_id() {
    let dead = format!("ws://127.0.0.1:{}", free_port());
    let peer: Peer = js_peer::start("testkit", "trystero-rust-test", &["--relay", &dead]);
    assert_eq!(peer.id.len(), 20);
    drop(peer);
}
