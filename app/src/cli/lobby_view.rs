//! The terminal view of `trystero lobby` (ratatui on crossterm): open games, the current game,
//! chat and events, and a live dashboard. Type to chat; commands start with `/`.

use std::collections::VecDeque;
use std::time::Duration;

use anyhow::Result;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Sparkline, Wrap};
use ratatui::{DefaultTerminal, Frame};
use trystero::PeerId;
use trystero::lobby::{Advert, GameSettings, GameState, LobbyClient, LobbyEvent, Phase};
use trystero_lobby::Analytics;

use super::lobby::{event_json, text};

const HELP: &str = "/quick  /create NAME  /join [N]  /watch [N]  /ready  /unready  /start  /leave  /games  /quit  — ↑↓ pick a game, Esc quits";
/// Lines of chat and events kept.
const LOG_LINES: usize = 500;

/// Restores the terminal however the view ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
        crate::LOGS_SILENCED.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the view shows.
struct View {
    title: String,
    me: PeerId,
    input: String,
    log: VecDeque<String>,
    games: Vec<Advert>,
    selected: ListState,
    game: Option<(GameState, bool)>,
    figures: Option<Analytics>,
}

/// Runs the view until the player quits.
pub(crate) async fn run(client: LobbyClient, me: PeerId, title: String) -> Result<()> {
    crate::LOGS_SILENCED.store(true, std::sync::atomic::Ordering::Relaxed);
    let _restore = Restore;
    let mut terminal = ratatui::try_init()?;
    // Keys arrive on a thread of their own (crossterm's read blocks).
    let (keys, mut key_inbox) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            if keys.send(event).is_err() {
                break;
            }
        }
    });
    let mut client = client;
    let mut view = View {
        title,
        me,
        input: String::new(),
        log: VecDeque::new(),
        games: Vec::new(),
        selected: ListState::default(),
        game: None,
        figures: None,
    };
    view.say(format!("* you are {me}; {HELP}"));
    let mut refresh = tokio::time::interval(Duration::from_millis(250));
    loop {
        draw(&mut terminal, &mut view)?;
        tokio::select! {
            key = key_inbox.recv() => {
                let Some(Event::Key(key)) = key else { continue };
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                let ctrl_c =
                    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
                match key.code {
                    KeyCode::Esc => break,
                    _ if ctrl_c => break,
                    KeyCode::Char(c) => view.input.push(c),
                    KeyCode::Backspace => {
                        view.input.pop();
                    }
                    KeyCode::Up => view.selected.select_previous(),
                    KeyCode::Down => view.selected.select_next(),
                    KeyCode::Enter => {
                        let line = std::mem::take(&mut view.input);
                        if !command(&client, &mut view, line.trim()).await {
                            break;
                        }
                    }
                    _ => {}
                }
            },
            event = client.next_event() => {
                let Some(event) = event else { break };
                // Names come from the game as it is now.
                view.game = client.game().await.unwrap_or_default();
                match &event {
                    LobbyEvent::Refused { .. } => {}
                    LobbyEvent::Message { from, text: line, .. } => {
                        let name = view.name_of(*from);
                        view.say(format!("[{name}] {line}"));
                    }
                    LobbyEvent::ReadyChanged { player, ready } => {
                        let name = view.name_of(*player);
                        let state = if *ready { "ready" } else { "not ready" };
                        view.say(format!("* {name} is {state}"));
                    }
                    LobbyEvent::HostChanged { host } => {
                        let name = view.name_of(*host);
                        view.say(format!("* {name} hosts now"));
                    }
                    LobbyEvent::GameStarting { seed, roster, .. } => {
                        let names: Vec<String> =
                            roster.iter().map(|peer| view.name_of(*peer)).collect();
                        view.say(format!(
                            "* the game starts: seed {seed}, players {}",
                            names.join(", ")
                        ));
                    }
                    _ => view.say(text(&event_json(&event))),
                }
            },
            _ = refresh.tick() => {
                view.games = client.games().await.unwrap_or_default();
                view.game = client.game().await.unwrap_or_default();
                view.figures = client.analytics().await.ok();
            },
        }
    }
    Ok(())
}

impl View {
    fn say(&mut self, line: String) {
        for line in line.lines() {
            self.log.push_back(line.to_owned());
        }
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// A peer's name, as the current game knows it.
    fn name_of(&self, peer: PeerId) -> String {
        if peer == self.me {
            return "you".to_owned();
        }
        self.game
            .as_ref()
            .and_then(|(state, _)| {
                let players = state.players.iter().map(|p| (p.id, &p.profile));
                let spectators = state.spectators.iter().map(|s| (s.id, &s.profile));
                players
                    .chain(spectators)
                    .find(|(id, _)| *id == peer)
                    .map(|(_, profile)| profile.name.clone())
            })
            .unwrap_or_else(|| peer.as_str()[..8].to_owned())
    }

    /// The game picked with a number (1-based) or the arrows.
    fn pick(&self, argument: &str) -> Option<Advert> {
        let index = match argument.parse::<usize>() {
            Ok(number) => number.checked_sub(1)?,
            Err(_) => self.selected.selected()?,
        };
        self.games.get(index).cloned()
    }
}

/// Carries out a typed line; `false` to quit.
async fn command(client: &LobbyClient, view: &mut View, line: &str) -> bool {
    if line.is_empty() {
        return true;
    }
    let Some(command) = line.strip_prefix('/') else {
        if let Err(error) = client.send_message(line).await {
            view.say(format!("* not sent: {error}"));
        }
        return true;
    };
    let (name, argument) = command.split_once(' ').unwrap_or((command, ""));
    let argument = argument.trim();
    let result = match name {
        "quit" | "q" => return false,
        "help" | "h" => {
            view.say(HELP.to_owned());
            Ok(())
        }
        "quick" => client.quick_match().await,
        "create" => {
            let name = if argument.is_empty() {
                "game"
            } else {
                argument
            };
            client
                .create_room(GameSettings::named(name))
                .await
                .map(|_| ())
        }
        "join" | "watch" => match view.pick(argument) {
            Some(advert) => client.join_room(advert.game, name == "watch").await,
            None => {
                view.say("* pick a game: /join N, or ↑↓ then /join".to_owned());
                Ok(())
            }
        },
        "ready" => client.set_ready(true).await,
        "unready" => client.set_ready(false).await,
        "start" => client.start_game().await,
        "leave" => client.leave_room().await,
        "games" => {
            let games = client.games().await.unwrap_or_default();
            view.say(format!("* {} open games", games.len()));
            Ok(())
        }
        other => {
            view.say(format!("* unknown command /{other}; /help lists them"));
            Ok(())
        }
    };
    if let Err(error) = result {
        view.say(format!("* {error}"));
    }
    true
}

fn draw(terminal: &mut DefaultTerminal, view: &mut View) -> Result<()> {
    terminal.draw(|frame| render(frame, view))?;
    Ok(())
}

fn render(frame: &mut Frame<'_>, view: &mut View) {
    let [title, top, bottom, input] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(45),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                " trystero lobby ",
                Style::new().add_modifier(Modifier::REVERSED),
            ),
            Span::raw(format!("  {}", view.title)),
        ])),
        title,
    );
    let [games, game] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(top);
    render_games(frame, view, games);
    render_game(frame, view, game);
    let [log, dashboard] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(bottom);
    let height = usize::from(log.height.saturating_sub(2));
    let lines: Vec<Line<'_>> = view
        .log
        .iter()
        .skip(view.log.len().saturating_sub(height))
        .map(|line| Line::raw(line.as_str()))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" chat and events ")),
        log,
    );
    render_dashboard(frame, view, dashboard);
    frame.render_widget(
        Paragraph::new(format!("> {}", view.input))
            .block(Block::bordered().title(" type to chat · /help ")),
        input,
    );
}

fn render_games(frame: &mut Frame<'_>, view: &mut View, area: Rect) {
    let items: Vec<ListItem<'_>> = view
        .games
        .iter()
        .enumerate()
        .map(|(index, advert)| {
            let state = if advert.started { "started" } else { "open" };
            ListItem::new(format!(
                "{:>2} {:<18} {}/{}  ~{}  {} {}",
                index + 1,
                advert.name,
                advert.players,
                advert.max_players,
                advert.mean_rating,
                advert.mode,
                state
            ))
        })
        .collect();
    let title = format!(" open games ({}) ", view.games.len());
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_symbol("› ")
            .highlight_style(Style::new().add_modifier(Modifier::BOLD)),
        area,
        &mut view.selected,
    );
}

fn render_game(frame: &mut Frame<'_>, view: &View, area: Rect) {
    let mut lines = Vec::new();
    match &view.game {
        None => lines.push(Line::raw("not in a game: /quick, /create or /join")),
        Some((state, hosting)) => {
            let phase = match &state.phase {
                Phase::Open => "open".to_owned(),
                Phase::Started { seed, .. } => format!("started, seed {seed}"),
            };
            lines.push(Line::raw(format!("{} · {phase}", state.settings.name)));
            if *hosting && state.phase == Phase::Open {
                lines.push(Line::raw("you host: /start when everyone is ready"));
            }
            for player in &state.players {
                let mut marks = String::new();
                if player.id == state.host {
                    marks.push_str(" host");
                }
                if player.ready {
                    marks.push_str(" ready");
                }
                if player.id == view.me {
                    marks.push_str(" (you)");
                }
                lines.push(Line::raw(format!(
                    "  {} {}{marks}",
                    player.profile.name, player.profile.rating
                )));
            }
            for spectator in &state.spectators {
                lines.push(Line::raw(format!("  {} watching", spectator.profile.name)));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" your game ")),
        area,
    );
}

fn render_dashboard(frame: &mut Frame<'_>, view: &View, area: Rect) {
    let block = Block::bordered().title(" dashboard ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(figures) = &view.figures else {
        return;
    };
    let [numbers, chart] =
        Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(inner);
    let median = figures
        .time_to_match_ms
        .quantile(0.5)
        .map_or("–".to_owned(), |ms| format!("≤ {} s", ms / 1000));
    let lines = vec![
        Line::raw(format!(
            "online {} · listed {} · started {}",
            figures.players_online, figures.games_listed, figures.games_started
        )),
        Line::raw(format!(
            "matched {} · time to match p50 {median}",
            figures.time_to_match_ms.total
        )),
        Line::raw(format!(
            "chat {}/min · {} in all · {} dropped",
            figures.chat_last_minute, figures.chat_total, figures.chat_dropped
        )),
        Line::raw(format!(
            "lobby joined in {}",
            figures
                .lobby_join_ms
                .map_or("–".to_owned(), |ms| format!("{ms} ms"))
        )),
        Line::raw("ratings (0 to 3000):"),
    ];
    frame.render_widget(Paragraph::new(lines), numbers);
    frame.render_widget(Sparkline::default().data(&figures.ratings.counts), chart);
}
