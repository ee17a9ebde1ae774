//! What a link's parts share: the owner's event queues, the data channels and their pumps
//! (`Shared`), and the peer connection's event handler (`Handler`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc::{Sender, UnboundedSender};
use tokio::sync::{Notify, watch};
use trystero_core::room::signaling::message::IceCandidate;
use trystero_core::transport::{LinkEvent, UNORDERED_LABEL};
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::peer_connection::{
    PeerConnectionEventHandler, RTCIceConnectionState, RTCIceGatheringState,
    RTCPeerConnectionIceErrorEvent, RTCPeerConnectionIceEvent, RTCPeerConnectionState,
};

use super::DISCONNECTED_GRACE;

/// State shared by the link, its handler and its channel pump.
pub(super) struct Shared {
    /// Control events for the link's owner (open, candidates; few); `None` once closed.
    pub(super) events: Mutex<Option<UnboundedSender<LinkEvent>>>,
    /// Messages for the link's owner, at most [`INBOUND_QUEUE`] waiting; `None` once closed
    /// (the pumps hold their own clones until their channel ends).
    pub(super) data: Mutex<Option<Sender<LinkEvent>>>,
    pub(super) channel: Mutex<Option<Arc<dyn DataChannel>>>,
    /// The second channel ([`UNORDERED_LABEL`]), once opened by either end.
    pub(super) unordered: Mutex<Option<Arc<dyn DataChannel>>>,
    /// Set once `UnorderedOpen` was reported.
    pub(super) unordered_open: AtomicBool,
    /// Woken on `OnBufferedAmountLow` and on close.
    pub(super) low: Notify,
    pub(super) closed: AtomicBool,
    /// Set once `Open` was reported; stops the setup kicker.
    pub(super) open: AtomicBool,
    pub(super) low_threshold: u32,
}

impl Shared {
    pub(super) fn lock_events(&self) -> MutexGuard<'_, Option<UnboundedSender<LinkEvent>>> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn lock_channel(&self) -> MutexGuard<'_, Option<Arc<dyn DataChannel>>> {
        self.channel.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn emit(&self, event: LinkEvent) {
        if event == LinkEvent::Open {
            self.open.store(true, Ordering::SeqCst);
        }
        if let Some(events) = self.lock_events().as_ref() {
            let _ = events.send(event);
        }
    }

    /// Reports the loss once (the control queue ends: the owner reads the messages already
    /// there, then `Closed`), then goes quiet.
    pub(super) fn lost(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            drop(self.lock_events().take());
            drop(
                self.data
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take(),
            );
            self.low.notify_waiters();
        }
    }

    /// A sender for the messages a pump reads; `None` once the link is lost.
    pub(super) fn messages(&self) -> Option<Sender<LinkEvent>> {
        self.data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn lock_unordered(&self) -> MutexGuard<'_, Option<Arc<dyn DataChannel>>> {
        self.unordered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the second channel and pumps its events until it closes (which does not close
    /// the link: sends fall back to the `data` channel). `opened` as for `adopt_channel`.
    pub(super) fn adopt_unordered(self: &Arc<Self>, channel: Arc<dyn DataChannel>, opened: bool) {
        *self.lock_unordered() = Some(channel.clone());
        let shared = self.clone();
        let Some(messages) = self.messages() else {
            return;
        };
        tokio::spawn(async move {
            let report_open = |shared: &Shared| {
                if !shared.unordered_open.swap(true, Ordering::SeqCst) {
                    shared.emit(LinkEvent::UnorderedOpen);
                }
            };
            if opened {
                report_open(&shared);
            }
            while let Some(event) = channel.poll().await {
                match event {
                    DataChannelEvent::OnOpen => report_open(&shared),
                    DataChannelEvent::OnMessage(message) if !message.is_string => {
                        report_open(&shared);
                        // Waits while the owner lags (back-pressure); ends with the link.
                        let message = LinkEvent::UnorderedMessage(message.data.to_vec());
                        if messages.send(message).await.is_err() {
                            break;
                        }
                    }
                    DataChannelEvent::OnClose => break,
                    _ => {}
                }
            }
            shared.unordered_open.store(false, Ordering::SeqCst);
            *shared.lock_unordered() = None;
        });
    }

    /// Takes the data channel and pumps its events until it closes. `opened`: the channel is
    /// known to be open already (the answerer's), so `Open` is reported now and not again.
    pub(super) fn adopt_channel(self: &Arc<Self>, channel: Arc<dyn DataChannel>, opened: bool) {
        *self.lock_channel() = Some(channel.clone());
        if opened {
            self.emit(LinkEvent::Open);
        }
        let shared = self.clone();
        let Some(messages) = self.messages() else {
            return;
        };
        tokio::spawn(async move {
            let _ = channel
                .set_buffered_amount_low_threshold(shared.low_threshold)
                .await;
            // webrtc-rs may surface the peer's first messages before `OnOpen` (the answerer
            // starts sending as soon as its side is open): a message implies the channel is
            // open, and `Open` is reported exactly once, before any message.
            let mut open_reported = opened;
            while let Some(event) = channel.poll().await {
                match event {
                    DataChannelEvent::OnOpen if !open_reported => {
                        open_reported = true;
                        shared.emit(LinkEvent::Open);
                    }
                    // Trystero sends binary only; a text message is not a frame.
                    DataChannelEvent::OnMessage(message) if !message.is_string => {
                        if !open_reported {
                            open_reported = true;
                            shared.emit(LinkEvent::Open);
                        }
                        // Waits while the owner lags (back-pressure); ends with the link.
                        let message = LinkEvent::Message(message.data.to_vec());
                        if messages.send(message).await.is_err() {
                            break;
                        }
                    }
                    DataChannelEvent::OnBufferedAmountLow => shared.low.notify_waiters(),
                    DataChannelEvent::OnClose => break,
                    _ => {}
                }
            }
            shared.lost();
        });
    }
}

pub(super) struct Handler {
    pub(super) shared: Arc<Shared>,
    pub(super) gathering: watch::Sender<RTCIceGatheringState>,
    pub(super) state: watch::Sender<RTCPeerConnectionState>,
    pub(super) trickle: bool,
    pub(super) span: tracing::Span,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if !self.trickle {
            return;
        }
        if let Ok(init) = event.candidate.to_json()
            && !init.candidate.is_empty()
        {
            // The browser form: the data channel's m-line is mid "0", index 0.
            self.shared.emit(LinkEvent::LocalCandidate(IceCandidate {
                candidate: init.candidate,
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
                username_fragment: init.username_fragment,
            }));
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        tracing::trace!(parent: &self.span, ?state, "ICE gathering");
        let _ = self.gathering.send(state);
    }

    async fn on_ice_connection_state_change(&self, state: RTCIceConnectionState) {
        tracing::debug!(parent: &self.span, ?state, "ICE state");
    }

    async fn on_ice_candidate_error(&self, event: RTCPeerConnectionIceErrorEvent) {
        tracing::debug!(
            parent: &self.span,
            url = %event.url,
            code = event.error_code,
            text = %event.error_text,
            "ICE candidate error"
        );
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!(parent: &self.span, ?state, "connection state");
        self.state.send_replace(state);
        match state {
            RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed => self.shared.lost(),
            RTCPeerConnectionState::Disconnected => {
                // Lost unless it recovers within the grace period (JS closes after 5 s).
                let shared = self.shared.clone();
                let current = self.state.subscribe();
                tokio::spawn(async move {
                    tokio::time::sleep(DISCONNECTED_GRACE).await;
                    if *current.borrow() == RTCPeerConnectionState::Disconnected {
                        shared.lost();
                    }
                });
            }
            _ => {}
        }
    }

    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        // The answerer's side of the offerer's "data" channel, fired once it is open (or the
        // peer's second channel, by its label). Its own `OnOpen` event is not relied on:
        // depending on timing it may have been queued before anyone polled.
        if channel
            .label()
            .await
            .is_ok_and(|label| label == UNORDERED_LABEL)
        {
            self.shared.adopt_unordered(channel, true);
        } else {
            self.shared.adopt_channel(channel, true);
        }
    }
}
