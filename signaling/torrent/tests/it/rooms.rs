//! Whole rooms over real WebRTC, found through real trackers: two peers meet (and a third),
//! peers still meet with two of three trackers down, a tracker restart neither breaks a room
//! nor keeps new peers out, and a refused torrent is a relay notice.

use trystero_core::keys::RoomKeys;
use trystero_core::room::{Instance, RoomEvent};
use trystero_core::{AppId, RoomId};
use trystero_crypto::TrysteroKeys;
use trystero_testkit::rooms::{self, join, joined_all};
use trystero_testkit::tracker::Tracker;
use trystero_testkit::{APP, WAIT, free_port};
use trystero_torrent::{TorrentSignaler, tracker_urls};

/// A Rust peer on these trackers, which the room config names as the strategy does.
fn instance(urls: &[String]) -> Instance {
    assert_eq!(tracker_urls(&rooms::config(urls)), urls);
    rooms::instance(TorrentSignaler::connect(urls))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_rust_peers_meet_through_a_tracker() {
    let (_tracker, urls, [(a, _room_a), (b, _room_b)]) =
        rooms::two_peers_meet_and_talk::<Tracker>(instance, "over a tracker").await;
    let c = instance(&urls);
    let mut room_c = join(&c, &urls, "room1").await;
    joined_all(&mut room_c, &[a.self_id(), b.self_id()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_meet_with_two_of_three_trackers_down() {
    rooms::peers_meet_with_two_of_three_down::<Tracker>(
        instance,
        format!("ws://127.0.0.1:{}", free_port()),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_restart_keeps_the_room_and_lets_new_peers_in() {
    rooms::a_restart_keeps_the_room_and_lets_new_peers_in::<Tracker>(instance).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_torrent_is_a_relay_notice() {
    let keys = TrysteroKeys::new(
        &AppId::new(APP).unwrap(),
        &RoomId::new("refused").unwrap(),
        "",
    );
    let prefix = trystero_torrent::info_hash(&keys.root_topic());
    let tracker = Tracker::start_with(&["--reject", &prefix]);
    let urls = vec![tracker.url()];
    let a = instance(&urls);
    let mut room = join(&a, &urls, "refused").await;
    let notice = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(RoomEvent::RelayNotice { relay, message }) = room.next_event().await {
                return (relay, message);
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(
        notice,
        (0, "failure reason: torrent not allowed here".to_owned())
    );
}
