//! The audio port: what the game asks of the sound system, as plain values.
//!
//! The game plays sounds at positions ([`Play`]), moves voices and the [`Listener`], stops
//! voices and sets bus gains; an adapter makes it heard. No audio-device type appears here:
//! `trystero-audio` implements [`Audio`] on a cpal output (or offline, rendering to buffers),
//! and [`RecordingAudio`] keeps the calls for tests of game code.
//!
//! Positions are in world units (3-D; a 2-D game leaves `z` at 0). Distance attenuation follows
//! Web Audio's `PannerNode` models ([`DistanceModel`]).

/// A sound the adapter knows (procedural or loaded), by [`Audio::sound`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SoundId(pub u32);

/// A playing voice. Ids are never reused, so a stale id addresses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VoiceId(pub u64);

/// Mixer buses, each with its own gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bus {
    /// Sound effects.
    Sfx,
    /// Music.
    Music,
    /// Interface sounds.
    Ui,
}

impl Bus {
    /// Every bus.
    pub const ALL: [Bus; 3] = [Bus::Sfx, Bus::Music, Bus::Ui];

    /// Its index in [`Bus::ALL`].
    pub fn index(self) -> usize {
        match self {
            Bus::Sfx => 0,
            Bus::Music => 1,
            Bus::Ui => 2,
        }
    }
}

/// How loudness falls with distance (Web Audio's `PannerNode` distance models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistanceModel {
    /// `1 − rolloff · (clamp(d, ref, max) − ref) / (max − ref)`.
    Linear,
    /// `ref / (ref + rolloff · (max(d, ref) − ref))`.
    Inverse,
    /// `(max(d, ref) / ref) ^ −rolloff`.
    Exponential,
}

/// Distance attenuation settings of a voice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attenuation {
    /// The model.
    pub model: DistanceModel,
    /// Below this distance the voice is at full gain.
    pub reference: f32,
    /// The linear model reaches its floor here; the others keep falling.
    pub max: f32,
    /// How fast it falls.
    pub rolloff: f32,
}

impl Default for Attenuation {
    fn default() -> Self {
        Self {
            model: DistanceModel::Inverse,
            reference: 1.0,
            max: 10_000.0,
            rolloff: 1.0,
        }
    }
}

impl Attenuation {
    /// The gain at distance `d` (0..=1), exactly as Web Audio computes it.
    pub fn gain(&self, d: f32) -> f32 {
        let reference = self.reference.max(1e-6);
        match self.model {
            DistanceModel::Linear => {
                let max = self.max.max(reference);
                if max <= reference {
                    return 1.0;
                }
                let clamped = d.clamp(reference, max);
                (1.0 - self.rolloff.clamp(0.0, 1.0) * (clamped - reference) / (max - reference))
                    .clamp(0.0, 1.0)
            }
            DistanceModel::Inverse => {
                reference / (reference + self.rolloff.max(0.0) * (d.max(reference) - reference))
            }
            DistanceModel::Exponential => {
                (d.max(reference) / reference).powf(-self.rolloff.max(0.0))
            }
        }
    }
}

/// A request to play a sound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Play {
    /// What.
    pub sound: SoundId,
    /// Through which bus.
    pub bus: Bus,
    /// Where (world units); `None` plays it centred, unattenuated (music, interface).
    pub position: Option<[f32; 3]>,
    /// Its velocity (units a second), for Doppler.
    pub velocity: [f32; 3],
    /// Gain (1 = as recorded).
    pub gain: f32,
    /// Playback rate (1 = as recorded; 2 = an octave up).
    pub pitch: f32,
    /// Loops until stopped.
    pub looping: bool,
    /// When voices run out, a higher priority steals from a lower or equal one.
    pub priority: u8,
    /// Distance attenuation.
    pub attenuation: Attenuation,
    /// 0 (clear line) to 1 (fully behind a wall): muffles and quietens.
    pub occlusion: f32,
}

impl Play {
    /// `sound` on the effects bus at `position`, with the defaults.
    pub fn at(sound: SoundId, position: [f32; 3]) -> Self {
        Self {
            position: Some(position),
            ..Self::centred(sound, Bus::Sfx)
        }
    }

    /// `sound` on `bus`, centred (not spatialized).
    pub fn centred(sound: SoundId, bus: Bus) -> Self {
        Self {
            sound,
            bus,
            position: None,
            velocity: [0.0; 3],
            gain: 1.0,
            pitch: 1.0,
            looping: false,
            priority: 128,
            attenuation: Attenuation::default(),
            occlusion: 0.0,
        }
    }
}

/// Who hears: position, orientation and velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Listener {
    /// Where.
    pub position: [f32; 3],
    /// Which way it faces (need not be unit length).
    pub forward: [f32; 3],
    /// Which way is up (need not be unit length); right is `forward × up`.
    pub up: [f32; 3],
    /// Its velocity (units a second), for Doppler.
    pub velocity: [f32; 3],
}

impl Default for Listener {
    /// At the origin, facing −z with +y up (Web Audio's default), still.
    fn default() -> Self {
        Self {
            position: [0.0; 3],
            forward: [0.0, 0.0, -1.0],
            up: [0.0, 1.0, 0.0],
            velocity: [0.0; 3],
        }
    }
}

impl Listener {
    /// A listener for a top-down 2-D game in screen coordinates (x right, y down): at (x, y)
    /// on the z = 0 plane, facing `facing` (a direction in the plane). Up is −z, so that a
    /// listener facing up the screen (0, −1) hears larger x on its right.
    pub fn top_down(x: f32, y: f32, facing: [f32; 2]) -> Self {
        Self {
            position: [x, y, 0.0],
            forward: [facing[0], facing[1], 0.0],
            up: [0.0, 0.0, -1.0],
            velocity: [0.0; 3],
        }
    }
}

/// Why audio failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// There is no output device (the game can run silent).
    #[error("no audio output device: {0}")]
    NoDevice(String),
    /// The device failed while playing or could not be opened.
    #[error("audio device error: {0}")]
    Device(String),
    /// A sound file could not be decoded.
    #[error("audio decode error: {0}")]
    Decode(String),
    /// The command queue to the audio thread is full (the game sent too much in one frame).
    #[error("the audio command queue is full")]
    QueueFull,
    /// [`Audio::play`] with a sound id the adapter never gave out.
    #[error("unknown sound id {0}")]
    UnknownSound(u32),
}

/// The audio port.
pub trait Audio {
    /// The sound named `name`.
    fn sound(&self, name: &str) -> Option<SoundId>;

    /// Starts a voice.
    fn play(&mut self, play: Play) -> Result<VoiceId, AudioError>;

    /// Moves a voice (and sets its velocity, for Doppler).
    fn move_voice(
        &mut self,
        voice: VoiceId,
        position: [f32; 3],
        velocity: [f32; 3],
    ) -> Result<(), AudioError>;

    /// Stops a voice (with a short fade, never a click).
    fn stop(&mut self, voice: VoiceId) -> Result<(), AudioError>;

    /// Moves the listener.
    fn set_listener(&mut self, listener: Listener) -> Result<(), AudioError>;

    /// Sets a bus's gain (ramped).
    fn set_bus_gain(&mut self, bus: Bus, gain: f32) -> Result<(), AudioError>;
}

/// A call the [`RecordingAudio`] saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AudioCall {
    /// [`Audio::play`], with the id it answered.
    Play(VoiceId, Play),
    /// [`Audio::move_voice`].
    Move(VoiceId, [f32; 3], [f32; 3]),
    /// [`Audio::stop`].
    Stop(VoiceId),
    /// [`Audio::set_listener`].
    Listener(Listener),
    /// [`Audio::set_bus_gain`].
    BusGain(Bus, f32),
}

/// The in-memory adapter: keeps every call, knows a fixed list of sound names.
#[derive(Debug, Clone, Default)]
pub struct RecordingAudio {
    /// Known sounds, in id order.
    pub names: Vec<String>,
    /// Calls so far.
    pub calls: Vec<AudioCall>,
    next: u64,
}

impl RecordingAudio {
    /// A recorder knowing `names` (ids 0, 1, …).
    pub fn new(names: &[&str]) -> Self {
        Self {
            names: names.iter().map(|name| (*name).to_owned()).collect(),
            calls: Vec::new(),
            next: 0,
        }
    }
}

impl Audio for RecordingAudio {
    fn sound(&self, name: &str) -> Option<SoundId> {
        let index = self.names.iter().position(|known| known == name)?;
        Some(SoundId(u32::try_from(index).ok()?))
    }

    fn play(&mut self, play: Play) -> Result<VoiceId, AudioError> {
        self.next += 1;
        let voice = VoiceId(self.next);
        self.calls.push(AudioCall::Play(voice, play));
        Ok(voice)
    }

    fn move_voice(
        &mut self,
        voice: VoiceId,
        position: [f32; 3],
        velocity: [f32; 3],
    ) -> Result<(), AudioError> {
        self.calls.push(AudioCall::Move(voice, position, velocity));
        Ok(())
    }

    fn stop(&mut self, voice: VoiceId) -> Result<(), AudioError> {
        self.calls.push(AudioCall::Stop(voice));
        Ok(())
    }

    fn set_listener(&mut self, listener: Listener) -> Result<(), AudioError> {
        self.calls.push(AudioCall::Listener(listener));
        Ok(())
    }

    fn set_bus_gain(&mut self, bus: Bus, gain: f32) -> Result<(), AudioError> {
        self.calls.push(AudioCall::BusGain(bus, gain));
        Ok(())
    }
}
