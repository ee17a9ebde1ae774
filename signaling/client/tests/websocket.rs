//! The reconnecting WebSocket against a real WebSocket server on loopback (tokio-tungstenite's
//! server side): the opening frames, commands, deliveries, reconnection after a drop, pausing,
//! retiring and shutdown.
#![allow(clippy::unwrap_used)] // test code: a failure is a test failure

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use trystero_core::signaler::RelayState;
use trystero_signaling_client::websocket::{self, Session};
use trystero_signaling_client::{Inbox, RelaySet};

const WAIT: Duration = Duration::from_secs(10);

/// Says `hello` on open, sends commands as `cmd:<text>`, delivers every frame on topic `t`, and
/// retires the relay on `refuse`.
struct Test;

impl Session for Test {
    type Command = String;

    fn opened(&mut self) -> Vec<String> {
        vec!["hello".into()]
    }

    fn command(&mut self, command: String) -> Vec<String> {
        vec![format!("cmd:{command}")]
    }

    fn received(&mut self, text: &str, inbox: &Inbox) -> Result<(), String> {
        if text == "refuse" {
            return Err("refused".into());
        }
        inbox.deliver("t".into(), text.to_owned());
        Ok(())
    }
}

type Server = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    (listener, url)
}

async fn accept(listener: &TcpListener) -> Server {
    let (stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .expect("the client connects")
        .unwrap();
    tokio_tungstenite::accept_async(stream).await.unwrap()
}

async fn next_text(server: &mut Server) -> Option<String> {
    loop {
        match tokio::time::timeout(WAIT, server.next())
            .await
            .expect("a frame")
        {
            Some(Ok(Message::Text(text))) => return Some(text.to_string()),
            Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

fn start(url: &str) -> RelaySet<String> {
    RelaySet::start(&[url.to_owned()], |task| {
        tokio::spawn(websocket::run(task, Test));
    })
}

async fn wait_for_state(set: &RelaySet<String>, want: &RelayState) {
    tokio::time::timeout(WAIT, async {
        while set.relays()[0].state() != *want {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("state {want:?}, still {:?}", set.relays()[0].state()));
}

#[tokio::test]
async fn opens_speaks_delivers_and_closes_on_drop() {
    let (listener, url) = listener().await;
    let set = start(&url);
    let mut server = accept(&listener).await;
    assert_eq!(next_text(&mut server).await.as_deref(), Some("hello"));
    wait_for_state(&set, &RelayState::Open).await;
    set.send(Some(0), || "publish".into()).unwrap();
    assert_eq!(next_text(&mut server).await.as_deref(), Some("cmd:publish"));
    server.send(Message::text("an event")).await.unwrap();
    let message = tokio::time::timeout(WAIT, set.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            message.relay,
            message.topic.as_str(),
            message.payload.as_str()
        ),
        (0, "t", "an event")
    );
    drop(set);
    assert_eq!(
        next_text(&mut server).await,
        None,
        "the client closed the socket"
    );
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_opens_again() {
    let (listener, url) = listener().await;
    let set = start(&url);
    let mut server = accept(&listener).await;
    assert_eq!(next_text(&mut server).await.as_deref(), Some("hello"));
    drop(server);
    // Reconnection waits below the first period (3 333 ms), then says hello again.
    let mut server = accept(&listener).await;
    assert_eq!(next_text(&mut server).await.as_deref(), Some("hello"));
    wait_for_state(&set, &RelayState::Open).await;
}

#[tokio::test]
async fn a_paused_relay_stays_down_until_resumed() {
    let (listener, url) = listener().await;
    let set = start(&url);
    let server = accept(&listener).await;
    wait_for_state(&set, &RelayState::Open).await;
    set.pause_reconnection();
    drop(server);
    // Past the longest first delay, still no new connection.
    let early = tokio::time::timeout(Duration::from_secs(4), listener.accept()).await;
    assert!(early.is_err(), "a paused relay reconnected");
    set.resume_reconnection();
    let mut server = accept(&listener).await;
    assert_eq!(next_text(&mut server).await.as_deref(), Some("hello"));
}

#[tokio::test]
async fn a_refusal_retires_the_relay_and_ends_its_task() {
    let (listener, url) = listener().await;
    let set = start(&url);
    let mut server = accept(&listener).await;
    assert_eq!(next_text(&mut server).await.as_deref(), Some("hello"));
    server.send(Message::text("refuse")).await.unwrap();
    wait_for_state(&set, &RelayState::Retired("refused".into())).await;
    assert_eq!(
        next_text(&mut server).await,
        None,
        "the client closed the socket"
    );
    // The task ended: nothing can deliver any more.
    let end = tokio::time::timeout(WAIT, set.recv()).await.unwrap();
    assert!(end.is_none());
}
