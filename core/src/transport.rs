//! The peer-transport port: one connection to one remote peer carrying one ordered, reliable
//! binary channel labelled `data` (protocol §5.1), as WebRTC provides it — and, between two
//! peers that both know it, a second channel, unordered and without retransmissions
//! ([`UNORDERED_LABEL`]), for traffic that would rather be lost than late.
//!
//! [`PeerTransport`] makes connections (as the offerer, or as the answerer of a remote offer);
//! each [`PeerLink`] then takes the remote answer and candidates, yields [`LinkEvent`]s and sends
//! frames with back-pressure. [`MemoryTransport`] is the in-process adapter: offers and answers
//! are tokens, frames move through bounded queues.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::Duration;

use futures_channel::mpsc::{self, Receiver, Sender, UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use futures_util::lock::Mutex as AsyncMutex;
use futures_util::stream::{self, PollNext, SelectWithStrategy};
use futures_util::task::AtomicWaker;

use crate::config::IceServer;
use crate::room::signaling::IceCandidate;

/// The buffered amount above which a sender waits (`bufferedAmountLowThreshold`, 65 535).
pub const BUFFERED_AMOUNT_LOW: usize = 0xFFFF;

/// The label of the second channel ([`PeerLink::open_unordered`]): unordered, no
/// retransmissions. Not part of Trystero's protocol: it is opened only towards peers known to
/// be ours, since a Trystero JS peer takes any channel it is offered for its `data` channel.
pub const UNORDERED_LABEL: &str = "data-unordered";

/// A transport operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The remote SDP could not be applied.
    #[error("invalid session description: {0}")]
    InvalidSdp(String),
    /// The remote candidate could not be applied.
    #[error("invalid ICE candidate: {0}")]
    InvalidCandidate(String),
    /// The link is closed.
    #[error("the connection is closed")]
    Closed,
    /// Anything else, in the adapter's words.
    #[error("transport failure: {0}")]
    Other(String),
}

/// How to make a connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkOptions {
    /// ICE servers (STUN, TURN); empty means host candidates only.
    pub ice_servers: Vec<IceServer>,
    /// Trickle ICE: SDP at once and candidates as [`LinkEvent::LocalCandidate`]s. Without it the
    /// SDP is returned only once gathering completed (capped at 15 s), candidates included.
    pub trickle: bool,
    /// Use only relayed (TURN) candidates.
    pub relay_only: bool,
}

/// How a connection reaches the peer: the type of the local candidate of the pair in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CandidateType {
    /// Directly, from a local interface.
    Host,
    /// Through a NAT, at the address a STUN server saw (`srflx`).
    ServerReflexive,
    /// Through a NAT, at an address the peer saw (`prflx`).
    PeerReflexive,
    /// Through a TURN relay.
    Relay,
}

impl CandidateType {
    /// The SDP name: `host`, `srflx`, `prflx` or `relay`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relay => "relay",
        }
    }
}

/// What the transport knows about a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// The round trip measured by the transport (ICE checks), when it has one.
    pub rtt: Option<Duration>,
    /// The local candidate type of the pair in use, once one is selected.
    pub candidate: Option<CandidateType>,
}

/// Something that happened on a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A local ICE candidate to signal to the peer (trickle ICE only).
    LocalCandidate(IceCandidate),
    /// The `data` channel is open: frames can flow.
    Open,
    /// One binary message from the peer.
    Message(Vec<u8>),
    /// The second channel ([`UNORDERED_LABEL`]) is open, whichever end opened it.
    UnorderedOpen,
    /// One binary message from the peer on the second channel (it may have overtaken earlier
    /// ones; others may never come).
    UnorderedMessage(Vec<u8>),
    /// The connection closed or failed, or stayed disconnected too long; no more events follow.
    Closed,
}

/// Makes connections.
///
/// Contract: the offerer creates the `data` channel (ordered, reliable, binary); the answerer
/// receives it. SDP strings are the plain (unencrypted) session descriptions.
pub trait PeerTransport: Send + Sync + 'static {
    /// The connection type.
    type Link: PeerLink;

    /// A new connection as the offerer, and its local offer SDP.
    fn create_offer(
        &self,
        options: &LinkOptions,
    ) -> impl Future<Output = Result<(Self::Link, String), TransportError>> + Send;

    /// A new connection answering `offer`, and its local answer SDP.
    fn accept_offer(
        &self,
        offer: &str,
        options: &LinkOptions,
    ) -> impl Future<Output = Result<(Self::Link, String), TransportError>> + Send;
}

/// One connection.
///
/// Contract:
/// - `next_event` is polled by one task; after [`LinkEvent::Closed`] it keeps returning `Closed`.
/// - `send` resolves once the frame is handed to the channel; while more than
///   [`BUFFERED_AMOUNT_LOW`] bytes are buffered it waits until the buffer drains. It fails with
///   [`TransportError::Closed`] once the link is closed. Frames arrive in order, whole.
/// - `flush` resolves once the peer has everything handed to `send` before it (acknowledged by
///   the peer's transport: WebRTC's SCTP acknowledgements, the in-memory peer's read); it
///   fails with [`TransportError::Closed`] if the link closes first. It has no deadline of its
///   own: callers bound it.
/// - Candidates may be added before the remote description is set; they are applied after it.
pub trait PeerLink: Send + Sync + 'static {
    /// Applies the peer's answer (offerer side).
    fn apply_answer(&self, answer: &str)
    -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Adds a remote ICE candidate.
    fn add_candidate(
        &self,
        candidate: &IceCandidate,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// The next event.
    fn next_event(&self) -> impl Future<Output = LinkEvent> + Send;

    /// Sends one frame, waiting for back-pressure to ease.
    fn send(&self, frame: Vec<u8>) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Waits until the peer has every frame sent so far.
    fn flush(&self) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// What the transport knows about the connection now.
    fn stats(&self) -> impl Future<Output = LinkStats> + Send;

    /// Opens the second channel, [`UNORDERED_LABEL`] (unordered, no retransmissions), over the
    /// connection as it is (in band: no new offer or answer). Both ends then see
    /// [`LinkEvent::UnorderedOpen`]. Only for a peer known to handle it (see the label).
    fn open_unordered(&self) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Sends one frame on the second channel without waiting: it may be lost or overtake
    /// others. A frame the channel has no room for is dropped (and `Ok`): late is worse than
    /// lost here. Fails with [`TransportError::Closed`] before [`LinkEvent::UnorderedOpen`] and
    /// after the link closed.
    fn send_unordered(
        &self,
        frame: Vec<u8>,
    ) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Closes the connection; the peer sees [`LinkEvent::Closed`].
    fn close(&self);
}

/// Frames in flight per direction before `send` waits, in the in-memory adapter.
const MEMORY_QUEUE: usize = 64;

/// Frames queued to one end that it has not read yet; `flush` on the other end waits for zero.
#[derive(Default)]
struct Unread {
    count: AtomicUsize,
    /// Set when the reading end closes: its unread frames will never be read.
    closed: AtomicBool,
    /// The flushing end, woken on every read and on close.
    waker: AtomicWaker,
}

impl Unread {
    fn read_one(&self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
        self.waker.wake();
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.waker.wake();
    }
}

/// Where a link keeps its way to the peer; shared so the offerer can wire the answerer.
#[derive(Default)]
struct Slot {
    control: Mutex<Option<UnboundedSender<LinkEvent>>>,
    /// One long-lived sender per direction, so the bounded queue really bounds.
    data: AsyncMutex<Option<Sender<LinkEvent>>>,
    /// The peer's count of frames it has not read.
    unread: Mutex<Option<Arc<Unread>>>,
}

type PeerSlot = Arc<Slot>;

struct Ends {
    /// Control events (open, closed, candidates) to this end.
    control: UnboundedSender<LinkEvent>,
    /// Data frames to this end.
    data: Sender<LinkEvent>,
    /// How many of them this end has not read yet.
    unread: Arc<Unread>,
}

#[derive(Default)]
struct NetworkState {
    /// Connections created so far (offers made).
    next: u64,
    /// Offers waiting for an answer: id → the offerer's ends.
    offers: BTreeMap<u64, Ends>,
    /// Answers waiting to be applied: id → the answerer's ends and its slot for ours.
    answers: BTreeMap<u64, (Ends, PeerSlot)>,
    /// Frames handed to second (unordered) channels so far.
    unordered_sent: u64,
}

/// An in-process network of links: the in-memory adapter of [`PeerTransport`]. Clone to share.
#[derive(Clone, Default)]
pub struct MemoryTransport {
    state: Arc<Mutex<NetworkState>>,
}

impl std::fmt::Debug for MemoryTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryTransport").finish_non_exhaustive()
    }
}

impl MemoryTransport {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, NetworkState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many connections were offered on this network so far.
    pub fn offers_made(&self) -> u64 {
        self.lock().next
    }

    /// How many frames went on second (unordered) channels so far.
    pub fn unordered_frames_sent(&self) -> u64 {
        self.lock().unordered_sent
    }
}

/// One end of an in-memory link.
pub struct MemoryLink {
    id: u64,
    network: MemoryTransport,
    own: Ends,
    /// Control events first, then data: `Open` is queued before the link is wired, so no
    /// frame can overtake it (a frame for a link not yet open would be dropped).
    events: AsyncMutex<
        SelectWithStrategy<UnboundedReceiver<LinkEvent>, Receiver<LinkEvent>, Prefer, ()>,
    >,
    peer: PeerSlot,
    closed: AtomicBool,
    /// The second channel opened (this end saw `UnorderedOpen`).
    unordered: AtomicBool,
}

impl std::fmt::Debug for MemoryLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryLink")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// How a link's two queues are read.
type Prefer = fn(&mut ()) -> PollNext;

/// Always the control queue first, when it has something.
fn control_first((): &mut ()) -> PollNext {
    PollNext::Left
}

fn new_end(id: u64, network: &MemoryTransport) -> MemoryLink {
    let (control, control_rx) = mpsc::unbounded();
    let (data, data_rx) = mpsc::channel(MEMORY_QUEUE);
    MemoryLink {
        id,
        network: network.clone(),
        own: Ends {
            control,
            data,
            unread: Arc::default(),
        },
        events: AsyncMutex::new(stream::select_with_strategy(
            control_rx,
            data_rx,
            control_first as Prefer,
        )),
        peer: PeerSlot::default(),
        closed: AtomicBool::new(false),
        unordered: AtomicBool::new(false),
    }
}

impl MemoryLink {
    fn ends(&self) -> Ends {
        Ends {
            control: self.own.control.clone(),
            data: self.own.data.clone(),
            unread: self.own.unread.clone(),
        }
    }

    fn peer_control(&self) -> MutexGuard<'_, Option<UnboundedSender<LinkEvent>>> {
        lock_control(&self.peer)
    }

    fn peer_unread(&self) -> Option<Arc<Unread>> {
        self.peer
            .unread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn lock_control(slot: &Slot) -> MutexGuard<'_, Option<UnboundedSender<LinkEvent>>> {
    slot.control.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn wire(slot: &Slot, to: Ends) {
    *lock_control(slot) = Some(to.control);
    *slot.unread.lock().unwrap_or_else(PoisonError::into_inner) = Some(to.unread);
    *slot.data.lock().await = Some(to.data);
}

fn parse_token(sdp: &str, prefix: &str) -> Result<u64, TransportError> {
    sdp.strip_prefix(prefix)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| TransportError::InvalidSdp(sdp.to_owned()))
}

impl PeerTransport for MemoryTransport {
    type Link = MemoryLink;

    async fn create_offer(
        &self,
        options: &LinkOptions,
    ) -> Result<(MemoryLink, String), TransportError> {
        let mut state = self.lock();
        state.next += 1;
        let id = state.next;
        let link = new_end(id, self);
        state.offers.insert(id, link.ends());
        drop(state);
        if options.trickle {
            let candidate = IceCandidate {
                candidate: format!("candidate:{id} 1 udp 1 127.0.0.1 {id} typ host"),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
                username_fragment: Some(format!("m{id}")),
            };
            let _ = link
                .own
                .control
                .unbounded_send(LinkEvent::LocalCandidate(candidate));
        }
        Ok((link, format!("memory-offer:{id}")))
    }

    async fn accept_offer(
        &self,
        offer: &str,
        _options: &LinkOptions,
    ) -> Result<(MemoryLink, String), TransportError> {
        let id = parse_token(offer, "memory-offer:")?;
        let mut state = self.lock();
        state
            .offers
            .remove(&id)
            .ok_or_else(|| TransportError::InvalidSdp(offer.to_owned()))?;
        let link = new_end(id, self);
        state.answers.insert(id, (link.ends(), link.peer.clone()));
        Ok((link, format!("memory-answer:{id}")))
    }
}

impl PeerLink for MemoryLink {
    async fn apply_answer(&self, answer: &str) -> Result<(), TransportError> {
        let id = parse_token(answer, "memory-answer:")?;
        if id != self.id {
            return Err(TransportError::InvalidSdp(answer.to_owned()));
        }
        let (answerer, answerer_slot) = self
            .network
            .lock()
            .answers
            .remove(&id)
            .ok_or_else(|| TransportError::InvalidSdp(answer.to_owned()))?;
        // Wire the answerer to us and us to the answerer, then both channels open: an end that
        // saw `Open` before it was wired would fail its first sends (and its writer would stop).
        let answerer_control = answerer.control.clone();
        wire(&answerer_slot, self.ends()).await;
        wire(&self.peer, answerer).await;
        let _ = answerer_control.unbounded_send(LinkEvent::Open);
        let _ = self.own.control.unbounded_send(LinkEvent::Open);
        Ok(())
    }

    async fn add_candidate(&self, candidate: &IceCandidate) -> Result<(), TransportError> {
        if candidate.candidate.starts_with("candidate:") {
            Ok(())
        } else {
            Err(TransportError::InvalidCandidate(
                candidate.candidate.clone(),
            ))
        }
    }

    async fn next_event(&self) -> LinkEvent {
        let event = self
            .events
            .lock()
            .await
            .next()
            .await
            .unwrap_or(LinkEvent::Closed);
        match event {
            LinkEvent::Message(_) => self.own.unread.read_one(),
            LinkEvent::UnorderedOpen => self.unordered.store(true, Ordering::SeqCst),
            _ => {}
        }
        event
    }

    async fn open_unordered(&self) -> Result<(), TransportError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(TransportError::Closed);
        }
        let peer = self.peer_control().clone().ok_or(TransportError::Closed)?;
        let _ = peer.unbounded_send(LinkEvent::UnorderedOpen);
        let _ = self.own.control.unbounded_send(LinkEvent::UnorderedOpen);
        Ok(())
    }

    async fn send_unordered(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        if self.closed.load(Ordering::SeqCst) || !self.unordered.load(Ordering::SeqCst) {
            return Err(TransportError::Closed);
        }
        let mut data = self.peer.data.lock().await;
        let sender = data.as_mut().ok_or(TransportError::Closed)?;
        match sender.try_send(LinkEvent::UnorderedMessage(frame)) {
            Ok(()) => {
                self.network.lock().unordered_sent += 1;
                Ok(())
            }
            // No room: dropped, as an unreliable channel may.
            Err(error) if error.is_full() => Ok(()),
            Err(_) => Err(TransportError::Closed),
        }
    }

    async fn send(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(TransportError::Closed);
        }
        let unread = self.peer_unread().ok_or(TransportError::Closed)?;
        let mut data = self.peer.data.lock().await;
        let sender = data.as_mut().ok_or(TransportError::Closed)?;
        // Wait for room, then hand the frame over; no flush: "sent" means queued, like
        // RTCDataChannel.send.
        std::future::poll_fn(|cx| sender.poll_ready(cx))
            .await
            .map_err(|_| TransportError::Closed)?;
        unread.count.fetch_add(1, Ordering::SeqCst);
        sender.start_send(LinkEvent::Message(frame)).map_err(|_| {
            unread.count.fetch_sub(1, Ordering::SeqCst);
            TransportError::Closed
        })
    }

    /// In-memory links are "host" connections with no measured round trip.
    async fn stats(&self) -> LinkStats {
        LinkStats {
            rtt: None,
            candidate: Some(CandidateType::Host),
        }
    }

    async fn flush(&self) -> Result<(), TransportError> {
        let unread = self.peer_unread().ok_or(TransportError::Closed)?;
        std::future::poll_fn(|cx| {
            unread.waker.register(cx.waker());
            if unread.count.load(Ordering::SeqCst) == 0 {
                Poll::Ready(Ok(()))
            } else if self.closed.load(Ordering::SeqCst) || unread.closed.load(Ordering::SeqCst) {
                Poll::Ready(Err(TransportError::Closed))
            } else {
                Poll::Pending
            }
        })
        .await
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.own.unread.close();
        if let Some(unread) = self.peer_unread() {
            unread.waker.wake();
        }
        if let Some(control) = self.peer_control().take() {
            let _ = control.unbounded_send(LinkEvent::Closed);
            control.close_channel();
        }
        let _ = self.own.control.unbounded_send(LinkEvent::Closed);
        self.own.control.close_channel();
        // Frames the peer still sends are refused from now on.
        self.own.data.clone().close_channel();
    }
}

impl Drop for MemoryLink {
    /// A dropped end is a closed one, as a WebRTC connection is: the peer sees
    /// [`LinkEvent::Closed`] and its flushes fail instead of waiting.
    fn drop(&mut self) {
        if !self.closed.load(Ordering::SeqCst) {
            self.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn ready<T>(future: impl Future<Output = T>) -> T {
        future
            .now_or_never()
            .expect("in-memory operations complete at once")
    }

    fn pair(trickle: bool) -> (MemoryLink, MemoryLink) {
        let network = MemoryTransport::new();
        let options = LinkOptions {
            trickle,
            ..LinkOptions::default()
        };
        let (offerer, offer) = ready(network.create_offer(&options)).unwrap();
        let (answerer, answer) = ready(network.accept_offer(&offer, &options)).unwrap();
        ready(offerer.apply_answer(&answer)).unwrap();
        (offerer, answerer)
    }

    #[test]
    fn an_offer_and_answer_open_both_ends() {
        let (offerer, answerer) = pair(true);
        assert!(matches!(
            ready(offerer.next_event()),
            LinkEvent::LocalCandidate(_)
        ));
        assert_eq!(ready(offerer.next_event()), LinkEvent::Open);
        assert_eq!(ready(answerer.next_event()), LinkEvent::Open);
        ready(offerer.send(vec![1, 2])).unwrap();
        ready(answerer.send(vec![3])).unwrap();
        assert_eq!(ready(answerer.next_event()), LinkEvent::Message(vec![1, 2]));
        assert_eq!(ready(offerer.next_event()), LinkEvent::Message(vec![3]));
    }

    #[test]
    fn sending_waits_when_the_queue_is_full() {
        let (offerer, answerer) = pair(false);
        let mut sent = 0usize;
        while offerer
            .send(sent.to_be_bytes().to_vec())
            .now_or_never()
            .is_some()
        {
            sent += 1;
            assert!(sent <= MEMORY_QUEUE + 4, "the queue must be bounded");
        }
        assert!(sent >= MEMORY_QUEUE);
        assert_eq!(ready(answerer.next_event()), LinkEvent::Open);
        assert_eq!(
            ready(answerer.next_event()),
            LinkEvent::Message(0usize.to_be_bytes().to_vec())
        );
        assert!(
            offerer.send(vec![0]).now_or_never().is_some(),
            "room again after a read"
        );
    }

    #[test]
    fn closing_reaches_the_peer_and_stops_sends() {
        let (offerer, answerer) = pair(false);
        offerer.close();
        assert_eq!(ready(answerer.next_event()), LinkEvent::Open);
        assert_eq!(ready(answerer.next_event()), LinkEvent::Closed);
        assert_eq!(ready(offerer.send(vec![1])), Err(TransportError::Closed));
        assert_eq!(ready(answerer.send(vec![1])), Err(TransportError::Closed));
    }

    /// A frame that arrives while `Open` is still queued must not overtake it: the engine drops
    /// frames of a link it has not seen open (this lost `@_hsready`s under load).
    #[test]
    fn open_always_comes_before_the_first_frame() {
        let (offerer, answerer) = pair(true);
        ready(answerer.send(vec![7])).unwrap();
        assert!(matches!(
            ready(offerer.next_event()),
            LinkEvent::LocalCandidate(_)
        ));
        assert_eq!(ready(offerer.next_event()), LinkEvent::Open);
        assert_eq!(ready(offerer.next_event()), LinkEvent::Message(vec![7]));
    }

    #[test]
    fn flush_waits_until_the_peer_has_read_everything() {
        let (offerer, answerer) = pair(false);
        assert_eq!(ready(offerer.flush()), Ok(()), "nothing sent yet");
        ready(offerer.send(vec![1])).unwrap();
        ready(offerer.send(vec![2])).unwrap();
        assert!(
            offerer.flush().now_or_never().is_none(),
            "two frames unread"
        );
        assert_eq!(ready(answerer.next_event()), LinkEvent::Open);
        assert_eq!(ready(answerer.next_event()), LinkEvent::Message(vec![1]));
        assert!(offerer.flush().now_or_never().is_none(), "one frame unread");
        assert_eq!(ready(answerer.next_event()), LinkEvent::Message(vec![2]));
        assert_eq!(ready(offerer.flush()), Ok(()));
    }

    #[test]
    fn flush_fails_when_the_peer_closes_with_frames_unread() {
        let (offerer, answerer) = pair(false);
        ready(offerer.send(vec![1])).unwrap();
        answerer.close();
        assert_eq!(ready(offerer.flush()), Err(TransportError::Closed));
    }

    #[test]
    fn bad_sdp_is_a_typed_error() {
        let network = MemoryTransport::new();
        let options = LinkOptions::default();
        assert!(matches!(
            ready(network.accept_offer("v=0", &options)),
            Err(TransportError::InvalidSdp(_))
        ));
        assert!(matches!(
            ready(network.accept_offer("memory-offer:99", &options)),
            Err(TransportError::InvalidSdp(_))
        ));
        let (offerer, _) = ready(network.create_offer(&options)).unwrap();
        assert!(matches!(
            ready(offerer.apply_answer("memory-answer:7")),
            Err(TransportError::InvalidSdp(_))
        ));
    }
}
