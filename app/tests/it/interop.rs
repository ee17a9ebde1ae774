//! Interop with real Trystero JS 0.25.4 (the npm package, on Node with node-datachannel):
//! a Rust `trystero peer` and `interop/peer.mjs` meet through a real Nostr relay on loopback
//! and exchange everything both ways. Every scenario runs on two relays: the embedded one
//! (`trystero relay`) and an independent one (PyPI `nostr-relay`). `.ci/run` installs the npm
//! packages from `interop/package-lock.json` and the relay into `interop/.venv`.
//!
//! The lower peer id makes the WebRTC offer, so each scenario runs with both orders: JS
//! offering to Rust, and Rust offering to JS (which needed the transport's ICE keepalive at
//! 50 ms or more: libdatachannel never completes ICE against a faster one).

use std::future::IntoFuture;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use trystero_testkit::peer::Peer;

use super::relays::{Relay, RelayKind, relay_of};

/// The JS peer in `room` of the CLI's app on `relay`, with more `peer.mjs` flags.
fn js_peer(relay: &Relay, room: &str, extra: &[&str]) -> Peer {
    let mut command = trystero_testkit::js_peer::command(room, "trystero-cli", &relay.args());
    command.args(extra);
    Peer::spawn(command)
}

/// A Rust and a JS peer, with the JS id the lower (JS offers) or the higher (Rust offers).
/// Ids are random, so each try gives the wanted order with probability one half.
fn pair(
    relay: &Relay,
    room: &str,
    rust_extra: &[&str],
    js_extra: &[&str],
    js_offers: bool,
) -> (Peer, Peer) {
    loop {
        let rust = rust_peer(relay, room, rust_extra);
        let js = js_peer(relay, room, js_extra);
        if (js.id < rust.id) == js_offers {
            return (rust, js);
        }
    }
}

fn rust_peer(relay: &Relay, room: &str, extra: &[&str]) -> Peer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trystero"));
    command
        .args(["peer", "--local", "--room", room])
        .args(relay.args())
        .args(extra);
    Peer::spawn(command)
}

fn exchange(kind: RelayKind, js_offers: bool) {
    let relay = relay_of(kind);
    let (mut rust, mut js) = pair(&relay, "interop", &[], &[], js_offers);
    assert_eq!(js.next("join")["peer"], rust.id.as_str());
    assert_eq!(rust.next("join")["peer"], js.id.as_str());

    // Rust → JS: JSON with metadata, text, binary with metadata.
    rust.send(
        &json!({"send": {"action": "chat", "data": {"hello": "B", "n": 1}, "meta": {"m": 1}}}),
    );
    let message = js.next("message");
    assert_eq!(message["peer"], rust.id.as_str());
    assert_eq!(message["data"], json!({"hello": "B", "n": 1}));
    assert_eq!(message["meta"], json!({"m": 1}));
    rust.send(&json!({"send": {"action": "chat", "data": "plain string"}}));
    assert_eq!(js.next("message")["data"], "plain string");
    rust.send(&json!({"send": {"action": "blob", "binary": "AQID", "meta": {"name": "x"}}}));
    let message = js.next("message");
    assert_eq!(message["binary"], "AQID");
    assert_eq!(message["meta"], json!({"name": "x"}));

    // JS → Rust: the same three kinds.
    js.send(&json!({"send": {"action": "chat", "data": {"from": "js", "list": [1, 2]}, "meta": {"k": true}}}));
    let message = rust.next("message");
    assert_eq!(message["peer"], js.id.as_str());
    assert_eq!(message["data"], json!({"from": "js", "list": [1, 2]}));
    assert_eq!(message["meta"], json!({"k": true}));
    js.send(&json!({"send": {"action": "chat", "data": "text from js"}}));
    assert_eq!(rust.next("message")["data"], "text from js");
    js.send(&json!({"send": {"action": "blob", "binary": "BAUG"}}));
    let message = rust.next("message");
    assert_eq!(message["binary"], "BAUG");
    assert_eq!(message["meta"], Value::Null);

    // Pings both ways.
    rust.send(&json!({"ping": js.id}));
    assert_eq!(rust.next("pong")["peer"], js.id.as_str());
    js.send(&json!({"ping": rust.id}));
    assert_eq!(js.next("pong")["peer"], rust.id.as_str());

    // Leave both ways.
    js.send(&json!({"leave": true}));
    assert_eq!(rust.next("leave")["peer"], js.id.as_str());
}

fn big_transfer(kind: RelayKind) {
    use base64::Engine as _;
    let relay = relay_of(kind);
    // Rust offers: the direction that needed the transport fix.
    let (mut rust, mut js) = pair(&relay, "big", &[], &[], false);
    js.next("join");
    rust.next("join");
    let data: Vec<u8> = (0..5u32 << 20).map(|i| (i % 251) as u8).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
    for rust_sends in [true, false] {
        let (sender, receiver) = if rust_sends {
            (&mut rust, &mut js)
        } else {
            (&mut js, &mut rust)
        };
        sender.send(
            &json!({"send": {"action": "file", "binary": encoded, "meta": {"name": "blob.bin"}}}),
        );
        let mut fractions = Vec::new();
        let message = loop {
            let event = receiver
                .lines
                .recv_timeout(std::time::Duration::from_secs(60))
                .unwrap();
            match event["event"].as_str() {
                Some("progress") => fractions.push(event["fraction"].as_f64().unwrap()),
                Some("message") => break event,
                _ => {}
            }
        };
        assert_eq!(message["binary"].as_str().unwrap().len(), encoded.len());
        assert!(message["binary"] == encoded.as_str(), "5 MiB arrive intact");
        assert_eq!(message["meta"], json!({"name": "blob.bin"}));
        assert!(
            fractions.len() >= 320,
            "receive progress per chunk: {}",
            fractions.len()
        );
        assert!(fractions.windows(2).all(|w| w[0] <= w[1]));
        // The sender's last progress event may still be on its way when the receiver has the
        // message: wait for it (a bounded wait) rather than read only what is there.
        let mut last = 0.0;
        while (last - 1.0_f64).abs() > 1e-9 {
            let Ok(event) = sender
                .lines
                .recv_timeout(std::time::Duration::from_secs(10))
            else {
                break;
            };
            if event["event"] == "progress" && event["direction"] == "send" {
                last = event["fraction"].as_f64().unwrap();
            }
        }
        assert!((last - 1.0).abs() < 1e-9, "sender reached 100 %: {last}");
    }
}

fn passwords(kind: RelayKind) {
    let relay = relay_of(kind);
    let (rust, js) = pair(
        &relay,
        "secret",
        &["--password", "hunter2"],
        &["--password", "hunter2"],
        false,
    );
    assert_eq!(js.next("join")["peer"], rust.id.as_str());
    assert_eq!(rust.next("join")["peer"], js.id.as_str());

    let (rust, js) = pair(
        &relay,
        "secret2",
        &["--password", "hunter3"],
        &["--password", "hunter2"],
        true,
    );
    // The answerer cannot decrypt the offer: a join error, and nobody joins.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut errors = 0;
    while errors == 0 {
        assert!(std::time::Instant::now() < deadline, "no join error");
        for peer in [&js, &rust] {
            if let Ok(event) = peer
                .lines
                .recv_timeout(std::time::Duration::from_millis(50))
            {
                assert_ne!(event["event"], "join", "different passwords must not join");
                if event["event"] == "error" && event["kind"] == "join" {
                    assert!(
                        event["message"].as_str().unwrap().contains("password"),
                        "{event}"
                    );
                    errors += 1;
                }
            }
        }
    }
}

/// Request/response both ways between the Rust library and a JS peer: JS answers `double` by
/// doubling (and rejects odd numbers); Rust serves `double` the same way.
fn requests(kind: RelayKind) {
    use std::time::Duration;
    use trystero::{JoinOptions, Json, RequestError, RoomConfig, RoomEvent, WebRtcConfig};

    let relay = relay_of(kind);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = RoomConfig::builder("trystero-cli")
        .relay_urls([relay.url.as_str()])
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    let options = JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        strategy: kind.strategy(),
        ..JoinOptions::default()
    };
    let mut room = runtime
        .block_on(trystero::join_room_with(config, "rpc", &options))
        .unwrap();
    let mut double = runtime
        .block_on(room.make_request_action::<Json<i64>, Json<i64>>("double"))
        .unwrap();
    let mut js = js_peer(&relay, "rpc", &[]);
    let js_id: trystero::PeerId = js.id.parse().unwrap();
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(RoomEvent::PeerJoined(peer)) = room.next_event().await
                    && peer == js_id
                {
                    break;
                }
            }
        })
        .await
        .expect("the JS peer joins");
    });

    // Rust asks, JS answers or rejects.
    let timeout = Duration::from_secs(10);
    let answer = runtime.block_on(
        double
            .request(&Json(20), js_id)
            .timeout(timeout)
            .into_future(),
    );
    assert_eq!(answer, Ok(Json(40)));
    let rejected = runtime.block_on(
        double
            .request(&Json(3), js_id)
            .timeout(timeout)
            .into_future(),
    );
    assert!(
        matches!(&rejected, Err(RequestError::Rejected(message)) if message.contains("odd")),
        "{rejected:?}"
    );

    // JS asks, Rust answers.
    let rust_id = trystero::self_id().to_string();
    js.send(&json!({"request": {"action": "double", "data": 8, "to": rust_id}}));
    runtime.block_on(async {
        let request = tokio::time::timeout(timeout, double.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(request.peer, js_id);
        let Json(n) = request.value.as_ref().unwrap().clone();
        request.respond(&Json(n * 2)).await.unwrap();
    });
    let response = js.next("response");
    assert_eq!(response["data"], 16);
}

/// Two rooms of one app between the same two peers share one WebRTC connection, multiplexed by
/// room token: the second room joins over the first room's connection, messages on the same
/// action name stay in their room, and leaving one room keeps the other (and the connection).
fn two_rooms(kind: RelayKind, js_offers: bool) {
    use std::time::Duration;
    use trystero::{Action, JoinOptions, Room, RoomConfig, RoomEvent, WebRtcConfig};

    let relay = relay_of(kind);
    let names = [
        format!("left-{kind:?}-{js_offers}"),
        format!("right-{kind:?}-{js_offers}"),
    ];
    let names = [names[0].as_str(), names[1].as_str()];
    let rust_id = trystero::self_id();
    // The JS peer joins both rooms at once; its id decides who offers.
    let mut js = loop {
        let js = js_peer(&relay, names[0], &["--room", names[1]]);
        if (js.id.as_str() < rust_id.as_str()) == js_offers {
            break js;
        }
    };
    let js_id: trystero::PeerId = js.id.parse().unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let timeout = Duration::from_secs(20);
    let join = |name: &str| -> (Room, Action<String>) {
        let config = RoomConfig::builder("trystero-cli")
            .relay_urls([relay.url.as_str()])
            .ice_servers(Vec::new())
            .build()
            .unwrap();
        let options = JoinOptions {
            webrtc: WebRtcConfig::loopback(),
            strategy: kind.strategy(),
            ..JoinOptions::default()
        };
        runtime.block_on(async {
            let mut room = trystero::join_room_with(config, name, &options)
                .await
                .unwrap();
            let chat = room.make_action("chat").await.unwrap();
            tokio::time::timeout(timeout, async {
                while let Some(event) = room.next_event().await {
                    if matches!(event, RoomEvent::PeerJoined(peer) if peer == js_id) {
                        return;
                    }
                }
            })
            .await
            .expect("the JS peer joins");
            (room, chat)
        })
    };
    let js_join = |js: &Peer, room: &str| {
        let event = js.next("join");
        assert_eq!(
            (event["room"].as_str(), event["peer"].as_str()),
            (Some(room), Some(rust_id.as_str()))
        );
    };
    let receive = |chat: &mut Action<String>| {
        runtime.block_on(async {
            let message = tokio::time::timeout(timeout, chat.recv())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(chat.invalid(), 0);
            (message.peer, message.value)
        })
    };

    // The first room connects; the second joins over the same connection.
    let (left, mut left_chat) = join(names[0]);
    js_join(&js, names[0]);
    let (right, mut right_chat) = join(names[1]);
    js_join(&js, names[1]);
    js.send(&json!({"connections": true}));
    assert_eq!(
        js.next("connections")["connected"],
        1,
        "one connection for both rooms"
    );

    // The same action name in both rooms, each message in its own room, both ways.
    for (chat, name) in [(&left_chat, names[0]), (&right_chat, names[1])] {
        runtime
            .block_on(chat.send(&format!("rust in {name}")).into_future())
            .unwrap();
    }
    for name in names {
        let message = js.next("message");
        assert_eq!(message["room"], name);
        assert_eq!(message["data"], format!("rust in {name}"));
    }
    for name in names.iter().rev() {
        js.send(
            &json!({"room": name, "send": {"action": "chat", "data": format!("js in {name}")}}),
        );
    }
    assert_eq!(
        receive(&mut right_chat),
        (js_id, format!("js in {}", names[1]))
    );
    assert_eq!(
        receive(&mut left_chat),
        (js_id, format!("js in {}", names[0]))
    );

    // JS leaves the first room: Rust sees it leave there, and the second room goes on.
    js.send(&json!({"room": names[0], "leave": true}));
    let mut left = left;
    runtime.block_on(async {
        tokio::time::timeout(timeout, async {
            while let Some(event) = left.next_event().await {
                if matches!(event, RoomEvent::PeerLeft(peer) if peer == js_id) {
                    return;
                }
            }
        })
        .await
        .expect("the JS peer leaves the first room");
    });
    let peers = runtime.block_on(right.peers());
    assert_eq!(
        peers.iter().map(|peer| peer.id).collect::<Vec<_>>(),
        [js_id]
    );
    js.send(&json!({"room": names[1], "send": {"action": "chat", "data": "still here"}}));
    assert_eq!(receive(&mut right_chat), (js_id, "still here".to_owned()));
    runtime
        .block_on(right_chat.send(&"and here".to_owned()).into_future())
        .unwrap();
    assert_eq!(js.next("message")["data"], "and here");
    js.send(&json!({"room": names[1], "ping": rust_id.to_string()}));
    assert_eq!(js.next("pong")["peer"], rust_id.as_str());
    js.send(&json!({"connections": true}));
    assert_eq!(
        js.next("connections")["connected"],
        1,
        "the connection stays for the second room"
    );
}

/// Every scenario, once per relay: the embedded and the independent Nostr relay, an MQTT
/// broker and a WebTorrent tracker.
macro_rules! on_every_relay {
    ($($name:ident => $scenario:expr;)*) => {
        on_every_relay!(@kind embedded Embedded $($name => $scenario;)*);
        on_every_relay!(@kind independent Independent $($name => $scenario;)*);
        on_every_relay!(@kind mqtt Mosquitto $($name => $scenario;)*);
        on_every_relay!(@kind torrent Tracker $($name => $scenario;)*);
    };
    (@kind $module:ident $kind:ident $($name:ident => $scenario:expr;)*) => {
        mod $module {
            use super::*;
            $(#[test]
            fn $name() {
                $scenario(RelayKind::$kind);
            })*
        }
    };
}

on_every_relay! {
    rust_and_js_exchange_json_text_binary_ping_and_leave_when_js_offers => |kind| exchange(kind, true);
    rust_and_js_exchange_json_text_binary_ping_and_leave_when_rust_offers => |kind| exchange(kind, false);
    five_mib_with_progress_both_ways => big_transfer;
    matching_passwords_join_and_different_ones_do_not => passwords;
    request_and_response_both_ways => requests;
    two_rooms_share_one_connection_when_js_offers => |kind| two_rooms(kind, true);
    two_rooms_share_one_connection_when_rust_offers => |kind| two_rooms(kind, false);
}

/// Two Rust peers stream inputs to each other on their second, unordered channel while a
/// Trystero JS peer is in the same room: the JS peer's connections keep their one channel, it
/// exchanges actions with both Rust peers as usual (an unordered send to it arrives on its
/// reliable channel), and it reports no error.
#[test]
fn a_js_peer_is_undisturbed_by_the_unordered_channel_between_two_rust_peers() {
    let relay = relay_of(RelayKind::Embedded);
    let room = "unordered";
    let a = rust_peer(&relay, room, &[]);
    let b = rust_peer(&relay, room, &[]);
    let mut js = js_peer(&relay, room, &[]);
    let mut rust = [a, b];
    for peer in &rust {
        let mut joined = [
            peer.next("join")["peer"].clone(),
            peer.next("join")["peer"].clone(),
        ];
        joined.sort_by_key(ToString::to_string);
        let mut expected = [
            Value::String(rust.iter().find(|p| p.id != peer.id).unwrap().id.clone()),
            Value::String(js.id.clone()),
        ];
        expected.sort_by_key(ToString::to_string);
        assert_eq!(joined, expected);
    }
    js.next("join");
    js.next("join");
    let (a_id, b_id) = (rust[0].id.clone(), rust[1].id.clone());
    // The Rust pair opens its second channel by itself; the JS peer never gets one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        rust[0].send(&json!({"peers": true}));
        let peers = rust[0].next("peers")["peers"].clone();
        let unordered = |id: &str| {
            peers
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .map(|p| p["unordered"].clone())
        };
        assert_eq!(unordered(&js.id), Some(Value::Bool(false)), "{peers}");
        if unordered(&b_id) == Some(Value::Bool(true)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no unordered channel: {peers}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The pair plays: 60 small unordered inputs each way, interleaved with JS traffic.
    for frame in 0..60u8 {
        for (from, to) in [(0, &b_id), (1, &a_id)] {
            let input = BASE64.encode([frame, from as u8]);
            rust[from].send(&json!({"send": {"action": "input", "binary": input, "to": [to], "unordered": true}}));
        }
        if frame % 20 == 0 {
            js.send(&json!({"send": {"action": "chat", "data": {"frame": frame}}}));
            rust[0].send(&json!({"send": {"action": "chat", "data": "to js", "to": [js.id], "unordered": true}}));
        }
    }
    // Each Rust peer got all of the other's inputs and the JS peer's three chats.
    for (me, from) in [(1usize, 0u8), (0, 1)] {
        let (mut inputs, mut chats) = (Vec::new(), Vec::new());
        while inputs.len() < 60 || chats.len() < 3 {
            let message = rust[me].next("message");
            if message["action"] == "input" {
                let bytes = BASE64.decode(message["binary"].as_str().unwrap()).unwrap();
                assert_eq!(bytes[1], from);
                inputs.push(bytes[0]);
            } else {
                assert_eq!(message["peer"], js.id.as_str());
                chats.push(message["data"]["frame"].clone());
            }
        }
        inputs.sort_unstable();
        assert_eq!(
            inputs,
            (0..60).collect::<Vec<u8>>(),
            "loopback loses nothing"
        );
        assert_eq!(chats, [json!(0), json!(20), json!(40)]);
    }
    // The JS peer got every chat the Rust peer sent it (on its one, reliable channel).
    for _ in 0..3 {
        let message = js.next("message");
        assert_eq!(message["peer"], a_id.as_str());
        assert_eq!(message["data"], "to js");
    }
    // A ping both ways still works, and nobody reports an error.
    js.send(&json!({"ping": a_id}));
    js.next("pong");
    rust[1].send(&json!({"ping": js.id}));
    rust[1].next("pong");
    assert_eq!(
        js.errors(std::time::Duration::from_millis(300)),
        Vec::<Value>::new()
    );
    for peer in &mut rust {
        assert_eq!(
            peer.errors(std::time::Duration::from_millis(100)),
            Vec::<Value>::new()
        );
    }
}
