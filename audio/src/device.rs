//! The cpal output: the default device (or one by name), a stream whose callback runs the
//! [`MixerNode`], errors kept for the game to read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use trystero_core::audio::AudioError;

use crate::engine::MixerNode;
use crate::mixer::{Command, Mixer, Settings};

/// Frames converted at a time for devices that do not take f32 (preallocated).
const CONVERT: usize = 4_096;

/// A playing stream.
pub(crate) struct Stream {
    _stream: cpal::Stream,
    pub(crate) sample_rate: u32,
    pub(crate) name: String,
    /// Frames the callback has filled.
    pub(crate) played: Arc<AtomicU64>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("sample_rate", &self.sample_rate)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn device_error(error: &cpal::Error) -> AudioError {
    AudioError::Device(error.to_string())
}

/// Opens the device and starts the stream.
pub(crate) fn open(
    name: Option<&str>,
    settings: Settings,
    commands: rtrb::Consumer<Command>,
    errors: Arc<Mutex<Option<AudioError>>>,
) -> Result<Stream, AudioError> {
    let host = cpal::default_host();
    let device = match name {
        None => host.default_output_device().ok_or_else(|| {
            AudioError::NoDevice(format!("{:?} has no default output device", host.id()))
        })?,
        Some(wanted) => host
            .output_devices()
            .map_err(|e| device_error(&e))?
            .find(|device| {
                device
                    .description()
                    .is_ok_and(|d| d.name().contains(wanted))
            })
            .ok_or_else(|| {
                AudioError::NoDevice(format!("no output device named like {wanted:?}"))
            })?,
    };
    let described = device
        .description()
        .map_or_else(|_| "(unnamed)".to_owned(), |d| d.to_string());
    let config = device.default_output_config().map_err(|e| match e.kind() {
        cpal::ErrorKind::DeviceNotAvailable => AudioError::NoDevice(e.to_string()),
        _ => device_error(&e),
    })?;
    let format = config.sample_format();
    // A short fixed buffer (about 20 ms, within what the device allows): a game's sounds must
    // follow its events, and some hosts default to seconds of buffering.
    let frames = match config.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } => {
            Some((config.sample_rate() / 50).clamp(*min, *max))
        }
        cpal::SupportedBufferSize::Unknown => None,
    };
    let mut config = config.config();
    if let Some(frames) = frames {
        config.buffer_size = cpal::BufferSize::Fixed(frames);
    }
    let channels = usize::from(config.channels.max(1));
    let sample_rate = config.sample_rate;
    let node = MixerNode::new(
        commands,
        Mixer::new(Settings {
            sample_rate,
            ..settings
        }),
    );
    let played = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&played);
    let stream = match format {
        SampleFormat::F32 => build::<f32>(&device, &config, node, channels, errors, counter),
        SampleFormat::I16 => build::<i16>(&device, &config, node, channels, errors, counter),
        SampleFormat::I32 => build::<i32>(&device, &config, node, channels, errors, counter),
        SampleFormat::U16 => build::<u16>(&device, &config, node, channels, errors, counter),
        other => Err(AudioError::Device(format!(
            "unsupported sample format {other}"
        ))),
    }?;
    stream.play().map_err(|e| device_error(&e))?;
    Ok(Stream {
        _stream: stream,
        sample_rate,
        name: described,
        played,
    })
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut node: MixerNode,
    channels: usize,
    errors: Arc<Mutex<Option<AudioError>>>,
    played: Arc<AtomicU64>,
) -> Result<cpal::Stream, AudioError>
where
    T: SizedSample + FromSample<f32>,
{
    let mut scratch = vec![0.0f32; CONVERT * channels];
    device
        .build_output_stream::<T, _, _>(
            *config,
            move |out: &mut [T], _| {
                for chunk in out.chunks_mut(CONVERT * channels) {
                    let floats = &mut scratch[..chunk.len()];
                    node.render(floats, channels);
                    for (sample, value) in chunk.iter_mut().zip(floats.iter()) {
                        *sample = T::from_sample(value.clamp(-1.0, 1.0));
                    }
                }
                played.fetch_add((out.len() / channels) as u64, Ordering::Relaxed);
            },
            move |error| {
                if let Ok(mut slot) = errors.lock()
                    && slot.is_none()
                {
                    *slot = Some(device_error(&error));
                }
            },
            None,
        )
        .map_err(|e| device_error(&e))
}
