//! Memory and adaptation: what the pack learns about the player's habits, and a difficulty
//! director that moves aggression and strike timing so the player's win rate settles near a
//! target.

use crate::Config;

/// What the player did this frame, as the pack reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayerAction {
    /// Dodged (rolled) towards negative x (-1) or positive x (1).
    Dodge(i8),
    /// Blocked.
    Block,
    /// Attacked.
    Attack,
}

/// The player's habits, counted (plain data, part of the saved state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PlayerModel {
    /// Dodges to the left.
    pub dodges_left: u32,
    /// Dodges to the right.
    pub dodges_right: u32,
    /// Blocks.
    pub blocks: u32,
    /// Attacks.
    pub attacks: u32,
    /// The frame of the last attack (0: none yet).
    pub last_attack: u32,
    /// Frames between attacks, averaged (0: unknown).
    pub attack_interval: u32,
}

/// Frames after the player's attack in which a strike lands during its recovery (a strike
/// takes about 13 frames to cross the ring; the game's attacks recover for 14–22 frames).
pub const PUNISH_WINDOW: u32 = 10;

impl PlayerModel {
    /// Counts one action.
    pub fn observe(&mut self, action: PlayerAction) {
        match action {
            PlayerAction::Dodge(side) if side < 0 => self.dodges_left += 1,
            PlayerAction::Dodge(_) => self.dodges_right += 1,
            PlayerAction::Block => self.blocks += 1,
            PlayerAction::Attack => self.attacks += 1,
        }
    }

    /// Counts one action done at `frame`, learning the rhythm of the player's attacks.
    pub fn observe_at(&mut self, action: PlayerAction, frame: u32) {
        self.observe(action);
        if action == PlayerAction::Attack {
            if self.last_attack > 0 {
                let gap = frame.saturating_sub(self.last_attack);
                self.attack_interval = if self.attack_interval == 0 {
                    gap
                } else {
                    (self.attack_interval * 3 + gap) / 4
                };
            }
            self.last_attack = frame.max(1);
        }
    }

    /// Whether to strike at `frame`, as far as the player's timing goes. Against a player who
    /// attacks in a rhythm (at least 3 attacks, under 4 s apart), wait for the window just
    /// after its attack, when it cannot block or dodge — unless it has not attacked for 1.5
    /// of its usual interval (then it changed its habits; do not wait forever). Otherwise at
    /// once.
    pub fn strike_now(&self, frame: u32) -> bool {
        let interval = self.attack_interval;
        if self.attacks < 3 || interval == 0 || interval > 240 {
            return true;
        }
        let since = frame.saturating_sub(self.last_attack);
        since <= PUNISH_WINDOW || since > interval + interval / 2
    }

    /// Extra attack tokens against a player who blocks at least half the time (of 4 or more
    /// attacks and blocks): strikes from several sides at once get round a block.
    pub fn extra_tokens(&self) -> usize {
        usize::from(self.blocks + self.attacks >= 4 && self.block_rate() >= 500)
    }

    /// The side the player dodges to at least twice as often as the other (-1, 1), or 0.
    pub fn favoured_dodge(&self) -> i32 {
        let (left, right) = (self.dodges_left, self.dodges_right);
        if left + right < 4 {
            0
        } else if left >= right * 2 {
            -1
        } else if right >= left * 2 {
            1
        } else {
            0
        }
    }

    /// Blocks per attack and block, in per mille.
    pub fn block_rate(&self) -> u32 {
        (self.blocks * 1000)
            .checked_div(self.blocks + self.attacks)
            .unwrap_or(0)
    }
}

/// Keeps the player's win rate near a target by moving the packs' aggression after each
/// encounter: an exponential average of outcomes (per mille), and a proportional step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Director {
    /// The wanted win rate of the player, per mille (default 500).
    pub target: i32,
    /// The aggression the packs should use, 0..=1000.
    pub aggression: i32,
    /// The recent win rate, per mille (an average over about the last 16 encounters).
    pub recent: i32,
    /// Encounters recorded.
    pub encounters: u32,
    /// Of which the player won.
    pub wins: u32,
}

impl Default for Director {
    fn default() -> Self {
        Self {
            target: 500,
            aggression: 500,
            recent: 500,
            encounters: 0,
            wins: 0,
        }
    }
}

impl Director {
    /// A director aiming at `target` per mille of player wins.
    pub fn new(target: i32) -> Self {
        Self {
            target: target.clamp(0, 1000),
            recent: target.clamp(0, 1000),
            ..Self::default()
        }
    }

    /// Records an encounter: a player who wins too often meets fiercer packs, one who loses too
    /// often tamer ones.
    pub fn record(&mut self, player_won: bool) {
        self.encounters += 1;
        self.wins += u32::from(player_won);
        let outcome = if player_won { 1000 } else { 0 };
        self.recent = self.recent + (outcome - self.recent) / 16;
        self.aggression = (self.aggression + (self.recent - self.target) / 8).clamp(0, 1000);
    }

    /// The packs' settings at the current aggression (set the packs' own aggression with
    /// [`crate::Wolves::set_aggression`] too): strikes come more often the higher it is (the
    /// cooldown runs from 1.6× the base at 0 to 0.2× at 1000), and more wolves strike at once
    /// (one token more per 250 above 500, up to two; one fewer per 250 below, never under
    /// one).
    pub fn tune(&self, base: &Config) -> Config {
        let a = self.aggression.clamp(0, 1000);
        let cooldown =
            i64::from(base.strike_cooldown) * i64::from(1_600 - 1_400 * a / 1_000) / 1_000;
        let shift = (a - 500) / 250;
        let tokens = i64::try_from(base.tokens)
            .unwrap_or(i64::MAX)
            .saturating_add(i64::from(shift));
        let tokens = usize::try_from(tokens.max(1)).unwrap_or(1);
        Config {
            strike_cooldown: u16::try_from(cooldown.max(1)).unwrap_or(u16::MAX),
            tokens,
            ..base.clone()
        }
    }
}
