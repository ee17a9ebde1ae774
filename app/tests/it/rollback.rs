//! Rollback over real WebRTC: two P2P sessions of `trystero-netcode`, each on a room of its own
//! instance, exchange inputs through `RoomSocket`s and stay in sync.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trystero::netcode::{Config, Event, Frame, P2PSession, SessionError, Slots};
use trystero::rollback::{ACTION, RoomSocket};
use trystero::{PeerId, RoomConfig, RoomEvent, RoomId};
use trystero_core::room::{Instance, Room};
use trystero_core::signaler::MemoryHub;
use trystero_crypto::TrysteroKeys;
use trystero_testkit::rooms::instance_with_id;

async fn join(hub: &MemoryHub, id: PeerId) -> (Instance, Room) {
    let instance = instance_with_id(id, hub.connect());
    let config = RoomConfig::builder("rollback-test")
        .ice_servers(Vec::new())
        .build()
        .unwrap();
    let keys = TrysteroKeys::new(config.app_id(), &RoomId::new("arena").unwrap(), "");
    let room = instance.join(config, Arc::new(keys)).await.unwrap();
    (instance, room)
}

async fn joined(room: &mut Room) {
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = room.next_event().await {
            if matches!(event, RoomEvent::PeerJoined(_)) {
                return;
            }
        }
    })
    .await
    .expect("the other peer joins");
}

struct Player {
    session: P2PSession<u8, PeerId>,
    socket: RoomSocket,
    state: u64,
    slots: Slots<u64>,
    history: BTreeMap<Frame, u64>,
    events: Vec<Event>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_stay_in_sync_over_a_room() {
    let hub = MemoryHub::new();
    let (mut ids, mut rooms) = (Vec::new(), Vec::new());
    let mut instances = Vec::new();
    for _ in 0..2 {
        let id = PeerId::random().unwrap();
        let (instance, room) = join(&hub, id).await;
        ids.push(id);
        rooms.push(room);
        instances.push(instance);
    }
    for room in &mut rooms {
        joined(room).await;
    }
    // Player numbers follow the ids, so both sides agree on them.
    let order: Vec<usize> = if ids[0] < ids[1] {
        vec![0, 1]
    } else {
        vec![1, 0]
    };
    let mut players = Vec::new();
    for me in 0..2 {
        let mut session = P2PSession::new(Config::default(), order[me]).unwrap();
        session.add_remote(order[1 - me], ids[1 - me]).unwrap();
        players.push(Player {
            socket: RoomSocket::new(&rooms[me], ACTION).await.unwrap(),
            slots: Slots::new(&0, session.slots()),
            session,
            state: 0,
            history: BTreeMap::new(),
            events: Vec::new(),
        });
    }

    let start = Instant::now();
    let mut requests = Vec::new();
    while players.iter().any(|p| p.session.current_frame() < 300) {
        assert!(start.elapsed() < Duration::from_secs(30), "too slow");
        let now = u64::try_from(start.elapsed().as_millis()).unwrap();
        for (me, player) in players.iter_mut().enumerate() {
            player.session.poll(now, &mut player.socket);
            while let Some(event) = player.session.next_event() {
                player.events.push(event);
            }
            let frame = player.session.current_frame();
            if frame >= 300 {
                continue;
            }
            let input = ((frame / 10 + me as u32) % 4) as u8;
            match player.session.advance_frame(input, &mut requests) {
                Ok(()) => {}
                Err(SessionError::PredictionThreshold) => continue,
                Err(error) => panic!("{error}"),
            }
            let (history, session) = (&mut player.history, &mut player.session);
            player.slots.carry_out(
                &requests,
                &mut player.state,
                |state, inputs| {
                    for input in inputs {
                        *state = state.wrapping_mul(31).wrapping_add(u64::from(input.input));
                    }
                },
                |frame, state, checksum| {
                    history.insert(frame, *state);
                    if checksum {
                        session.report_checksum(frame, &[*state]);
                    }
                },
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Let the last inputs arrive, then compare every frame confirmed on both sides.
    for _ in 0..50 {
        let now = u64::try_from(start.elapsed().as_millis()).unwrap();
        for player in &mut players {
            player.session.poll(now, &mut player.socket);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let confirmed = players
        .iter()
        .map(|p| p.session.confirmed_frame())
        .min()
        .unwrap();
    assert!(confirmed > 250, "confirmed {confirmed}");
    for frame in 1..confirmed.min(300) {
        assert_eq!(
            players[0].history[&frame], players[1].history[&frame],
            "frame {frame}"
        );
    }
    // The inputs rode the second, unordered channel both ways (two of our peers).
    for room in &rooms {
        let peers = room.peers().await;
        assert!(peers.iter().all(|peer| peer.unordered), "{peers:?}");
    }
    for player in &players {
        assert!(player.session.stats().received > 100);
        assert_eq!(player.session.stats().dropped, 0);
        assert!(
            !player
                .events
                .iter()
                .any(|event| matches!(event, Event::Desync { .. } | Event::Disconnected { .. })),
            "{:?}",
            player.events
        );
    }
    drop(instances);
}
