//! The PulseAudio output without C (feature `pulse`): the `pulseaudio` crate speaks
//! PulseAudio's native protocol in Rust over the server's Unix socket (PipeWire's
//! `pipewire-pulse` answers it too), so this output needs no system library at build time or
//! at run time. The server pulls 20 ms requests; each runs the [`MixerNode`] into stereo f32.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pulseaudio::protocol::stream::{BufferAttr, StreamFlags};
use pulseaudio::protocol::{
    self, ChannelMap, ChannelVolume, PlaybackStreamParams, SampleFormat, SampleSpec,
};
use pulseaudio::{AsPlaybackSource, Client, ClientError, PlaybackStream};
use trystero_core::audio::AudioError;

use crate::engine::MixerNode;
use crate::mixer::{Command, Mixer, Settings};

/// Frames rendered at a time (the scratch buffer is allocated once, before the stream).
const CHUNK: usize = 4_096;
/// Channels: stereo, as the mixer pans.
const CHANNELS: usize = 2;
/// The longest the server may take to create the stream.
const TIMEOUT: Duration = Duration::from_secs(3);
/// How often the server is asked whether it is still there.
const WATCH: Duration = Duration::from_millis(250);

/// A playing stream.
pub(crate) struct Stream {
    /// Stops the watcher.
    stop: Arc<AtomicBool>,
    _stream: PlaybackStream,
    pub(crate) sample_rate: u32,
    pub(crate) name: String,
    /// Frames the server has pulled from the mixer.
    pub(crate) played: Arc<AtomicU64>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("sample_rate", &self.sample_rate)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn client_error(error: ClientError) -> AudioError {
    match error {
        ClientError::ServerUnavailable => AudioError::NoDevice(
            "no PulseAudio server (PULSE_SERVER, or $XDG_RUNTIME_DIR/pulse/native)".into(),
        ),
        ClientError::Io(error) => AudioError::NoDevice(format!("PulseAudio server: {error}")),
        other => AudioError::Device(format!("PulseAudio: {other}")),
    }
}

/// Connects to the server from the environment and starts a stream on its default sink.
pub(crate) fn open(
    settings: Settings,
    commands: rtrb::Consumer<Command>,
    errors: Arc<Mutex<Option<AudioError>>>,
) -> Result<Stream, AudioError> {
    let client = Client::from_env(c"trystero").map_err(client_error)?;
    let sample_rate = settings.sample_rate;
    let mut node = MixerNode::new(commands, Mixer::new(settings));
    let frame_bytes = u32::try_from(CHANNELS * 4).unwrap_or(8);
    let period = sample_rate / 50 * frame_bytes;
    let params = PlaybackStreamParams {
        sample_spec: SampleSpec {
            format: SampleFormat::Float32Le,
            channels: 2,
            sample_rate,
        },
        channel_map: ChannelMap::stereo(),
        cvolume: Some(ChannelVolume::norm(2)),
        sink_name: Some(protocol::DEFAULT_SINK.to_owned()),
        // Two 20 ms periods end to end: a game's sounds must follow its events.
        buffer_attr: BufferAttr {
            target_length: period * 2,
            minimum_request_length: period,
            ..BufferAttr::default()
        },
        flags: StreamFlags {
            adjust_latency: true,
            ..StreamFlags::default()
        },
        ..PlaybackStreamParams::default()
    };
    let played = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&played);
    let mut scratch = vec![0.0f32; CHUNK * CHANNELS];
    let callback = move |out: &mut [u8]| {
        let samples = out.len() / 4;
        let whole = samples - samples % CHANNELS;
        for bytes in out[..whole * 4].chunks_mut(CHUNK * CHANNELS * 4) {
            let floats = &mut scratch[..bytes.len() / 4];
            node.render(floats, CHANNELS);
            for (sample, value) in bytes.chunks_exact_mut(4).zip(floats.iter()) {
                sample.copy_from_slice(&value.clamp(-1.0, 1.0).to_le_bytes());
            }
        }
        out[whole * 4..].fill(0);
        counter.fetch_add((whole / CHANNELS) as u64, Ordering::Relaxed);
        out.len()
    };
    // The server may hang: create the stream on a thread and wait a bounded time.
    let (done, outcome) = std::sync::mpsc::sync_channel(1);
    let creator = client.clone();
    std::thread::spawn(move || {
        let stream = futures_executor::block_on(
            creator.create_playback_stream(params, callback.as_playback_source()),
        );
        let _ = done.send(stream);
    });
    let stream = outcome
        .recv_timeout(TIMEOUT)
        .map_err(|_| AudioError::Device(format!("PulseAudio made no stream in {TIMEOUT:?}")))?
        .map_err(client_error)?;
    let name = format!("PulseAudio sink {}", stream.sink());
    let stop = Arc::new(AtomicBool::new(false));
    watch(client, Arc::clone(&stop), errors);
    Ok(Stream {
        stop,
        _stream: stream,
        sample_rate,
        name,
        played,
    })
}

/// Asks the server every [`WATCH`] whether it is still there, and keeps the first error (the
/// client has no error callback of its own). Ends when the stream is dropped or the server
/// is gone.
fn watch(client: Client, stop: Arc<AtomicBool>, errors: Arc<Mutex<Option<AudioError>>>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(WATCH);
            if let Err(error) = futures_executor::block_on(client.server_info()) {
                if let Ok(mut slot) = errors.lock()
                    && slot.is_none()
                {
                    *slot = Some(AudioError::Device(format!(
                        "PulseAudio server lost: {error}"
                    )));
                }
                return;
            }
        }
    });
}
