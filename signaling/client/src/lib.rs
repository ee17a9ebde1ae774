//! `trystero-signaling-client`: the relay client the signalling strategies share, as Trystero's
//! strategies share one core.
//!
//! Every strategy talks to a list of relays (Nostr relays, MQTT brokers, WebTorrent trackers),
//! each in its own task so one that is down never blocks the others, and every strategy's
//! signaler offers the same port on top (`trystero_core::signaler::Signaler`). What they have in
//! common lives here:
//!
//! - [`RelaySignaler`]: the `Signaler` port itself, written once; a strategy implements
//!   [`Strategy`] (how subscribing and publishing become relay commands, and what drives one
//!   relay) and names its signaler `RelaySignaler<ItsStrategy>`;
//! - [`RelaySet`]: the signaler's side — one [`RelayHandle`] per relay (URL, state, a command
//!   channel), the inbox every relay delivers to, publish targeting (one relay or all), pausing
//!   and resuming reconnection, `relay_sockets`, and shutting every relay down on drop;
//! - [`RelayTask`]: the relay task's side — its commands, its state, its pause flag and its
//!   [`Inbox`];
//! - [`websocket::run`]: the connection loop of the WebSocket strategies (Nostr, torrent):
//!   connect with a timeout, hand the open socket to the strategy's [`websocket::Session`],
//!   and after a drop wait Trystero's reconnect delay (or a wake-up while paused) unless told to
//!   shut down. MQTT drives rumqttc's own loop instead and uses only the relay set.
//!
//! The protocol of each relay kind (NIP-01 events, tracker announces, MQTT packets) stays in its
//! strategy crate; nothing here parses a relay's messages.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod signaler;
pub mod websocket;

pub use signaler::{Publication, RelaySignaler, Strategy};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::lock::Mutex as AsyncMutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use trystero_core::signaler::{RelayMessage, RelayState, SignalingError, relay_targets};

/// What a relay task receives from its signaler: the strategy's own commands, plus the two every
/// relay understands.
#[derive(Debug)]
pub enum Control<C> {
    /// A strategy command (publish, subscribe, …).
    Command(C),
    /// Reconnection was resumed: a relay waiting while paused tries again now.
    Wake,
    /// The signaler is gone: close the connection and end the task.
    Shutdown,
}

/// The signaler's handle on one relay.
#[derive(Debug)]
pub struct RelayHandle<C> {
    url: String,
    controls: UnboundedSender<Control<C>>,
    state: Arc<Mutex<RelayState>>,
}

impl<C> RelayHandle<C> {
    /// The relay's URL, as configured.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends the task a command. A task that has ended (shut down or retired) ignores it.
    pub fn send(&self, command: C) {
        let _ = self.controls.send(Control::Command(command));
    }

    /// The relay's state, as its task last set it.
    pub fn state(&self) -> RelayState {
        lock(&self.state).clone()
    }

    fn control(&self, control: Control<C>) {
        let _ = self.controls.send(control);
    }
}

/// Where a relay task delivers what its relay carried: the signaler's one inbox, tagged with the
/// relay's index.
#[derive(Debug, Clone)]
pub struct Inbox {
    index: usize,
    sender: UnboundedSender<RelayMessage>,
}

impl Inbox {
    /// The relay's index in its signaler.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Delivers `payload` on `topic`; `false` once the signaler is gone.
    pub fn deliver(&self, topic: String, payload: String) -> bool {
        self.sender
            .send(RelayMessage {
                relay: self.index,
                topic,
                payload,
            })
            .is_ok()
    }
}

/// Whether the signaler paused reconnection, readable from any task.
#[derive(Debug, Clone)]
pub struct PauseFlag(Arc<AtomicBool>);

impl PauseFlag {
    /// Whether reconnection is paused now.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Everything one relay's task works with: its URL, commands, state, the signaler's pause flag
/// and its [`Inbox`].
#[derive(Debug)]
pub struct RelayTask<C> {
    url: String,
    controls: UnboundedReceiver<Control<C>>,
    state: Arc<Mutex<RelayState>>,
    paused: Arc<AtomicBool>,
    inbox: Inbox,
}

impl<C> RelayTask<C> {
    /// The relay's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where to deliver relay messages.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Sets the state the signaler reports for this relay.
    pub fn set_state(&self, state: RelayState) {
        *lock(&self.state) = state;
    }

    /// Whether reconnection is paused.
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// The pause flag, for a task of the relay's own (MQTT's network task).
    pub fn pause_flag(&self) -> PauseFlag {
        PauseFlag(self.paused.clone())
    }

    /// The next control message; `None` once the signaler is gone (treat it as a shutdown).
    pub async fn next_control(&mut self) -> Option<Control<C>> {
        self.controls.recv().await
    }

    /// While reconnection is paused, waits for a wake-up. Returns `false` if the task must end
    /// instead (shutdown, or the signaler is gone); commands that arrive meanwhile are dropped
    /// (relays resend what matters on the next connection).
    pub async fn wait_while_paused(&mut self) -> bool {
        while self.paused() {
            match self.next_control().await {
                Some(Control::Shutdown) | None => return false,
                Some(Control::Wake | Control::Command(_)) => {}
            }
        }
        true
    }
}

/// The relays of one signaler. Dropping it shuts every relay task down.
#[derive(Debug)]
pub struct RelaySet<C> {
    relays: Vec<RelayHandle<C>>,
    paused: Arc<AtomicBool>,
    inbox: AsyncMutex<UnboundedReceiver<RelayMessage>>,
}

impl<C> RelaySet<C> {
    /// One relay per URL, in order (the index of a [`RelayMessage`] is the URL's position);
    /// `start` receives each relay's [`RelayTask`] and spawns whatever drives it.
    pub fn start(urls: &[String], mut start: impl FnMut(RelayTask<C>)) -> Self {
        let (sender, inbox) = unbounded_channel();
        let paused = Arc::new(AtomicBool::new(false));
        let relays = urls
            .iter()
            .enumerate()
            .map(|(index, url)| {
                let (controls, receiver) = unbounded_channel();
                let state = Arc::new(Mutex::new(RelayState::Connecting));
                start(RelayTask {
                    url: url.clone(),
                    controls: receiver,
                    state: state.clone(),
                    paused: paused.clone(),
                    inbox: Inbox {
                        index,
                        sender: sender.clone(),
                    },
                });
                RelayHandle {
                    url: url.clone(),
                    controls,
                    state,
                }
            })
            .collect();
        Self {
            relays,
            paused,
            inbox: AsyncMutex::new(inbox),
        }
    }

    /// How many relays there are.
    pub fn len(&self) -> usize {
        self.relays.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.relays.is_empty()
    }

    /// The handles, in relay-index order.
    pub fn relays(&self) -> &[RelayHandle<C>] {
        &self.relays
    }

    /// Sends `command()` to one relay (`Some(index)`) or to all (`None`), as the signaler port's
    /// `publish` targets; an index out of range is an error.
    pub fn send(
        &self,
        relay: Option<usize>,
        mut command: impl FnMut() -> C,
    ) -> Result<(), SignalingError> {
        let targets = relay_targets(relay, self.relays.len())?;
        for handle in &self.relays[targets] {
            handle.send(command());
        }
        Ok(())
    }

    /// Sends `command()` to every relay.
    pub fn broadcast(&self, mut command: impl FnMut() -> C) {
        for handle in &self.relays {
            handle.send(command());
        }
    }

    /// Stops reconnecting relays that drop (`pauseRelayReconnection`).
    pub fn pause_reconnection(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }

    /// Resumes reconnecting (`resumeRelayReconnection`): relays waiting while paused try again.
    pub fn resume_reconnection(&self) {
        self.paused.store(false, Ordering::SeqCst);
        for handle in &self.relays {
            handle.control(Control::Wake);
        }
    }

    /// The next message any relay delivered; `None` once every relay task has ended.
    pub async fn recv(&self) -> Option<RelayMessage> {
        self.inbox.lock().await.recv().await
    }

    /// Each relay's URL and state, in relay-index order (`getRelaySockets`).
    pub fn relay_sockets(&self) -> Vec<(String, RelayState)> {
        self.relays
            .iter()
            .map(|relay| (relay.url.clone(), relay.state()))
            .collect()
    }
}

impl<C> Drop for RelaySet<C> {
    fn drop(&mut self) {
        for handle in &self.relays {
            handle.control(Control::Shutdown);
        }
    }
}

fn lock(state: &Mutex<RelayState>) -> std::sync::MutexGuard<'_, RelayState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(urls: &[&str]) -> (RelaySet<u32>, Vec<RelayTask<u32>>) {
        let urls: Vec<String> = urls.iter().map(|url| (*url).to_owned()).collect();
        let mut tasks = Vec::new();
        let set = RelaySet::start(&urls, |task| tasks.push(task));
        (set, tasks)
    }

    fn drain(task: &mut RelayTask<u32>) -> Vec<String> {
        let mut seen = Vec::new();
        while let Ok(control) = task.controls.try_recv() {
            seen.push(match control {
                Control::Command(n) => n.to_string(),
                Control::Wake => "wake".into(),
                Control::Shutdown => "shutdown".into(),
            });
        }
        seen
    }

    #[test]
    fn commands_go_to_the_targeted_relays_and_drop_shuts_all_down() {
        let (set, mut tasks) = set(&["ws://a", "ws://b"]);
        set.send(Some(1), || 7).unwrap();
        set.send(None, || 8).unwrap();
        assert!(matches!(
            set.send(Some(2), || 9),
            Err(SignalingError::UnknownRelay(2))
        ));
        set.pause_reconnection();
        assert!(tasks[0].paused());
        set.resume_reconnection();
        assert!(!tasks[1].paused());
        drop(set);
        assert_eq!(drain(&mut tasks[0]), ["8", "wake", "shutdown"]);
        assert_eq!(drain(&mut tasks[1]), ["7", "8", "wake", "shutdown"]);
    }

    #[tokio::test]
    async fn states_and_deliveries_reach_the_signaler() {
        let (set, tasks) = set(&["ws://a", "ws://b"]);
        assert_eq!(
            set.relay_sockets(),
            [
                ("ws://a".to_owned(), RelayState::Connecting),
                ("ws://b".to_owned(), RelayState::Connecting)
            ]
        );
        tasks[1].set_state(RelayState::Open);
        assert_eq!(set.relays()[1].state(), RelayState::Open);
        assert!(tasks[1].inbox().deliver("t".into(), "p".into()));
        let message = set.recv().await.unwrap();
        assert_eq!(
            (
                message.relay,
                message.topic.as_str(),
                message.payload.as_str()
            ),
            (1, "t", "p")
        );
        drop(tasks);
        assert!(set.recv().await.is_none(), "every task ended");
    }

    #[tokio::test]
    async fn a_paused_task_waits_for_a_wake_or_ends_on_shutdown() {
        let (set, mut tasks) = set(&["ws://a"]);
        let mut task = tasks.remove(0);
        set.pause_reconnection();
        set.broadcast(|| 1);
        let waiting = tokio::spawn(async move { (task.wait_while_paused().await, task) });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        set.resume_reconnection();
        let (resumed, mut task) = waiting.await.unwrap();
        assert!(resumed);
        set.pause_reconnection();
        drop(set);
        assert!(!task.wait_while_paused().await);
    }
}
