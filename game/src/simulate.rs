//! Bot matches on `trystero-netcode`'s simulated network, in virtual time: what the tests and
//! the loss table (`benches/loss.rs`) play.

use trystero_netcode::{Config, SimConfig, SimNetwork};

use crate::bot::Bot;
use crate::play::{Match, Setup};

/// Plays a match of `players` bots (seat `s` at address `s`) with `seed` on a network of `sim`,
/// ticking every peer at 60 Hz of virtual time, until every peer still playing has settled the
/// end (`frames` frames) or three times as many ticks passed. `leaves`: (seat, frame) — that
/// seat stops at that frame, and the others are told it left, as a room's "peer left" would.
/// Returns every peer's match.
pub fn bot_match(
    players: usize,
    seed: u64,
    frames: u32,
    sim: SimConfig,
    leaves: Option<(usize, u32)>,
) -> Vec<Match<usize>> {
    let net = SimNetwork::new(seed, sim);
    let mut peers: Vec<_> = (0..players)
        .filter_map(|seat| {
            let game = Match::new(Setup {
                seed,
                players,
                seat,
                remotes: (0..players)
                    .filter(|s| *s != seat)
                    .map(|s| (s, s))
                    .collect(),
                frames: Some(frames),
                session: Config::default(),
            })
            .ok()?;
            Some((game, net.socket(), Bot::new(seat)))
        })
        .collect();
    let mut gone = Vec::new();
    for tick in 0..u64::from(frames) * 3 {
        let now = tick * 1_000 / 60;
        net.advance_to(now);
        if let Some((seat, at)) = leaves
            && !gone.contains(&seat)
            && peers
                .get(seat)
                .is_some_and(|(game, _, _)| game.world().frame >= at)
        {
            gone.push(seat);
        }
        for (seat, (game, socket, bot)) in peers.iter_mut().enumerate() {
            if gone.contains(&seat) {
                continue;
            }
            for left in &gone {
                game.disconnect(*left);
            }
            let input = bot.input(game.world(), game.rules());
            game.tick(now, socket, input);
        }
        let mut staying = peers
            .iter()
            .enumerate()
            .filter(|(seat, _)| !gone.contains(seat))
            .peekable();
        if staying.peek().is_some() && staying.all(|(_, (game, _, _))| game.settled()) {
            break;
        }
    }
    peers.into_iter().map(|(game, _, _)| game).collect()
}
