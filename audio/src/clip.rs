//! Sound data: mono clips, decoded from WAV (`hound`) or Ogg Vorbis (`lewton`).

use std::io::Cursor;
use std::sync::Arc;

use trystero_core::audio::AudioError;

/// A mono sound: samples in −1..1 at a sample rate. Stereo files are mixed down (the mixer
/// places every voice in space itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Samples a second.
    pub sample_rate: u32,
    /// The samples.
    pub samples: Arc<[f32]>,
}

/// The longest sound accepted from a file: 10 minutes at 48 kHz (a hostile file cannot ask
/// for unbounded memory).
pub const MAX_SAMPLES: usize = 48_000 * 600;

impl Clip {
    /// A clip from samples.
    pub fn new(sample_rate: u32, samples: Vec<f32>) -> Self {
        Self {
            sample_rate: sample_rate.max(1),
            samples: samples.into(),
        }
    }

    /// Length in seconds.
    #[allow(clippy::cast_precision_loss)] // durations
    pub fn seconds(&self) -> f32 {
        self.samples.len() as f32 / self.sample_rate as f32
    }

    /// Decodes a WAV (PCM 8–32 bit or float) or an Ogg Vorbis file, by its magic bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, AudioError> {
        if bytes.starts_with(b"RIFF") {
            Self::from_wav(bytes)
        } else if bytes.starts_with(b"OggS") {
            Self::from_ogg(bytes)
        } else {
            Err(AudioError::Decode(
                "neither WAV (RIFF) nor Ogg (OggS)".into(),
            ))
        }
    }

    /// Decodes a WAV file.
    pub fn from_wav(bytes: &[u8]) -> Result<Self, AudioError> {
        let bad = |e: hound::Error| AudioError::Decode(format!("WAV: {e}"));
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).map_err(bad)?;
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        if reader.len() as usize > MAX_SAMPLES * channels {
            return Err(AudioError::Decode(format!(
                "WAV of {} samples (at most {MAX_SAMPLES} a channel)",
                reader.len()
            )));
        }
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader
                .samples::<f32>()
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            hound::SampleFormat::Int => {
                let bits = u32::from(spec.bits_per_sample.clamp(1, 32));
                #[allow(clippy::cast_precision_loss)] // scaling to −1..1
                let scale = 1.0 / (1u64 << (bits - 1)) as f32;
                #[allow(clippy::cast_precision_loss)] // 32-bit samples lose a few bits
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|s| s as f32 * scale))
                    .collect::<Result<_, _>>()
                    .map_err(bad)?
            }
        };
        Ok(Self::new(
            spec.sample_rate,
            mix_down(&interleaved, channels),
        ))
    }

    /// Decodes an Ogg Vorbis file.
    pub fn from_ogg(bytes: &[u8]) -> Result<Self, AudioError> {
        let bad = |e: lewton::VorbisError| AudioError::Decode(format!("Ogg Vorbis: {e}"));
        check_comment_header(bytes)?;
        let mut reader =
            lewton::inside_ogg::OggStreamReader::new(Cursor::new(bytes)).map_err(bad)?;
        let channels = usize::from(reader.ident_hdr.audio_channels.max(1));
        let rate = reader.ident_hdr.audio_sample_rate;
        let mut interleaved: Vec<f32> = Vec::new();
        while let Some(packet) = reader.read_dec_packet_itl().map_err(bad)? {
            if interleaved.len() + packet.len() > MAX_SAMPLES * channels {
                return Err(AudioError::Decode(format!(
                    "Ogg longer than {MAX_SAMPLES} samples"
                )));
            }
            interleaved.extend(packet.iter().map(|s| f32::from(*s) / 32_768.0));
        }
        Ok(Self::new(rate, mix_down(&interleaved, channels)))
    }

    /// Encodes as a 32-bit float mono WAV (for tests and tools).
    pub fn to_wav(&self) -> Result<Vec<u8>, AudioError> {
        let bad = |e: hound::Error| AudioError::Decode(format!("WAV: {e}"));
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: self.sample_rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut out = Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(bad)?;
        for sample in self.samples.iter() {
            writer.write_sample(*sample).map_err(bad)?;
        }
        writer.finalize().map_err(bad)?;
        Ok(out.into_inner())
    }
}

#[allow(clippy::cast_precision_loss)] // channel counts
fn mix_down(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels == 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect()
}

/// lewton reserves room for the comment header's list before reading it, from a count the file
/// gives (`Vec::with_capacity`), so a forged count made the process abort on a failed allocation
/// of up to 200 GB (found by the `audio` fuzz target). The header is checked here first: the
/// vendor string must fit in the packet and every comment takes at least its 4-byte length.
fn check_comment_header(bytes: &[u8]) -> Result<(), AudioError> {
    let bad = |why: &str| AudioError::Decode(format!("Ogg Vorbis: {why}"));
    let mut packets = ogg::PacketReader::new(Cursor::new(bytes));
    // The identification header, then the comment header.
    let mut packet = None;
    for _ in 0..2 {
        packet = packets
            .read_packet()
            .map_err(|error| bad(&error.to_string()))?;
    }
    let Some(packet) = packet else {
        return Err(bad("no comment header"));
    };
    let data = packet.data.as_slice();
    let field = |at: usize| {
        data.get(at..at + 4)
            .and_then(|bytes| bytes.try_into().ok())
            .map(|bytes| u32::from_le_bytes(bytes) as usize)
            .ok_or_else(|| bad("a truncated comment header"))
    };
    // One byte of type and "vorbis" come before the vendor string's length.
    let vendor = field(7)?;
    let count_at = 11usize.saturating_add(vendor);
    let count = field(count_at)?;
    let rest = data.len().saturating_sub(count_at + 4);
    if count > rest / 4 {
        return Err(bad(&format!(
            "the comment header claims {count} comments in {rest} bytes"
        )));
    }
    Ok(())
}
