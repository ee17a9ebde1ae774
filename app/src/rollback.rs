//! Rollback over a room: `trystero-netcode`'s [`Socket`] port on a room action, so a
//! [`P2PSession`](trystero_netcode::P2PSession) addressed by [`PeerId`]s runs over the room's
//! WebRTC data channels.
//!
//! Datagrams travel as binary payloads of one action (default `"rollback"`). A task owns the
//! action: it forwards what arrives to [`RoomSocket::receive`] and sends what
//! [`RoomSocket::send_to`] queues, so the session's once-per-frame calls never wait. Sends
//! prefer the connection's second channel, unordered and without retransmissions
//! ([`Sending::unordered`](trystero_core::room::send::Sending::unordered)): between two
//! trystero-rs peers a lost datagram costs nothing (every message repeats the inputs not yet
//! acknowledged), where the reliable channel would hold back every input behind it. To a
//! Trystero JS peer they go on its one reliable channel.

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;
use trystero_core::room::Room;
use trystero_core::room::action::{ActionError, Message};
use trystero_netcode::Socket;

use crate::PeerId;

/// The default action name for rollback datagrams.
pub const ACTION: &str = "rollback";

/// A [`Socket`] over one action of a room. Must be made inside a tokio runtime.
#[derive(Debug)]
pub struct RoomSocket {
    outgoing: UnboundedSender<(PeerId, Vec<u8>)>,
    incoming: UnboundedReceiver<(PeerId, Vec<u8>)>,
    task: JoinHandle<()>,
}

impl RoomSocket {
    /// Takes over the action `name` of `room` (its messages no longer reach other listeners).
    pub async fn new(room: &Room, name: &str) -> Result<Self, ActionError> {
        let mut action = room.make_action::<Vec<u8>>(name).await?;
        let (outgoing, mut to_send) = unbounded_channel::<(PeerId, Vec<u8>)>();
        let (received, incoming) = unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = action.recv() => match message {
                        Some(Message { peer, value, .. }) => {
                            if received.send((peer, value)).is_err() {
                                return;
                            }
                        }
                        None => return,
                    },
                    datagram = to_send.recv() => match datagram {
                        // A peer that left makes the send fail: the session's liveness
                        // check notices the silence.
                        Some((peer, bytes)) => {
                            let _ = action.send(&bytes).to(peer).unordered().await;
                        }
                        None => return,
                    },
                }
            }
        });
        Ok(Self {
            outgoing,
            incoming,
            task,
        })
    }
}

impl Socket<PeerId> for RoomSocket {
    fn send_to(&mut self, to: &PeerId, bytes: &[u8]) {
        let _ = self.outgoing.send((*to, bytes.to_vec()));
    }

    fn receive(&mut self, into: &mut Vec<(PeerId, Vec<u8>)>) {
        while let Ok(datagram) = self.incoming.try_recv() {
            into.push(datagram);
        }
    }
}

impl Drop for RoomSocket {
    fn drop(&mut self) {
        self.task.abort();
    }
}
