//! The fixed part of a match: the fighters' frame data, the wolves' settings, the waves, the
//! upgrades and the arena's obstacles — all derived from the match's seed, so every peer
//! builds the same rules from the seed the start message carries. Nothing here changes
//! during a match (it is not part of the saved state).

use trystero_ai::{Config, Obstacle, Terrain, Vec2};
use trystero_anim::FrameData;
use trystero_core::random::SeededRandom;

/// The most players in a match.
pub const MAX_PLAYERS: usize = 4;

/// A unit of distance: 1/60 px (the fighters' and the wolves' unit).
pub const PX: i32 = 60;

/// What a living player may pick between waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Upgrade {
    /// +25 maximum health, and healed to full.
    Vigour,
    /// +20 % damage.
    Might,
    /// +15 % running and rolling speed.
    Swiftness,
    /// Stamina regenerates 50 % faster.
    Endurance,
    /// The special's cooldown is 30 % shorter.
    Focus,
    /// The parry window is 3 frames longer.
    Guard,
}

impl Upgrade {
    /// Every upgrade, in order (the offer is drawn from these).
    pub const ALL: [Upgrade; 6] = [
        Upgrade::Vigour,
        Upgrade::Might,
        Upgrade::Swiftness,
        Upgrade::Endurance,
        Upgrade::Focus,
        Upgrade::Guard,
    ];

    /// Its name, for status lines and summaries.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vigour => "vigour",
            Self::Might => "might",
            Self::Swiftness => "swiftness",
            Self::Endurance => "endurance",
            Self::Focus => "focus",
            Self::Guard => "guard",
        }
    }
}

/// What kind of wave comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum WaveKind {
    /// Plain packs.
    #[default]
    Normal,
    /// Every third wave: the first pack's Alpha is a great wolf (more health, harder bites).
    Alpha,
    /// Every fifth wave: the blood moon — faster wolves that strike more often.
    BloodMoon,
}

/// The rules of one match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// The fighters (before upgrades).
    pub fighter: FrameData,
    /// The wolves (before the director's tuning and the blood moon).
    pub wolves: Config,
    /// The arena's rocks.
    pub obstacles: Vec<Obstacle>,
    /// The grid of the rocks (chokepoints and cover for the wolves).
    pub terrain: Terrain,
    /// Frames between waves (the upgrade pick); the first wave starts after `first_delay`.
    pub intermission: u32,
    /// Frames before the first wave.
    pub first_delay: u32,
    /// Wolves in the first wave.
    pub first_wave: usize,
    /// Wolves added each wave.
    pub per_wave: usize,
    /// The most wolves in a wave.
    pub max_wolves: usize,
    /// Wolves in a pack (a wave is split into packs of at most this many).
    pub pack_size: usize,
    /// A wolf's health in the first wave; it grows by `wolf_health_step` each wave.
    pub wolf_health: i32,
    /// Health added to wolves each wave.
    pub wolf_health_step: i32,
    /// The great Alpha's health, in multiples of a wolf's.
    pub alpha_multiplier: i32,
    /// A bite's damage (the great Alpha's is twice that).
    pub bite_damage: i32,
    /// How far a bite reaches from the wolf's centre (units).
    pub bite_reach: i32,
    /// Half a wolf's body (units): the box the fighters' hitboxes test against.
    pub wolf_half: i32,
    /// A fighter's body radius against rocks (units).
    pub body: i32,
    /// Frames a wolf that was parried is staggered (no strikes).
    pub wolf_stagger: u16,
}

impl Rules {
    /// The rules of the match with this seed: the default tuning and rocks drawn from the
    /// seed (the same everywhere).
    pub fn new(seed: u64) -> Self {
        let fighter = FrameData::default();
        let obstacles = rocks(seed, fighter.arena);
        let size = Vec2::new(fighter.arena.0, fighter.arena.1);
        let terrain = Terrain::new(size, 40 * PX, &obstacles, 3);
        Self {
            fighter,
            wolves: Config::default(),
            obstacles,
            terrain,
            intermission: 8 * 60,
            first_delay: 3 * 60,
            first_wave: 3,
            per_wave: 2,
            max_wolves: 64,
            pack_size: 6,
            wolf_health: 40,
            wolf_health_step: 5,
            alpha_multiplier: 4,
            bite_damage: 8,
            bite_reach: 44 * PX,
            wolf_half: 20 * PX,
            body: 16 * PX,
            wolf_stagger: 60,
        }
    }

    /// The arena's size (units).
    pub fn arena(&self) -> Vec2 {
        Vec2::new(self.fighter.arena.0, self.fighter.arena.1)
    }

    /// The kind of wave `number` (1 is the first).
    pub fn wave_kind(number: u32) -> WaveKind {
        if number > 0 && number.is_multiple_of(5) {
            WaveKind::BloodMoon
        } else if number > 0 && number.is_multiple_of(3) {
            WaveKind::Alpha
        } else {
            WaveKind::Normal
        }
    }

    /// Wolves in wave `number` (1 is the first).
    pub fn wave_size(&self, number: u32) -> usize {
        let extra = usize::try_from(number.saturating_sub(1)).unwrap_or(usize::MAX);
        self.first_wave
            .saturating_add(self.per_wave.saturating_mul(extra))
            .min(self.max_wolves)
    }

    /// A wolf's health in wave `number`.
    pub fn wave_health(&self, number: u32) -> i32 {
        let step = i32::try_from(number.saturating_sub(1)).unwrap_or(i32::MAX);
        self.wolf_health
            .saturating_add(self.wolf_health_step.saturating_mul(step))
    }

    /// The wolves' settings in a wave of `kind` once the director tuned them: the blood moon
    /// makes them 30 % faster, lunge 20 % faster and strike a third more often.
    pub fn wolf_config(&self, kind: WaveKind, tuned: &Config) -> Config {
        match kind {
            WaveKind::BloodMoon => Config {
                speed: tuned.speed * 13 / 10,
                lunge_speed: tuned.lunge_speed * 12 / 10,
                strike_cooldown: tuned.strike_cooldown / 4 * 3,
                ..tuned.clone()
            },
            WaveKind::Normal | WaveKind::Alpha => tuned.clone(),
        }
    }
}

/// Rocks for a seed: five to seven, of 40 to 90 px, kept off the middle (where the players
/// start) and off the edges (where the wolves come from).
fn rocks(seed: u64, arena: (i32, i32)) -> Vec<Obstacle> {
    let mut rng = SeededRandom::new(seed ^ 0x726f_636b_7321);
    let mut draw = |below: i32| {
        let below = u64::try_from(below.max(1)).unwrap_or(1);
        i32::try_from(rng.next_u64() % below).unwrap_or(0)
    };
    let count = 5 + draw(3);
    let centre = Vec2::new(arena.0 / 2, arena.1 / 2);
    let mut rocks: Vec<Obstacle> = Vec::new();
    let mut tries = 0;
    while rocks.len() < usize::try_from(count).unwrap_or(5) && tries < 200 {
        tries += 1;
        let radius = (40 + draw(51)) * PX;
        let margin = radius + 80 * PX;
        let at = Vec2::new(
            margin + draw(arena.0 - 2 * margin),
            margin + draw(arena.1 - 2 * margin),
        );
        let clear_of_middle = at.minus(centre).length() > radius + 140 * PX;
        let apart = rocks
            .iter()
            .all(|rock| rock.at.minus(at).length() > rock.radius + radius + 60 * PX);
        if clear_of_middle && apart {
            rocks.push(Obstacle { at, radius });
        }
    }
    rocks
}
