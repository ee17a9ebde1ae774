//! The mixer: sans-IO, it fills buffers. Commands come in as values ([`Command`]); `render`
//! writes interleaved frames. Every buffer is allocated up front: rendering never allocates,
//! frees or locks (clips are shared `Arc`s whose last owner is the game side's sound bank).
//!
//! Per voice and per control block (at most [`Settings::block`] frames): the distance gain from
//! the voice's model, equal-power panning from the listener's frame, the Doppler rate, and the
//! low-pass cutoff for distance and occlusion. Within the block, gains move linearly from the
//! last block's values, so moving sources never click; starts, stops, steals and bus changes
//! ramp over [`Settings::ramp`] seconds.

use std::sync::Arc;

use trystero_core::audio::{Bus, Listener, Play, VoiceId};

use crate::clip::Clip;
use crate::spatial::{self, Frame};

/// Mixer settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Output sample rate.
    pub sample_rate: u32,
    /// Voices at once; beyond it, priority decides (see [`Mixer::voices`]).
    pub max_voices: usize,
    /// Fade length of starts, stops, steals and bus changes, in seconds.
    pub ramp: f32,
    /// World units a second sound travels (343 with units of metres).
    pub speed_of_sound: f32,
    /// Doppler strength (0 off, 1 physical).
    pub doppler: f32,
    /// Distance and occlusion muffle (a low-pass), on by default.
    pub distance_filter: bool,
    /// Frames per control block (spatial parameters are recomputed once a block).
    pub block: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sample_rate: 48_000,
            max_voices: 64,
            ramp: 0.005,
            speed_of_sound: 343.0,
            doppler: 1.0,
            distance_filter: true,
            block: 128,
        }
    }
}

/// What the game sends the mixer.
#[derive(Debug, Clone)]
pub enum Command {
    /// Start a voice of `clip`.
    Play {
        /// Its id (chosen by the sender).
        id: VoiceId,
        /// The sound.
        clip: Arc<Clip>,
        /// How.
        play: Play,
    },
    /// Move a voice.
    Move {
        /// Which.
        id: VoiceId,
        /// Where.
        position: [f32; 3],
        /// Its velocity.
        velocity: [f32; 3],
    },
    /// Stop a voice (fading out).
    Stop {
        /// Which.
        id: VoiceId,
    },
    /// Move the listener.
    Listener(Listener),
    /// Set a bus's gain.
    BusGain(Bus, f32),
}

/// A value moving linearly towards a target, a fixed step a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ramp {
    value: f32,
    target: f32,
    step: f32,
}

impl Ramp {
    fn at(value: f32) -> Self {
        Self {
            value,
            target: value,
            step: 0.0,
        }
    }

    fn to(&mut self, target: f32, samples: f32) {
        self.target = target;
        self.step = (target - self.value).abs() / samples.max(1.0);
    }

    #[inline]
    fn next(&mut self) -> f32 {
        if self.value < self.target {
            self.value = (self.value + self.step).min(self.target);
        } else if self.value > self.target {
            self.value = (self.value - self.step).max(self.target);
        }
        self.value
    }

    fn settled(&self) -> bool {
        self.value == self.target
    }
}

/// One voice's state.
#[derive(Debug, Clone)]
struct Voice {
    id: VoiceId,
    clip: Arc<Clip>,
    play: Play,
    /// Read position in the clip, in samples (fractional).
    position: f64,
    /// The start/stop envelope.
    envelope: Ramp,
    /// Gains applied at the end of the last block (left, right).
    gains: [f32; 2],
    /// The low-pass state and coefficient.
    filter: f32,
    coefficient: f32,
    stopping: bool,
    /// When it started (in frames rendered), for stealing the oldest.
    started: u64,
}

/// The mixer.
#[derive(Debug)]
pub struct Mixer {
    settings: Settings,
    voices: Vec<Option<Voice>>,
    /// Voices stolen or stopped while their slot was needed, fading out.
    fading: Vec<Option<Voice>>,
    listener: Frame,
    buses: [Ramp; 3],
    /// Per bus, a block of interleaved stereo.
    scratch: [Vec<f32>; 3],
    rendered: u64,
    rejected: u64,
}

impl Mixer {
    /// A mixer with every buffer allocated.
    pub fn new(settings: Settings) -> Self {
        let block = settings.block.max(1);
        let voices = vec![None; settings.max_voices.max(1)];
        let fading = vec![None; settings.max_voices.max(1)];
        Self {
            scratch: [
                vec![0.0; block * 2],
                vec![0.0; block * 2],
                vec![0.0; block * 2],
            ],
            settings: Settings { block, ..settings },
            voices,
            fading,
            listener: Frame::of(&Listener::default()),
            buses: [Ramp::at(1.0); 3],
            rendered: 0,
            rejected: 0,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    #[allow(clippy::cast_precision_loss)] // sample counts
    fn ramp_samples(&self) -> f32 {
        self.settings.ramp * self.settings.sample_rate as f32
    }

    /// Applies a command. Values that are not finite (a NaN position, an infinite gain) are
    /// replaced by safe ones — nothing the game sends can put a NaN into the output.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Play { id, clip, play } => self.start(id, clip, sanitized(play)),
            Command::Move {
                id,
                position,
                velocity,
            } => {
                if let Some(voice) = self.voices.iter_mut().flatten().find(|v| v.id == id) {
                    voice.play.position = Some(finite3(position));
                    voice.play.velocity = finite3(velocity);
                }
            }
            Command::Stop { id } => {
                let samples = self.ramp_samples();
                if let Some(voice) = self.voices.iter_mut().flatten().find(|v| v.id == id) {
                    voice.stopping = true;
                    voice.envelope.to(0.0, samples);
                }
            }
            Command::Listener(listener) => {
                self.listener = Frame::of(&Listener {
                    position: finite3(listener.position),
                    forward: finite3(listener.forward),
                    up: finite3(listener.up),
                    velocity: finite3(listener.velocity),
                });
            }
            Command::BusGain(bus, gain) => {
                let samples = self.ramp_samples();
                self.buses[bus.index()].to(finite(gain, 0.0).max(0.0), samples);
            }
        }
    }

    fn start(&mut self, id: VoiceId, clip: Arc<Clip>, play: Play) {
        let samples = self.ramp_samples();
        let mut voice = Voice {
            id,
            clip,
            play,
            position: 0.0,
            envelope: Ramp::at(0.0),
            gains: [0.0; 2],
            filter: 0.0,
            coefficient: 1.0,
            stopping: false,
            started: self.rendered,
        };
        voice.envelope.to(1.0, samples);
        voice.gains = target_gains(&self.listener, &voice.play);
        if let Some(slot) = self.voices.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(voice);
            return;
        }
        // Full: steal the weakest voice of lower or equal priority (lowest priority, then the
        // quietest, then the oldest), fading it out in the side pool.
        let weakest = self
            .voices
            .iter()
            .enumerate()
            .filter_map(|(index, slot)| slot.as_ref().map(|v| (index, v)))
            .min_by(|(_, a), (_, b)| {
                let loud = |v: &Voice| v.gains[0] + v.gains[1];
                (a.stopping as u8 ^ 1, a.play.priority)
                    .cmp(&(b.stopping as u8 ^ 1, b.play.priority))
                    .then(loud(a).total_cmp(&loud(b)))
                    .then(a.started.cmp(&b.started))
            })
            .map(|(index, v)| (index, v.play.priority, v.stopping));
        match weakest {
            Some((index, priority, stopping)) if stopping || priority <= voice.play.priority => {
                if let Some(mut old) = self.voices[index].take() {
                    old.stopping = true;
                    old.envelope.to(0.0, samples);
                    if let Some(spare) = self.fading.iter_mut().find(|slot| slot.is_none()) {
                        *spare = Some(old);
                    }
                    // No spare slot: the old voice ends at once (only when every voice was
                    // stolen within one fade).
                }
                self.voices[index] = Some(voice);
            }
            _ => self.rejected += 1,
        }
    }

    /// The voices playing (not fading out), as (id, priority), in slot order.
    pub fn voices(&self) -> impl Iterator<Item = (VoiceId, u8)> + '_ {
        self.voices
            .iter()
            .flatten()
            .filter(|v| !v.stopping)
            .map(|v| (v.id, v.play.priority))
    }

    /// Play requests refused because every voice had a higher priority.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Frames rendered so far.
    pub fn frames_rendered(&self) -> u64 {
        self.rendered
    }

    /// Renders interleaved frames of `channels` channels into `out` (its length a multiple of
    /// `channels`): left and right in the first two, silence in the rest; a mono output gets
    /// their average.
    pub fn render(&mut self, out: &mut [f32], channels: usize) {
        let channels = channels.max(1);
        let frames = out.len() / channels;
        let mut done = 0;
        while done < frames {
            let count = (frames - done).min(self.settings.block);
            self.render_block(count);
            let block = &mut out[done * channels..(done + count) * channels];
            for (frame, chunk) in block.chunks_exact_mut(channels).enumerate() {
                let mut stereo = [0.0f32; 2];
                for (bus, scratch) in self.buses.iter_mut().zip(&self.scratch) {
                    let gain = bus.next();
                    stereo[0] += scratch[frame * 2] * gain;
                    stereo[1] += scratch[frame * 2 + 1] * gain;
                }
                if channels == 1 {
                    chunk[0] = (stereo[0] + stereo[1]) * 0.5;
                } else {
                    chunk[0] = stereo[0];
                    chunk[1] = stereo[1];
                    chunk[2..].fill(0.0);
                }
            }
            done += count;
            self.rendered += count as u64;
        }
    }

    /// Mixes `count` frames of every voice into the bus scratch buffers.
    #[allow(clippy::cast_precision_loss)] // rates and counts
    fn render_block(&mut self, count: usize) {
        for scratch in &mut self.scratch {
            scratch[..count * 2].fill(0.0);
        }
        let rate = self.settings.sample_rate as f32;
        let (speed_of_sound, doppler, filter) = (
            self.settings.speed_of_sound,
            self.settings.doppler,
            self.settings.distance_filter,
        );
        let listener = self.listener;
        for pool in [&mut self.voices, &mut self.fading] {
            for slot in pool.iter_mut() {
                let Some(voice) = slot.as_mut() else {
                    continue;
                };
                // This block's targets.
                let target = target_gains(&listener, &voice.play);
                let mut step = f64::from(voice.clip.sample_rate) / f64::from(rate)
                    * f64::from(voice.play.pitch.max(0.0));
                voice.coefficient = 1.0;
                if let Some(position) = voice.play.position {
                    step *= f64::from(listener.doppler(
                        position,
                        voice.play.velocity,
                        speed_of_sound,
                        doppler,
                    ));
                    if filter {
                        let a = &voice.play.attenuation;
                        let cutoff = spatial::cutoff(
                            listener.distance(position),
                            a.reference,
                            a.max,
                            voice.play.occlusion,
                        );
                        voice.coefficient = spatial::one_pole(cutoff, rate);
                    }
                }
                let scratch = &mut self.scratch[voice.play.bus.index()];
                let samples = &voice.clip.samples;
                let length = samples.len();
                let inverse = 1.0 / count as f32;
                let delta = [
                    (target[0] - voice.gains[0]) * inverse,
                    (target[1] - voice.gains[1]) * inverse,
                ];
                let mut gains = voice.gains;
                let mut finished = length == 0;
                // The common case first: a settled envelope and no end or wrap of the clip
                // within the block; one tight loop without branches.
                let last = voice.position + step * count as f64;
                let clear = last + 1.0 < length as f64 && voice.position >= 0.0;
                let mut start = 0;
                if clear && voice.envelope.settled() && !finished {
                    let envelope = voice.envelope.value;
                    // The read position in 32.32 fixed point: cheaper than f64 here, exact to
                    // 2⁻³² of a sample over a block.
                    const ONE: f64 = 4_294_967_296.0;
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // ≥ 0
                    let (mut position, increment) =
                        ((voice.position * ONE) as u64, (step * ONE) as u64);
                    let mut filter = voice.filter;
                    let coefficient = voice.coefficient;
                    for out in scratch[..count * 2].chunks_exact_mut(2) {
                        #[allow(clippy::cast_possible_truncation)]
                        // in 0..length − 1 (checked above for the whole block)
                        let index = (position >> 32) as usize;
                        #[allow(clippy::cast_precision_loss)] // 24 bits of fraction suffice
                        let fraction = (position & 0xFFFF_FFFF) as f32 * (1.0 / 4_294_967_296.0);
                        let (a, b) = (samples[index], samples[index + 1]);
                        filter += coefficient * (a + (b - a) * fraction - filter);
                        gains[0] += delta[0];
                        gains[1] += delta[1];
                        let value = filter * envelope;
                        out[0] += value * gains[0];
                        out[1] += value * gains[1];
                        position += increment;
                    }
                    #[allow(clippy::cast_precision_loss)] // positions below 2⁵² samples
                    let position = position as f64 / ONE;
                    voice.position = position;
                    voice.filter = filter;
                    start = count;
                }
                for frame in start..count {
                    if finished {
                        break;
                    }
                    if voice.position >= length as f64 {
                        if !voice.play.looping {
                            finished = true;
                            break;
                        }
                        voice.position %= length as f64;
                    }
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    // in 0..length
                    let index = (voice.position as usize).min(length - 1);
                    #[allow(clippy::cast_possible_truncation)] // a fraction in 0..1
                    let fraction = (voice.position - index as f64) as f32;
                    let next = if index + 1 < length {
                        samples[index + 1]
                    } else if voice.play.looping {
                        samples[0]
                    } else {
                        0.0
                    };
                    let sample = samples[index] + (next - samples[index]) * fraction;
                    voice.filter += voice.coefficient * (sample - voice.filter);
                    let envelope = voice.envelope.next();
                    gains[0] += delta[0];
                    gains[1] += delta[1];
                    scratch[frame * 2] += voice.filter * gains[0] * envelope;
                    scratch[frame * 2 + 1] += voice.filter * gains[1] * envelope;
                    voice.position += step;
                }
                voice.gains = target;
                let faded =
                    voice.stopping && voice.envelope.settled() && voice.envelope.value == 0.0;
                if finished || faded {
                    *slot = None;
                }
            }
        }
    }
}

/// The (left, right) gains a voice gets from its place, before its envelope and bus: the
/// distance model, equal-power panning and occlusion; an unplaced voice plays centred at its
/// gain in both channels.
fn target_gains(listener: &Frame, play: &Play) -> [f32; 2] {
    let Some(position) = play.position else {
        return [play.gain, play.gain];
    };
    let attenuation = play.attenuation.gain(listener.distance(position));
    let (left, right) = spatial::equal_power(listener.azimuth(position));
    let occluded = 1.0 - 0.6 * play.occlusion.clamp(0.0, 1.0);
    let gain = play.gain * attenuation * occluded;
    [gain * left, gain * right]
}

fn finite(value: f32, fallback: f32) -> f32 {
    if value.is_finite() { value } else { fallback }
}

fn finite3(v: [f32; 3]) -> [f32; 3] {
    v.map(|c| finite(c, 0.0))
}

/// A play request with every number finite (NaN and infinities become neutral values).
fn sanitized(mut play: Play) -> Play {
    play.position = play.position.map(finite3);
    play.velocity = finite3(play.velocity);
    play.gain = finite(play.gain, 0.0);
    play.pitch = finite(play.pitch, 1.0);
    play.occlusion = finite(play.occlusion, 0.0);
    let a = &mut play.attenuation;
    a.reference = finite(a.reference, 1.0);
    a.max = finite(a.max, 10_000.0);
    a.rolloff = finite(a.rolloff, 1.0);
    play
}
