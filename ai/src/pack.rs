//! The pack's side of a frame: perception into the blackboard, messages read from it, the
//! pack's mood and order, and the Alpha's flank calls.

use crate::terrain::clear_line;
use crate::{
    Config, MESSAGES, Mood, Obstacle, Order, PackMessage, Player, Role, TURN, Wolves, angle_of,
};

impl Wolves {
    pub(crate) fn perceive(&mut self, players: &[Player], obstacles: &[Obstacle], config: &Config) {
        let frame = self.frame;
        for (index, wolf) in self.wolves.iter().enumerate() {
            if wolf.health <= 0 {
                continue;
            }
            let Some(player) = players.get(self.packs[wolf.pack].target) else {
                continue;
            };
            let distance = player.at.minus(wolf.at).length_squared();
            let sees = distance <= i64::from(config.sight).pow(2)
                && clear_line(wolf.at, player.at, obstacles);
            let hears = distance <= i64::from(config.hearing).pow(2);
            if sees || hears {
                let pack = &mut self.packs[wolf.pack];
                pack.last_seen = Some((player.at, frame));
                if pack.messages.len() < MESSAGES {
                    pack.messages.push(PackMessage::Spotted {
                        wolf: index,
                        at: player.at,
                    });
                }
            }
        }
    }

    pub(crate) fn decide(&mut self, pack: usize) {
        let (alive, health) = self
            .members(pack)
            .iter()
            .filter(|wolf| wolf.health > 0)
            .fold((0usize, 0i32), |(n, h), wolf| (n + 1, h + wolf.health));
        let frame = self.frame;
        // Messages from outside first: they read like the pack's own.
        let inbox = std::mem::take(&mut self.packs[pack].inbox);
        for message in &inbox {
            self.read(pack, *message, frame);
        }
        let mut inbox = inbox;
        inbox.clear();
        self.packs[pack].inbox = inbox;
        let state = &mut self.packs[pack];
        let memory = u32::try_from(120 + state.intelligence / 4).unwrap_or(120);
        if state
            .last_seen
            .is_some_and(|(_, at)| self.frame.saturating_sub(at) > memory)
        {
            state.last_seen = None;
        }
        // Mood from strength: below 2/3 health cautious, below half the wolves desperate.
        if alive * 2 < state.full_size {
            state.mood = Mood::Desperate;
        } else if health * 3 < state.full_health * 2 {
            state.mood = Mood::Cautious;
        }
        // Aggression shortens the stalk: engage after 30 (1000) to 90 (0) frames of contact.
        let patience =
            u32::try_from(90 - state.aggression.clamp(0, 1000) * 60 / 1000).unwrap_or(60);
        let order = match state.last_seen {
            _ if state.retreat_until > self.frame => Order::Retreat,
            None => Order::Search,
            Some(_) if state.mood == Mood::Desperate && alive <= 1 => Order::Retreat,
            Some(_) if state.order == Order::Engage => Order::Engage,
            Some(_) if state.order == Order::Stalk => {
                if self.frame.saturating_sub(state.stalking_since) >= patience {
                    Order::Engage
                } else {
                    Order::Stalk
                }
            }
            Some(_) => {
                state.stalking_since = self.frame;
                Order::Stalk
            }
        };
        let new_stalk = order == Order::Stalk && state.order != Order::Stalk;
        if let Some((target, _)) = state.last_seen {
            let (first, last) = state.members;
            if let Some(alpha) = self.wolves[first..last]
                .iter()
                .find(|w| w.role == Role::Alpha && w.health > 0)
            {
                state.front = angle_of(alpha.at.minus(target));
            }
        }
        if order == Order::Engage && state.order != Order::Engage && state.messages.len() < MESSAGES
        {
            state.messages.push(PackMessage::Engage);
        }
        if order == Order::Retreat && state.messages.len() < MESSAGES {
            state.messages.push(PackMessage::Retreat);
        }
        state.order = order;
        if new_stalk {
            self.call_flanks(pack);
        }
    }

    /// Acts on one blackboard message (logged in `messages`).
    fn read(&mut self, pack: usize, message: PackMessage, frame: u32) {
        let (first, last) = self.packs[pack].members;
        let state = &mut self.packs[pack];
        if state.messages.len() < MESSAGES {
            state.messages.push(message);
        }
        match message {
            PackMessage::Spotted { at, .. } => state.last_seen = Some((at, frame)),
            PackMessage::Engage if state.last_seen.is_some() => {
                state.retreat_until = 0;
                state.order = Order::Engage;
            }
            PackMessage::Engage => {}
            PackMessage::Retreat => state.retreat_until = frame.saturating_add(120),
            PackMessage::Regroup => {
                state.retreat_until = 0;
                // Back to the start of a stalk (the flanks are called again).
                state.order = Order::Search;
            }
            PackMessage::FlankLeft { wolf } | PackMessage::FlankRight { wolf } => {
                let slot = if matches!(message, PackMessage::FlankLeft { .. }) {
                    TURN / 4
                } else {
                    -TURN / 4
                };
                if (first..last).contains(&wolf) {
                    self.wolves[wolf].slot = slot;
                }
            }
        }
    }

    /// The Alpha sends its Betas to the flanks as a stalk begins: the Beta nearer its right
    /// (before it on the ring) takes the right, the other the left, so they never cross.
    fn call_flanks(&mut self, pack: usize) {
        let state = &self.packs[pack];
        let (Some((target, _)), (first, last)) = (state.last_seen, state.members) else {
            return;
        };
        let front = state.front;
        let mut betas = [None; 2];
        let mut found = 0;
        for (index, wolf) in self.wolves[first..last].iter().enumerate() {
            if wolf.role == Role::Beta && wolf.health > 0 && found < 2 {
                // Its angle relative to the front, in -TURN/2..TURN/2.
                let relative = (angle_of(wolf.at.minus(target)) - front + TURN / 2)
                    .rem_euclid(TURN)
                    - TURN / 2;
                betas[found] = Some((relative, first + index));
                found += 1;
            }
        }
        let calls = match betas {
            [Some((a, one)), Some((b, other))] => {
                let (right, left) = if a <= b { (one, other) } else { (other, one) };
                [
                    Some(PackMessage::FlankRight { wolf: right }),
                    Some(PackMessage::FlankLeft { wolf: left }),
                ]
            }
            [Some((relative, wolf)), None] if relative < 0 => {
                [Some(PackMessage::FlankRight { wolf }), None]
            }
            [Some((_, wolf)), None] => [Some(PackMessage::FlankLeft { wolf }), None],
            _ => [None, None],
        };
        let frame = self.frame;
        for call in calls.into_iter().flatten() {
            self.read(pack, call, frame);
        }
    }
}
