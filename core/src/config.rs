//! Room configuration: what `join_room` needs besides the room id.
//!
//! Mirrors Trystero JS's config object (protocol §7): `appId`, `password`, `relayConfig`
//! (`urls`, `redundancy`), `turnConfig`, `rtcConfig.iceServers`, `trickleIce`, `passive` and
//! `handshakeTimeoutMs`. Build one with [`RoomConfig::builder`]; every invalid value is a typed
//! [`ConfigError`] at `build()`, never later.

use std::fmt;
use std::time::Duration;

use crate::id::{AppId, IdError};

/// Trystero's default STUN servers (`DEFAULT_ICE`, protocol §5.1).
///
/// Tests must not use them: they are public servers. Set [`RoomConfigBuilder::ice_servers`] to an
/// empty list (or to a loopback TURN server) in tests.
pub const DEFAULT_STUN_URLS: [&str; 4] = [
    "stun:stun.l.google.com:19302",
    "stun:stun1.l.google.com:19302",
    "stun:stun2.l.google.com:19302",
    "stun:stun.cloudflare.com:3478",
];

/// The default handshake timeout (`handshakeTimeoutMs`, 10 s).
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A configuration value is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The app id is invalid.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A relay URL is not a `ws://` or `wss://` URL with a host.
    #[error("relay URL {url:?} is not a ws:// or wss:// URL")]
    RelayUrl {
        /// The offending URL.
        url: String,
    },
    /// Relay redundancy must be at least one.
    #[error("relay redundancy must be at least 1")]
    ZeroRedundancy,
    /// An ICE server URL is not a `stun:`, `stuns:`, `turn:` or `turns:` URL.
    #[error("ICE server URL {url:?} is not a stun:, stuns:, turn: or turns: URL")]
    IceServerUrl {
        /// The offending URL.
        url: String,
    },
    /// An ICE server entry has no URL.
    #[error("an ICE server entry needs at least one URL")]
    IceServerWithoutUrl,
    /// A TURN server needs a username and a credential.
    #[error("TURN server {url:?} needs a username and a credential")]
    TurnCredentials {
        /// The TURN URL without credentials.
        url: String,
    },
    /// The handshake timeout must be positive.
    #[error("the handshake timeout must be greater than zero")]
    ZeroHandshakeTimeout,
}

/// One ICE server entry, as in `RTCIceServer`. Its `Debug` hides the credential.
#[derive(Clone, PartialEq, Eq)]
pub struct IceServer {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs.
    pub urls: Vec<String>,
    /// The TURN username.
    pub username: Option<String>,
    /// The TURN credential.
    pub credential: Option<String>,
}

impl IceServer {
    /// A STUN server entry.
    pub fn stun(url: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            username: None,
            credential: None,
        }
    }

    /// A TURN server entry with long-term credentials.
    pub fn turn(
        url: impl Into<String>,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        Self {
            urls: vec![url.into()],
            username: Some(username.into()),
            credential: Some(credential.into()),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.urls.is_empty() {
            return Err(ConfigError::IceServerWithoutUrl);
        }
        for url in &self.urls {
            let scheme = url.split(':').next().unwrap_or_default();
            let rest = &url[scheme.len()..];
            if !matches!(scheme, "stun" | "stuns" | "turn" | "turns") || rest.len() < 2 {
                return Err(ConfigError::IceServerUrl { url: url.clone() });
            }
            if scheme.starts_with("turn") && (self.username.is_none() || self.credential.is_none())
            {
                return Err(ConfigError::TurnCredentials { url: url.clone() });
            }
        }
        Ok(())
    }
}

/// Which relays a strategy uses (`relayConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayConfig {
    /// Explicit relay URLs. When set, **all** of them are used and `redundancy` is ignored.
    pub urls: Vec<String>,
    /// How many of the strategy's default relays to use; `None` is the strategy's default.
    pub redundancy: Option<usize>,
}

impl RelayConfig {
    /// The relays to connect to, as Trystero's `getRelays` picks them (protocol §1.4).
    ///
    /// With explicit URLs, all of them. Otherwise the first `redundancy` (or
    /// `default_redundancy`) entries of `defaults`, after the deterministic app-seeded shuffle
    /// when `shuffle` is set (Nostr shuffles; MQTT and torrent use list order).
    pub fn select(
        &self,
        defaults: &[&str],
        app_id: &AppId,
        shuffle: bool,
        default_redundancy: usize,
    ) -> Vec<String> {
        if !self.urls.is_empty() {
            return self.urls.clone();
        }
        let mut relays: Vec<String> = defaults.iter().map(|url| (*url).to_owned()).collect();
        if shuffle {
            shuffle_like_trystero(&mut relays, str_to_num(app_id.as_str()));
        }
        relays.truncate(self.redundancy.unwrap_or(default_redundancy));
        relays
    }
}

/// Trystero's `strToNum`: the sum of a string's UTF-16 code units.
pub fn str_to_num(text: &str) -> u64 {
    text.encode_utf16().map(u64::from).sum()
}

/// Trystero's seeded Fisher–Yates shuffle with its `sin`-based generator (protocol §1.4).
fn shuffle_like_trystero<T>(items: &mut [T], seed: u64) {
    // The seed is a sum of code units: far below 2^53, so the f64 is exact, as in JS.
    #[allow(clippy::cast_precision_loss)]
    let mut seed = seed as f64;
    let mut rand = || {
        let x = seed.sin() * 10_000.0;
        seed += 1.0;
        x - x.floor()
    };
    let mut i = items.len();
    while i > 0 {
        // JS computes `j` with the old `i`; `rand() < 1` so `j < i`.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let j = (rand() * i as f64).floor() as usize;
        i -= 1;
        items.swap(i, j.min(i));
    }
}

/// What `Debug` shows for a secret: whether there is one, never its value (logs must not leak
/// passwords or TURN credentials).
fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        "(none)"
    } else {
        "(redacted)"
    }
}

impl fmt::Debug for IceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field("credential", &self.credential.as_deref().map(redacted))
            .finish()
    }
}

/// How the room password becomes the room's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordMode {
    /// Trystero's own derivation (SHA-256 of the password): what Trystero JS peers use. A
    /// weak password falls quickly to a guesser who saw one encrypted offer on a relay.
    #[default]
    Trystero,
    /// The password stretched with Argon2id (19 MiB, 2 passes, salted by the app id) before
    /// Trystero's derivation: each guess costs a guesser tens of milliseconds and 19 MiB. Only
    /// trystero-rs peers in this mode can join: a Trystero JS peer sees a wrong password.
    Hardened,
}

/// Everything a room needs besides its id. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RoomConfig {
    app_id: AppId,
    password: String,
    password_mode: PasswordMode,
    relay: RelayConfig,
    ice_servers: Vec<IceServer>,
    trickle_ice: Option<bool>,
    passive: bool,
    relay_only: bool,
    handshake_timeout: Duration,
}

impl RoomConfig {
    /// Starts a configuration for `app_id`.
    pub fn builder(app_id: impl Into<String>) -> RoomConfigBuilder {
        RoomConfigBuilder {
            app_id: app_id.into(),
            password: String::new(),
            password_mode: PasswordMode::default(),
            relay: RelayConfig::default(),
            turn_servers: Vec::new(),
            ice_servers_override: None,
            trickle_ice: None,
            passive: false,
            relay_only: false,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// The app id.
    pub fn app_id(&self) -> &AppId {
        &self.app_id
    }

    /// The room password; empty when there is none.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether a password is set (the password challenge then runs on every peer).
    pub fn has_password(&self) -> bool {
        !self.password.is_empty()
    }

    /// How the password becomes the keys.
    pub fn password_mode(&self) -> PasswordMode {
        self.password_mode
    }

    /// The relay selection.
    pub fn relay(&self) -> &RelayConfig {
        &self.relay
    }

    /// The ICE servers handed to WebRTC.
    pub fn ice_servers(&self) -> &[IceServer] {
        &self.ice_servers
    }

    /// Trickle ICE, if set explicitly; `None` means the strategy's default (on for topic
    /// strategies, off for torrent).
    pub fn trickle_ice(&self) -> Option<bool> {
        self.trickle_ice
    }

    /// Whether the room is passive (never connects to other passive peers).
    pub fn passive(&self) -> bool {
        self.passive
    }

    /// How long a peer may take to complete the handshake before it is rejected.
    pub fn handshake_timeout(&self) -> Duration {
        self.handshake_timeout
    }

    /// Whether only relayed (TURN) ICE candidates are used (`iceTransportPolicy: "relay"`).
    pub fn relay_only(&self) -> bool {
        self.relay_only
    }
}

/// Builds a [`RoomConfig`]; see [`RoomConfig::builder`].
#[derive(Clone)]
pub struct RoomConfigBuilder {
    app_id: String,
    password: String,
    password_mode: PasswordMode,
    relay: RelayConfig,
    turn_servers: Vec<IceServer>,
    ice_servers_override: Option<Vec<IceServer>>,
    trickle_ice: Option<bool>,
    passive: bool,
    relay_only: bool,
    handshake_timeout: Duration,
}

impl fmt::Debug for RoomConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoomConfig")
            .field("app_id", &self.app_id)
            .field("password", &redacted(&self.password))
            .field("password_mode", &self.password_mode)
            .field("relay", &self.relay)
            .field("ice_servers", &self.ice_servers)
            .field("trickle_ice", &self.trickle_ice)
            .field("passive", &self.passive)
            .field("relay_only", &self.relay_only)
            .field("handshake_timeout", &self.handshake_timeout)
            .finish()
    }
}

impl fmt::Debug for RoomConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoomConfigBuilder")
            .field("app_id", &self.app_id)
            .field("password", &redacted(&self.password))
            .finish_non_exhaustive()
    }
}

impl RoomConfigBuilder {
    /// Sets the room password: it keys the AES-GCM encryption of session descriptions and the
    /// password challenge. Empty means no password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = password.into();
        self
    }

    /// How the password becomes the keys (default [`PasswordMode::Trystero`], as JS).
    pub fn password_mode(mut self, mode: PasswordMode) -> Self {
        self.password_mode = mode;
        self
    }

    /// Uses exactly these relays (all of them; redundancy is then ignored).
    pub fn relay_urls<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.relay.urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// Uses this many of the strategy's default relays.
    pub fn relay_redundancy(mut self, redundancy: usize) -> Self {
        self.relay.redundancy = Some(redundancy);
        self
    }

    /// Adds a TURN (or extra STUN) server after the default STUN list (`turnConfig`).
    pub fn turn_server(mut self, server: IceServer) -> Self {
        self.turn_servers.push(server);
        self
    }

    /// Replaces the whole ICE server list, defaults and TURN entries included
    /// (`rtcConfig.iceServers`). An empty list means host candidates only.
    pub fn ice_servers(mut self, servers: Vec<IceServer>) -> Self {
        self.ice_servers_override = Some(servers);
        self
    }

    /// Turns trickle ICE on or off (default: the strategy's choice).
    pub fn trickle_ice(mut self, enabled: bool) -> Self {
        self.trickle_ice = Some(enabled);
        self
    }

    /// Makes the room passive.
    pub fn passive(mut self, passive: bool) -> Self {
        self.passive = passive;
        self
    }

    /// Uses only relayed (TURN) candidates, e.g. to hide peers' addresses from each other.
    pub fn relay_only(mut self, relay_only: bool) -> Self {
        self.relay_only = relay_only;
        self
    }

    /// Sets the handshake timeout (default 10 s).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Validates everything and builds the configuration.
    pub fn build(self) -> Result<RoomConfig, ConfigError> {
        let app_id = AppId::new(self.app_id)?;
        for url in &self.relay.urls {
            validate_relay_url(url)?;
        }
        if self.relay.redundancy == Some(0) {
            return Err(ConfigError::ZeroRedundancy);
        }
        let ice_servers = match self.ice_servers_override {
            Some(servers) => servers,
            None => DEFAULT_STUN_URLS
                .iter()
                .map(|url| IceServer::stun(*url))
                .chain(self.turn_servers)
                .collect(),
        };
        for server in &ice_servers {
            server.validate()?;
        }
        if self.handshake_timeout.is_zero() {
            return Err(ConfigError::ZeroHandshakeTimeout);
        }
        Ok(RoomConfig {
            app_id,
            password: self.password,
            password_mode: self.password_mode,
            relay: self.relay,
            ice_servers,
            trickle_ice: self.trickle_ice,
            passive: self.passive,
            relay_only: self.relay_only,
            handshake_timeout: self.handshake_timeout,
        })
    }
}

fn validate_relay_url(url: &str) -> Result<(), ConfigError> {
    let host = url
        .strip_prefix("wss://")
        .or_else(|| url.strip_prefix("ws://"))
        .unwrap_or_default();
    // userinfo@ (MQTT brokers take credentials there), then a host of at least one character.
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    if host.is_empty() || host.starts_with('/') || host.contains(char::is_whitespace) {
        return Err(ConfigError::RelayUrl {
            url: url.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let config = RoomConfig::builder("app")
            .password("hunter2")
            .turn_server(IceServer::turn("turn:127.0.0.1:3478", "user", "s3cret"))
            .build()
            .unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(
            shown.contains("(redacted)") && shown.contains("user"),
            "{shown}"
        );
        let builder = format!("{:?}", RoomConfig::builder("app").password("hunter2"));
        assert!(!builder.contains("hunter2"), "{builder}");
    }

    #[test]
    fn defaults_follow_trystero() {
        let config = RoomConfig::builder("my-app").build().unwrap();
        assert_eq!(config.app_id().as_str(), "my-app");
        assert!(!config.has_password());
        assert_eq!(config.handshake_timeout(), Duration::from_secs(10));
        assert_eq!(config.trickle_ice(), None);
        let urls: Vec<&str> = config
            .ice_servers()
            .iter()
            .flat_map(|server| server.urls.iter().map(String::as_str))
            .collect();
        assert_eq!(urls, DEFAULT_STUN_URLS);
    }

    #[test]
    fn turn_servers_come_after_the_default_stun_list() {
        let turn = IceServer::turn("turn:127.0.0.1:3478", "user", "pass");
        let config = RoomConfig::builder("a")
            .turn_server(turn.clone())
            .build()
            .unwrap();
        assert_eq!(config.ice_servers().len(), 5);
        assert_eq!(config.ice_servers()[4], turn);
    }

    #[test]
    fn explicit_ice_servers_replace_everything() {
        let config = RoomConfig::builder("a")
            .turn_server(IceServer::turn("turn:127.0.0.1:3478", "u", "p"))
            .ice_servers(Vec::new())
            .build()
            .unwrap();
        assert!(config.ice_servers().is_empty());
    }

    #[test]
    fn invalid_values_are_typed_errors() {
        assert_eq!(
            RoomConfig::builder("").build(),
            Err(ConfigError::Id(IdError::EmptyAppId))
        );
        assert_eq!(
            RoomConfig::builder("a").relay_urls(["http://x"]).build(),
            Err(ConfigError::RelayUrl {
                url: "http://x".into()
            })
        );
        assert_eq!(
            RoomConfig::builder("a").relay_urls(["wss://"]).build(),
            Err(ConfigError::RelayUrl {
                url: "wss://".into()
            })
        );
        assert_eq!(
            RoomConfig::builder("a").relay_redundancy(0).build(),
            Err(ConfigError::ZeroRedundancy)
        );
        assert_eq!(
            RoomConfig::builder("a")
                .turn_server(IceServer::stun("turn:127.0.0.1:3478"))
                .build(),
            Err(ConfigError::TurnCredentials {
                url: "turn:127.0.0.1:3478".into()
            })
        );
        assert_eq!(
            RoomConfig::builder("a")
                .ice_servers(vec![IceServer::stun("http://127.0.0.1")])
                .build(),
            Err(ConfigError::IceServerUrl {
                url: "http://127.0.0.1".into()
            })
        );
        assert_eq!(
            RoomConfig::builder("a")
                .handshake_timeout(Duration::ZERO)
                .build(),
            Err(ConfigError::ZeroHandshakeTimeout)
        );
    }

    #[test]
    fn relay_urls_accept_userinfo_ports_and_paths() {
        let config = RoomConfig::builder("a")
            .relay_urls([
                "ws://127.0.0.1:7777",
                "wss://public:public@public.cloud.shiftr.io",
                "wss://yabu.me/v2",
            ])
            .password("hunter2")
            .build()
            .unwrap();
        assert!(config.has_password());
        assert_eq!(config.relay().urls.len(), 3);
    }

    /// The 0.25.4 Nostr default list, for the §1.4 shuffle vectors.
    const NOSTR_DEFAULTS: [&str; 28] = [
        "wss://basspistol.org",
        "wss://bucket.coracle.social",
        "wss://chorus.pjv.me",
        "wss://koru.bitcointxoko.org",
        "wss://nos.lol",
        "wss://nostr-01.uid.ovh",
        "wss://nostr-01.yakihonne.com",
        "wss://nostr-relay.corb.net",
        "wss://nostr.data.haus",
        "wss://nostr.islandarea.net",
        "wss://nostr.sathoarder.com",
        "wss://nostr.tegila.com.br",
        "wss://nostr.vulpem.com",
        "wss://purplerelay.com",
        "wss://relay-can.zombi.cloudrodion.com",
        "wss://relay-rpi.edufeed.org",
        "wss://relay.agorist.space",
        "wss://relay.artio.inf.unibe.ch",
        "wss://relay.mostr.pub",
        "wss://relay.mostro.network",
        "wss://relay.sigit.io",
        "wss://relay02.lnfi.network",
        "wss://schnorr.me",
        "wss://social.amanah.eblessing.co",
        "wss://staging.yabu.me",
        "wss://strfry.shock.network",
        "wss://top.testrelay.top",
        "wss://yabu.me/v2",
    ];

    #[test]
    fn relay_shuffle_matches_the_spec_vectors() {
        let relay = RelayConfig {
            urls: Vec::new(),
            redundancy: None,
        };
        let app = AppId::new("trystero-rust-test").unwrap();
        assert_eq!(str_to_num(app.as_str()), 1908);
        assert_eq!(
            relay.select(&NOSTR_DEFAULTS, &app, true, 5),
            [
                "wss://schnorr.me",
                "wss://relay.artio.inf.unibe.ch",
                "wss://nostr.data.haus",
                "wss://yabu.me/v2",
                "wss://nostr.tegila.com.br"
            ]
        );
        let app = AppId::new("my-app").unwrap();
        assert_eq!(str_to_num(app.as_str()), 596);
        assert_eq!(
            relay.select(&NOSTR_DEFAULTS, &app, true, 5),
            [
                "wss://strfry.shock.network",
                "wss://social.amanah.eblessing.co",
                "wss://schnorr.me",
                "wss://relay.artio.inf.unibe.ch",
                "wss://purplerelay.com"
            ]
        );
    }

    #[test]
    fn relay_selection_without_shuffle_and_with_explicit_urls() {
        let app = AppId::new("x").unwrap();
        let defaults = ["wss://a", "wss://b", "wss://c"];
        let relay = RelayConfig {
            urls: Vec::new(),
            redundancy: Some(2),
        };
        assert_eq!(
            relay.select(&defaults, &app, false, 1),
            ["wss://a", "wss://b"]
        );
        let relay = RelayConfig {
            urls: vec!["ws://127.0.0.1:1".into()],
            redundancy: Some(2),
        };
        assert_eq!(relay.select(&defaults, &app, true, 1), ["ws://127.0.0.1:1"]);
    }
}
