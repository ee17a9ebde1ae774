//! Request/response: ask a peer and await its typed answer, a rejection, or a timeout.
//!
//! Bob serves a `divide` request action; Alice asks him. She gets an answer (Bob's
//! `respond`), a refusal (Bob's `reject`: dividing by zero), and a timeout: a division that
//! takes Bob longer than she is willing to wait (`.timeout(..)`), then the same request with
//! more patience. Offline: an embedded Nostr relay and WebRTC on the loopback interface.
//!
//! Run it with `cargo run -p trystero --example request_response`.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use trystero::relay::EmbeddedRelay;
use trystero::{
    IncomingRequest, JoinOptions, Json, PeerId, RequestAction, RequestError, Room, RoomConfig,
    RoomEvent, WebRtcConfig,
};

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

/// How long to wait for peers before giving up.
const WAIT: Duration = Duration::from_secs(20);
/// Dividends from this one up take the server a while ("hard work").
const HARD: i64 = 1_000_000;
/// How long hard work takes.
const HARD_WORK: Duration = Duration::from_millis(500);

/// The request: any serde type travels as JSON, wrapped in `Json`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Division {
    dividend: i64,
    divisor: i64,
}

/// The action's types: requests are `Division`s, answers `i64` quotients.
type Divide = RequestAction<Json<Division>, Json<i64>>;

#[tokio::main]
async fn main() -> Result<()> {
    let relay = EmbeddedRelay::start(0).await?;
    let config = RoomConfig::builder("trystero-example-request-response")
        .relay_urls([relay.url()])
        .ice_servers(Vec::new())
        .build()?;
    let options = |peer_id| JoinOptions {
        webrtc: WebRtcConfig::loopback(),
        peer_id,
        ..JoinOptions::default()
    };
    let (alice_id, bob_id) = (PeerId::random()?, PeerId::random()?);
    let mut alice =
        trystero::join_room_with(config.clone(), "rpc", &options(Some(alice_id))).await?;
    let mut bob = trystero::join_room_with(config, "rpc", &options(Some(bob_id))).await?;

    // Both make the action (as in JS, a request action is `makeAction(name, {kind:
    // "request"})`); Bob serves it in a task of his own.
    let divide: Divide = alice.make_request_action("divide").await?;
    let server = tokio::spawn(serve(bob.make_request_action("divide").await?));
    until(
        &mut alice,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == bob_id),
    )
    .await?;
    until(
        &mut bob,
        |event| matches!(event, RoomEvent::PeerJoined(peer) if *peer == alice_id),
    )
    .await?;

    // An answer.
    let quotient = divide.request(&division(84, 2), bob_id).await?;
    println!("alice: 84 / 2 = {}", quotient.0);

    // A refusal: the server's `reject` message comes back as `RequestError::Rejected`.
    match divide.request(&division(1, 0), bob_id).await {
        Err(RequestError::Rejected(reason)) => println!("alice: 1 / 0 rejected: {reason}"),
        other => return Err(format!("expected a rejection, got {other:?}").into()),
    }

    // A timeout: Bob needs 500 ms for big numbers, Alice waits 100 ms. His late answer is
    // dropped; the default timeout is `trystero::DEFAULT_REQUEST_TIMEOUT` (30 s).
    let big = division(3 * HARD, 3);
    let impatient = divide
        .request(&big, bob_id)
        .timeout(Duration::from_millis(100))
        .await;
    match impatient {
        Err(RequestError::Timeout) => println!("alice: 3000000 / 3 timed out after 100 ms"),
        other => return Err(format!("expected a timeout, got {other:?}").into()),
    }
    let started = Instant::now();
    let quotient = divide
        .request(&big, bob_id)
        .timeout(Duration::from_secs(10))
        .await?;
    // Bob serves one request at a time: this one waited for the one Alice gave up on.
    println!(
        "alice: 3000000 / 3 = {} (with patience: {} ms)",
        quotient.0,
        started.elapsed().as_millis()
    );

    // Alice leaves; once Bob sees her go, he leaves too, which ends his serving loop
    // (`recv` returns `None` once the room is gone).
    alice.leave().await?;
    until(
        &mut bob,
        |event| matches!(event, RoomEvent::PeerLeft(peer) if *peer == alice_id),
    )
    .await?;
    bob.leave().await?;
    server.await??;
    println!("done");
    Ok(())
}

fn division(dividend: i64, divisor: i64) -> Json<Division> {
    Json(Division { dividend, divisor })
}

/// Bob's side: answers every request of `action`, one at a time, until the room is gone.
async fn serve(mut action: Divide) -> Result<()> {
    while let Some(request) = action.recv().await {
        answer(request).await?;
    }
    Ok(())
}

/// Answers one request: `respond` with the quotient, or `reject` with the reason.
async fn answer(request: IncomingRequest<Json<Division>, Json<i64>>) -> Result<()> {
    // A value that did not decode (another shape of JSON, say) is an `Err`: reject it.
    let Ok(Json(Division { dividend, divisor })) = request.value else {
        request.reject("not a division").await?;
        return Ok(());
    };
    match dividend.checked_div(divisor) {
        None => {
            println!("bob:   rejects {dividend} / {divisor}");
            request.reject("division by zero").await?;
        }
        Some(quotient) => {
            if dividend >= HARD {
                tokio::time::sleep(HARD_WORK).await;
            }
            println!("bob:   answers {dividend} / {divisor} = {quotient}");
            request.respond(&Json(quotient)).await?;
        }
    }
    Ok(())
}

/// Waits (at most [`WAIT`]) for a room event that `wanted` accepts.
async fn until(room: &mut Room, wanted: impl Fn(&RoomEvent) -> bool) -> Result<()> {
    let found = async {
        while let Some(event) = room.next_event().await {
            if wanted(&event) {
                return Ok(());
            }
        }
        Err("the room closed")
    };
    Ok(tokio::time::timeout(WAIT, found).await??)
}
