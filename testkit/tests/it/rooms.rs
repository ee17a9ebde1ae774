//! The room helpers on the in-memory hub: two Rust peers meet, talk and see each other.

use trystero_core::PeerId;
use trystero_core::room::RoomEvent;
use trystero_core::signaler::MemoryHub;
use trystero_core::wire::Payload;
use trystero_testkit::rooms::{
    instance, instance_with_id, join, join_with_password, joined, next_event, say, text,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_meet_and_talk() {
    let hub = MemoryHub::new();
    let id = PeerId::random().unwrap();
    let (a, b) = (instance_with_id(id, hub.connect()), instance(hub.connect()));
    assert_eq!(a.self_id(), id);
    let mut room_a = join(&a, &[], "kit").await;
    let mut room_b = join(&b, &[], "kit").await;
    joined(&mut room_a, b.self_id()).await;
    joined(&mut room_b, a.self_id()).await;
    say(&room_a, "hello").await;
    assert_eq!(text(&mut room_b).await, Payload::Text("hello".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_passwords_are_a_join_error() {
    let hub = MemoryHub::new();
    let (a, b) = (instance(hub.connect()), instance(hub.connect()));
    let mut room_a = join_with_password(&a, &[], "kit-locked", "one").await;
    let mut room_b = join_with_password(&b, &[], "kit-locked", "two").await;
    let (event, _) = futures_util::future::select(
        Box::pin(next_event(&mut room_a)),
        Box::pin(next_event(&mut room_b)),
    )
    .await
    .factor_first();
    assert!(
        matches!(&event, RoomEvent::JoinError { error, .. } if error.contains("incorrect room password")),
        "{event:?}"
    );
}
