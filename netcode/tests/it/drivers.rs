//! The seed's driver shape: register_update, start, stop, latency, desync, over the simulator.

use std::cell::Cell;
use std::rc::Rc;

use trystero_netcode::{Config, Driver, P2PSession, SimConfig, SimNetwork};

/// Two drivers pumped every 5 ms of virtual time for `ms`; player 1's update misbehaves from
/// `bad_from` on (if given). Returns the drivers.
fn run(ms: u64, bad_from: Option<u64>) -> Vec<Driver<u8, usize, u64>> {
    let net = SimNetwork::new(17, SimConfig::default());
    let mut sockets = [net.socket(), net.socket()];
    let mut drivers: Vec<Driver<u8, usize, u64>> = (0..2)
        .map(|me| {
            let mut session = P2PSession::new(Config::default(), me).unwrap();
            session.add_remote(1 - me, 1 - me).unwrap();
            let mut driver = Driver::new(session, 0u64);
            let steps = Rc::new(Cell::new(0u64));
            driver.register_update(move |state, inputs| {
                steps.set(steps.get() + 1);
                for player in inputs {
                    *state = state.wrapping_mul(31).wrapping_add(u64::from(player.input));
                }
                if me == 1 && bad_from.is_some_and(|from| steps.get() > from) {
                    *state ^= steps.get(); // depends on how often we ran, not on the inputs
                }
            });
            driver.register_checksum(|state| *state);
            driver.start(0);
            driver
        })
        .collect();
    let mut now = 0;
    while now < ms {
        net.advance_to(now);
        for (me, driver) in drivers.iter_mut().enumerate() {
            let input = ((now / 200) % 4) as u8 + me as u8;
            driver.update(now, &mut sockets[me], input);
        }
        now += 5;
    }
    drivers
}

#[test]
fn drivers_run_sixty_frames_a_second_in_sync_and_report_latency() {
    let drivers = run(10_000, None);
    for driver in &drivers {
        assert!(driver.is_running());
        let frame = driver.session().current_frame();
        assert!((560..=601).contains(&frame), "60 Hz for 10 s: {frame}");
        assert_eq!(driver.desync(), None);
        // 50 ms one way plus up to 10 ms jitter.
        assert!(
            (45..=70).contains(&driver.latency()),
            "{}",
            driver.latency()
        );
    }
}

#[test]
fn a_misbehaving_update_is_reported_by_desync() {
    let drivers = run(10_000, Some(300));
    for (me, driver) in drivers.iter().enumerate() {
        let desync = driver.desync().expect("a desync");
        assert_eq!(desync.player, 1 - me);
        assert!(
            desync.frame <= 420,
            "within one check interval or two: {desync:?}"
        );
    }
}

#[test]
fn a_stopped_driver_runs_no_frames() {
    let net = SimNetwork::new(1, SimConfig::default());
    let mut socket = net.socket();
    let mut session = P2PSession::new(Config::default(), 0).unwrap();
    session.add_remote(1, 1).unwrap();
    let mut driver = Driver::new(session, 0u64);
    assert_eq!(driver.update(1_000, &mut socket, 0), 0, "not started");
    driver.start(1_000);
    assert!(driver.update(1_050, &mut socket, 0) > 0);
    driver.stop();
    assert!(!driver.is_running());
    assert_eq!(driver.update(2_000, &mut socket, 0), 0);
}
