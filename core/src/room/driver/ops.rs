//! The futures the driver loop polls besides its own work: link readers and writers, candidate
//! application, and [`Transfer`]s (one user send to one peer, with back-pressure).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_channel::mpsc::Receiver;
use futures_channel::oneshot;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{FuturesUnordered, StreamExt};

use super::{Done, RoomError, SendProgress};
use crate::id::{PeerId, RoomToken};
use crate::room::LinkId;
use crate::room::signaling::IceCandidate;
use crate::time::{Clock, Millis};
use crate::transport::{PeerLink, TransportError};
use crate::wire::{ActionType, JsonText, Payload, chunks, encode_room_frame_chunk};

/// Reads one event of a link.
pub(super) fn pump<L: PeerLink, D: Send + 'static>(
    id: LinkId,
    link: Arc<L>,
) -> BoxFuture<'static, Done<D>>
where
    Done<D>: Send,
{
    async move { Done::Event(id, link.next_event().await) }.boxed()
}

pub(super) fn add_candidate<L: PeerLink, D>(
    link: Arc<L>,
    candidate: IceCandidate,
) -> BoxFuture<'static, Done<D>>
where
    Done<D>: Send,
{
    async move {
        // Candidates that do not apply are dropped, as in JS.
        let _ = link.add_candidate(&candidate).await;
        Done::Nothing
    }
    .boxed()
}

/// What a link's writer does next, in order.
pub(super) enum Write {
    /// Send one engine frame.
    Frame(Vec<u8>),
    /// Wait until the peer has everything sent so far (the frames before this one, and every
    /// user chunk already handed to the link), then answer.
    Flush(oneshot::Sender<Result<(), TransportError>>),
}

/// Writes the engine's frames to a link, in order, until the link or the driver goes away.
pub(super) fn write_frames<L: PeerLink, D>(
    link: Arc<L>,
    mut writes: Receiver<Write>,
    sent: Arc<AtomicU64>,
) -> BoxFuture<'static, Done<D>>
where
    Done<D>: Send,
{
    async move {
        while let Some(write) = writes.next().await {
            match write {
                Write::Frame(frame) => {
                    let length = frame.len() as u64;
                    if link.send(frame).await.is_err() {
                        break;
                    }
                    sent.fetch_add(length, Ordering::Relaxed);
                }
                Write::Flush(reply) => {
                    let _ = reply.send(link.flush().await);
                }
            }
        }
        // Flushes still queued are dropped: their waiters see the link gone.
        Done::Nothing
    }
    .boxed()
}

/// A link writer's answer to a [`Write::Flush`].
pub(super) type FlushWait = oneshot::Receiver<Result<(), TransportError>>;

/// Waits, until `deadline`, for every peer's flush of what was `sent`, then for the flushes of
/// the `goodbyes` (the leave frames) without judging them. The first peer whose link closed
/// before it had what was sent is a [`RoomError::PeerLeft`]; a peer still unconfirmed at the
/// deadline a [`RoomError::FlushTimeout`].
pub(super) async fn flush_all<C: Clock>(
    sent: Vec<(PeerId, FlushWait)>,
    goodbyes: Vec<(PeerId, FlushWait)>,
    clock: C,
    deadline: Millis,
) -> Result<(), RoomError> {
    let mut remaining: BTreeSet<PeerId> = sent.iter().map(|(peer, _)| *peer).collect();
    let mut pending: FuturesUnordered<_> = sent
        .into_iter()
        .map(|(peer, wait)| async move { (peer, wait.await) })
        .collect();
    let mut sleep = std::pin::pin!(clock.sleep_until(deadline).fuse());
    let mut failure = None;
    loop {
        futures_util::select! {
            done = pending.next() => match done {
                None => break,
                Some((peer, outcome)) => {
                    remaining.remove(&peer);
                    if !matches!(outcome, Ok(Ok(()))) {
                        failure.get_or_insert(RoomError::PeerLeft(peer));
                    }
                }
            },
            () = sleep => {
                if let Some(peer) = remaining.first() {
                    return Err(RoomError::FlushTimeout(*peer));
                }
                break;
            }
        }
    }
    let mut goodbyes = std::pin::pin!(
        futures_util::future::join_all(goodbyes.into_iter().map(|(_, wait)| wait)).fuse()
    );
    futures_util::select! {
        _ = goodbyes => {},
        () = sleep => {},
    }
    failure.map_or(Ok(()), Err)
}

/// One transmission to one target.
pub(super) struct Transfer<L> {
    pub(super) link: Arc<L>,
    pub(super) alive: Arc<AtomicBool>,
    pub(super) active: Arc<AtomicBool>,
    pub(super) peer: PeerId,
    pub(super) room: RoomToken,
    pub(super) action: ActionType,
    pub(super) nonce: u16,
    pub(super) payload: Arc<Payload>,
    pub(super) metadata: Arc<Option<JsonText>>,
    pub(super) progress: Option<SendProgress>,
    /// The link's count of bytes sent.
    pub(super) sent: Arc<AtomicU64>,
    /// The link's unordered channel is open and the sender prefers it.
    pub(super) unordered: bool,
}

impl<L: PeerLink> Transfer<L> {
    /// Streams the chunks with back-pressure, stopping if the target leaves.
    pub(super) async fn run(self) -> Result<(), RoomError> {
        let chunks = chunks(
            self.action,
            self.nonce,
            self.payload.kind(),
            self.payload.as_bytes(),
            self.metadata.as_ref().as_ref(),
        );
        let mut chunks = chunks.peekable();
        if self.unordered
            && let Some(first) = chunks.peek()
            && first.header.flags.is_last()
        {
            // A whole message in one frame: on the unordered channel if it fits a datagram.
            let mut frame = Vec::new();
            encode_room_frame_chunk(&self.room, first, &mut frame);
            let length = frame.len() as u64;
            if frame.len() <= crate::room::send::MAX_UNORDERED_FRAME
                && self.alive.load(Ordering::SeqCst)
                && self.active.load(Ordering::SeqCst)
                && self.link.send_unordered(frame).await.is_ok()
            {
                self.sent.fetch_add(length, Ordering::Relaxed);
                if let Some(progress) = &self.progress {
                    progress(self.peer, first.header.progress);
                }
                return Ok(());
            }
        }
        for chunk in chunks {
            if !self.alive.load(Ordering::SeqCst) || !self.active.load(Ordering::SeqCst) {
                return Err(RoomError::PeerLeft(self.peer));
            }
            let mut frame = Vec::new();
            encode_room_frame_chunk(&self.room, &chunk, &mut frame);
            let length = frame.len() as u64;
            self.link
                .send(frame)
                .await
                .map_err(|_| RoomError::PeerLeft(self.peer))?;
            self.sent.fetch_add(length, Ordering::Relaxed);
            if let Some(progress) = &self.progress {
                progress(self.peer, chunk.header.progress);
            }
        }
        Ok(())
    }
}
