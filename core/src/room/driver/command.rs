//! What the driver does for each user [`Command`]: join, leave, send (as a [`Transfer`] future),
//! ping, request and the queries behind the handles.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_channel::oneshot;
use futures_util::future::{BoxFuture, FutureExt, join_all};
use futures_util::stream::FuturesUnordered;

use super::super::EngineError;
use super::super::handle::{Command, JoinCommand, RequestCommand, SendCommand};
use super::super::request::{REQUEST_ID_LEN, RequestError, request_metadata};
use super::super::signaling::{RoomSignaling, Step};
use super::ops::{FlushWait, Transfer, Write, flush_all};
use super::{Driver, PeerInfo, PendingRequest, RoomError, RoomState, RoomStats};
use crate::id::{PeerId, RoomToken, random_id_with};
use crate::room::LinkId;
use crate::signaler::{Signaler, SignalingStyle};
use crate::time::{Clock, Millis};
use crate::transport::{LinkOptions, PeerLink, PeerTransport};

impl<S: Signaler, T: PeerTransport, C: Clock + Clone> Driver<S, T, C> {
    /// Leaves `room`: `@_leave` and presence 0 to its peers, then (as a future in `transfers`)
    /// waits until each peer has every frame sent to it, at most `leave_flush_timeout`.
    async fn leave(
        &mut self,
        room: RoomToken,
        reply: Option<oneshot::Sender<Result<(), RoomError>>>,
        transfers: &mut FuturesUnordered<BoxFuture<'static, ()>>,
    ) {
        let now = self.clock.now();
        let span = self.room_span(room);
        tracing::info!(parent: &span, "leaving");
        // First what the user sent: the flush that decides the outcome. Then the leave frames,
        // flushed too (so they are not lost if the process exits next), best effort.
        let sessions = self.engine.sessions(room);
        let sent = self.request_flushes(&sessions);
        let _ = self.engine.leave(now, room);
        while let Some(output) = self.engine.poll_output() {
            self.carry_engine(output);
        }
        let goodbyes = self.request_flushes(&sessions);
        if let Some(mut state) = self.rooms.remove(&room) {
            // Links held back for this room's listeners are read again (other rooms may use
            // them; `flush` reads them).
            self.reread.append(&mut state.paused);
            for link in state.signaling.unbound_links() {
                self.close_link(link);
            }
            for topic in state.signaling.topics() {
                let _ = self.signaler.unsubscribe(&topic).await;
            }
        }
        self.active.retain(|(token, _), flag| {
            let keep = *token != room;
            if !keep {
                flag.store(false, Ordering::SeqCst);
            }
            keep
        });
        let clock = self.clock.clone();
        let deadline = now.after(self.leave_flush_timeout);
        transfers.push(
            async move {
                let outcome = flush_all(sent, goodbyes, clock, deadline).await;
                match &outcome {
                    Ok(()) => tracing::debug!(parent: &span, "left; every peer has what was sent"),
                    Err(error) => {
                        tracing::warn!(parent: &span, %error, "left without confirmation")
                    }
                }
                if let Some(reply) = reply {
                    let _ = reply.send(outcome);
                }
            }
            .boxed(),
        );
    }

    /// Asks each session's link writer to flush after what is queued now.
    fn request_flushes(&mut self, sessions: &[(PeerId, LinkId)]) -> Vec<(PeerId, FlushWait)> {
        sessions
            .iter()
            .filter_map(|(peer, link)| {
                let state = self.links.get_mut(link)?;
                let (done, wait) = oneshot::channel();
                match state.writer.try_send(Write::Flush(done)) {
                    Err(error) if error.is_disconnected() => None,
                    // Full: `done` went with the refused message, so the wait ends in an error.
                    _ => Some((*peer, wait)),
                }
            })
            .collect()
    }

    pub(super) async fn on_command(
        &mut self,
        command: Command,
        transfers: &mut FuturesUnordered<BoxFuture<'static, ()>>,
    ) {
        let now = self.clock.now();
        match command {
            Command::Join(join) => self.on_join(now, join),
            Command::Send(send) => self.on_send(send, transfers),
            Command::Peers { room, reply } => self.on_peers(room, reply, transfers),
            Command::Request(request) => self.on_request(now, request, transfers),
            Command::Leave { room, reply } => self.leave(room, Some(reply), transfers).await,
            Command::Release { room, handle } => {
                let Some(state) = self.rooms.get_mut(&room) else {
                    return;
                };
                if state.handles.remove(&handle) && state.handles.is_empty() {
                    self.leave(room, None, transfers).await;
                }
            }
            Command::Ping { room, peer, reply } => match self.engine.ping(now, room, peer) {
                Ok(()) => self.pings.entry((room, peer)).or_default().push_back(reply),
                Err(error) => {
                    let _ = reply.send(Err(error.into()));
                }
            },
            Command::PauseReconnection(paused) => {
                if paused {
                    self.signaler.pause_reconnection();
                } else {
                    self.signaler.resume_reconnection();
                }
            }
            Command::RelaySockets { reply } => {
                let _ = reply.send(self.signaler.relay_sockets());
            }
            Command::Stats { room, reply } => {
                let _ = reply.send(self.stats(room));
            }
            Command::Subscribe {
                room,
                action,
                events,
                reply,
            } => {
                let result = match self.rooms.get_mut(&room) {
                    Some(state) => {
                        state.actions.entry(action).or_default().push(events);
                        Ok(())
                    }
                    None => Err(RoomError::Engine(EngineError::UnknownRoom(room))),
                };
                let _ = reply.send(result);
            }
        }
    }

    /// Joins a room, or adds a handle to one already joined.
    fn on_join(&mut self, now: Millis, command: JoinCommand) {
        let JoinCommand {
            keys,
            config,
            span,
            events,
            reply,
        } = command;
        let token = keys.token();
        let handle = self.next_handle;
        self.next_handle += 1;
        if let Some(room) = self.rooms.get_mut(&token) {
            room.events.push(events);
            room.handles.insert(handle);
            let _ = reply.send(Ok((token, handle)));
            return;
        }
        let result = self
            .engine
            .join(now, keys.clone(), config.handshake_timeout());
        if let Err(error) = result {
            let _ = reply.send(Err(error));
            return;
        }
        let has_turn = config
            .ice_servers()
            .iter()
            .any(|server| server.urls.iter().any(|url| url.starts_with("turn")));
        let mut out = Vec::new();
        let style = self.signaler.style();
        let signaling = RoomSignaling::start(
            style,
            &mut Step {
                now,
                links: &mut self.link_ids,
                random: &mut self.random,
                out: &mut out,
            },
            self.engine.self_id(),
            keys.clone(),
            config.passive(),
            has_turn,
        );
        // Trackers carry no candidates: every SDP holds them all (§4.3).
        let trickle = style == SignalingStyle::Topics && config.trickle_ice().unwrap_or(true);
        self.rooms.insert(
            token,
            RoomState {
                signaling,
                options: LinkOptions {
                    ice_servers: config.ice_servers().to_vec(),
                    trickle,
                    relay_only: config.relay_only(),
                },
                events: vec![events],
                span: span.clone(),
                handles: BTreeSet::from([handle]),
                actions: BTreeMap::new(),
                paused: Vec::new(),
                waiting: false,
            },
        );
        self.signaling_out.push((token, out));
        tracing::info!(parent: &span, %token, ?style, trickle, "joined; announcing");
        let _ = reply.send(Ok((token, handle)));
    }

    /// Streams a payload to each target as its own transfer; replies once all are handed over.
    fn on_send(
        &mut self,
        command: SendCommand,
        transfers: &mut FuturesUnordered<BoxFuture<'static, ()>>,
    ) {
        let SendCommand {
            room,
            action,
            payload,
            metadata,
            targets,
            progress,
            unordered,
            reply,
        } = command;
        match self.engine.prepare_send(room, action, targets.as_deref()) {
            Err(error) => {
                let _ = reply.send(Err(error.into()));
            }
            Ok(transmission) => {
                let payload = Arc::new(payload);
                let metadata = Arc::new(metadata);
                let sends: Vec<_> = transmission
                    .targets
                    .iter()
                    .filter_map(|(peer, link)| {
                        let state = self.links.get(link)?;
                        let active = self.active.get(&(room, *peer))?.clone();
                        let transfer = Transfer {
                            link: state.link.clone(),
                            alive: state.alive.clone(),
                            active,
                            peer: *peer,
                            room,
                            action,
                            nonce: transmission.nonce,
                            payload: payload.clone(),
                            metadata: metadata.clone(),
                            progress: progress.clone(),
                            sent: state.sent.clone(),
                            unordered: unordered && self.engine.is_unordered_open(*link),
                        };
                        Some(transfer.run())
                    })
                    .collect();
                transfers.push(
                    async move {
                        let results = join_all(sends).await;
                        let outcome = results.into_iter().collect::<Result<Vec<()>, _>>();
                        let _ = reply.send(outcome.map(|_| ()));
                    }
                    .boxed(),
                );
            }
        }
    }

    /// What `room` holds (the handle adds its own queue's length).
    fn stats(&self, room: RoomToken) -> RoomStats {
        RoomStats {
            peers: self.engine.peers(room).len(),
            links: self.links.values().filter(|link| link.room == room).count(),
            incoming_transfers: self.engine.incoming_transfers(room),
            buffered_bytes: self.engine.buffered_bytes(room),
            pending_pings: self
                .pings
                .iter()
                .filter(|((token, _), _)| *token == room)
                .map(|(_, replies)| replies.len())
                .sum(),
            pending_requests: self
                .requests
                .values()
                .filter(|request| request.room == room)
                .count(),
            queued_events: 0,
        }
    }

    /// Each active peer's [`PeerInfo`], once every link reported its stats.
    fn on_peers(
        &mut self,
        room: RoomToken,
        reply: oneshot::Sender<Vec<PeerInfo>>,
        transfers: &mut FuturesUnordered<BoxFuture<'static, ()>>,
    ) {
        let active = self.engine.peers(room);
        let links: Vec<_> = self
            .engine
            .sessions(room)
            .into_iter()
            .filter(|(peer, _)| active.contains(peer))
            .filter_map(|(peer, link)| {
                let state = self.links.get(&link)?;
                let pinged = self.last_rtt.get(&(room, peer)).copied();
                Some((
                    peer,
                    state.link.clone(),
                    state.sent.clone(),
                    state.received,
                    (pinged, self.engine.is_unordered_open(link)),
                ))
            })
            .collect();
        transfers.push(
            async move {
                let mut peers = Vec::with_capacity(links.len());
                for (id, link, sent, received, (pinged, unordered)) in links {
                    let stats = link.stats().await;
                    peers.push(PeerInfo {
                        id,
                        rtt: stats.rtt.or(pinged),
                        bytes_sent: sent.load(Ordering::Relaxed),
                        bytes_received: received,
                        candidate: stats.candidate,
                        unordered,
                    });
                }
                let _ = reply.send(peers);
            }
            .boxed(),
        );
    }

    /// Sends a request as a transfer and remembers it until its response or its deadline.
    fn on_request(
        &mut self,
        now: Millis,
        command: RequestCommand,
        transfers: &mut FuturesUnordered<BoxFuture<'static, ()>>,
    ) {
        let RequestCommand {
            room,
            action,
            payload,
            metadata,
            target,
            timeout,
            reply,
        } = command;
        let id = match random_id_with(&mut self.random, REQUEST_ID_LEN) {
            Ok(id) => id,
            Err(error) => {
                let _ = reply.send(Err(RequestError::NotSent(error.to_string())));
                return;
            }
        };
        let transmission = match self.engine.prepare_send(room, action, Some(&[target])) {
            Ok(transmission) => transmission,
            Err(error) => {
                let _ = reply.send(Err(RequestError::NotSent(error.to_string())));
                return;
            }
        };
        let Some((state, active)) = self
            .links
            .get(&transmission.targets[0].1)
            .zip(self.active.get(&(room, target)))
        else {
            let _ = reply.send(Err(RequestError::Disconnected));
            return;
        };
        let transfer = Transfer {
            link: state.link.clone(),
            alive: state.alive.clone(),
            active: active.clone(),
            peer: target,
            room,
            action,
            nonce: transmission.nonce,
            payload: Arc::new(payload),
            metadata: Arc::new(Some(request_metadata(&id, metadata.as_ref()))),
            progress: None,
            sent: state.sent.clone(),
            unordered: false,
        };
        self.requests.insert(
            id,
            PendingRequest {
                room,
                peer: target,
                deadline: now.after(timeout),
                reply,
            },
        );
        transfers.push(
            async move {
                // A failed send shows up as the peer leaving or as the timeout.
                let _ = transfer.run().await;
            }
            .boxed(),
        );
    }
}
