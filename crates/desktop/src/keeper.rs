//! The tray keeper (Linux): what runs while Clickdial's window is closed. A window process
//! carries GTK, WebKit and their graphics stack (about 140 MB even with the page gone); this
//! process carries none of them (about 10 MB) and does what the closed app must still do:
//! - owns the single-instance name, so a clicked link or a second launch finds Clickdial;
//! - shows the tray icon and its menu ([`clickdial_services::tray::menu`], as the window does);
//! - holds the global shortcut.
//!
//! Anything that needs the window (a number for the confirm sheet, "Show Clickdial", a launch)
//! starts it again: the keeper hands it a [`Handover`] (the typed number, the picks, unseen
//! notices, plus the number to confirm) and gives it the name once it has queued for it
//! ([`Instance::hand_over`]), so no link finds nobody in between. A launching process (the
//! desktop running `clickdial tel:…`) becomes the window itself. The keeper never dials: every
//! dial goes through the window's confirm sheet and the one dial service.

use std::process::Command;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use clickdial_services::instance::{Claim, Delivery, Handover, Instance, HANDOVER_VAR};
use clickdial_services::ledger::{Ledger, Source, LEDGER_FILE};
use clickdial_services::settings_file::{SettingsFile, SETTINGS_FILE};
use clickdial_services::tray::{self, Action, Item, TrayState};

/// How often the menu looks at the clipboard and the history, and the keeper at the bus.
const REFRESH: Duration = Duration::from_secs(2);

/// How long a window being started may take to queue for the name (a cold start on a busy
/// machine takes seconds), and how long a keeper started by a closing window waits for it.
const HANDOVER_TIMEOUT: Duration = Duration::from_secs(30);

enum Event {
    /// A launch was answered with the handover: that process becomes the window.
    TakenOver,
    Menu(Action),
    Hotkey,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs the keeper until the window takes over, Quit, or the desktop session ends. `handover`
/// comes from a window closing to the tray (the keeper then queues for the name); without one
/// (started at login, "start hidden") the keeper ends at once if Clickdial already runs.
/// Returns the exit code.
pub fn run(handover: Option<Handover>) -> i32 {
    let Some(data_dir) = clickdial_services::data_dir() else {
        eprintln!("Clickdial could not find your data folder (is HOME set?).");
        return 1;
    };
    // One worker thread: the bus connection is served on it while the main thread waits for
    // events (a current-thread runtime would answer launches only while the main thread is
    // inside `block_on`, up to two seconds late).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Clickdial could not start: {e}");
            return 1;
        }
    };
    let from_window = handover.is_some();
    let state = Arc::new(Mutex::new(handover.unwrap_or_default()));
    let (events, inbox) = mpsc::channel();
    let answer = {
        let state = state.clone();
        let events = events.clone();
        Arc::new(move |_argv: Vec<String>| {
            let _ = events.send(Event::TakenOver);
            lock(&state).to_json()
        })
    };
    let instance = match runtime.block_on(Instance::claim(answer, from_window, None)) {
        Ok(Claim::Owner(i)) => i,
        Ok(Claim::Queued(i)) => {
            if !runtime.block_on(i.wait_until_owner(HANDOVER_TIMEOUT)) {
                eprintln!("Clickdial's window did not hand over its place in the tray.");
                return 1;
            }
            i
        }
        Ok(Claim::Taken) => return 0, // Clickdial already runs.
        Err(e) => {
            eprintln!("Clickdial cannot stay in the tray without the session bus: {e}");
            return 1;
        }
    };
    let keeper = Keeper {
        settings: SettingsFile::new(data_dir.join(SETTINGS_FILE)),
        ledger: Ledger::open_unchecked(&data_dir.join(LEDGER_FILE))
            .ok()
            .map(|(l, _)| l),
        state,
        runtime,
        instance,
    };
    keeper.serve(events, inbox)
}

struct Keeper {
    settings: SettingsFile,
    ledger: Option<Ledger>,
    /// What the next window gets.
    state: Arc<Mutex<Handover>>,
    runtime: tokio::runtime::Runtime,
    instance: Instance,
}

impl Keeper {
    fn serve(self, events: mpsc::Sender<Event>, inbox: mpsc::Receiver<Event>) -> i32 {
        use ksni::blocking::TrayMethods;
        let mut shown = self.menu();
        let tray = KeeperTray {
            items: shown.0.clone(),
            tooltip: shown.1.clone(),
            region: self.settings.read().settings().region(),
            icon: icon(),
            events: events.clone(),
        }
        // Like the window's tray: shown once a tray host appears, if none runs yet.
        .assume_sni_available(true)
        .spawn();
        let tray = match tray {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("Clickdial runs without a tray icon: {e}");
                None
            }
        };
        let hotkey = Hotkey::register(&self.settings, events);
        let release = || {
            hotkey.unregister();
            if let Some(t) = &tray {
                // Called from inside the runtime; the tray's own blocking shutdown must wait on
                // another thread.
                std::thread::scope(|s| {
                    let _ = s.spawn(|| t.shutdown().wait()).join();
                });
            }
        };
        loop {
            let event = match inbox.recv_timeout(REFRESH) {
                Ok(event) => event,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if !self.runtime.block_on(self.instance.bus_alive()) {
                        return 0; // The desktop session ended.
                    }
                    let next = self.menu();
                    if next != shown {
                        if let Some(t) = &tray {
                            let (items, tooltip) = next.clone();
                            let region = self.settings.read().settings().region();
                            t.update(move |t| {
                                t.items = items;
                                t.tooltip = tooltip;
                                t.region = region;
                            });
                        }
                        shown = next;
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return 0,
            };
            let delivery = |text: Option<String>, source| {
                Some(Delivery {
                    text: text.unwrap_or_default(),
                    source,
                })
            };
            let open = match event {
                Event::TakenOver => {
                    if self.runtime.block_on(self.instance.hand_over(
                        HANDOVER_TIMEOUT,
                        || true,
                        release,
                    )) {
                        return 0;
                    }
                    continue;
                }
                Event::Hotkey => delivery(crate::selection(), Source::Hotkey),
                Event::Menu(action) => match action {
                    Action::Quit => {
                        // The tray service ends first, so the tray host's click gets its
                        // answer before the process goes (and the icon leaves the panel).
                        release();
                        return 0;
                    }
                    Action::Show => None,
                    Action::DialClipboard => delivery(crate::clipboard(), Source::Tray),
                    Action::Dial(e164) => delivery(Some(e164), Source::Tray),
                    Action::Agent(agent) => {
                        self.choose(Some(agent), None);
                        continue;
                    }
                    Action::Caller(caller) => {
                        self.choose(None, Some(caller));
                        continue;
                    }
                    // The keeper runs only while no call is followed.
                    Action::HangUp => continue,
                },
            };
            if self.open_window(open, release) {
                return 0;
            }
        }
    }

    /// The menu and tooltip for what the keeper knows now (the clipboard is read only when the
    /// menu is about to show: [`KeeperTray::menu_about_to_show`]).
    fn menu(&self) -> (Vec<Item>, String) {
        let settings = self.settings.read().settings();
        let state = lock(&self.state);
        let picks = tray::picks(state.picks.as_ref(), &settings);
        let tray_state = TrayState {
            clipboard: tray::Clip::Unread,
            region: settings.region(),
            recent: self.ledger.as_ref().map(tray::recent).unwrap_or_default(),
            agents: state.agents.clone(),
            agent: picks.agent,
            callers: state.callers.clone(),
            caller: picks.caller_id,
            configured: settings.base_url.is_some(),
            live_call: None,
        };
        (tray::menu(&tray_state), tray::tooltip(&tray_state))
    }

    fn choose(&self, agent: Option<String>, caller: Option<String>) {
        let mut state = lock(&self.state);
        let (picks, notice) = tray::choose(state.picks.as_ref(), &self.settings, agent, caller);
        state.picks = Some(picks);
        state.notices.extend(notice);
    }

    /// Starts the window with what the keeper holds (and `delivery` for its confirm sheet),
    /// then gives it the name. True once it has; false if the window did not start (the keeper
    /// carries on; the delivery is dropped).
    fn open_window(&self, delivery: Option<Delivery>, release: impl FnOnce()) -> bool {
        let mut handover = lock(&self.state).clone();
        handover.deliveries.extend(delivery);
        self.instance.hold_launches();
        let program = clickdial_services::process::sibling("clickdial-window");
        let mut command = Command::new(&program);
        command.env(HANDOVER_VAR, handover.to_json());
        {
            use std::os::unix::process::CommandExt;
            // GTK takes the window's class from the program name (the desktop entry's
            // StartupWMClass).
            command.arg0("clickdial");
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                eprintln!("Clickdial could not start {}: {e}", program.display());
                self.instance.resume_launches();
                return false;
            }
        };
        let handed = self.runtime.block_on(self.instance.hand_over(
            HANDOVER_TIMEOUT,
            || matches!(child.try_wait(), Ok(None)),
            release,
        ));
        if !handed {
            eprintln!("Clickdial's window did not start; Clickdial stays in the tray.");
            // A window still starting after all this time would otherwise run beside the
            // keeper: two Clickdials, each with a tray.
            let _ = child.kill();
            let _ = child.wait();
        }
        handed
    }
}

/// The global shortcut, while the keeper holds it.
struct Hotkey(
    Option<(
        global_hotkey::GlobalHotKeyManager,
        global_hotkey::hotkey::HotKey,
    )>,
);

impl Hotkey {
    fn register(settings: &SettingsFile, events: mpsc::Sender<Event>) -> Hotkey {
        if !crate::shortcuts_supported() {
            return Hotkey(None);
        }
        let text = settings
            .read()
            .settings()
            .hotkey
            .unwrap_or_else(|| crate::DEFAULT_HOTKEY.to_string());
        let Ok(hotkey) = text.parse::<global_hotkey::hotkey::HotKey>() else {
            return Hotkey(None);
        };
        let Ok(manager) = global_hotkey::GlobalHotKeyManager::new() else {
            return Hotkey(None);
        };
        // The window that just handed over lets go of the keys a moment after the name.
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while let Err(e) = manager.register(hotkey) {
            if std::time::Instant::now() >= deadline {
                eprintln!("Clickdial could not register the shortcut {text}: {e}");
                return Hotkey(None);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        global_hotkey::GlobalHotKeyEvent::set_event_handler(Some(
            move |e: global_hotkey::GlobalHotKeyEvent| {
                if e.state == global_hotkey::HotKeyState::Pressed {
                    let _ = events.send(Event::Hotkey);
                }
            },
        ));
        Hotkey(Some((manager, hotkey)))
    }

    /// Lets go of the keys, so the window can take them.
    fn unregister(&self) {
        if let Some((manager, hotkey)) = &self.0 {
            let _ = manager.unregister(*hotkey);
        }
    }
}

/// The tray icon: the menu the window's tray shows, rendered for the StatusNotifierItem host.
struct KeeperTray {
    items: Vec<Item>,
    tooltip: String,
    /// Where a number without a country code is read as being.
    region: clickdial_core::Region,
    icon: Vec<ksni::Icon>,
    events: mpsc::Sender<Event>,
}

impl KeeperTray {
    fn clicked(&self, id: &str) {
        if let Some(action) = tray::action(id) {
            let _ = self.events.send(Event::Menu(action));
        }
    }
}

impl ksni::Tray for KeeperTray {
    fn id(&self) -> String {
        "clickdial".into()
    }

    fn title(&self) -> String {
        "Clickdial".into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icon.clone()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.tooltip.clone(),
            ..Default::default()
        }
    }

    /// A click on the icon, where the host sends one (KDE): the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.events.send(Event::Menu(Action::Show));
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        self.items.iter().map(menu_item).collect()
    }

    /// The menu is about to show: the one time the clipboard is read (never polled), so Dial
    /// clipboard can say what it holds.
    fn menu_about_to_show(&mut self) {
        let clip = tray::Clip::Read(crate::clipboard());
        tray::with_clipboard(&mut self.items, &clip, self.region);
    }
}

/// A menu label as D-Bus menus take it: `_` marks a mnemonic there, so a literal one doubles.
fn label(text: &str) -> String {
    text.replace('_', "__")
}

fn menu_item(item: &Item) -> ksni::MenuItem<KeeperTray> {
    use ksni::menu::{CheckmarkItem, StandardItem, SubMenu};
    match item {
        Item::Action {
            id,
            label: l,
            enabled,
        } => {
            let id = id.clone();
            StandardItem {
                label: label(l),
                enabled: *enabled,
                activate: Box::new(move |t: &mut KeeperTray| t.clicked(&id)),
                ..Default::default()
            }
            .into()
        }
        Item::Radio {
            id,
            label: l,
            checked,
        } => {
            let id = id.clone();
            CheckmarkItem {
                label: label(l),
                checked: *checked,
                activate: Box::new(move |t: &mut KeeperTray| t.clicked(&id)),
                ..Default::default()
            }
            .into()
        }
        Item::Submenu {
            label: l,
            enabled,
            items,
        } => SubMenu {
            label: label(l),
            enabled: *enabled,
            submenu: items.iter().map(menu_item).collect(),
            ..Default::default()
        }
        .into(),
        Item::Separator => ksni::MenuItem::Separator,
    }
}

/// The app's 32 px icon as the tray protocol takes it (ARGB, big-endian; see build.rs).
fn icon() -> Vec<ksni::Icon> {
    vec![ksni::Icon {
        width: 32,
        height: 32,
        data: include_bytes!(concat!(env!("OUT_DIR"), "/tray-32.argb")).to_vec(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_the_apps_in_argb() {
        let icons = icon();
        assert_eq!(icons.len(), 1);
        let icon = &icons[0];
        assert_eq!((icon.width, icon.height), (32, 32));
        assert_eq!(icon.data.len(), 32 * 32 * 4);
        // Not blank: some pixel is opaque.
        assert!(icon.data.chunks_exact(4).any(|p| p[0] == 255));
    }

    #[test]
    fn a_literal_underscore_is_not_a_mnemonic() {
        assert_eq!(label("sales_team"), "sales__team");
    }

    /// The clipboard is read when the menu is about to show, and only then: the item says
    /// what it found (whatever this machine's clipboard holds, it is no longer "unread").
    #[test]
    fn the_clipboard_is_read_when_the_menu_is_about_to_show() {
        use ksni::Tray;
        let (tx, _rx) = mpsc::channel();
        let state = TrayState {
            configured: true,
            region: clickdial_core::Region::INDIA,
            ..TrayState::default()
        };
        let mut t = KeeperTray {
            items: tray::menu(&state),
            tooltip: String::new(),
            region: clickdial_core::Region::INDIA,
            icon: vec![],
            events: tx,
        };
        let clipboard_label = |t: &KeeperTray| match &t.items[0] {
            Item::Action { label, .. } => label.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(clipboard_label(&t), "Dial clipboard");
        t.menu_about_to_show();
        assert!(clipboard_label(&t).starts_with("Dial clipboard"));
        assert_ne!(clipboard_label(&t), "Dial clipboard", "read, and said");
    }

    #[test]
    fn the_menu_keeps_ids_labels_and_state() {
        let (tx, rx) = mpsc::channel();
        let mut t = KeeperTray {
            items: vec![],
            tooltip: String::new(),
            region: clickdial_core::Region::INDIA,
            icon: vec![],
            events: tx,
        };
        let items = [
            Item::Action {
                id: "show".into(),
                label: "Show Clickdial".into(),
                enabled: true,
            },
            Item::Submenu {
                label: "Agent".into(),
                enabled: true,
                items: vec![Item::Radio {
                    id: "agent:A_1".into(),
                    label: "Asha_R".into(),
                    checked: true,
                }],
            },
        ];
        let rendered: Vec<_> = items.iter().map(menu_item).collect();
        let ksni::MenuItem::Standard(show) = &rendered[0] else {
            panic!("not a standard item");
        };
        assert_eq!(show.label, "Show Clickdial");
        (show.activate)(&mut t);
        assert!(matches!(rx.try_recv(), Ok(Event::Menu(Action::Show))));
        let ksni::MenuItem::SubMenu(agents) = &rendered[1] else {
            panic!("not a submenu");
        };
        let ksni::MenuItem::Checkmark(asha) = &agents.submenu[0] else {
            panic!("not a check item");
        };
        assert!(asha.checked);
        assert_eq!(asha.label, "Asha__R");
        (asha.activate)(&mut t);
        assert!(matches!(rx.try_recv(), Ok(Event::Menu(Action::Agent(a))) if a == "A_1"));
    }
}
