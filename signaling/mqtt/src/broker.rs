//! One broker connection: a network task that drives rumqttc's event loop, and a control task
//! (the shared relay client's [`RelayTask`]) that owns the subscriptions and remembered
//! announcements and talks to the broker through rumqttc's client handle.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS, SubscribeFilter};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tracing::Instrument;
use trystero_core::signaler::{RelayState, redact_userinfo};
use trystero_signaling_client::{Control, Inbox, PauseFlag, RelayTask};

/// mqtt.js's `reconnectPeriod`: a dropped broker is retried every second, without end.
pub(crate) const RECONNECT_PERIOD: Duration = Duration::from_secs(1);

/// What the signaler asks of one MQTT broker.
#[derive(Debug)]
pub enum BrokerCommand {
    /// Subscribe to a topic (reference-counted).
    Subscribe(String),
    /// Drop one subscription to a topic; the last one unsubscribes.
    Unsubscribe(String),
    /// Publish at QoS 0.
    Publish {
        /// The topic.
        topic: String,
        /// The §3.1 JSON.
        payload: String,
    },
}

/// What the network task tells the control task.
#[derive(Debug)]
enum News {
    Connected,
    Disconnected,
}

/// Starts the broker's tasks; `options` failing (a bad URL) retires it at once.
pub(crate) fn spawn(task: RelayTask<BrokerCommand>, options: Result<MqttOptions, String>) {
    let options = match options {
        Ok(options) => options,
        Err(reason) => {
            task.set_state(RelayState::Retired(reason));
            return;
        }
    };
    // Requests only go out while connected, so a small queue is plenty. Nagle stays on here:
    // with it off, joins through mosquitto (its default, Nagle on) had a slower tail (p90
    // 123 ms against 41 ms, `cargo bench --bench joins -- --joins 100 mqtt`).
    let (client, eventloop) = AsyncClient::new(options, 256);
    let wake = Arc::new(tokio::sync::Notify::new());
    let (news, news_receiver) = unbounded_channel();
    let span = tracing::info_span!("broker", url = %redact_userinfo(task.url()));
    let network = tokio::spawn(
        network(
            eventloop,
            task.inbox().clone(),
            news,
            task.pause_flag(),
            wake.clone(),
        )
        .instrument(span),
    );
    tokio::spawn(control(client, task, news_receiver, network, wake));
}

/// Drives the event loop: incoming publishes go to the inbox, connection changes to the control
/// task. After a failure it waits [`RECONNECT_PERIOD`] (or, while paused, for a wake-up) and
/// polls again, which reconnects.
async fn network(
    mut eventloop: EventLoop,
    inbox: Inbox,
    news: UnboundedSender<News>,
    paused: PauseFlag,
    wake: Arc<tokio::sync::Notify>,
) {
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("connected");
                if news.send(News::Connected).is_err() {
                    return;
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                let Some((topic, payload)) = signal(publish) else {
                    continue;
                };
                if !inbox.deliver(topic, payload) {
                    return;
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::info!(%error, delay = ?RECONNECT_PERIOD, "disconnected; reconnecting");
                if news.send(News::Disconnected).is_err() {
                    return;
                }
                tokio::time::sleep(RECONNECT_PERIOD).await;
                while paused.is_set() {
                    wake.notified().await;
                }
            }
        }
    }
}

/// Owns the broker's topics (reference-counted) and the last announcement per topic; after
/// every (re)connect it subscribes to all topics again and republishes those announcements,
/// as Trystero JS 0.25.4 does with a clean session.
async fn control(
    client: AsyncClient,
    mut task: RelayTask<BrokerCommand>,
    mut news: UnboundedReceiver<News>,
    network: JoinHandle<()>,
    wake: Arc<tokio::sync::Notify>,
) {
    let mut topics: BTreeMap<String, usize> = BTreeMap::new();
    let mut announcements: BTreeMap<String, String> = BTreeMap::new();
    let mut connected = false;
    loop {
        let command = tokio::select! {
            news = news.recv() => {
                match news {
                    Some(News::Connected) => {
                        connected = true;
                        task.set_state(RelayState::Open);
                        if !topics.is_empty() {
                            let filters = topics
                                .keys()
                                .map(|topic| SubscribeFilter::new(topic.clone(), QoS::AtMostOnce));
                            let _ = client.try_subscribe_many(filters);
                        }
                        for (topic, payload) in &announcements {
                            let _ =
                                client.try_publish(topic, QoS::AtMostOnce, false, payload.clone());
                        }
                    }
                    Some(News::Disconnected) => {
                        connected = false;
                        task.set_state(RelayState::Connecting);
                    }
                    // The network task ended: the inbox is gone.
                    None => break,
                }
                continue;
            }
            control = task.next_control() => match control {
                Some(Control::Command(command)) => command,
                Some(Control::Wake) => {
                    wake.notify_one();
                    continue;
                }
                Some(Control::Shutdown) | None => break,
            },
        };
        match command {
            BrokerCommand::Subscribe(topic) => {
                let count = topics.entry(topic.clone()).or_default();
                *count += 1;
                if *count == 1 && connected {
                    let _ = client.try_subscribe(topic, QoS::AtMostOnce);
                }
            }
            BrokerCommand::Unsubscribe(topic) => {
                let Some(count) = topics.get_mut(&topic) else {
                    continue;
                };
                *count -= 1;
                if *count == 0 {
                    topics.remove(&topic);
                    announcements.remove(&topic);
                    if connected {
                        let _ = client.try_unsubscribe(topic);
                    }
                }
            }
            BrokerCommand::Publish { topic, payload } => {
                // A publish on a topic we listen to is an announcement (signals go to other
                // peers' topics): remember it for the next reconnect. QoS 0 is never queued
                // while disconnected (mqtt.js `queueQoSZero: false`).
                if topics.contains_key(&topic) {
                    announcements.insert(topic.clone(), payload.clone());
                }
                if connected {
                    let _ = client.try_publish(topic, QoS::AtMostOnce, false, payload);
                }
            }
        }
    }
    if connected {
        let _ = client.try_disconnect();
        // Let the event loop send the DISCONNECT before it stops.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    network.abort();
}

/// What a received publish delivers: its topic and its payload as text. Signals are JSON text;
/// anything else is not for us.
fn signal(publish: rumqttc::Publish) -> Option<(String, String)> {
    let payload = String::from_utf8(publish.payload.to_vec()).ok()?;
    Some((publish.topic, payload))
}

/// For the fuzz target (`fuzz/fuzz_targets/mqtt.rs`): reads `bytes` as one packet from a broker,
/// with the connection's packet limit, and returns what a publish would deliver.
#[doc(hidden)]
pub fn decode_packet(bytes: &[u8]) -> Option<(String, String)> {
    match Packet::read(&mut bytes.into(), crate::MAX_PACKET).ok()? {
        Packet::Publish(publish) => signal(publish),
        _ => None,
    }
}
