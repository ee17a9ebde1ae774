//! Two `WebRtcLink`s connected directly (signalling passed in memory).

use std::time::Duration;

use trystero_core::transport::{LinkEvent, LinkOptions, PeerLink, PeerTransport};
use trystero_webrtc::{WebRtcConfig, WebRtcLink, WebRtcTransport};

async fn next_non_candidate(link: &WebRtcLink) -> LinkEvent {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), link.next_event())
            .await
            .expect("an event within 10 s")
        {
            LinkEvent::LocalCandidate(_) => {}
            event => return event,
        }
    }
}

/// Connects two links; with trickle ICE, candidates are relayed by a background task.
async fn connect(trickle: bool) -> (WebRtcLink, WebRtcLink) {
    let transport = WebRtcTransport::new(WebRtcConfig::loopback());
    let options = LinkOptions {
        ice_servers: Vec::new(),
        trickle,
        relay_only: false,
    };
    let (offerer, offer) = transport.create_offer(&options).await.unwrap();
    assert!(offer.contains("m=application"), "{offer}");
    if !trickle {
        assert!(
            offer.contains("a=candidate:"),
            "non-trickle offers carry candidates"
        );
    }
    let (answerer, answer) = transport.accept_offer(&offer, &options).await.unwrap();
    offerer.apply_answer(&answer).await.unwrap();
    (offerer, answerer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_trickle_links_open_and_carry_frames_both_ways() {
    let (offerer, answerer) = connect(false).await;
    assert_eq!(next_non_candidate(&offerer).await, LinkEvent::Open);
    assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Open);
    offerer.send(vec![1, 2, 3]).await.unwrap();
    answerer.send(vec![4]).await.unwrap();
    assert_eq!(
        next_non_candidate(&answerer).await,
        LinkEvent::Message(vec![1, 2, 3])
    );
    assert_eq!(
        next_non_candidate(&offerer).await,
        LinkEvent::Message(vec![4])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_candidates_connect_too() {
    let (offerer, answerer) = connect(true).await;
    // Relay candidates by hand, as the signalling layer would.
    let mut opened = [false, false];
    for _ in 0..20 {
        for (index, (from, to)) in [(&offerer, &answerer), (&answerer, &offerer)]
            .into_iter()
            .enumerate()
        {
            if opened[index] {
                continue;
            }
            match tokio::time::timeout(Duration::from_millis(500), from.next_event()).await {
                Ok(LinkEvent::LocalCandidate(candidate)) => {
                    assert!(candidate.candidate.starts_with("candidate:"));
                    assert_eq!(candidate.sdp_mid.as_deref(), Some("0"));
                    to.add_candidate(&candidate).await.unwrap();
                }
                Ok(LinkEvent::Open) => opened[index] = true,
                Ok(other) => panic!("unexpected {other:?}"),
                Err(_) => {}
            }
        }
        if opened == [true, true] {
            break;
        }
    }
    assert_eq!(opened, [true, true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_pressure_carries_many_frames_in_order() {
    let (offerer, answerer) = connect(false).await;
    assert_eq!(next_non_candidate(&offerer).await, LinkEvent::Open);
    assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Open);
    let count = 600u32; // ~10 MB in 16 KiB frames: far more than the 64 KiB window
    let sender = tokio::spawn(async move {
        for n in 0..count {
            let mut frame = vec![0u8; 16 * 1024];
            frame[..4].copy_from_slice(&n.to_be_bytes());
            offerer.send(frame).await.unwrap();
        }
        offerer
    });
    for n in 0..count {
        match next_non_candidate(&answerer).await {
            LinkEvent::Message(frame) => assert_eq!(frame[..4], n.to_be_bytes()),
            other => panic!("unexpected {other:?}"),
        }
    }
    let _offerer = sender.await.unwrap();
}

/// An owner that stops reading holds the peer back: the messages waiting on our side stay
/// bounded (before, every frame the peer sent was queued without limit), the peer's sends wait,
/// and once the owner reads, every frame arrives in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_lags_holds_the_sender_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    let (offerer, answerer) = connect(false).await;
    assert_eq!(next_non_candidate(&offerer).await, LinkEvent::Open);
    assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Open);
    let count = 2_000u32; // 32 MiB in 16 KiB frames
    let sent = Arc::new(AtomicU32::new(0));
    let progress = sent.clone();
    let sender = tokio::spawn(async move {
        for n in 0..count {
            let mut frame = vec![0u8; 16 * 1024];
            frame[..4].copy_from_slice(&n.to_be_bytes());
            offerer.send(frame).await.unwrap();
            progress.fetch_add(1, Ordering::SeqCst);
        }
        offerer
    });
    // Wait until the sender stops moving (or finishes, which it must not).
    let mut last = u32::MAX;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = sent.load(Ordering::SeqCst);
        if now == last || now == count {
            break;
        }
        last = now;
    }
    let stalled = sent.load(Ordering::SeqCst);
    assert!(
        stalled < count / 2,
        "{stalled} of {count} frames went out to a reader that reads nothing"
    );
    for n in 0..count {
        match next_non_candidate(&answerer).await {
            LinkEvent::Message(frame) => assert_eq!(frame[..4], n.to_be_bytes()),
            other => panic!("unexpected {other:?}"),
        }
    }
    let _offerer = sender.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_one_end_closes_the_other() {
    let (offerer, answerer) = connect(false).await;
    assert_eq!(next_non_candidate(&offerer).await, LinkEvent::Open);
    assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Open);
    offerer.close();
    assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Closed);
    assert!(offerer.send(vec![1]).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_sdp_is_a_typed_error() {
    let transport = WebRtcTransport::new(WebRtcConfig::loopback());
    let result = transport
        .accept_offer("not sdp", &LinkOptions::default())
        .await;
    assert!(result.is_err());
}

/// Either end opens the second channel in band, over the connection as it is: both ends see it
/// open, frames cross it both ways (small and near a datagram's size), and the `data` channel
/// still works beside it. Before it opens, an unordered send is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unordered_channel_opens_in_band_and_carries_frames_beside_data() {
    for answerer_opens in [false, true] {
        let (offerer, answerer) = connect(false).await;
        assert_eq!(next_non_candidate(&offerer).await, LinkEvent::Open);
        assert_eq!(next_non_candidate(&answerer).await, LinkEvent::Open);
        assert!(
            offerer.send_unordered(vec![0]).await.is_err(),
            "not open yet"
        );
        let (opener, other) = if answerer_opens {
            (&answerer, &offerer)
        } else {
            (&offerer, &answerer)
        };
        opener.open_unordered().await.unwrap();
        assert_eq!(next_non_candidate(opener).await, LinkEvent::UnorderedOpen);
        // The other end may see the channel open and its first frame in either order.
        opener.send_unordered(vec![5; 1_000]).await.unwrap();
        let mut events = vec![
            next_non_candidate(other).await,
            next_non_candidate(other).await,
        ];
        events.sort_by_key(|event| matches!(event, LinkEvent::UnorderedMessage(_)));
        assert_eq!(
            events,
            [
                LinkEvent::UnorderedOpen,
                LinkEvent::UnorderedMessage(vec![5; 1_000])
            ]
        );
        other.send_unordered(vec![6, 7]).await.unwrap();
        assert_eq!(
            next_non_candidate(opener).await,
            LinkEvent::UnorderedMessage(vec![6, 7])
        );
        // The reliable channel is untouched.
        opener.send(vec![8]).await.unwrap();
        assert_eq!(next_non_candidate(other).await, LinkEvent::Message(vec![8]));
    }
}
