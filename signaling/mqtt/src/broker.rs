//! One broker connection: a network task that drives rumqttc's event loop, and a control task
//! that owns the subscriptions and remembered announcements and talks to the broker through
//! rumqttc's client handle.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS, SubscribeFilter};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use tracing::Instrument;
use trystero_core::signaler::{RelayMessage, RelayState, redact_userinfo};

/// mqtt.js's `reconnectPeriod`: a dropped broker is retried every second, without end.
pub(crate) const RECONNECT_PERIOD: Duration = Duration::from_secs(1);

/// What the signaler asks of one broker.
#[derive(Debug)]
pub(crate) enum BrokerCommand {
    Subscribe(String),
    Unsubscribe(String),
    Publish {
        topic: String,
        payload: String,
    },
    /// Reconnection was resumed.
    Wake,
    Shutdown,
}

/// What reaches the control task: the signaler's commands and the network task's news.
#[derive(Debug)]
enum Input {
    Command(BrokerCommand),
    Connected,
    Disconnected,
}

/// The signaler's handle on one broker.
#[derive(Debug)]
pub(crate) struct BrokerHandle {
    pub(crate) url: String,
    inputs: UnboundedSender<Input>,
    state: Arc<Mutex<RelayState>>,
}

impl BrokerHandle {
    /// Starts the broker's tasks; `options` failing (a bad URL) retires it at once.
    pub(crate) fn spawn(
        index: usize,
        url: String,
        options: Result<MqttOptions, String>,
        inbox: UnboundedSender<RelayMessage>,
        paused: Arc<AtomicBool>,
    ) -> Self {
        let (inputs, receiver) = unbounded_channel();
        let state = Arc::new(Mutex::new(RelayState::Connecting));
        match options {
            Ok(options) => {
                // Requests only go out while connected, so a small queue is plenty.
                let (client, eventloop) = AsyncClient::new(options, 256);
                let wake = Arc::new(tokio::sync::Notify::new());
                let span = tracing::info_span!("broker", url = %redact_userinfo(&url));
                let network = tokio::spawn(
                    network(
                        index,
                        eventloop,
                        inbox,
                        inputs.clone(),
                        paused,
                        wake.clone(),
                    )
                    .instrument(span),
                );
                tokio::spawn(control(client, receiver, state.clone(), network, wake));
            }
            Err(reason) => {
                *state.lock().unwrap_or_else(PoisonError::into_inner) = RelayState::Retired(reason);
            }
        }
        Self { url, inputs, state }
    }

    pub(crate) fn send(&self, command: BrokerCommand) {
        let _ = self.inputs.send(Input::Command(command));
    }

    pub(crate) fn state(&self) -> RelayState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Drives the event loop: incoming publishes go to the inbox, connection changes to the control
/// task. After a failure it waits [`RECONNECT_PERIOD`] (or, while paused, for a wake-up) and
/// polls again, which reconnects.
async fn network(
    index: usize,
    mut eventloop: EventLoop,
    inbox: UnboundedSender<RelayMessage>,
    inputs: UnboundedSender<Input>,
    paused: Arc<AtomicBool>,
    wake: Arc<tokio::sync::Notify>,
) {
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("connected");
                if inputs.send(Input::Connected).is_err() {
                    return;
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => {
                // Signals are JSON text; anything else is not for us.
                let Ok(payload) = String::from_utf8(publish.payload.to_vec()) else {
                    continue;
                };
                let message = RelayMessage {
                    relay: index,
                    topic: publish.topic,
                    payload,
                };
                if inbox.send(message).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::info!(%error, delay = ?RECONNECT_PERIOD, "disconnected; reconnecting");
                if inputs.send(Input::Disconnected).is_err() {
                    return;
                }
                tokio::time::sleep(RECONNECT_PERIOD).await;
                while paused.load(Ordering::SeqCst) {
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
    mut inputs: UnboundedReceiver<Input>,
    state: Arc<Mutex<RelayState>>,
    network: JoinHandle<()>,
    wake: Arc<tokio::sync::Notify>,
) {
    let mut topics: BTreeMap<String, usize> = BTreeMap::new();
    let mut announcements: BTreeMap<String, String> = BTreeMap::new();
    let mut connected = false;
    let set_state = |new: RelayState| {
        *state.lock().unwrap_or_else(PoisonError::into_inner) = new;
    };
    while let Some(input) = inputs.recv().await {
        match input {
            Input::Connected => {
                connected = true;
                set_state(RelayState::Open);
                if !topics.is_empty() {
                    let filters = topics
                        .keys()
                        .map(|topic| SubscribeFilter::new(topic.clone(), QoS::AtMostOnce));
                    let _ = client.try_subscribe_many(filters);
                }
                for (topic, payload) in &announcements {
                    let _ = client.try_publish(topic, QoS::AtMostOnce, false, payload.clone());
                }
            }
            Input::Disconnected => {
                connected = false;
                set_state(RelayState::Connecting);
            }
            Input::Command(BrokerCommand::Subscribe(topic)) => {
                let count = topics.entry(topic.clone()).or_default();
                *count += 1;
                if *count == 1 && connected {
                    let _ = client.try_subscribe(topic, QoS::AtMostOnce);
                }
            }
            Input::Command(BrokerCommand::Unsubscribe(topic)) => {
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
            Input::Command(BrokerCommand::Publish { topic, payload }) => {
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
            Input::Command(BrokerCommand::Wake) => wake.notify_one(),
            Input::Command(BrokerCommand::Shutdown) => break,
        }
    }
    if connected {
        let _ = client.try_disconnect();
        // Let the event loop send the DISCONNECT before it stops.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    network.abort();
}
