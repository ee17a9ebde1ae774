//! The futures the driver loop polls besides its own work: link readers and writers, candidate
//! application, and [`Transfer`]s (one user send to one peer, with back-pressure).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_channel::mpsc::UnboundedReceiver;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::StreamExt;

use super::{Done, RoomError, SendProgress};
use crate::id::{PeerId, RoomToken};
use crate::room::LinkId;
use crate::signal::IceCandidate;
use crate::transport::PeerLink;
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

/// Writes the engine's frames to a link, in order, until the link or the driver goes away.
pub(super) fn write_frames<L: PeerLink, D>(
    link: Arc<L>,
    mut frames: UnboundedReceiver<Vec<u8>>,
) -> BoxFuture<'static, Done<D>>
where
    Done<D>: Send,
{
    async move {
        while let Some(frame) = frames.next().await {
            if link.send(frame).await.is_err() {
                break;
            }
        }
        Done::Nothing
    }
    .boxed()
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
        for chunk in chunks {
            if !self.alive.load(Ordering::SeqCst) || !self.active.load(Ordering::SeqCst) {
                return Err(RoomError::PeerLeft(self.peer));
            }
            let mut frame = Vec::new();
            encode_room_frame_chunk(&self.room, &chunk, &mut frame);
            self.link
                .send(frame)
                .await
                .map_err(|_| RoomError::PeerLeft(self.peer))?;
            if let Some(progress) = &self.progress {
                progress(self.peer, chunk.header.progress);
            }
        }
        Ok(())
    }
}
