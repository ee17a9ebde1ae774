//! The in-memory adapter, for tests of game code.

use super::{Audio, AudioError, Bus, Listener, Play, SoundId, VoiceId};

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
