//! `trystero-ai`: the seed's wolf packs — roles (Alpha, Beta, Scout, Hunter), perception,
//! steering, a pack blackboard with messages, encircling, attack tokens and moods.
//!
//! Everything is integer math on plain data (positions in 1/60 px like `trystero-anim`,
//! angles in 1/256 turn from a sine table, the random generator inside the state), iterated
//! in index order: the same inputs give the same packs everywhere, and [`Wolves`] rolls back
//! with the game (the tests run it under `trystero-netcode`'s sync test).
//!
//! ## The decision layer
//!
//! A small utility layer per pack, then a role behaviour per wolf, then steering:
//!
//! ```text
//!  perception ──► blackboard ──► pack mood ──► pack order ──► role behaviour ──► steering
//!  (sight, hearing)  (last seen,   (health, size,  (search,      (Scout: find, report;   (seek goal
//!       ▲             messages,     success)        stalk,        Alpha: front, calls      + separation
//!       │             inbox)                        engage,         the flanks;            + obstacle
//!  terrain grid ───────────────────────────────►    retreat)      Beta: flank left/right;   avoidance)
//!  (chokepoints, cover)                                           Hunter: cut off escape)
//!                                                                    │
//!  player model ──────────────► attack tokens (≤ N strike at once; +1 against a blocker)
//!  (dodge side, block rate,     strike timing (in the window after the player's attack)
//!   attack rhythm)
//!  director (win rate) ───────► aggression (stalk length), strike cooldown and tokens
//! ```
//!
//! The pack order is chosen by rules scored from the blackboard and the mood, in priority:
//! *retreat* (ordered by a message, or desperate and alone), *search* (nobody knows where the
//! player is), *engage* (once engaged, until the player is lost), *stalk* (known: gather on
//! the ring; it turns into *engage* after 30–90 frames, sooner the more aggressive the pack).
//! A utility layer of this size reads better than a behaviour tree: four options, one pass,
//! no per-wolf tree state to roll back. Moods shift from aggressive to cautious as the pack is
//! hurt (a wider ring, one token), and to desperate when few wolves remain (all strike).
//!
//! Roles: as a stalk begins the Alpha posts `FlankLeft`/`FlankRight` for its two Betas (the one
//! nearer each side takes it, so they never cross); Hunters take the side of the ring ahead of
//! a running player, leaning to the side it likes to dodge to, and with the terrain known they
//! — and any wolf that can get there first — block the chokepoint the player runs for; the
//! Scout sweeps wide while searching and stays behind the ring. With the terrain known, a
//! stalking wolf waits in cover (out of the player's line of sight) near its place on the ring.
//!
//! Memory: each pack counts the player's dodges, blocks and attacks and learns the rhythm of its
//! attacks; a [`Director`] outside the packs moves their aggression after each encounter, and
//! with it how soon a stalk turns into an attack, how often wolves strike and how many at once
//! ([`Director::tune`]), so the player's win rate settles near a target.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use trystero_core::random::SeededRandom;

mod adapt;
mod behaviour;
mod math;
mod pack;
mod terrain;

pub use adapt::{Director, PUNISH_WINDOW, PlayerAction, PlayerModel};
pub use math::{TURN, Vec2, angle_of, cos, isqrt, on_ring, sin};
pub use terrain::{CoverField, Terrain};

/// A wolf's part in its pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Commits first, takes the front of the ring, calls the attack.
    Alpha,
    /// Flanks, left or right of the Alpha.
    Beta,
    /// Finds the player and reports; keeps its distance.
    Scout,
    /// Harasses and cuts off the player's escape (ahead of where it runs).
    Hunter,
}

/// A pack's temper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mood {
    /// Full strength: tight ring, more tokens.
    Aggressive,
    /// Hurt: a wider ring, fewer strikes.
    Cautious,
    /// Few left: all in, or retreat when losing.
    Desperate,
}

/// What the pack as a whole is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Order {
    /// Nobody knows where the player is.
    Search,
    /// Known; gathering on the ring.
    Stalk,
    /// On the ring; token holders strike.
    Engage,
    /// Falling back.
    Retreat,
}

/// Messages on the pack's blackboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackMessage {
    /// `wolf` saw the player at `at`.
    Spotted {
        /// The wolf that saw or heard the player: its index in [`Wolves::wolves`] (not within
        /// the pack).
        wolf: usize,
        /// The player's position when it was noticed (1/60 px); it becomes the pack's
        /// [`Pack::last_seen`].
        at: Vec2,
    },
    /// The Alpha calls the attack.
    Engage,
    /// Fall back.
    Retreat,
    /// Gather again (ends a retreat; the stalk starts over).
    Regroup,
    /// `wolf` takes the Alpha's left flank (a quarter turn after the Alpha on the ring).
    FlankLeft {
        /// The wolf sent: its index in [`Wolves::wolves`]; a wolf of another pack is ignored.
        wolf: usize,
    },
    /// `wolf` takes the Alpha's right flank (a quarter turn before the Alpha on the ring).
    FlankRight {
        /// The wolf sent: its index in [`Wolves::wolves`]; a wolf of another pack is ignored.
        wolf: usize,
    },
}

/// The blackboard keeps at most this many messages a frame (and in the inbox).
const MESSAGES: usize = 32;

/// The most players the packs hunt ([`Wolves::update_players`]; more are ignored).
pub const MAX_TARGETS: usize = 8;

/// Tunables. Distances in 1/60 px, speeds in units a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// How far a wolf sees the player (1/60 px), when no obstacle is in the way.
    pub sight: i32,
    /// Hearing range (no line of sight needed).
    pub hearing: i32,
    /// A wolf's top speed when not striking (1/60 px a frame, so 220 is 220 px/s at 60 Hz).
    pub speed: i32,
    /// Strike speed (the lunge).
    pub lunge_speed: i32,
    /// The encircling ring's radius (aggressive; cautious packs keep 1.5×).
    pub ring: i32,
    /// Pack mates closer than this push apart.
    pub separation: i32,
    /// Obstacles closer than this (beyond their radius) push away.
    pub avoidance: i32,
    /// Wolves of one pack striking at once (aggressive; cautious 1, desperate all).
    pub tokens: usize,
    /// Frames between a wolf's strikes.
    pub strike_cooldown: u16,
    /// Frames a strike lasts.
    pub strike_frames: u16,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            sight: 400 * 60,
            hearing: 150 * 60,
            speed: 220,
            lunge_speed: 520,
            ring: 110 * 60,
            separation: 40 * 60,
            avoidance: 30 * 60,
            tokens: 2,
            strike_cooldown: 90,
            strike_frames: 20,
        }
    }
}

/// A round obstacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Obstacle {
    /// The obstacle's centre (1/60 px).
    pub at: Vec2,
    /// Its radius (1/60 px): a line of sight passing within it is blocked, and wolves steer
    /// away once closer than `Config::avoidance` beyond it.
    pub radius: i32,
}

impl Obstacle {
    /// Where a round body of radius `body` at `at` ends up once pushed out of the obstacle
    /// (unchanged when it does not overlap; a body at the very centre goes right).
    pub fn push_out(&self, at: Vec2, body: i32) -> Vec2 {
        let away = at.minus(self.at);
        let reach = self.radius.saturating_add(body);
        if away.length_squared() >= i64::from(reach).pow(2) {
            return at;
        }
        if away.length_squared() == 0 {
            return Vec2::new(self.at.x.saturating_add(reach), self.at.y);
        }
        // One unit beyond, so integer rounding never leaves it just inside.
        self.at.plus(away.with_length(reach.saturating_add(1)))
    }
}

/// A player as the wolves see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Player {
    /// The player's position (1/60 px).
    pub at: Vec2,
    /// Its velocity (1/60 px a frame): Hunters aim ahead of it along this.
    pub velocity: Vec2,
}

/// One wolf: plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Wolf {
    /// Its pack (index into [`Wolves::packs`]).
    pub pack: usize,
    /// Its part in the pack, fixed at creation (see [`Wolves::new`]).
    pub role: Role,
    /// Its position (1/60 px).
    pub at: Vec2,
    /// Its velocity this frame (1/60 px a frame; at most `Config::speed`, or
    /// `Config::lunge_speed` while striking).
    pub velocity: Vec2,
    /// Health (0: dead).
    pub health: i32,
    /// Frames left in the current strike (holding a token while > 0).
    pub striking: u16,
    /// Frames before it may strike again.
    pub cooldown: u16,
    /// Its place on the ring (an angle offset from the Alpha's, 1/256 turn).
    pub slot: i32,
}

/// One pack's shared state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pack {
    /// Where the player was last seen or heard, and when.
    pub last_seen: Option<(Vec2, u32)>,
    /// The temper.
    pub mood: Mood,
    /// What it is doing.
    pub order: Order,
    /// Messages posted this frame, by the pack's wolves and from the inbox (bounded; cleared
    /// each frame).
    pub messages: Vec<PackMessage>,
    /// Messages posted from outside ([`Wolves::communicate_with_pack`]) since the last frame;
    /// the next frame acts on them (bounded).
    pub inbox: Vec<PackMessage>,
    /// The frame a retreat ordered by a message ends.
    pub retreat_until: u32,
    /// Health at full strength (for the mood).
    pub full_health: i32,
    /// Wolves at full strength.
    pub full_size: usize,
    /// Intelligence, 0..=1000 (how long the pack remembers, how well it flanks).
    pub intelligence: i32,
    /// Aggression, 0..=1000 (how soon it engages).
    pub aggression: i32,
    /// The frame the current stalk began.
    pub stalking_since: u32,
    /// What the pack learned about the player's habits.
    pub model: PlayerModel,
    /// The Alpha's angle around the target this frame (the ring's front), 1/256 turn.
    pub front: i32,
    /// Its wolves: indices `members.0..members.1` of [`Wolves::wolves`] (packs are contiguous,
    /// so pack-local loops never scan other packs).
    pub members: (usize, usize),
    /// The player it hunts: an index into the players given to [`Wolves::update_players`]
    /// (chosen each frame: the one nearest the pack's first living wolf).
    pub target: usize,
}

/// Everything the AI keeps: wolves, packs, frame and random state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Wolves {
    /// Every wolf, dead ones included (indices never change); each pack's wolves are
    /// contiguous (see [`Pack::members`]).
    pub wolves: Vec<Wolf>,
    /// The packs, in the order of the dens given to [`Wolves::new`].
    pub packs: Vec<Pack>,
    /// Frames updated so far (each [`Wolves::update`] adds one; frame 1 is the first).
    pub frame: u32,
    /// The random state: part of the saved state, so rollbacks replay the same draws.
    pub rng: SeededRandom,
}

const ROLES: [Role; 6] = [
    Role::Alpha,
    Role::Beta,
    Role::Beta,
    Role::Hunter,
    Role::Hunter,
    Role::Scout,
];

impl Wolves {
    /// `packs` packs of `size` wolves (roles Alpha, Beta, Beta, Hunter, Hunter, Scout, then
    /// more Hunters), each spread around its den; `seed` seeds the random state.
    pub fn new(dens: &[Vec2], size: usize, seed: u64) -> Self {
        let mut wolves = Self {
            wolves: Vec::new(),
            packs: Vec::new(),
            frame: 0,
            rng: SeededRandom::new(seed),
        };
        for den in dens {
            wolves.add_pack(*den, size, 60);
        }
        wolves
    }

    /// Adds a pack of `size` wolves of `health` each around `den` (roles as in
    /// [`Wolves::new`]); returns its index. Waves of a game add packs as they come.
    pub fn add_pack(&mut self, den: Vec2, size: usize, health: i32) -> usize {
        let pack = self.packs.len();
        let first = self.wolves.len();
        let count = i32::try_from(size).unwrap_or(1).max(1);
        for index in 0..size {
            let role = ROLES.get(index).copied().unwrap_or(Role::Hunter);
            let i = i32::try_from(index).unwrap_or(0);
            self.wolves.push(Wolf {
                pack,
                role,
                at: on_ring(den, 30 * 60, i * TURN / count),
                velocity: Vec2::default(),
                health,
                striking: 0,
                cooldown: 0,
                slot: i * TURN / count,
            });
        }
        self.packs.push(Pack {
            last_seen: None,
            mood: Mood::Aggressive,
            order: Order::Search,
            messages: Vec::new(),
            inbox: Vec::new(),
            retreat_until: 0,
            full_health: health.saturating_mul(count),
            full_size: size,
            intelligence: 700,
            aggression: 600,
            stalking_since: 0,
            model: PlayerModel::default(),
            front: 0,
            members: (first, first + size),
            target: 0,
        });
        pack
    }

    /// Removes every wolf and pack (the frame and the random state go on), keeping the
    /// buffers: a game clears the field between waves.
    pub fn clear(&mut self) {
        self.wolves.clear();
        self.packs.clear();
    }

    fn random(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Sets a pack's mood by hand (the seed's `set_mood`).
    pub fn set_mood(&mut self, pack: usize, mood: Mood) {
        if let Some(pack) = self.packs.get_mut(pack) {
            pack.mood = mood;
        }
    }

    /// Tells every pack what the player did since the last frame (for its memory of the
    /// player's habits and the rhythm of its attacks).
    pub fn observe(&mut self, action: PlayerAction) {
        for pack in &mut self.packs {
            pack.model.observe_at(action, self.frame);
        }
    }

    /// Sets every pack's aggression (0..=1000), e.g. from a [`Director`].
    pub fn set_aggression(&mut self, aggression: i32) {
        for pack in &mut self.packs {
            pack.aggression = aggression.clamp(0, 1000);
        }
    }

    /// Posts a message to a pack's blackboard (the seed's `communicate_with_pack`); the pack
    /// acts on it in the next frame: `Spotted` tells it where the player is, `Engage` starts
    /// the attack, `Retreat` falls back for two seconds, `Regroup` ends that and starts the
    /// stalk over, `FlankLeft`/`FlankRight` move a wolf to that flank.
    pub fn communicate_with_pack(&mut self, pack: usize, message: PackMessage) {
        if let Some(pack) = self.packs.get_mut(pack)
            && pack.inbox.len() < MESSAGES
        {
            pack.inbox.push(message);
        }
    }

    /// A deterministic 64-bit checksum of the whole state (FNV-1a over every field).
    pub fn checksum(&self) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut mix = |value: i64| {
            for byte in value.to_le_bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
        };
        mix(i64::from(self.frame));
        mix(self.rng.state() as i64);
        for pack in &self.packs {
            mix(pack.members.0 as i64);
            mix(pack.members.1 as i64);
            mix(pack.target as i64);
        }
        for wolf in &self.wolves {
            for value in [
                wolf.pack as i64,
                wolf.role as i64,
                i64::from(wolf.at.x),
                i64::from(wolf.at.y),
                i64::from(wolf.velocity.x),
                i64::from(wolf.velocity.y),
                i64::from(wolf.health),
                i64::from(wolf.striking),
                i64::from(wolf.cooldown),
                i64::from(wolf.slot),
            ] {
                mix(value);
            }
        }
        for pack in &self.packs {
            let (seen, at) = pack.last_seen.unwrap_or_default();
            for value in [
                i64::from(seen.x),
                i64::from(seen.y),
                i64::from(at),
                pack.mood as i64,
                pack.order as i64,
                i64::from(pack.stalking_since),
                i64::from(pack.model.dodges_left),
                i64::from(pack.model.dodges_right),
                i64::from(pack.model.blocks),
                i64::from(pack.model.attacks),
                i64::from(pack.model.last_attack),
                i64::from(pack.model.attack_interval),
                i64::from(pack.aggression),
                i64::from(pack.front),
                i64::from(pack.retreat_until),
                i64::from(pack.intelligence),
                pack.full_health.into(),
                pack.full_size as i64,
                pack.inbox.len() as i64,
            ] {
                mix(value);
            }
        }
        hash
    }

    /// The wolves of `pack`.
    pub fn members(&self, pack: usize) -> &[Wolf] {
        self.packs
            .get(pack)
            .and_then(|p| self.wolves.get(p.members.0..p.members.1))
            .unwrap_or(&[])
    }

    /// Wolves of `pack` striking now.
    pub fn strikers(&self, pack: usize) -> usize {
        self.members(pack)
            .iter()
            .filter(|wolf| wolf.striking > 0)
            .count()
    }

    /// One frame of AI (the seed's `update(dt, player, obstacles)` at a fixed 60 Hz step).
    pub fn update(&mut self, player: &Player, obstacles: &[Obstacle], config: &Config) {
        self.update_with_terrain(player, obstacles, None, config);
    }

    /// [`Wolves::update`] with terrain awareness: when a chokepoint lies ahead of the running
    /// player, Hunters — and any wolf that can get there before the player — wait in front of
    /// it, blocking the passage, instead of chasing a point just ahead of the player.
    pub fn update_with_terrain(
        &mut self,
        player: &Player,
        obstacles: &[Obstacle],
        terrain: Option<&Terrain>,
        config: &Config,
    ) {
        self.update_players(std::slice::from_ref(player), obstacles, terrain, config);
    }

    /// One frame against several players: each pack hunts the player nearest its first living
    /// wolf ([`Pack::target`]) and perceives, stalks and strikes that one, as
    /// [`Wolves::update_with_terrain`] does for one. With no players the packs search.
    pub fn update_players(
        &mut self,
        players: &[Player],
        obstacles: &[Obstacle],
        terrain: Option<&Terrain>,
        config: &Config,
    ) {
        let players = &players[..players.len().min(MAX_TARGETS)];
        self.frame += 1;
        for pack in &mut self.packs {
            pack.messages.clear();
        }
        self.choose_targets(players);
        self.perceive(players, obstacles, config);
        for pack in 0..self.packs.len() {
            self.decide(pack);
        }
        let nobody = Player::default();
        let player_of = |pack: &Pack| players.get(pack.target).unwrap_or(&nobody);
        // Per hunted player, once a frame: the chokepoint ahead of it (if the terrain is
        // known), which the ambushers block on its side; and, if a pack hunting it stalks,
        // the cover from where it stands.
        let mut ambush = [None; MAX_TARGETS];
        let mut cover: [Option<CoverField>; MAX_TARGETS] = Default::default();
        for pack in &self.packs {
            let Some(slot) = ambush.get_mut(pack.target) else {
                continue;
            };
            let player = player_of(pack);
            if slot.is_none() {
                *slot = Some(
                    terrain
                        .and_then(|t| t.ahead(player.at, player.velocity, config.sight * 2))
                        .map(|gap| {
                            let before = player.at.minus(gap);
                            gap.plus(before.clamp_length(config.separation))
                        }),
                );
            }
            if pack.order == Order::Stalk && cover[pack.target].is_none() {
                cover[pack.target] = terrain.map(|t| t.cover_field(player.at, config.ring * 3));
            }
        }
        for index in 0..self.wolves.len() {
            let target = self.packs[self.wolves[index].pack].target;
            let player = *players.get(target).unwrap_or(&nobody);
            let (ambush, cover) = (
                ambush.get(target).copied().flatten().flatten(),
                cover.get(target).and_then(Option::as_ref),
            );
            self.act(index, &player, obstacles, cover, ambush, config);
        }
    }

    /// Each pack's target: the player nearest its first living wolf (the lowest index on a
    /// tie).
    fn choose_targets(&mut self, players: &[Player]) {
        for pack in &mut self.packs {
            let lead = self.wolves[pack.members.0..pack.members.1]
                .iter()
                .find(|wolf| wolf.health > 0);
            pack.target = match lead {
                Some(lead) => players
                    .iter()
                    .enumerate()
                    .min_by_key(|(index, player)| {
                        (player.at.minus(lead.at).length_squared(), *index)
                    })
                    .map_or(0, |(index, _)| index),
                None => 0,
            };
        }
    }
}
