//! The world: one plain-data state — the players' fighters, the wave's wolves, the wave, the
//! score, the random state — stepped only by [`World::step`] with one input per player.
//! Integer math, ordered iteration and the random state inside: the same inputs give the same
//! world on every machine and on wasm32, and a rollback is a `clone_from`.

use trystero_ai::{Director, PackMessage, Player as Target, PlayerAction, Vec2, Wolves};
use trystero_anim::{Fighter, FrameData, Input, Reception, State, hitbox, receive, reception};
use trystero_core::random::SeededRandom;
use trystero_netcode::{InputStatus, PlayerInput, checksum_words};

use crate::event::{Entity, EventKind, GameEvent};
use crate::rules::{MAX_PLAYERS, PX, Rules, Upgrade, WaveKind};

/// Where the upgrade choice sits in an input: bits 9–10 (0: none, 1–3: the offer's first to
/// third). Bits 0–8 are the fighter's [`Input`].
const CHOICE_SHIFT: u16 = 9;

/// Packs a fighter's input and an upgrade choice (0: none; 1–3: pick that one of the offer)
/// into the match's network input.
pub fn pack_input(input: Input, choice: u8) -> u16 {
    input.pack() | (u16::from(choice.min(3)) << CHOICE_SHIFT)
}

/// The fighter's input and the upgrade choice of a network input (every value is valid).
pub fn unpack_input(bits: u16) -> (Input, u8) {
    let choice = u8::try_from((bits >> CHOICE_SHIFT) & 3).unwrap_or(0);
    (Input::unpack(bits & Input::BITS), choice)
}

/// One player in the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlayerState {
    /// The fighter.
    pub fighter: Fighter,
    /// Still in the match (false once they left; a player who left stays dead).
    pub present: bool,
    /// Wolves killed.
    pub kills: u32,
    /// Damage dealt.
    pub damage: u32,
    /// Times died.
    pub deaths: u32,
    /// Upgrades taken, counted per [`Upgrade::ALL`] entry.
    pub upgrades: [u8; 6],
    /// The upgrades offered now (between waves, until one is picked).
    pub offer: Option<[Upgrade; 3]>,
}

impl PlayerState {
    /// Whether the fighter is alive and in the match.
    pub fn alive(&self) -> bool {
        self.present && self.fighter.state != State::Death
    }

    fn count(&self, upgrade: Upgrade) -> i32 {
        let index = Upgrade::ALL.iter().position(|u| *u == upgrade).unwrap_or(0);
        i32::from(self.upgrades[index])
    }

    /// The fighter's frame data with this player's upgrades.
    pub fn frame_data(&self, base: &FrameData) -> FrameData {
        let percent = |value: i32, per: i32, count: i32| value * (100 + per * count) / 100;
        let focus = self.count(Upgrade::Focus);
        let mut cooldown = u32::from(base.special_cooldown);
        for _ in 0..focus.min(5) {
            cooldown = cooldown * 7 / 10;
        }
        FrameData {
            health: base.health + 25 * self.count(Upgrade::Vigour),
            attack_damage: percent(base.attack_damage, 20, self.count(Upgrade::Might)),
            speed: percent(base.speed, 15, self.count(Upgrade::Swiftness)),
            roll_speed: percent(base.roll_speed, 15, self.count(Upgrade::Swiftness)),
            stamina_regen: percent(base.stamina_regen, 50, self.count(Upgrade::Endurance)),
            special_cooldown: u16::try_from(cooldown).unwrap_or(u16::MAX),
            parry_window: base
                .parry_window
                .saturating_add(3 * u16::try_from(self.count(Upgrade::Guard)).unwrap_or(0)),
            ..base.clone()
        }
    }

    fn words(&self) -> [u64; 6] {
        let offer = self.offer.map_or(0, |offer| {
            offer
                .iter()
                .fold(1u64, |acc, upgrade| acc << 4 | *upgrade as u64)
        });
        let upgrades = self
            .upgrades
            .iter()
            .fold(0u64, |acc, count| acc << 8 | u64::from(*count));
        [
            checksum_words(&self.fighter.words()),
            u64::from(self.present),
            u64::from(self.kills) << 32 | u64::from(self.deaths),
            u64::from(self.damage),
            upgrades,
            offer,
        ]
    }
}

/// Where the match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Between waves (and before the first): players pick upgrades; the next wave comes at
    /// frame `until`, or once every living player picked.
    Intermission {
        /// The frame the next wave starts at the latest.
        until: u32,
    },
    /// A wave is on.
    Fighting,
    /// Everyone is dead or gone.
    Over,
}

/// The whole simulated state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Frames stepped.
    pub frame: u32,
    /// The match's seed (the rules come from it).
    pub seed: u64,
    /// The world's own random state (dens, upgrade offers).
    pub rng: SeededRandom,
    /// The players, in roster order.
    pub players: Vec<PlayerState>,
    /// The wave's wolves and packs.
    pub wolves: Wolves,
    /// Per wolf: a bit per player whose current attack step already hit it.
    pub wolf_hits: Vec<u8>,
    /// The wave number (0 before the first).
    pub wave: u32,
    /// The wave's kind.
    pub kind: WaveKind,
    /// Where the match is.
    pub phase: Phase,
    /// The difficulty director (it tunes the packs after each wave).
    pub director: Director,
    /// Player deaths in the current wave.
    pub deaths_this_wave: u32,
    /// Wolves killed in the match.
    pub kills: u32,
    /// Waves cleared.
    pub waves_cleared: u32,
    /// The frame the run ended, once over.
    pub ended_at: Option<u32>,
}

impl World {
    /// A new match of `players` players (1 to 4; more are ignored) with this seed: the players
    /// stand around the middle and the first wave comes after `rules.first_delay` frames.
    pub fn new(seed: u64, players: usize, rules: &Rules) -> Self {
        let count = players.clamp(1, MAX_PLAYERS);
        let arena = rules.arena();
        let centre = Vec2::new(arena.x / 2, arena.y / 2);
        let players = (0..count)
            .map(|index| {
                let i = i32::try_from(index).unwrap_or(0);
                let x = centre.x + (i * 2 - i32::try_from(count).unwrap_or(1) + 1) * 40 * PX;
                let facing = if x < centre.x { 1 } else { -1 };
                PlayerState {
                    fighter: Fighter::new(&rules.fighter, x, centre.y, facing),
                    present: true,
                    kills: 0,
                    damage: 0,
                    deaths: 0,
                    upgrades: [0; 6],
                    offer: None,
                }
            })
            .collect();
        Self {
            frame: 0,
            seed,
            rng: SeededRandom::new(seed),
            players,
            wolves: Wolves::new(&[], 0, seed ^ 0x776f_6c76_6573),
            wolf_hits: Vec::new(),
            wave: 0,
            kind: WaveKind::Normal,
            phase: Phase::Intermission {
                until: rules.first_delay,
            },
            director: Director::default(),
            deaths_this_wave: 0,
            kills: 0,
            waves_cleared: 0,
            ended_at: None,
        }
    }

    /// Whether the run is over.
    pub fn is_over(&self) -> bool {
        self.phase == Phase::Over
    }

    /// Wolves alive.
    pub fn wolves_alive(&self) -> usize {
        self.wolves.wolves.iter().filter(|w| w.health > 0).count()
    }

    /// One frame (1/60 s) with one input per player (packed by [`pack_input`]; a missing one
    /// is neutral, a `Disconnected` one removes the player for good). Events are appended to
    /// `events`.
    pub fn step(
        &mut self,
        rules: &Rules,
        inputs: &[PlayerInput<u16>],
        events: &mut Vec<GameEvent>,
    ) {
        self.frame += 1;
        if self.phase == Phase::Over {
            return;
        }
        let mut moved = [Vec2::default(); MAX_PLAYERS];
        for (index, moved) in moved.iter_mut().enumerate().take(self.players.len()) {
            let input = inputs.get(index).copied().unwrap_or(PlayerInput {
                input: 0,
                status: InputStatus::Confirmed,
            });
            *moved = self.step_player(rules, index, input, events);
        }
        match self.phase {
            Phase::Intermission { until } => {
                let picked = self.players.iter().all(|p| !p.alive() || p.offer.is_none());
                let anyone = self.players.iter().any(|p| p.present);
                if !anyone {
                    self.end(events);
                } else if self.frame >= until || (picked && self.wave > 0) {
                    self.start_wave(rules, events);
                }
            }
            Phase::Fighting => {
                self.step_wolves(rules, &moved, events);
                self.player_attacks(rules, events);
                self.wolf_bites(rules, events);
                if !self.players.iter().any(PlayerState::alive) {
                    self.end(events);
                } else if self.wolves_alive() == 0 {
                    self.clear_wave(rules, events);
                }
            }
            Phase::Over => {}
        }
    }

    /// A player's part of a frame: leaving, the upgrade pick, the fighter's step, rocks.
    /// Returns how far the fighter moved.
    fn step_player(
        &mut self,
        rules: &Rules,
        index: usize,
        input: PlayerInput<u16>,
        events: &mut Vec<GameEvent>,
    ) -> Vec2 {
        let frame = self.frame;
        let entity = Entity::Player(u8::try_from(index).unwrap_or(u8::MAX));
        let player = &mut self.players[index];
        if input.status == InputStatus::Disconnected && player.present {
            player.present = false;
            player.offer = None;
            if player.fighter.state != State::Death {
                player.fighter.health = 0;
                player.fighter.fire(trystero_anim::Trigger::Killed);
            }
            events.push(event(frame, EventKind::Left, entity, None, 0));
        }
        let (input, choice) = if player.present {
            unpack_input(input.input)
        } else {
            (Input::default(), 0)
        };
        if let (Some(offer), 1..=3) = (player.offer, choice) {
            let upgrade = offer[usize::from(choice - 1)];
            take(player, upgrade, rules);
            let at = Upgrade::ALL.iter().position(|u| *u == upgrade).unwrap_or(0);
            let amount = i32::try_from(at).unwrap_or(0);
            events.push(event(frame, EventKind::Upgraded, entity, None, amount));
        }
        let data = player.frame_data(&rules.fighter);
        let before = Vec2::new(player.fighter.x, player.fighter.y);
        let was = player.fighter.state;
        player.fighter.step(input, &data);
        let mut at = Vec2::new(player.fighter.x, player.fighter.y);
        for rock in &rules.obstacles {
            at = rock.push_out(at, rules.body);
        }
        player.fighter.x = at.x.clamp(0, data.arena.0);
        player.fighter.y = at.y.clamp(0, data.arena.1);
        let fighter = player.fighter;
        // A state entered this step has frame 0 (entering restarts the count).
        let started = fighter.frame == 0;
        if started && fighter.state == State::Roll {
            events.push(event(frame, EventKind::Rolled, entity, None, 0));
            self.wolves.observe(PlayerAction::Dodge(fighter.facing));
        } else if started && fighter.state == State::Attack {
            // A new attack step: it may hit every wolf once more.
            let bit = 1u8 << index;
            for hits in &mut self.wolf_hits {
                *hits &= !bit;
            }
            self.wolves.observe(PlayerAction::Attack);
        } else if started && fighter.state == State::Block && was != State::Block {
            self.wolves.observe(PlayerAction::Block);
        }
        Vec2::new(fighter.x, fighter.y).minus(before)
    }

    fn step_wolves(
        &mut self,
        rules: &Rules,
        moved: &[Vec2; MAX_PLAYERS],
        events: &mut Vec<GameEvent>,
    ) {
        let config = rules.wolf_config(self.kind, &self.director.tune(&rules.wolves));
        // The living players as the wolves see them.
        let mut targets = [Target::default(); MAX_PLAYERS];
        let mut count = 0;
        for (index, player) in self.players.iter().enumerate() {
            if player.alive() {
                targets[count] = Target {
                    at: Vec2::new(player.fighter.x, player.fighter.y),
                    velocity: moved[index],
                };
                count += 1;
            }
        }
        self.wolves.update_players(
            &targets[..count],
            &rules.obstacles,
            Some(&rules.terrain),
            &config,
        );
        let arena = rules.arena();
        for wolf in &mut self.wolves.wolves {
            wolf.at = Vec2::new(wolf.at.x.clamp(0, arena.x), wolf.at.y.clamp(0, arena.y));
        }
        for pack in &self.wolves.packs {
            if pack.messages.contains(&PackMessage::Engage) {
                let alpha = u16::try_from(pack.members.0).unwrap_or(u16::MAX);
                events.push(event(
                    self.frame,
                    EventKind::Howl,
                    Entity::Wolf(alpha),
                    None,
                    0,
                ));
            }
        }
    }

    /// Fighters' hitboxes against the wolves: each attack step hits a wolf at most once.
    fn player_attacks(&mut self, rules: &Rules, events: &mut Vec<GameEvent>) {
        let half = rules.wolf_half;
        for index in 0..self.players.len() {
            let player = &self.players[index];
            let data = player.frame_data(&rules.fighter);
            if !player.alive() || !player.fighter.hitbox_active(&data) {
                continue;
            }
            let fighter = player.fighter;
            let (left, top, right, bottom) = hitbox(&fighter, &data);
            let damage = fighter.damage(&data);
            let bit = 1u8 << index;
            let entity = Entity::Player(u8::try_from(index).unwrap_or(u8::MAX));
            for (number, wolf) in self.wolves.wolves.iter_mut().enumerate() {
                let touching = wolf.at.x - half <= right
                    && left <= wolf.at.x + half
                    && wolf.at.y - half <= bottom
                    && top <= wolf.at.y + half;
                if wolf.health <= 0 || !touching || self.wolf_hits[number] & bit != 0 {
                    continue;
                }
                self.wolf_hits[number] |= bit;
                wolf.health -= damage;
                // A hit breaks a lunge and knocks the wolf back.
                wolf.striking = 0;
                wolf.cooldown = wolf.cooldown.max(20);
                let push = if wolf.at.x >= fighter.x { 1 } else { -1 };
                wolf.at.x += push * data.knockback;
                let target = Entity::Wolf(u16::try_from(number).unwrap_or(u16::MAX));
                events.push(event(
                    self.frame,
                    EventKind::Hit,
                    entity,
                    Some(target),
                    damage,
                ));
                let player = &mut self.players[index];
                player.damage += u32::try_from(damage).unwrap_or(0);
                if wolf.health <= 0 {
                    wolf.health = 0;
                    player.kills += 1;
                    self.kills += 1;
                    events.push(event(self.frame, EventKind::Died, target, Some(entity), 0));
                }
            }
        }
    }

    /// Wolves halfway through a strike bite the nearest living player in reach, who takes it
    /// by the fighters' own rule (block, parry, roll through).
    fn wolf_bites(&mut self, rules: &Rules, events: &mut Vec<GameEvent>) {
        let config = rules.wolf_config(self.kind, &self.director.tune(&rules.wolves));
        let bite_frame = config.strike_frames / 2;
        let reach = i64::from(rules.bite_reach).pow(2);
        for number in 0..self.wolves.wolves.len() {
            let wolf = self.wolves.wolves[number];
            if wolf.health <= 0 || wolf.striking != bite_frame {
                continue;
            }
            let nearest = self
                .players
                .iter()
                .enumerate()
                .filter(|(_, p)| p.alive())
                .map(|(index, p)| {
                    let at = Vec2::new(p.fighter.x, p.fighter.y);
                    (at.minus(wolf.at).length_squared(), index)
                })
                .filter(|(distance, _)| *distance <= reach)
                .min();
            let Some((_, index)) = nearest else {
                continue;
            };
            let great = self.kind == WaveKind::Alpha && number == 0;
            let damage = if great {
                rules.bite_damage * 2
            } else {
                rules.bite_damage
            };
            let player = &mut self.players[index];
            let data = player.frame_data(&rules.fighter);
            let how = reception(&player.fighter, wolf.at.x, &data);
            let push = if player.fighter.x >= wolf.at.x { 1 } else { -1 };
            let taken = receive(&mut player.fighter, how, damage, push, &data);
            let (wolf_entity, player_entity) = (
                Entity::Wolf(u16::try_from(number).unwrap_or(u16::MAX)),
                Entity::Player(u8::try_from(index).unwrap_or(u8::MAX)),
            );
            let kind = match how {
                Reception::Hit => EventKind::Hit,
                Reception::Blocked => EventKind::Blocked,
                Reception::Parried => EventKind::Parried,
                Reception::Evaded => EventKind::Evaded,
            };
            let amount = if how == Reception::Parried {
                damage * 2
            } else {
                taken
            };
            events.push(event(
                self.frame,
                kind,
                wolf_entity,
                Some(player_entity),
                amount,
            ));
            if how == Reception::Parried {
                let wolf = &mut self.wolves.wolves[number];
                wolf.health -= damage * 2;
                wolf.striking = 0;
                wolf.cooldown = rules.wolf_stagger;
                if wolf.health <= 0 {
                    wolf.health = 0;
                    player.kills += 1;
                    self.kills += 1;
                    events.push(event(
                        self.frame,
                        EventKind::Died,
                        wolf_entity,
                        Some(player_entity),
                        0,
                    ));
                }
            }
            if player.fighter.health <= 0 && player.fighter.state != State::Death {
                player.fighter.health = 0;
                player.fighter.fire(trystero_anim::Trigger::Killed);
                player.deaths += 1;
                self.deaths_this_wave += 1;
                events.push(event(
                    self.frame,
                    EventKind::Died,
                    player_entity,
                    Some(wolf_entity),
                    0,
                ));
            }
        }
    }

    fn clear_wave(&mut self, rules: &Rules, events: &mut Vec<GameEvent>) {
        self.waves_cleared += 1;
        self.director.record(self.deaths_this_wave == 0);
        let amount = i32::try_from(self.wave).unwrap_or(i32::MAX);
        events.push(event(
            self.frame,
            EventKind::WaveCleared,
            Entity::World,
            None,
            amount,
        ));
        for index in 0..self.players.len() {
            if self.players[index].alive() {
                let offer = self.draw_offer();
                self.players[index].offer = Some(offer);
            }
        }
        self.phase = Phase::Intermission {
            until: self.frame + rules.intermission,
        };
    }

    /// Three different upgrades, drawn from the world's random state.
    fn draw_offer(&mut self) -> [Upgrade; 3] {
        let mut pool = Upgrade::ALL;
        let mut offer = [Upgrade::Vigour; 3];
        for (taken, slot) in offer.iter_mut().enumerate() {
            let left = u64::try_from(pool.len() - taken).unwrap_or(1);
            let pick = taken + usize::try_from(self.rng.next_u64() % left).unwrap_or(0);
            pool.swap(taken, pick);
            *slot = pool[taken];
        }
        offer
    }

    fn start_wave(&mut self, rules: &Rules, events: &mut Vec<GameEvent>) {
        // Whoever did not pick gets the first of their offer.
        for index in 0..self.players.len() {
            if let Some(offer) = self.players[index].offer {
                take(&mut self.players[index], offer[0], rules);
                let at = Upgrade::ALL
                    .iter()
                    .position(|u| *u == offer[0])
                    .unwrap_or(0);
                let amount = i32::try_from(at).unwrap_or(0);
                let entity = Entity::Player(u8::try_from(index).unwrap_or(u8::MAX));
                events.push(event(self.frame, EventKind::Upgraded, entity, None, amount));
            }
        }
        self.wave += 1;
        self.kind = Rules::wave_kind(self.wave);
        self.deaths_this_wave = 0;
        // The dead who are still here come back.
        let arena = rules.arena();
        for player in &mut self.players {
            if player.present && player.fighter.state == State::Death {
                let data = player.frame_data(&rules.fighter);
                player.fighter =
                    Fighter::new(&data, arena.x / 2, arena.y / 2, player.fighter.facing);
            }
        }
        self.wolves.clear();
        let mut left = rules.wave_size(self.wave);
        let health = rules.wave_health(self.wave);
        while left > 0 {
            let size = left.min(rules.pack_size.max(1));
            left -= size;
            let den = self.draw_den(arena);
            self.wolves.add_pack(den, size, health);
        }
        if self.kind == WaveKind::Alpha
            && let Some(alpha) = self.wolves.wolves.first_mut()
        {
            let extra = health * (rules.alpha_multiplier - 1);
            alpha.health += extra;
            if let Some(pack) = self.wolves.packs.first_mut() {
                pack.full_health += extra;
            }
        }
        self.wolves.set_aggression(self.director.aggression);
        self.wolf_hits.clear();
        self.wolf_hits.resize(self.wolves.wolves.len(), 0);
        self.phase = Phase::Fighting;
        let amount = i32::try_from(self.wave).unwrap_or(i32::MAX);
        events.push(event(
            self.frame,
            EventKind::WaveStarted,
            Entity::World,
            None,
            amount,
        ));
    }

    /// A den on the arena's edge, drawn from the random state.
    fn draw_den(&mut self, arena: Vec2) -> Vec2 {
        let side = self.rng.next_u64() % 4;
        let along = |length: i32, rng: &mut SeededRandom| {
            let span = u64::try_from(length - 2 * 60 * PX).unwrap_or(1).max(1);
            60 * PX + i32::try_from(rng.next_u64() % span).unwrap_or(0)
        };
        let inset = 40 * PX;
        match side {
            0 => Vec2::new(along(arena.x, &mut self.rng), inset),
            1 => Vec2::new(along(arena.x, &mut self.rng), arena.y - inset),
            2 => Vec2::new(inset, along(arena.y, &mut self.rng)),
            _ => Vec2::new(arena.x - inset, along(arena.y, &mut self.rng)),
        }
    }

    fn end(&mut self, events: &mut Vec<GameEvent>) {
        self.phase = Phase::Over;
        self.ended_at = Some(self.frame);
        events.push(event(
            self.frame,
            EventKind::RunOver,
            Entity::World,
            None,
            0,
        ));
    }

    /// The checksum of the state in three parts — the match (frame, wave, score, random
    /// state), the players, the wolves — so a desync names the part that differs.
    pub fn checksum_parts(&self) -> [u64; 3] {
        let phase = match self.phase {
            Phase::Intermission { until } => u64::from(until) << 2,
            Phase::Fighting => 1,
            Phase::Over => 2,
        };
        let director = &self.director;
        let world = checksum_words(&[
            u64::from(self.frame),
            self.seed,
            self.rng.state(),
            u64::from(self.wave),
            self.kind as u64,
            phase,
            director.aggression as u64,
            director.recent as u64,
            u64::from(director.encounters) << 32 | u64::from(director.wins),
            u64::from(self.deaths_this_wave),
            u64::from(self.kills),
            u64::from(self.waves_cleared),
            self.ended_at.map_or(0, |frame| u64::from(frame) + 1),
        ]);
        let players = self.players.iter().fold(0u64, |acc, player| {
            let words = player.words();
            checksum_words(&[acc, checksum_words(&words)])
        });
        let hits = self
            .wolf_hits
            .iter()
            .fold(0u64, |acc, hits| acc.rotate_left(5) ^ u64::from(*hits));
        let wolves = checksum_words(&[self.wolves.checksum(), hits]);
        [world, players, wolves]
    }

    /// The checksum of the whole state (the parts folded into one).
    pub fn checksum(&self) -> u64 {
        checksum_words(&self.checksum_parts())
    }
}

fn take(player: &mut PlayerState, upgrade: Upgrade, rules: &Rules) {
    let at = Upgrade::ALL.iter().position(|u| *u == upgrade).unwrap_or(0);
    player.upgrades[at] = player.upgrades[at].saturating_add(1);
    player.offer = None;
    if upgrade == Upgrade::Vigour && player.fighter.state != State::Death {
        player.fighter.health = player.frame_data(&rules.fighter).health;
    }
}

fn event(
    frame: u32,
    kind: EventKind,
    entity: Entity,
    other: Option<Entity>,
    amount: i32,
) -> GameEvent {
    GameEvent {
        frame,
        kind,
        entity,
        other,
        amount,
    }
}
