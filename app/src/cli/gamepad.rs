//! Gamepads, read from Linux's evdev devices (`/dev/input/event*`) with the `evdev` crate: pure
//! Rust, so nothing (no libudev) is needed to build or run. Every device with a South button
//! (A, cross) is opened non-blocking; `/dev/input` is looked at again every 2 s for pads
//! plugged in later; a pad that fails (unplugged) is dropped. All pads drive the one local
//! player through a [`Pad`]. Elsewhere than Linux there are no pads yet.

use super::controls::Pad;

/// How often new devices are looked for.
#[cfg(target_os = "linux")]
const RESCAN: std::time::Duration = std::time::Duration::from_secs(2);

/// The gamepads open, and their merged state.
#[derive(Default)]
pub(super) struct Gamepads {
    pad: Pad,
    #[cfg(target_os = "linux")]
    devices: Vec<(std::path::PathBuf, evdev::Device)>,
    #[cfg(target_os = "linux")]
    scanned: Option<std::time::Instant>,
}

impl Gamepads {
    /// The pads' state after the events that arrived since the last poll.
    pub(super) fn poll(&mut self) -> &mut Pad {
        #[cfg(target_os = "linux")]
        self.read();
        &mut self.pad
    }

    /// Pads open now.
    pub(super) fn count(&self) -> usize {
        #[cfg(target_os = "linux")]
        return self.devices.len();
        #[cfg(not(target_os = "linux"))]
        0
    }

    #[cfg(target_os = "linux")]
    fn read(&mut self) {
        use evdev::{EventSummary, KeyCode};
        if self.scanned.is_none_or(|at| at.elapsed() >= RESCAN) {
            self.scanned = Some(std::time::Instant::now());
            for (path, device) in evdev::enumerate() {
                let pad = device
                    .supported_keys()
                    .is_some_and(|keys| keys.contains(KeyCode::BTN_SOUTH));
                if !pad || self.devices.iter().any(|(open, _)| *open == path) {
                    continue;
                }
                if device.set_nonblocking(true).is_err() {
                    continue;
                }
                if let Ok(axes) = device.get_absinfo() {
                    for (axis, info) in axes {
                        self.pad.set_range(axis.0, info.minimum(), info.maximum());
                    }
                }
                tracing::info!(path = %path.display(), name = device.name().unwrap_or("?"), "gamepad");
                self.devices.push((path, device));
            }
        }
        let pad = &mut self.pad;
        self.devices
            .retain_mut(|(path, device)| match device.fetch_events() {
                Ok(events) => {
                    for event in events {
                        match event.destructure() {
                            EventSummary::Key(_, code, value) => pad.button(code.0, value),
                            EventSummary::AbsoluteAxis(_, axis, value) => pad.axis(axis.0, value),
                            _ => {}
                        }
                    }
                    true
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => true,
                Err(error) => {
                    tracing::info!(path = %path.display(), %error, "gamepad gone");
                    false
                }
            });
    }
}
