//! The port itself: the [`Audio`] trait and why a call failed.

use super::{Bus, Listener, Play, SoundId, VoiceId};

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
