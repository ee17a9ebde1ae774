//! A steady rollback tick allocates nothing: a counting global allocator watches
//! `advance_frame` and the game's handling of its requests (saves into reused slots), with a
//! 7-frame rollback forced every tick by the sync-test session and real rollbacks in a P2P
//! session fed by a lagging peer.

#![allow(clippy::unwrap_used)] // test code

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use trystero_netcode::{Config, P2PSession, PlayerInput, Request, Slots, SyncTestSession};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The step of a state of 1 000 entities of 32 bytes.
#[allow(clippy::ptr_arg)] // the shape `Slots::carry_out` calls: the state type itself
fn step(state: &mut Vec<[u64; 4]>, inputs: &[PlayerInput<u8>]) {
    for entity in state.iter_mut() {
        for player in inputs {
            entity[0] = entity[0]
                .wrapping_mul(31)
                .wrapping_add(u64::from(player.input));
        }
        entity[3] = entity[3].wrapping_add(entity[0] >> 7);
    }
}

fn checksum(state: &[[u64; 4]]) -> u64 {
    state.iter().fold(0, |h, e| h ^ e[0] ^ e[3])
}

#[test]
fn a_steady_rollback_tick_allocates_nothing() {
    // The sync test: 1 load, 8 advances and 8 saves every tick.
    let mut session = SyncTestSession::<u8>::new(2, 7);
    let mut state = vec![[1u64, 2, 3, 4]; 1_000];
    let mut slots = Slots::new(&state, session.slots());
    let mut requests = Vec::with_capacity(64);
    let tick = |session: &mut SyncTestSession<u8>,
                state: &mut Vec<[u64; 4]>,
                slots: &mut Slots<Vec<[u64; 4]>>,
                requests: &mut Vec<Request<u8>>,
                frame: u32| {
        session
            .advance_frame(&[(frame % 5) as u8, 1], requests)
            .unwrap();
        slots.carry_out(requests, state, step, |frame, state, _| {
            session.report_checksum(frame, &[checksum(state)]);
        });
    };
    for frame in 0..100 {
        tick(&mut session, &mut state, &mut slots, &mut requests, frame);
    }
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for frame in 100..1_100 {
        tick(&mut session, &mut state, &mut slots, &mut requests, frame);
    }
    assert_eq!(
        ALLOCATIONS.load(Ordering::SeqCst) - before,
        0,
        "sync-test ticks"
    );

    // A P2P session rolling back for real: remote inputs arrive 5 frames late, every frame.
    let config = Config::default();
    let mut p2p: P2PSession<u8, usize> = P2PSession::new(config, 0).unwrap();
    p2p.add_remote(1, 1).unwrap();
    let mut peer: P2PSession<u8, usize> = P2PSession::new(config, 1).unwrap();
    peer.add_remote(0, 0).unwrap();
    let network = trystero_netcode::MemoryNetwork::new();
    let (mut ours, mut theirs) = (network.socket(), network.socket());
    let mut slots = Slots::new(&state, p2p.slots());
    let mut peer_requests = Vec::with_capacity(64);
    let mut rollbacks_measured = 0;
    let mut allocations = 0;
    for frame in 0..400u32 {
        let now = u64::from(frame) * 16;
        let measure = frame >= 200;
        // The peer runs and sends, but we read its datagrams 5 frames late.
        peer.poll(now, &mut theirs);
        let _ = peer.advance_frame((frame % 3) as u8, &mut peer_requests);
        if frame % 5 == 0 {
            p2p.poll(now, &mut ours);
        }
        while p2p.next_event().is_some() {}
        let rollbacks = p2p.stats().rollbacks;
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        if p2p.advance_frame((frame % 4) as u8, &mut requests).is_ok() {
            slots.carry_out(&requests, &mut state, step, |frame, state, wanted| {
                if wanted {
                    p2p.report_checksum(frame, &[checksum(state)]);
                }
            });
        }
        if measure {
            allocations += ALLOCATIONS.load(Ordering::SeqCst) - before;
            rollbacks_measured += p2p.stats().rollbacks - rollbacks;
        }
    }
    assert!(
        rollbacks_measured > 20,
        "real rollbacks: {rollbacks_measured}"
    );
    assert_eq!(allocations, 0, "P2P ticks with rollbacks");
}
