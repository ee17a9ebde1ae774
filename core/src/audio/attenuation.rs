//! Distance attenuation: Web Audio's `PannerNode` distance models.

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
