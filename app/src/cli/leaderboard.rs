//! The local leaderboard: the best runs on this machine, in `leaderboard.json` in the data
//! folder (`$TRYSTERO_DATA_DIR`, else `$XDG_DATA_HOME/trystero`, else `~/.local/share/trystero`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Runs kept.
pub(super) const KEPT: usize = 10;
/// The largest leaderboard file read (ten entries are far smaller).
const MAX_BYTES: u64 = 64 << 10;

/// Why the leaderboard could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub(super) enum LeaderboardError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a leaderboard ({reason}); it was left as it is")]
    Damaged { path: PathBuf, reason: String },
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Entry {
    /// Kills × 10 + waves cleared × 100.
    pub(super) score: u32,
    /// Wolves killed.
    pub(super) kills: u32,
    /// Waves cleared.
    pub(super) waves: u32,
    /// Seconds played.
    pub(super) seconds: u32,
    /// Players in the match.
    pub(super) players: u8,
    /// When, in seconds since the Unix epoch.
    pub(super) at: u64,
}

impl Entry {
    /// The entry of a run.
    pub(super) fn new(kills: u32, waves: u32, seconds: u32, players: u8, at: u64) -> Self {
        Self {
            score: kills
                .saturating_mul(10)
                .saturating_add(waves.saturating_mul(100)),
            kills,
            waves,
            seconds,
            players,
            at,
        }
    }
}

/// The best runs, best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Leaderboard {
    pub(super) runs: Vec<Entry>,
}

impl Leaderboard {
    /// The file in `dir`.
    pub(super) fn path(dir: &Path) -> PathBuf {
        dir.join("leaderboard.json")
    }

    /// Reads the leaderboard at `path` (empty when there is no file yet).
    pub(super) fn load(path: &Path) -> Result<Self, LeaderboardError> {
        let io = |source| LeaderboardError::Io {
            path: path.to_owned(),
            source,
        };
        let damaged = |reason: String| LeaderboardError::Damaged {
            path: path.to_owned(),
            reason,
        };
        let text = match super::read_small_file(path, MAX_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(Self::default()),
            Err(super::SmallFileError::Io(error)) => return Err(io(error)),
            Err(too_large) => return Err(damaged(too_large.to_string())),
        };
        let mut board: Self = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
        board.sort();
        Ok(board)
    }

    /// Adds a run; returns its place (1 is the best) if it made the board.
    pub(super) fn add(&mut self, entry: Entry) -> Option<usize> {
        self.runs.push(entry.clone());
        self.sort();
        let place = self.runs.iter().position(|run| *run == entry);
        place.map(|index| index + 1)
    }

    /// Best first (score, then the earlier run), at most [`KEPT`].
    fn sort(&mut self) {
        self.runs
            .sort_by(|a, b| b.score.cmp(&a.score).then(a.at.cmp(&b.at)));
        self.runs.truncate(KEPT);
    }

    /// Saves to `path` through a temporary file renamed over it, synced to disk.
    pub(super) fn save(&self, path: &Path) -> Result<(), LeaderboardError> {
        use std::io::Write as _;
        let io = |source| LeaderboardError::Io {
            path: path.to_owned(),
            source,
        };
        let temporary = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let mut file = std::fs::File::create(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)?;
        if let Some(dir) = path.parent()
            && let Ok(dir) = std::fs::File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// The board as lines for the results screen.
    pub(super) fn lines(&self, highlight: Option<usize>) -> Vec<String> {
        self.runs
            .iter()
            .take(5)
            .enumerate()
            .map(|(index, run)| {
                let mark = if highlight == Some(index + 1) {
                    "+"
                } else {
                    " "
                };
                format!(
                    "{mark}{:>2}. {:>6}  {:>3} KILLS  {:>2} WAVES  {}P",
                    index + 1,
                    run.score,
                    run.kills,
                    run.waves,
                    run.players
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_kept_best_first_and_at_most_ten() {
        let mut board = Leaderboard::default();
        for kills in 0..15 {
            board.add(Entry::new(kills, 0, 10, 1, u64::from(kills)));
        }
        assert_eq!(board.runs.len(), KEPT);
        assert_eq!(board.runs[0].kills, 14);
        assert_eq!(
            board.add(Entry::new(0, 0, 1, 1, 99)),
            None,
            "too low to enter"
        );
        assert_eq!(board.add(Entry::new(3, 2, 60, 2, 100)), Some(1));
        assert_eq!(board.runs[0].score, 230);
    }

    #[test]
    fn the_board_survives_a_save_and_refuses_a_damaged_file() {
        let dir = std::env::temp_dir().join(format!("trystero-board-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = Leaderboard::path(&dir);
        let _ = std::fs::remove_file(&path);
        assert_eq!(Leaderboard::load(&path).unwrap(), Leaderboard::default());
        let mut board = Leaderboard::default();
        board.add(Entry::new(7, 1, 42, 2, 5));
        board.save(&path).unwrap();
        assert_eq!(Leaderboard::load(&path).unwrap(), board);
        std::fs::write(&path, "{not json").unwrap();
        let error = Leaderboard::load(&path).unwrap_err();
        assert!(matches!(error, LeaderboardError::Damaged { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
