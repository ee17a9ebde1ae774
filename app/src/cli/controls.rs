//! The game's controls: keyboard bindings, rebindable in `keys.json` in the config folder
//! (`$TRYSTERO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/trystero`, else `~/.config/trystero`),
//! and what a gamepad's buttons and sticks mean (the events come from `gamepad.rs`).
//!
//! `keys.json` names the keys of each action as winit names them (`KeyW`, `ArrowUp`, `Space`,
//! `ShiftLeft`, ...); an action left out keeps its default keys:
//!
//! ```json
//! { "up": ["KeyW", "ArrowUp"], "attack": ["Space", "KeyJ"], "roll": ["KeyR"] }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use trystero_anim::Action;
use winit::keyboard::KeyCode;

/// The largest `keys.json` read.
const MAX_BYTES: u64 = 64 << 10;

/// Every action by its name in `keys.json`, with its default keys (the seed's table plus the
/// heavy attack and the special).
const ACTIONS: [(&str, Action, &[KeyCode]); 9] = [
    ("up", Action::MoveUp, &[KeyCode::KeyW, KeyCode::ArrowUp]),
    (
        "left",
        Action::MoveLeft,
        &[KeyCode::KeyA, KeyCode::ArrowLeft],
    ),
    (
        "down",
        Action::MoveDown,
        &[KeyCode::KeyS, KeyCode::ArrowDown],
    ),
    (
        "right",
        Action::MoveRight,
        &[KeyCode::KeyD, KeyCode::ArrowRight],
    ),
    ("attack", Action::Attack, &[KeyCode::Space, KeyCode::KeyJ]),
    (
        "block",
        Action::Block,
        &[KeyCode::ShiftLeft, KeyCode::ShiftRight, KeyCode::KeyK],
    ),
    (
        "roll",
        Action::Roll,
        &[KeyCode::ControlLeft, KeyCode::ControlRight, KeyCode::KeyL],
    ),
    ("heavy", Action::Heavy, &[KeyCode::KeyE, KeyCode::KeyI]),
    ("special", Action::Special, &[KeyCode::KeyQ, KeyCode::KeyU]),
];

/// Keys that may be bound (winit's names).
const NAMEABLE: [KeyCode; 66] = [
    KeyCode::KeyA,
    KeyCode::KeyB,
    KeyCode::KeyC,
    KeyCode::KeyD,
    KeyCode::KeyE,
    KeyCode::KeyF,
    KeyCode::KeyG,
    KeyCode::KeyH,
    KeyCode::KeyI,
    KeyCode::KeyJ,
    KeyCode::KeyK,
    KeyCode::KeyL,
    KeyCode::KeyM,
    KeyCode::KeyN,
    KeyCode::KeyO,
    KeyCode::KeyP,
    KeyCode::KeyQ,
    KeyCode::KeyR,
    KeyCode::KeyS,
    KeyCode::KeyT,
    KeyCode::KeyU,
    KeyCode::KeyV,
    KeyCode::KeyW,
    KeyCode::KeyX,
    KeyCode::KeyY,
    KeyCode::KeyZ,
    KeyCode::Digit0,
    KeyCode::Digit4,
    KeyCode::Digit5,
    KeyCode::Digit6,
    KeyCode::Digit7,
    KeyCode::Digit8,
    KeyCode::Digit9,
    KeyCode::ArrowUp,
    KeyCode::ArrowDown,
    KeyCode::ArrowLeft,
    KeyCode::ArrowRight,
    KeyCode::Space,
    KeyCode::Tab,
    KeyCode::Backspace,
    KeyCode::ShiftLeft,
    KeyCode::ShiftRight,
    KeyCode::ControlLeft,
    KeyCode::ControlRight,
    KeyCode::AltLeft,
    KeyCode::AltRight,
    KeyCode::Comma,
    KeyCode::Period,
    KeyCode::Slash,
    KeyCode::Semicolon,
    KeyCode::Quote,
    KeyCode::BracketLeft,
    KeyCode::BracketRight,
    KeyCode::Backslash,
    KeyCode::Minus,
    KeyCode::Equal,
    KeyCode::Backquote,
    KeyCode::Numpad0,
    KeyCode::Numpad1,
    KeyCode::Numpad2,
    KeyCode::Numpad3,
    KeyCode::Numpad4,
    KeyCode::Numpad5,
    KeyCode::Numpad6,
    KeyCode::Numpad8,
    KeyCode::Insert,
];

/// Why `keys.json` was not used.
#[derive(Debug, thiserror::Error)]
pub(super) enum BindingsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// Which action each key stands for (a few dozen pairs: looked up by a scan, with no
/// allocation, every tick).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bindings {
    keys: Vec<(KeyCode, Action)>,
}

impl Default for Bindings {
    fn default() -> Self {
        let keys = ACTIONS
            .iter()
            .flat_map(|(_, action, defaults)| defaults.iter().map(|key| (*key, *action)))
            .collect();
        Self { keys }
    }
}

impl Bindings {
    /// The file in the config folder, if one can be named.
    pub(super) fn path() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("TRYSTERO_CONFIG_DIR") {
            return Some(PathBuf::from(dir).join("keys.json"));
        }
        if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME") {
            return Some(PathBuf::from(dir).join("trystero/keys.json"));
        }
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config/trystero/keys.json"))
    }

    /// The bindings of the file at `path`, the defaults where it says nothing (and when there
    /// is no file).
    pub(super) fn load(path: &Path) -> Result<Self, BindingsError> {
        let io = |source| BindingsError::Io {
            path: path.to_owned(),
            source,
        };
        let invalid = |reason: String| BindingsError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let text = match super::read_small_file(path, MAX_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(Self::default()),
            Err(super::SmallFileError::Io(error)) => return Err(io(error)),
            Err(too_large) => return Err(invalid(too_large.to_string())),
        };
        Self::parse(&text).map_err(invalid)
    }

    /// The bindings `keys.json`'s text asks for.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let wanted: BTreeMap<String, Vec<String>> =
            serde_json::from_str(text).map_err(|error| error.to_string())?;
        let mut bindings = Self::default();
        for (name, keys) in wanted {
            let Some((_, action, _)) = ACTIONS.iter().find(|(known, ..)| *known == name) else {
                let names: Vec<&str> = ACTIONS.iter().map(|(name, ..)| *name).collect();
                return Err(format!(
                    "no action {name:?} (the actions: {})",
                    names.join(", ")
                ));
            };
            bindings.keys.retain(|(_, bound)| bound != action);
            for key in keys {
                let code = key_code(&key).ok_or_else(|| {
                    format!("{name}: no key {key:?} (winit's names: KeyW, ArrowUp, Space, ShiftLeft, ...)")
                })?;
                match bindings.action(code) {
                    Some(bound) if bound != *action => {
                        return Err(format!("{key} is bound twice"));
                    }
                    Some(_) => {}
                    None => bindings.keys.push((code, *action)),
                }
            }
        }
        Ok(bindings)
    }

    /// The action of a key, if it has one.
    pub(super) fn action(&self, key: KeyCode) -> Option<Action> {
        self.keys
            .iter()
            .find(|(bound, _)| *bound == key)
            .map(|(_, action)| *action)
    }
}

/// A key by winit's name.
fn key_code(name: &str) -> Option<KeyCode> {
    NAMEABLE
        .iter()
        .copied()
        .find(|code| format!("{code:?}") == name)
}

/// A gamepad's state, from its evdev events: left stick and d-pad move, South (A/cross)
/// attacks, West heavy, North special, East rolls, a shoulder or trigger blocks; in menus the
/// d-pad or stick chooses, South or Start confirms, Select goes back.
#[derive(Debug, Clone, Default)]
pub(super) struct Pad {
    /// Left stick, −1..1 after the dead zone.
    stick: [f32; 2],
    /// D-pad (hat or buttons), −1, 0 or 1.
    hat: [i32; 2],
    /// Buttons held, by evdev code.
    buttons: Vec<u16>,
    /// Each axis's range, from the device.
    ranges: BTreeMap<u16, (i32, i32)>,
    /// Menu keys pressed since the last call of [`Pad::take_presses`].
    presses: Vec<KeyCode>,
}

/// evdev codes (linux/input-event-codes.h).
mod code {
    pub(super) const ABS_X: u16 = 0x00;
    pub(super) const ABS_Y: u16 = 0x01;
    pub(super) const ABS_HAT0X: u16 = 0x10;
    pub(super) const ABS_HAT0Y: u16 = 0x11;
    pub(super) const BTN_SOUTH: u16 = 0x130;
    pub(super) const BTN_EAST: u16 = 0x131;
    pub(super) const BTN_NORTH: u16 = 0x133;
    pub(super) const BTN_WEST: u16 = 0x134;
    pub(super) const BTN_TL: u16 = 0x136;
    pub(super) const BTN_TR: u16 = 0x137;
    pub(super) const BTN_TL2: u16 = 0x138;
    pub(super) const BTN_TR2: u16 = 0x139;
    pub(super) const BTN_SELECT: u16 = 0x13a;
    pub(super) const BTN_START: u16 = 0x13b;
    pub(super) const BTN_DPAD_UP: u16 = 0x220;
    pub(super) const BTN_DPAD_DOWN: u16 = 0x221;
    pub(super) const BTN_DPAD_LEFT: u16 = 0x222;
    pub(super) const BTN_DPAD_RIGHT: u16 = 0x223;
}

/// The stick's dead zone, of its half range.
const DEAD_ZONE: f32 = 0.35;

impl Pad {
    /// An axis's range (from the device's absinfo).
    pub(super) fn set_range(&mut self, axis: u16, min: i32, max: i32) {
        if max > min {
            self.ranges.insert(axis, (min, max));
        }
    }

    /// A button pressed (1), released (0) or repeated (2).
    pub(super) fn button(&mut self, code: u16, value: i32) {
        let was = self.vertical();
        if value == 0 {
            self.buttons.retain(|held| *held != code);
        } else if !self.buttons.contains(&code) {
            self.buttons.push(code);
            match code {
                code::BTN_SOUTH | code::BTN_START => self.presses.push(KeyCode::Enter),
                code::BTN_SELECT => self.presses.push(KeyCode::Escape),
                _ => {}
            }
        }
        self.menu_move(was);
    }

    /// An absolute axis moved.
    pub(super) fn axis(&mut self, axis: u16, value: i32) {
        let was = self.vertical();
        match axis {
            code::ABS_X | code::ABS_Y => {
                let (min, max) = self.ranges.get(&axis).copied().unwrap_or((-32_768, 32_767));
                #[allow(clippy::cast_precision_loss)] // axis ranges are small
                let unit = ((value - min) as f32 / (max - min) as f32) * 2.0 - 1.0;
                let unit = if unit.abs() < DEAD_ZONE { 0.0 } else { unit };
                self.stick[usize::from(axis == code::ABS_Y)] = unit.clamp(-1.0, 1.0);
            }
            code::ABS_HAT0X => self.hat[0] = value.signum(),
            code::ABS_HAT0Y => self.hat[1] = value.signum(),
            _ => {}
        }
        self.menu_move(was);
    }

    /// Up (−1), down (1) or neither, from the stick, the hat and the d-pad buttons.
    fn vertical(&self) -> i32 {
        let held = |code| self.buttons.contains(&code);
        if self.stick[1] < -0.5 || self.hat[1] < 0 || held(code::BTN_DPAD_UP) {
            -1
        } else if self.stick[1] > 0.5 || self.hat[1] > 0 || held(code::BTN_DPAD_DOWN) {
            1
        } else {
            0
        }
    }

    fn menu_move(&mut self, was: i32) {
        let now = self.vertical();
        if now != was && now != 0 {
            self.presses.push(if now < 0 {
                KeyCode::ArrowUp
            } else {
                KeyCode::ArrowDown
            });
        }
    }

    /// The menu keys pressed since the last call.
    pub(super) fn take_presses(&mut self) -> Vec<KeyCode> {
        std::mem::take(&mut self.presses)
    }

    /// The actions held now.
    pub(super) fn actions(&self, out: &mut Vec<Action>) {
        let held = |code| self.buttons.contains(&code);
        let x = if self.stick[0] < -0.5 || self.hat[0] < 0 || held(code::BTN_DPAD_LEFT) {
            -1
        } else if self.stick[0] > 0.5 || self.hat[0] > 0 || held(code::BTN_DPAD_RIGHT) {
            1
        } else {
            0
        };
        match x {
            -1 => out.push(Action::MoveLeft),
            1 => out.push(Action::MoveRight),
            _ => {}
        }
        match self.vertical() {
            -1 => out.push(Action::MoveUp),
            1 => out.push(Action::MoveDown),
            _ => {}
        }
        for (code, action) in [
            (code::BTN_SOUTH, Action::Attack),
            (code::BTN_WEST, Action::Heavy),
            (code::BTN_NORTH, Action::Special),
            (code::BTN_EAST, Action::Roll),
        ] {
            if held(code) {
                out.push(action);
            }
        }
        if [code::BTN_TL, code::BTN_TR, code::BTN_TL2, code::BTN_TR2]
            .iter()
            .any(|code| held(*code))
        {
            out.push(Action::Block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trystero_anim::Input;

    #[test]
    fn the_default_bindings_are_the_seed_table() {
        let bindings = Bindings::default();
        assert_eq!(bindings.action(KeyCode::KeyW), Some(Action::MoveUp));
        assert_eq!(
            bindings.action(KeyCode::ArrowRight),
            Some(Action::MoveRight)
        );
        assert_eq!(bindings.action(KeyCode::KeyJ), Some(Action::Attack));
        assert_eq!(bindings.action(KeyCode::ShiftRight), Some(Action::Block));
        assert_eq!(bindings.action(KeyCode::KeyL), Some(Action::Roll));
        assert_eq!(bindings.action(KeyCode::KeyZ), None);
    }

    #[test]
    fn a_keys_file_rebinds_what_it_names_and_keeps_the_rest() {
        let bindings =
            Bindings::parse(r#"{"attack": ["KeyF"], "roll": ["KeyR", "Numpad0"]}"#).unwrap();
        assert_eq!(bindings.action(KeyCode::KeyF), Some(Action::Attack));
        assert_eq!(
            bindings.action(KeyCode::Space),
            None,
            "attack's old keys are gone"
        );
        assert_eq!(bindings.action(KeyCode::Numpad0), Some(Action::Roll));
        assert_eq!(bindings.action(KeyCode::KeyW), Some(Action::MoveUp), "kept");
        for (text, says) in [
            (r#"{"jump": ["Space"]}"#, "no action \"jump\""),
            (r#"{"attack": ["Spacebar"]}"#, "no key \"Spacebar\""),
            (r#"{"attack": ["KeyW"]}"#, "KeyW is bound twice"),
            ("[1, 2]", "invalid type"),
        ] {
            let error = Bindings::parse(text).unwrap_err();
            assert!(error.contains(says), "{text}: {error}");
        }
        let missing = std::env::temp_dir().join("trystero-no-such-keys.json");
        assert_eq!(Bindings::load(&missing).unwrap(), Bindings::default());
    }

    #[test]
    fn a_gamepad_moves_fights_and_drives_the_menus() {
        let mut pad = Pad::default();
        pad.set_range(code::ABS_X, 0, 255);
        pad.set_range(code::ABS_Y, 0, 255);
        pad.axis(code::ABS_X, 255); // full right
        pad.axis(code::ABS_Y, 130); // centre, in the dead zone
        pad.button(code::BTN_SOUTH, 1);
        pad.button(code::BTN_TR, 1);
        let mut held = Vec::new();
        pad.actions(&mut held);
        let input = Input::from_actions(&held, &[]);
        assert_eq!(
            (input.x, input.y, input.attack, input.block),
            (1, 0, true, true)
        );
        assert_eq!(pad.take_presses(), [KeyCode::Enter]);
        // The d-pad down through the hat, then up through a button: one menu move each.
        pad.axis(code::ABS_HAT0Y, 1);
        pad.axis(code::ABS_HAT0Y, 1);
        pad.axis(code::ABS_HAT0Y, 0);
        pad.button(code::BTN_DPAD_UP, 1);
        pad.button(code::BTN_SELECT, 1);
        assert_eq!(
            pad.take_presses(),
            [KeyCode::ArrowDown, KeyCode::ArrowUp, KeyCode::Escape]
        );
        pad.button(code::BTN_SOUTH, 0);
        pad.button(code::BTN_TR, 0);
        pad.button(code::BTN_DPAD_UP, 0);
        pad.axis(code::ABS_X, 128);
        held.clear();
        pad.actions(&mut held);
        assert!(held.is_empty(), "{held:?}");
    }
}
