//! [`WebRtcTransport`] and [`WebRtcLink`]: core's `PeerTransport` / `PeerLink` on webrtc-rs. What
//! the link's parts share (event queues, channel pumps, the connection's event handler) is in
//! `shared.rs`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::BytesMut;
use futures_util::lock::Mutex as AsyncMutex;
use tokio::sync::mpsc::{Receiver, UnboundedReceiver, channel, unbounded_channel};
use tokio::sync::{Notify, watch};
use trystero_core::config::IceServer;
use trystero_core::room::signaling::message::IceCandidate;
use trystero_core::transport::{
    BUFFERED_AMOUNT_LOW, CandidateType, LinkEvent, LinkOptions, LinkStats, PeerLink, PeerTransport,
    TransportError, UNORDERED_LABEL,
};
use webrtc::data_channel::{DataChannel, RTCDataChannelInit};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, RTCConfigurationBuilder, RTCIceCandidateInit,
    RTCIceCandidateType, RTCIceGatheringState, RTCIceServer, RTCIceTransportPolicy,
    RTCPeerConnectionState, RTCSessionDescription, RTCStatsReportEntry, SettingEngineBuilder,
    StatsSelector,
};
use webrtc::runtime::{Runtime, TokioRuntime};

use crate::runtime::ReceiveBufferRuntime;

mod shared;

use shared::{Handler, Shared};

/// How long a non-trickle description waits for ICE gathering (JS: 15 s).
const GATHERING_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a trickle description waits for gathering before going out anyway. Host candidates
/// gather in milliseconds; putting them in the SDP matters because Trystero JS drops candidates
/// that reach it before it has applied the description they belong to.
const TRICKLE_GATHERING_WAIT: Duration = Duration::from_millis(500);
/// Messages that may wait for the link's owner. When they do, the channel's reader stops, and
/// webrtc-rs carries the back-pressure into SCTP's receive window: the peer's sends wait.
pub(crate) const INBOUND_QUEUE: usize = 64;
/// How long a connection may stay disconnected before it counts as lost (JS: 5 s).
const DISCONNECTED_GRACE: Duration = Duration::from_secs(5);

/// Settings of the WebRTC stack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebRtcConfig {
    /// Local UDP addresses to bind (port 0 for any). `0.0.0.0:0` binds every interface but
    /// yields no loopback candidate; tests use `127.0.0.1:0`.
    pub udp_addrs: Vec<String>,
    /// `SO_RCVBUF` for every UDP socket, in bytes (0: the system default).
    pub receive_buffer: usize,
    /// ICE connectivity-check interval (webrtc-rs default 200 ms).
    pub check_interval: Duration,
    /// ICE keepalive interval; it also paces the DTLS, SCTP and channel-open packets queued
    /// after ICE connects (webrtc-rs default 2 s, capped to 200 ms per tick).
    pub keepalive: Duration,
    /// How long to wait before accepting a peer-reflexive pair (webrtc-rs default 1 s).
    pub prflx_wait: Duration,
    /// The buffered-amount-low threshold that wakes a waiting sender. Kept well below the
    /// 65 535-byte high-water mark: the two are measured by different counters.
    pub low_threshold: u32,
}

impl Default for WebRtcConfig {
    fn default() -> Self {
        Self {
            udp_addrs: vec!["0.0.0.0:0".into()],
            receive_buffer: 4 << 20,
            check_interval: Duration::from_millis(10),
            // 50 ms, not less: with a 30 ms keepalive or shorter, libdatachannel (Trystero on
            // Node) answering our offer never leaves ICE "checking" (measured; 50 ms works).
            keepalive: Duration::from_millis(50),
            prflx_wait: Duration::ZERO,
            low_threshold: 16 * 1024,
        }
    }
}

impl WebRtcConfig {
    /// Bound to 127.0.0.1 only: for tests and same-machine peers.
    pub fn loopback() -> Self {
        Self {
            udp_addrs: vec!["127.0.0.1:0".into()],
            ..Self::default()
        }
    }
}

/// Makes WebRTC connections. Must be used inside a tokio runtime.
#[derive(Clone)]
pub struct WebRtcTransport {
    config: WebRtcConfig,
    runtime: Arc<dyn Runtime>,
}

impl std::fmt::Debug for WebRtcTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebRtcTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl WebRtcTransport {
    /// A transport with these settings.
    pub fn new(config: WebRtcConfig) -> Self {
        let runtime: Arc<dyn Runtime> = Arc::new(ReceiveBufferRuntime {
            inner: TokioRuntime,
            receive_buffer: config.receive_buffer,
        });
        Self { config, runtime }
    }

    async fn build(&self, options: &LinkOptions) -> Result<WebRtcLink, TransportError> {
        let shared = Arc::new(Shared {
            events: Mutex::new(None),
            data: Mutex::new(None),
            channel: Mutex::new(None),
            unordered: Mutex::new(None),
            unordered_open: AtomicBool::new(false),
            low: Notify::new(),
            closed: AtomicBool::new(false),
            open: AtomicBool::new(false),
            low_threshold: self.config.low_threshold,
        });
        let (events, control) = unbounded_channel();
        *shared.lock_events() = Some(events);
        let (data, messages) = channel(INBOUND_QUEUE);
        *shared.data.lock().unwrap_or_else(PoisonError::into_inner) = Some(data);
        let (gathering, gathered) = watch::channel(RTCIceGatheringState::New);
        let handler = Arc::new(Handler {
            shared: shared.clone(),
            gathering,
            state: watch::channel(RTCPeerConnectionState::New).0,
            trickle: options.trickle,
            // The caller's span (the room's): the connection's state changes are logged there.
            span: tracing::debug_span!("webrtc"),
        });
        let settings = SettingEngineBuilder::new()
            .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled)
            .with_ice_connection_attempts(Some(self.config.check_interval), None)
            .with_prflx_acceptance_min_wait(Some(self.config.prflx_wait))
            .with_ice_timeouts(None, None, Some(self.config.keepalive))
            .build();
        let mut configuration =
            RTCConfigurationBuilder::new().with_ice_servers(ice_servers(&options.ice_servers));
        if options.relay_only {
            configuration = configuration.with_ice_transport_policy(RTCIceTransportPolicy::Relay);
        }
        let connection = PeerConnectionBuilder::new()
            .with_configuration(configuration.build())
            .with_setting_engine(settings)
            .with_runtime(self.runtime.clone())
            .with_handler(handler)
            .with_udp_addrs(self.config.udp_addrs.clone())
            .build()
            .await
            .map_err(other)?;
        Ok(WebRtcLink {
            connection: Arc::new(connection),
            shared,
            events: AsyncMutex::new(Inbox { control, messages }),
            gathered,
            remote_set: AtomicBool::new(false),
            early_candidates: Mutex::new(Vec::new()),
            trickle: options.trickle,
        })
    }
}

fn other(error: impl std::fmt::Display) -> TransportError {
    TransportError::Other(error.to_string())
}

fn ice_servers(servers: &[IceServer]) -> Vec<RTCIceServer> {
    servers
        .iter()
        .map(|server| RTCIceServer {
            urls: server.urls.clone(),
            username: server.username.clone().unwrap_or_default(),
            credential: server.credential.clone().unwrap_or_default(),
        })
        .collect()
}

/// What the link's owner reads: control events first, then messages.
struct Inbox {
    control: UnboundedReceiver<LinkEvent>,
    messages: Receiver<LinkEvent>,
}

/// One WebRTC connection with its `data` channel.
pub struct WebRtcLink {
    connection: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
    events: AsyncMutex<Inbox>,
    gathered: watch::Receiver<RTCIceGatheringState>,
    remote_set: AtomicBool,
    early_candidates: Mutex<Vec<RTCIceCandidateInit>>,
    trickle: bool,
}

impl std::fmt::Debug for WebRtcLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebRtcLink")
            .field("closed", &self.shared.closed.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl WebRtcLink {
    /// The local description, after gathering completed when trickle ICE is off.
    async fn local_sdp(&self) -> Result<String, TransportError> {
        let wait = if self.trickle {
            TRICKLE_GATHERING_WAIT
        } else {
            GATHERING_TIMEOUT
        };
        let mut gathered = self.gathered.clone();
        let complete = gathered.wait_for(|state| *state == RTCIceGatheringState::Complete);
        // After the wait the description goes out with whatever was gathered (as in JS).
        let _ = tokio::time::timeout(wait, complete).await;
        let sdp = self
            .connection
            .local_description()
            .await
            .map(|description| description.sdp)
            .ok_or_else(|| TransportError::Other("no local description".into()))?;
        let sdp = without_rtcp_candidates(&sdp);
        Ok(if self.trickle {
            announce_trickle(&sdp)
        } else {
            sdp
        })
    }

    async fn remote_description_set(&self) -> Result<(), TransportError> {
        self.remote_set.store(true, Ordering::SeqCst);
        self.kick_until_open();
        let early = std::mem::take(
            &mut *self
                .early_candidates
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for candidate in early {
            // A candidate that does not apply is dropped, as in JS.
            let _ = self.connection.add_ice_candidate(candidate).await;
        }
        Ok(())
    }
}

/// Drops component-2 (RTCP) candidate lines: a data channel is RTCP-muxed and bundled, only
/// component 1 exists, and libdatachannel does not expect the others.
fn without_rtcp_candidates(sdp: &str) -> String {
    sdp.split_inclusive("\r\n")
        .filter(|line| {
            let mut fields = line.split_whitespace();
            !(fields.next().is_some_and(|f| f.starts_with("a=candidate:"))
                && fields.next() == Some("2"))
        })
        .collect()
}

/// Adds `a=ice-options:trickle` at session level when missing. webrtc-rs omits it, and without
/// it libdatachannel (Trystero on Node) takes the description's candidates as final: an offer
/// sent before gathering then never connects, whatever candidates follow.
fn announce_trickle(sdp: &str) -> String {
    if sdp.contains("a=ice-options:") {
        return sdp.to_owned();
    }
    match sdp.find("\r\nt=") {
        Some(at) => {
            let line_end = sdp[at + 2..]
                .find("\r\n")
                .map_or(sdp.len(), |end| at + 2 + end + 2);
            let mut out = String::with_capacity(sdp.len() + 24);
            out.push_str(&sdp[..line_end]);
            out.push_str("a=ice-options:trickle\r\n");
            out.push_str(&sdp[line_end..]);
            out
        }
        None => sdp.to_owned(),
    }
}

/// How often, and for how long at most, the setup kicker wakes the webrtc-rs driver.
const KICK_INTERVAL: Duration = Duration::from_millis(5);
const KICK_FOR: Duration = Duration::from_secs(3);

impl WebRtcLink {
    /// Until the channel opens, wakes the webrtc-rs driver every few milliseconds. The driver
    /// flushes the DTLS, SCTP and channel-open packets it queued only on its next timer tick,
    /// which the ICE keepalive paces; the keepalive cannot go below 50 ms without breaking
    /// libdatachannel peers, so without this each of those steps could wait 50 ms. Re-applying
    /// the unchanged configuration is the crate's only way to wake its driver; it changes
    /// nothing else. Only latency depends on it, never correctness.
    fn kick_until_open(&self) {
        let (connection, shared) = (self.connection.clone(), self.shared.clone());
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let configuration = connection.get_configuration().await;
            let deadline = tokio::time::Instant::now() + KICK_FOR;
            while !shared.open.load(Ordering::SeqCst)
                && !shared.closed.load(Ordering::SeqCst)
                && tokio::time::Instant::now() < deadline
            {
                let _ = connection.set_configuration(configuration.clone()).await;
                tokio::time::sleep(KICK_INTERVAL).await;
            }
        });
    }
}

impl PeerTransport for WebRtcTransport {
    type Link = WebRtcLink;

    async fn create_offer(
        &self,
        options: &LinkOptions,
    ) -> Result<(WebRtcLink, String), TransportError> {
        let link = self.build(options).await?;
        let channel = link
            .connection
            .create_data_channel("data", None)
            .await
            .map_err(other)?;
        link.shared.adopt_channel(channel, false);
        let offer = link.connection.create_offer(None).await.map_err(other)?;
        link.connection
            .set_local_description(offer)
            .await
            .map_err(other)?;
        let sdp = link.local_sdp().await?;
        Ok((link, sdp))
    }

    async fn accept_offer(
        &self,
        offer: &str,
        options: &LinkOptions,
    ) -> Result<(WebRtcLink, String), TransportError> {
        let link = self.build(options).await?;
        let description = RTCSessionDescription::offer(offer.to_owned())
            .map_err(|error| TransportError::InvalidSdp(error.to_string()))?;
        link.connection
            .set_remote_description(description)
            .await
            .map_err(|error| TransportError::InvalidSdp(error.to_string()))?;
        link.remote_description_set().await?;
        let answer = link.connection.create_answer(None).await.map_err(other)?;
        link.connection
            .set_local_description(answer)
            .await
            .map_err(other)?;
        let sdp = link.local_sdp().await?;
        Ok((link, sdp))
    }
}

impl WebRtcLink {
    /// Waits until SCTP holds at most `limit` bytes it has not released (acknowledged), woken
    /// by `OnBufferedAmountLow` and re-checked every `poll_ms` (the low event and
    /// `outstanding_bytes` are different counters); returns the channel.
    async fn outstanding_at_most(
        &self,
        limit: usize,
        poll_ms: u64,
    ) -> Result<Arc<dyn DataChannel>, TransportError> {
        let channel = self
            .shared
            .lock_channel()
            .clone()
            .ok_or(TransportError::Closed)?;
        loop {
            if self.shared.closed.load(Ordering::SeqCst) {
                return Err(TransportError::Closed);
            }
            let outstanding = channel
                .outstanding_bytes()
                .await
                .map_err(|_| TransportError::Closed)?;
            if outstanding <= limit {
                return Ok(channel);
            }
            let wait = Duration::from_millis(poll_ms);
            let _ = tokio::time::timeout(wait, self.shared.low.notified()).await;
        }
    }
}

impl PeerLink for WebRtcLink {
    async fn apply_answer(&self, answer: &str) -> Result<(), TransportError> {
        let description = RTCSessionDescription::answer(answer.to_owned())
            .map_err(|error| TransportError::InvalidSdp(error.to_string()))?;
        self.connection
            .set_remote_description(description)
            .await
            .map_err(|error| TransportError::InvalidSdp(error.to_string()))?;
        self.remote_description_set().await
    }

    async fn add_candidate(&self, candidate: &IceCandidate) -> Result<(), TransportError> {
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate.clone(),
            sdp_mid: candidate.sdp_mid.clone(),
            sdp_mline_index: candidate.sdp_m_line_index,
            username_fragment: candidate.username_fragment.clone(),
            ..RTCIceCandidateInit::default()
        };
        if !self.remote_set.load(Ordering::SeqCst) {
            self.early_candidates
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(init);
            return Ok(());
        }
        self.connection
            .add_ice_candidate(init)
            .await
            .map_err(|error| TransportError::InvalidCandidate(error.to_string()))
    }

    async fn next_event(&self) -> LinkEvent {
        let mut inbox = self.events.lock().await;
        let Inbox { control, messages } = &mut *inbox;
        // Control first: `Open` is queued before the first message, so none overtakes it.
        tokio::select! {
            biased;
            event = control.recv() => match event {
                Some(event) => event,
                // Lost: what already arrived, then `Closed` for good.
                None => messages.try_recv().unwrap_or(LinkEvent::Closed),
            },
            Some(message) = messages.recv() => message,
        }
    }

    async fn send(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        let channel = self.outstanding_at_most(BUFFERED_AMOUNT_LOW, 20).await?;
        channel
            .send(BytesMut::from(&frame[..]))
            .await
            .map_err(|_| TransportError::Closed)
    }

    async fn flush(&self) -> Result<(), TransportError> {
        // Released means acknowledged by the peer (or abandoned, which a reliable channel
        // never does). The low event fires only when crossing its threshold: poll below it.
        self.outstanding_at_most(0, 5).await.map(drop)
    }

    async fn stats(&self) -> LinkStats {
        let report = self
            .connection
            .get_stats(std::time::Instant::now(), StatsSelector::None)
            .await;
        // The pair in use: the transport's selected pair, else a nominated one.
        let selected = report.iter().find_map(|entry| match entry {
            RTCStatsReportEntry::Transport(transport)
                if !transport.selected_candidate_pair_id.is_empty() =>
            {
                Some(transport.selected_candidate_pair_id.clone())
            }
            _ => None,
        });
        let pair = report.iter().find_map(|entry| match entry {
            RTCStatsReportEntry::IceCandidatePair(pair)
                if selected.as_deref() == Some(pair.stats.id.as_str())
                    || (selected.is_none() && pair.nominated) =>
            {
                Some(pair)
            }
            _ => None,
        });
        let Some(pair) = pair else {
            return LinkStats::default();
        };
        let rtt = (pair.current_round_trip_time.is_finite() && pair.current_round_trip_time > 0.0)
            .then(|| Duration::from_secs_f64(pair.current_round_trip_time));
        // webrtc-rs 0.21 names the local candidate entry `RTCLocalIceCandidate_<id>` while the
        // pair refers to it as `<id>`: accept both.
        let local = report.iter().find_map(|entry| match entry {
            RTCStatsReportEntry::LocalCandidate(local)
                if local.stats.id == pair.local_candidate_id
                    || local
                        .stats
                        .id
                        .ends_with(&format!("_{}", pair.local_candidate_id)) =>
            {
                Some(local)
            }
            _ => None,
        });
        let candidate = local.and_then(|local| match local.candidate_type {
            RTCIceCandidateType::Host => Some(CandidateType::Host),
            RTCIceCandidateType::Srflx => Some(CandidateType::ServerReflexive),
            RTCIceCandidateType::Prflx => Some(CandidateType::PeerReflexive),
            RTCIceCandidateType::Relay => Some(CandidateType::Relay),
            _ => None,
        });
        LinkStats { rtt, candidate }
    }

    async fn open_unordered(&self) -> Result<(), TransportError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(TransportError::Closed);
        }
        let options = RTCDataChannelInit {
            ordered: false,
            max_retransmits: Some(0),
            ..RTCDataChannelInit::default()
        };
        let channel = self
            .connection
            .create_data_channel(UNORDERED_LABEL, Some(options))
            .await
            .map_err(other)?;
        self.shared.adopt_unordered(channel, false);
        Ok(())
    }

    async fn send_unordered(&self, frame: Vec<u8>) -> Result<(), TransportError> {
        if self.shared.closed.load(Ordering::SeqCst)
            || !self.shared.unordered_open.load(Ordering::SeqCst)
        {
            return Err(TransportError::Closed);
        }
        let channel = self
            .shared
            .lock_unordered()
            .clone()
            .ok_or(TransportError::Closed)?;
        // Late is worse than lost: with a backlog, drop the frame.
        let backlog = channel
            .outstanding_bytes()
            .await
            .map_err(|_| TransportError::Closed)?;
        if backlog > BUFFERED_AMOUNT_LOW {
            return Ok(());
        }
        channel
            .send(BytesMut::from(&frame[..]))
            .await
            .map_err(|_| TransportError::Closed)
    }

    fn close(&self) {
        self.shared.lost();
        let connection = self.connection.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = connection.close().await;
            });
        }
    }
}

impl Drop for WebRtcLink {
    fn drop(&mut self) {
        if !self.shared.closed.load(Ordering::SeqCst) {
            self.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::announce_trickle;

    #[test]
    fn trickle_is_announced_after_the_timing_line() {
        let sdp = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n";
        assert_eq!(
            announce_trickle(sdp),
            "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-options:trickle\r\na=group:BUNDLE 0\r\n"
        );
        let already = "v=0\r\nt=0 0\r\na=ice-options:trickle\r\n";
        assert_eq!(announce_trickle(already), already);
    }
}
