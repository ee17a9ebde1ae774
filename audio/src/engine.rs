//! The audio port's implementation: a sound bank, voice ids, and a lock-free queue of
//! commands to wherever the mixer runs (the device's callback, or [`MixerNode::render`] called
//! by hand for offline rendering).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use trystero_core::audio::{Audio, AudioError, Bus, Listener, Play, SoundId, VoiceId};

use crate::clip::Clip;
use crate::mixer::{Command, Mixer, Settings};
use crate::synth;

/// Commands the queue holds between two audio callbacks.
pub const QUEUE: usize = 4_096;

/// The mixer's end of the queue: applies the commands waiting, then renders. This is what
/// runs in the device callback (no allocation, no lock).
#[derive(Debug)]
pub struct MixerNode {
    commands: rtrb::Consumer<Command>,
    mixer: Mixer,
}

impl MixerNode {
    pub(crate) fn new(commands: rtrb::Consumer<Command>, mixer: Mixer) -> Self {
        Self { commands, mixer }
    }

    /// Applies waiting commands, then renders interleaved frames of `channels` channels.
    pub fn render(&mut self, out: &mut [f32], channels: usize) {
        while let Ok(command) = self.commands.pop() {
            self.mixer.apply(command);
        }
        self.mixer.render(out, channels);
    }

    /// The mixer (for inspection in tests).
    pub fn mixer(&self) -> &Mixer {
        &self.mixer
    }
}

/// Where the sound goes.
#[derive(Debug)]
enum Output {
    /// Nowhere: no device (the game runs silent).
    Silent,
    /// A [`MixerNode`] the caller renders.
    Offline,
    /// A cpal stream.
    #[cfg(feature = "device")]
    Device(crate::device::Stream),
    /// A PulseAudio stream through the pure-Rust client.
    #[cfg(feature = "pulse")]
    Pulse(crate::pulse::Stream),
}

/// The sound system: implements [`Audio`]. Sounds are registered by name (the procedural set
/// is always there); voices get ids that are never reused.
#[derive(Debug)]
pub struct AudioEngine {
    sample_rate: u32,
    names: BTreeMap<String, SoundId>,
    /// Every clip stays here for the engine's life, so the audio thread never frees one.
    clips: Vec<Arc<Clip>>,
    /// Clips replaced by [`AudioEngine::add_sound`], kept for the same reason.
    retired: Vec<Arc<Clip>>,
    commands: Option<rtrb::Producer<Command>>,
    next_voice: u64,
    output: Output,
    errors: Arc<Mutex<Option<AudioError>>>,
}

impl AudioEngine {
    fn with(
        sample_rate: u32,
        commands: Option<rtrb::Producer<Command>>,
        output: Output,
        errors: Arc<Mutex<Option<AudioError>>>,
    ) -> Self {
        let mut engine = Self {
            sample_rate,
            names: BTreeMap::new(),
            clips: Vec::new(),
            retired: Vec::new(),
            commands,
            next_voice: 0,
            output,
            errors,
        };
        for (name, clip) in synth::all(sample_rate) {
            engine.add_sound(name, clip);
        }
        engine
    }

    /// An engine whose mixer you render yourself (tests, offline bouncing).
    pub fn offline(settings: Settings) -> (Self, MixerNode) {
        let (producer, consumer) = rtrb::RingBuffer::new(QUEUE);
        let node = MixerNode::new(consumer, Mixer::new(settings.clone()));
        let engine = Self::with(
            settings.sample_rate,
            Some(producer),
            Output::Offline,
            Arc::default(),
        );
        (engine, node)
    }

    /// An engine that plays nothing (every call succeeds).
    pub fn silent(sample_rate: u32) -> Self {
        Self::with(sample_rate, None, Output::Silent, Arc::default())
    }

    /// Opens the default output device (or the one whose name contains `device`), its own
    /// sample rate overriding `settings.sample_rate`.
    #[cfg(feature = "device")]
    pub fn open(device: Option<&str>, settings: Settings) -> Result<Self, AudioError> {
        let (producer, consumer) = rtrb::RingBuffer::new(QUEUE);
        let errors = Arc::new(Mutex::new(None));
        let stream = crate::device::open(device, settings, consumer, Arc::clone(&errors))?;
        let rate = stream.sample_rate;
        Ok(Self::with(
            rate,
            Some(producer),
            Output::Device(stream),
            errors,
        ))
    }

    /// Plays through the PulseAudio server the environment names (or PipeWire's), spoken to
    /// in Rust: no system library needed to build or run. At `settings.sample_rate`.
    #[cfg(feature = "pulse")]
    pub fn open_pulse(settings: Settings) -> Result<Self, AudioError> {
        let (producer, consumer) = rtrb::RingBuffer::new(QUEUE);
        let errors = Arc::new(Mutex::new(None));
        let stream = crate::pulse::open(settings, consumer, Arc::clone(&errors))?;
        let rate = stream.sample_rate;
        Ok(Self::with(
            rate,
            Some(producer),
            Output::Pulse(stream),
            errors,
        ))
    }

    /// An engine on the first output that opens — the cpal default device (feature `device`),
    /// then PulseAudio (feature `pulse`) — or a silent engine and the reason.
    #[cfg(any(feature = "device", feature = "pulse"))]
    pub fn open_or_silent(settings: Settings) -> (Self, Option<AudioError>) {
        let rate = settings.sample_rate;
        let mut reasons = Vec::new();
        #[cfg(feature = "device")]
        match Self::open(None, settings.clone()) {
            Ok(engine) => return (engine, None),
            Err(error) => reasons.push(error),
        }
        #[cfg(feature = "pulse")]
        match Self::open_pulse(settings) {
            Ok(engine) => return (engine, None),
            Err(error) => reasons.push(error),
        }
        (Self::silent(rate), reasons.into_iter().next())
    }

    /// The output sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Whether sound goes nowhere.
    pub fn is_silent(&self) -> bool {
        matches!(self.output, Output::Silent)
    }

    /// The device in use, if any.
    pub fn device_name(&self) -> Option<&str> {
        match &self.output {
            #[cfg(feature = "device")]
            Output::Device(stream) => Some(&stream.name),
            #[cfg(feature = "pulse")]
            Output::Pulse(stream) => Some(&stream.name),
            _ => None,
        }
    }

    /// Frames the device has taken from the mixer so far (0 offline or silent).
    pub fn frames_played(&self) -> u64 {
        match &self.output {
            #[cfg(feature = "device")]
            Output::Device(stream) => stream.played.load(std::sync::atomic::Ordering::Relaxed),
            #[cfg(feature = "pulse")]
            Output::Pulse(stream) => stream.played.load(std::sync::atomic::Ordering::Relaxed),
            _ => 0,
        }
    }

    /// The first error the device reported while playing, if any (the stream may have
    /// stopped; reopen, or carry on silent).
    pub fn device_error(&self) -> Option<AudioError> {
        self.errors.lock().ok().and_then(|error| error.clone())
    }

    /// Registers a sound (replacing one of the same name for new voices).
    pub fn add_sound(&mut self, name: &str, clip: Clip) -> SoundId {
        let clip = Arc::new(clip);
        if let Some(id) = self.names.get(name) {
            let old = std::mem::replace(&mut self.clips[id.0 as usize], clip);
            self.retired.push(old);
            return *id;
        }
        let id = SoundId(u32::try_from(self.clips.len()).unwrap_or(u32::MAX));
        self.clips.push(clip);
        self.names.insert(name.to_owned(), id);
        id
    }

    /// Decodes a WAV or Ogg Vorbis file and registers it.
    pub fn load_sound(&mut self, name: &str, bytes: &[u8]) -> Result<SoundId, AudioError> {
        Ok(self.add_sound(name, Clip::decode(bytes)?))
    }

    fn send(&mut self, command: Command) -> Result<(), AudioError> {
        match self.commands.as_mut() {
            None => Ok(()),
            Some(queue) => queue.push(command).map_err(|_| AudioError::QueueFull),
        }
    }
}

impl Audio for AudioEngine {
    fn sound(&self, name: &str) -> Option<SoundId> {
        self.names.get(name).copied()
    }

    fn play(&mut self, play: Play) -> Result<VoiceId, AudioError> {
        let clip = self
            .clips
            .get(play.sound.0 as usize)
            .cloned()
            .ok_or(AudioError::UnknownSound(play.sound.0))?;
        self.next_voice += 1;
        let id = VoiceId(self.next_voice);
        self.send(Command::Play { id, clip, play })?;
        Ok(id)
    }

    fn move_voice(
        &mut self,
        voice: VoiceId,
        position: [f32; 3],
        velocity: [f32; 3],
    ) -> Result<(), AudioError> {
        self.send(Command::Move {
            id: voice,
            position,
            velocity,
        })
    }

    fn stop(&mut self, voice: VoiceId) -> Result<(), AudioError> {
        self.send(Command::Stop { id: voice })
    }

    fn set_listener(&mut self, listener: Listener) -> Result<(), AudioError> {
        self.send(Command::Listener(listener))
    }

    fn set_bus_gain(&mut self, bus: Bus, gain: f32) -> Result<(), AudioError> {
        self.send(Command::BusGain(bus, gain))
    }
}
