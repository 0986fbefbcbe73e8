//! `clickdial` on the command line: the same binary as the app, the same core and the same
//! keyring entry. Subcommands run without a window; anything else starts the desktop app.
//!
//! Credentials: the app's (keyring secret, settings file), set up in the window or with
//! `clickdial login`; `CLICKDIAL_TOKEN` and `CLICKDIAL_BASE_URL` override both for scripts.
//! No secret is ever printed.
//!
//! Exit codes: 0 done, 2 invalid input (nothing sent), 3 authentication (no or refused
//! credentials), 4 rejected by the API, 5 network / timeout / unknown outcome, 6 refused as a
//! duplicate of a call placed moments ago (by any Clickdial process).
//!
//! This module only translates: arguments and prompts in, the shared services
//! (`clickdial-services`) called, their answers printed. It holds no dial or account rules.

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use clap::{Parser, Subcommand};
use clickdial_core::api::{ApiError, ErrorCode};
use clickdial_core::sanitize::clean_text;
use clickdial_core::settings::{provider, Settings, SignIn, PROVIDERS};
use clickdial_core::{Client, Number, Region, Secret};
use clickdial_services::accounts::{AccountForm, Accounts};
use clickdial_services::app::{AppSession, Clickdial, Options, Overrides};
use clickdial_services::dialer::DialInput;
use clickdial_services::follow::{hang_up_with, look_up, summary};
use clickdial_services::handler::{Desktop, HandlerStatus};
use clickdial_services::ledger::{
    wall_clock_ms, CallRow, HistoryQuery, Ledger, Source, LEDGER_FILE,
};
use clickdial_services::secrets::KeyringStore;
use clickdial_services::settings_file::{Read, SettingsFile, SETTINGS_FILE};
use clickdial_services::{Code, Error};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "clickdial",
    version,
    about = "Click-to-call for Servetel / Tata Smartflo. Without a subcommand, opens the app.",
    after_help = "Credentials come from the app's keyring entry and settings. For scripts, \
CLICKDIAL_TOKEN and CLICKDIAL_BASE_URL (e.g. https://api.servetel.in/v1) override them.\n\
Exit codes: 0 ok, 2 invalid input, 3 authentication, 4 rejected by the API, \
5 network, timeout or unknown outcome, 6 refused: the same number was dialled moments ago."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a phone number in E.164 form (+919876543210)
    Normalize {
        /// The number as written: "098765 43210", "+91-98765-43210", "tel:+919876543210"
        input: String,
        /// Region for numbers written without a country code
        #[arg(long, default_value = "IN")]
        region: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Place a call: the platform rings the agent first, then the customer
    Call {
        /// The customer's number as written: "98765 43210", "+91 98765 43210", "tel:…"
        number: String,
        /// The agent to ring first: agent ID (EID), name ("Asha Rao", or a unique part) or mobile number, as `clickdial agents` lists
        #[arg(long)]
        agent: String,
        /// The caller ID (DID) the customer sees, written any way: "+91 80650 00102", "080650 00102", "8065000102" (`clickdial numbers` lists them)
        #[arg(long = "caller-id")]
        caller_id: Option<String>,
        /// Longest talk time in seconds (60 to 14400; default: the app's setting)
        #[arg(long = "call-timeout")]
        call_timeout: Option<u32>,
        /// Region for numbers written without a country code (default: the app's setting)
        #[arg(long)]
        region: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List the account's agents
    Agents {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List the account's caller IDs (DIDs)
    Numbers {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Connect an account: prompts, or --token-stdin / --email with --password-stdin
    Login {
        /// servetel, smartflo, acefone or acefone-uk
        #[arg(long, conflicts_with = "base_url")]
        provider: Option<String>,
        /// Another server's API address (https), e.g. https://api.example.com/v1
        #[arg(long = "base-url")]
        base_url: Option<String>,
        /// Read a permanent API token from standard input
        #[arg(long = "token-stdin", conflicts_with_all = ["email", "password_stdin"])]
        token_stdin: bool,
        /// Sign in with this email (login ID) and a password
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (with --email)
        #[arg(long = "password-stdin", requires = "email")]
        password_stdin: bool,
    },
    /// Remove the account's token or password from the keyring and forget the account; says which
    Logout,
    /// Show the account in use (never the secret)
    Whoami {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// How the last call (or the one named) is going: ringing, connected, or how it ended
    Status {
        /// A call's reference (ref ID), call ID or custom identifier; default: the last call
        reference: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// End a live call: the last call by default, or the live call ID given
    Hangup {
        /// The live call ID (as `clickdial status` shows), or a call's reference
        call_id: Option<String>,
    },
    /// Calls placed from this computer (the window, links and this command), newest first
    History {
        /// Only calls from this day on: YYYY-MM-DD (India time), or an age such as 7d or 12h
        #[arg(long)]
        since: Option<String>,
        /// Only calls to numbers containing these digits
        #[arg(long)]
        number: Option<String>,
        /// How many calls at most
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (a spreadsheet opens it)
        #[arg(long)]
        csv: bool,
    },
    /// Tell the platform you take calls again (unblock the agent)
    Available {
        /// The agent: ID, name or mobile; default: the agent the app last dialled with
        #[arg(long)]
        agent: Option<String>,
    },
    /// Go on a break: the platform sends you no calls (block the agent)
    Break {
        /// The agent: ID, name or mobile; default: the agent the app last dialled with
        #[arg(long)]
        agent: Option<String>,
    },
    /// Which app opens tel: and callto: links; make it Clickdial
    Handler {
        #[command(subcommand)]
        action: HandlerAction,
    },
    /// Run the Servetel simulator with the demo account, in the foreground
    Sim {
        /// The port to listen on, on 127.0.0.1 only (0: any free port; the address is printed)
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// For the app's demo: print the address alone, and stop when standard input closes
        #[arg(long, hide = true, conflicts_with = "port")]
        for_parent: bool,
    },
}

#[derive(Subcommand)]
enum HandlerAction {
    /// Show which app the desktop opens tel: and callto: links with
    Status {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Make Clickdial the app that opens tel: and callto: links (on Windows, opens Settings)
    Install {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// The argument the login autostart entry passes: the app started by itself at login (and
/// stays in the tray when the agent chose "start hidden").
pub const AUTOSTART_FLAG: &str = "--autostart";

/// The flag that makes `clickdial` the tray keeper (Linux; started by the window, not by
/// users).
pub const KEEPER_FLAG: &str = "--keeper";

/// Whether these arguments open the window: none at all, or a single `tel:`/`callto:` link
/// (handed to the app by the desktop). Anything else is a command, and a typo gets clap's
/// suggestion and exit code 2 rather than a window.
pub fn opens_window(args: &[OsString]) -> bool {
    match args {
        [_] => true,
        [_, flag] if flag == AUTOSTART_FLAG => true,
        [_, link] => link.to_str().is_some_and(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            l.starts_with("tel:") || l.starts_with("callto:")
        }),
        _ => false,
    }
}

struct Failure {
    exit: i32,
    code: Code,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            exit: e.code.exit_code(),
            code: e.code,
            message: e.message,
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::from(Error::invalid(message))
}

pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let json_output = matches!(
        cli.command,
        Command::Normalize { json: true, .. }
            | Command::Call { json: true, .. }
            | Command::Agents { json: true }
            | Command::Numbers { json: true }
            | Command::Whoami { json: true }
            | Command::Status { json: true, .. }
            | Command::History { json: true, .. }
            | Command::Handler {
                action: HandlerAction::Status { json: true }
                    | HandlerAction::Install { json: true }
            }
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("clickdial: could not start: {e}");
            return 1;
        }
    };
    match runtime.block_on(execute(cli.command)) {
        Ok(out) => {
            // A closed stdout must not turn a queued call into a failure (a retrying script
            // would dial again): write errors are ignored.
            let _ = writeln!(std::io::stdout(), "{}", terminal_safe(&out));
            0
        }
        Err(f) => {
            if json_output {
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    json!({"error": {"code": f.code, "message": f.message}})
                );
            }
            let _ = writeln!(
                std::io::stderr(),
                "clickdial: {}",
                terminal_safe(&f.message)
            );
            f.exit
        }
    }
}

/// The last line of defence before a terminal: no control, bidi or invisible character but
/// newline and tab, whatever a server, a settings file or a keyring put in the text. (Server
/// text is already cleaned where it enters; this also covers local files.)
fn terminal_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !clickdial_core::sanitize::is_forbidden(c))
        .collect()
}

/// The files shared with the app, in its data folder.
struct Files {
    settings: SettingsFile,
    dir: std::path::PathBuf,
}

fn files() -> Result<Files, Failure> {
    let dir = clickdial_services::data_dir().ok_or_else(|| {
        Failure::from(Error::internal(
            "no data folder for the settings file (is HOME set?)",
        ))
    })?;
    Ok(Files {
        settings: SettingsFile::new(dir.join(SETTINGS_FILE)),
        dir,
    })
}

fn accounts(files: &Files) -> Accounts {
    Accounts::new(files.settings.clone(), Arc::new(KeyringStore::new()))
}

/// The app's settings, read without changing the file (the app may be running).
fn saved_settings(files: &Files) -> Settings {
    match files.settings.read() {
        Read::Unreadable => {
            let _ = writeln!(
                std::io::stderr(),
                "clickdial: the settings file could not be read, so defaults are used; \
                 `clickdial login` or the app will set it up again."
            );
            Settings::default()
        }
        Read::Failed(message) => {
            let _ = writeln!(std::io::stderr(), "clickdial: {message}");
            Settings::default()
        }
        other => other.settings(),
    }
}

/// The handler doctor's answer, for a terminal.
fn handler_text(status: &HandlerStatus) -> String {
    let mut out = status.summary.clone();
    for s in &status.schemes {
        let handler = s.handler.as_deref().unwrap_or("(none)");
        out.push_str(&format!("\n  {:<8} {handler}", format!("{}:", s.scheme)));
        if let Some(gio) = &s.gio {
            out.push_str(&format!("  (gio: {gio})"));
        }
    }
    if let Some(advice) = &status.advice {
        out.push('\n');
        out.push_str(advice);
    }
    out
}

fn handler(action: HandlerAction) -> Result<String, Failure> {
    let desktop = Desktop::from_env()
        .ok_or_else(|| Failure::from(Error::internal("no home folder (is HOME set?)")))?;
    let exe = std::env::current_exe().map_err(|e| {
        Failure::from(Error::internal(format!(
            "could not tell where Clickdial is installed: {e}"
        )))
    })?;
    let (status, json) = match action {
        HandlerAction::Status { json } => (desktop.status(&exe), json),
        HandlerAction::Install { json } => (desktop.install(&exe)?, json),
    };
    Ok(if json {
        serde_json::to_string_pretty(&status).unwrap_or_default()
    } else {
        handler_text(&status)
    })
}

async fn execute(command: Command) -> Result<String, Failure> {
    match command {
        Command::Handler { action } => handler(action),
        Command::Normalize {
            input,
            region,
            json,
        } => {
            let region = Region::parse(&region).map_err(invalid)?;
            let n = Number::parse(&input, region).map_err(Error::from)?;
            if json {
                return Ok(
                    json!({"e164": n.e164(), "ext": n.ext(), "region": n.region(),
                                 "kind": n.kind(), "assumedCountry": n.assumed_country()})
                    .to_string(),
                );
            }
            // Standard output stays the bare number, for scripts; what a person should know
            // about it goes to standard error.
            if n.assumed_country() {
                let _ = writeln!(
                    std::io::stderr(),
                    "clickdial: no country code was given, so {} was assumed (--region).",
                    region.code()
                );
            }
            if let Some(ext) = n.ext() {
                let _ = writeln!(
                    std::io::stderr(),
                    "clickdial: extension {ext} is not part of the number and is not dialled."
                );
            }
            Ok(n.e164().to_string())
        }
        Command::Call {
            number,
            agent,
            caller_id,
            call_timeout,
            region,
            json,
        } => {
            let files = files()?;
            let app = open_app(&files);
            tell_notices(&app);
            let session = session(&app).await?;
            // A number that cannot be dialled is refused before anything is asked of the server.
            let dial_region = match &region {
                Some(code) => Region::parse(code).map_err(invalid)?,
                None => app.region(),
            };
            Number::parse(&number, dial_region).map_err(Error::from)?;
            // The agent and the caller ID, as the account lists them.
            let (agent_id, agent_name) = find_agent(session.client(), &agent)
                .await
                .map_err(|e| not_placed(e, &typed_agent(&agent)))?;
            let who = agent_words(&agent_id, agent_name.as_deref());
            let caller_id = find_caller_id(session.client(), caller_id)
                .await
                .map_err(|e| not_placed(e, &who))?;
            let input = DialInput {
                caller_id,
                call_timeout,
                region,
                ..DialInput::new(number, agent_id, Source::Cli)
            };
            let q = app
                .dial(input)
                .await
                .map_err(|e| naming_the_agent(e, &who))?;
            Ok(if json {
                json!({"status": "queued", "e164": q.e164, "ext": q.ext, "refId": q.ref_id,
                       "callId": q.call_id, "customIdentifier": q.custom_identifier,
                       "agent": q.agent, "agentName": agent_name, "callerId": q.caller_id,
                       "message": q.message})
                .to_string()
            } else {
                let who = match &agent_name {
                    Some(name) => format!("{name}'s phone"),
                    None => format!("agent {}", q.agent),
                };
                format!(
                    "Call queued: {who} rings first, then {}. Reference {}.",
                    q.international,
                    q.ref_id.as_deref().unwrap_or("none given")
                )
            })
        }
        Command::Agents { json } => {
            let app = open_app(&files()?);
            let agents = session(&app)
                .await?
                .client()
                .users()
                .await
                .map_err(Error::from)?;
            if json {
                return Ok(serde_json::to_string_pretty(&agents).unwrap_or_default());
            }
            let rows = agents
                .iter()
                .map(|a| {
                    [
                        a.id.clone(),
                        a.name.clone(),
                        format!("{:?}", a.status).to_lowercase(),
                        a.follow_me_number.clone().unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>();
            Ok(table(["AGENT ID", "NAME", "STATUS", "MOBILE"], &rows))
        }
        Command::Numbers { json } => {
            let app = open_app(&files()?);
            let numbers = session(&app)
                .await?
                .client()
                .my_numbers()
                .await
                .map_err(Error::from)?;
            if json {
                return Ok(serde_json::to_string_pretty(&numbers).unwrap_or_default());
            }
            let rows = numbers
                .iter()
                .map(|d| [d.value.clone(), d.did.clone(), d.name.clone()])
                .collect::<Vec<_>>();
            Ok(table(["CALLER ID", "DID", "NAME"], &rows))
        }
        Command::Login {
            provider,
            base_url,
            token_stdin,
            email,
            password_stdin,
        } => login(provider, base_url, token_stdin, email, password_stdin).await,
        Command::Logout => {
            let files = files()?;
            // What is signed out of, read before it is forgotten (never the secret itself).
            let before = files.settings.read().settings();
            match accounts(&files).sign_out().await {
                Ok(true) => Ok(signed_out_text(&before)),
                Ok(false) => {
                    Ok("No account was set up, so there was nothing to sign out of.".into())
                }
                Err(e) => Err(Failure::from(Error {
                    message: format!(
                        "Could not sign out of {}: {}",
                        account_words(&before),
                        e.message
                    ),
                    ..e
                })),
            }
        }
        Command::Whoami { json } => whoami(json),
        Command::Status { reference, json } => status(reference, json).await,
        Command::Hangup { call_id } => hangup(call_id).await,
        Command::History {
            since,
            number,
            limit,
            json,
            csv,
        } => history(since, number, limit, json, csv),
        Command::Available { agent } => availability(agent, true).await,
        Command::Break { agent } => availability(agent, false).await,
        Command::Sim {
            for_parent: true, ..
        } => clickdial_sim::run_for_parent()
            .await
            .map(|_| String::new())
            .map_err(|e| Failure::from(Error::internal(format!("the simulator stopped: {e}")))),
        Command::Sim { port, .. } => clickdial_sim::run_foreground(port)
            .await
            .map(|_| String::new())
            .map_err(|e| Failure::from(Error::internal(format!("the simulator stopped: {e}")))),
    }
}

fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|r| line(r.iter().map(String::as_str).collect())),
    );
    out.join("\n")
}

/// The application as the CLI opens it: the same object the window holds, given the
/// environment's session (`CLICKDIAL_BASE_URL`, `CLICKDIAL_TOKEN`), following no calls.
fn open_app(files: &Files) -> Clickdial {
    let given = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    Clickdial::open(
        Arc::new(KeyringStore::new()),
        &files.dir,
        Options {
            overrides: Overrides {
                base_url: given("CLICKDIAL_BASE_URL"),
                token: given("CLICKDIAL_TOKEN").map(Secret::new),
            },
            ..Options::default()
        },
    )
}

/// The session in use: the environment's, else the saved account's. The saved secret is only
/// ever sent to the server it was saved for.
async fn session(app: &Clickdial) -> Result<Arc<AppSession>, Failure> {
    app.session().await.map_err(|e| {
        Failure::from(match e.code {
            Code::NotConfigured => Error {
                message: format!(
                    "{} Run `clickdial login`, connect your account in the app, or set \
                     CLICKDIAL_BASE_URL and CLICKDIAL_TOKEN.",
                    e.message
                ),
                ..e
            },
            _ => e,
        })
    })
}

/// What the application noticed while opening (a settings or history file kept aside), once.
fn tell_notices(app: &Clickdial) {
    for n in app.take_notices() {
        let _ = writeln!(std::io::stderr(), "clickdial: {n}");
    }
}

fn ask(question: &str) -> Result<String, Failure> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| invalid(format!("could not read the answer: {e}")))?;
    Ok(line.trim().to_string())
}

fn ask_secret(question: &str) -> Result<Secret, Failure> {
    rpassword::prompt_password(question)
        .map(Secret::new)
        .map_err(|e| invalid(format!("could not read the answer: {e}")))
}

/// One line of standard input, without its line ending; nothing else is trimmed (a password
/// may start or end with a space; a token is cleaned by the account service).
fn read_stdin_secret(what: &str) -> Result<Secret, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| invalid(format!("could not read the {what}: {e}")))?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.is_empty() {
        return Err(invalid(format!("standard input had no {what}")));
    }
    Ok(Secret::new(line))
}

async fn login(
    provider_id: Option<String>,
    base_url: Option<String>,
    token_stdin: bool,
    email: Option<String>,
    password_stdin: bool,
) -> Result<String, Failure> {
    let interactive = std::io::stdin().is_terminal();
    let (provider_id, base_url) = match (provider_id, base_url) {
        (Some(id), _) => {
            provider(&id).ok_or_else(|| {
                invalid(format!(
                    "unknown provider '{id}': use servetel, smartflo, acefone or acefone-uk, or --base-url"
                ))
            })?;
            (id, None)
        }
        (None, Some(url)) => ("custom".to_string(), Some(url)),
        (None, None) if interactive => {
            for (i, p) in PROVIDERS.iter().enumerate() {
                eprintln!("  {}. {}", i + 1, p.name);
            }
            eprintln!("  {}. Another server", PROVIDERS.len() + 1);
            let choice = ask("Provider [1]: ")?;
            let n: usize = if choice.is_empty() {
                1
            } else {
                choice.parse().unwrap_or(0)
            };
            match PROVIDERS.get(n.wrapping_sub(1)) {
                Some(p) => (p.id.to_string(), None),
                None if n == PROVIDERS.len() + 1 => (
                    "custom".to_string(),
                    Some(ask("Server address (https://…/v1): ")?),
                ),
                None => return Err(invalid(format!("'{choice}' is not one of the choices"))),
            }
        }
        (None, None) => return Err(invalid(
            "say which provider: --provider servetel|smartflo|acefone|acefone-uk, or --base-url",
        )),
    };
    let mut form = AccountForm {
        provider: provider_id,
        base_url,
        sign_in: SignIn::Token,
        token: None,
        email: None,
        password: None,
    };
    if token_stdin {
        form.token = Some(read_stdin_secret("token")?);
    } else if let Some(email) = email {
        form.sign_in = SignIn::Password;
        form.password = Some(if password_stdin {
            read_stdin_secret("password")?
        } else if interactive {
            ask_secret("Password: ")?
        } else {
            return Err(invalid("use --password-stdin to pass the password"));
        });
        form.email = Some(email);
    } else if interactive {
        match ask("Sign in with 1. an API token or 2. email and password [1]: ")?.as_str() {
            "" | "1" => form.token = Some(ask_secret("API token: ")?),
            "2" => {
                form.sign_in = SignIn::Password;
                form.email = Some(ask("Email (login ID): ")?);
                form.password = Some(ask_secret("Password: ")?);
            }
            other => return Err(invalid(format!("'{other}' is not one of the choices"))),
        }
    } else {
        return Err(invalid(
            "use --token-stdin, or --email with --password-stdin",
        ));
    }
    let files = files()?;
    let connected = accounts(&files).connect(form).await?;
    if let Some(n) = connected.notice {
        let _ = writeln!(std::io::stderr(), "clickdial: {n}");
    }
    Ok(format!(
        "Signed in to {}. {}",
        connected.client.base_url(),
        connected.check.message
    ))
}

fn whoami(json: bool) -> Result<String, Failure> {
    let files = files()?;
    let settings = saved_settings(&files);
    let configured = accounts(&files)
        .saved(&settings)
        .map_err(Error::from)?
        .is_some();
    let provider_name = settings
        .provider
        .as_deref()
        .map(|id| provider(id).map_or("Another server", |p| p.name));
    let env_override = std::env::var_os("CLICKDIAL_TOKEN").is_some();
    if json {
        return Ok(json!({
            "configured": configured,
            "provider": settings.provider,
            "baseUrl": settings.base_url,
            "signIn": settings.sign_in,
            "email": settings.email,
            "tokenFromEnvironment": env_override,
        })
        .to_string());
    }
    let mut out = vec![format!(
        "Configured: {}",
        if configured { "yes" } else { "no" }
    )];
    if let (Some(name), Some(url)) = (provider_name, &settings.base_url) {
        out.push(format!("Provider:   {name}"));
        out.push(format!("Server:     {url}"));
        out.push(match (&settings.sign_in, &settings.email) {
            (SignIn::Password, Some(email)) => {
                format!("Sign-in:    email and password, as {email}")
            }
            _ => "Sign-in:    API token".to_string(),
        });
    }
    if env_override {
        out.push("CLICKDIAL_TOKEN is set: commands use it instead of the keyring.".to_string());
    }
    Ok(out.join("\n"))
}

fn open_ledger(files: &Files) -> Result<Arc<Ledger>, Failure> {
    // Without reading the whole file first: these commands only look (a damaged file says so
    // when read, and the next dial or the app repairs it).
    let (ledger, notice) =
        Ledger::open_unchecked(&files.dir.join(LEDGER_FILE)).map_err(Error::from)?;
    if let Some(n) = notice {
        let _ = writeln!(std::io::stderr(), "clickdial: {n}");
    }
    Ok(Arc::new(ledger))
}

/// The call named by `reference`, or the last call.
fn pick_call(ledger: &Ledger, reference: Option<&str>) -> Result<CallRow, Failure> {
    let now = wall_clock_ms();
    let row = match reference {
        Some(r) => ledger.find(r.trim(), now).map_err(Error::from)?,
        None => ledger
            .history(
                &HistoryQuery {
                    limit: 1,
                    ..HistoryQuery::default()
                },
                now,
            )
            .map_err(Error::from)?
            .into_iter()
            .next(),
    };
    row.ok_or_else(|| match reference {
        Some(r) => invalid(format!(
            "No call with the reference or call ID {r} is in this computer's history."
        )),
        None => invalid("No call has been placed from this computer yet."),
    })
}

use clickdial_services::ledger::display_number as international;

async fn status(reference: Option<String>, json: bool) -> Result<String, Failure> {
    let files = files()?;
    let ledger = open_ledger(&files)?;
    let row = pick_call(&ledger, reference.as_deref())?;
    if row.state != clickdial_services::ledger::CallState::Queued {
        let words = match row.state {
            clickdial_services::ledger::CallState::NotPlaced => "Not placed",
            clickdial_services::ledger::CallState::Pending => "Being placed",
            _ => "May have been placed",
        };
        return Ok(if json {
            json!({"id": row.id, "e164": row.e164, "state": row.state, "reason": row.reason})
                .to_string()
        } else {
            format!(
                "{}: {words}.{}",
                international(&row.e164),
                row.reason
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default()
            )
        });
    }
    let session = session(&open_app(&files)).await?;
    let view = look_up(session.client(), &ledger, &row, wall_clock_ms()).await?;
    Ok(if json {
        json!({"id": row.id, "e164": row.e164, "agent": row.agent, "refId": row.ref_id,
               "stage": view.stage, "outcome": view.outcome, "talkS": view.talk_s,
               "elapsedS": view.elapsed_s, "callId": view.call_id, "detail": view.detail})
        .to_string()
    } else {
        let mut out = format!("{}: {}", international(&row.e164), summary(&view));
        if let Some(id) = &view.call_id {
            out.push_str(&format!("\nCall ID {id}"));
        }
        if let Some(r) = &row.ref_id {
            out.push_str(&format!("\nReference {r}"));
        }
        out
    })
}

async fn hangup(call_id: Option<String>) -> Result<String, Failure> {
    let files = files()?;
    let session = session(&open_app(&files)).await?;
    let ledger = open_ledger(&files)?;
    // A reference or nothing: the call from history, looked up live.
    let known = call_id
        .as_deref()
        .map(|c| ledger.find(c.trim(), wall_clock_ms()))
        .transpose()
        .map_err(Error::from)?
        .flatten();
    // A reference found in history, or the last call; else a bare live call id as given.
    let (live_id, who) = match (known, call_id) {
        (None, Some(id)) => (id.trim().to_string(), format!("call {}", id.trim())),
        (known, _) => {
            let row = match known {
                Some(row) => row,
                None => pick_call(&ledger, None)?,
            };
            placed(&row)?;
            let view = look_up(session.client(), &ledger, &row, wall_clock_ms()).await?;
            if view.stage == clickdial_core::follow::Stage::Ended {
                return Err(invalid(format!(
                    "The call to {} has already ended ({}).",
                    international(&row.e164),
                    summary(&view)
                )));
            }
            let id = view.call_id.ok_or_else(|| {
                invalid("The call is still being set up, so it cannot be ended yet. Try again in a moment, or decline it on your phone.")
            })?;
            (id, international(&row.e164))
        }
    };
    let message = hang_up_with(session.client(), &live_id).await?;
    Ok(format!("Ended the call to {who}. ({message})"))
}

/// Only a queued call can be hung up: one never placed has nothing to end.
fn placed(row: &CallRow) -> Result<(), Failure> {
    if row.state == clickdial_services::ledger::CallState::Queued {
        return Ok(());
    }
    Err(invalid(format!(
        "The last call, to {}, was not placed, so there is nothing to hang up.",
        international(&row.e164)
    )))
}

/// `YYYY-MM-DD` (midnight, India time) or an age such as `7d` / `12h`, as Unix ms.
fn parse_since(text: &str, now_ms: i64) -> Result<i64, Failure> {
    let t = text.trim();
    let age = |unit: char, secs: i64| {
        t.strip_suffix(unit)
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| (0..=100_000).contains(n))
            .map(|n| now_ms - n * secs * 1000)
    };
    if let Some(ms) = age('d', 86_400).or_else(|| age('h', 3600)) {
        return Ok(ms);
    }
    clickdial_core::clock::parse_ist(&format!("{t} 00:00:00"))
        .map(|s| s * 1000)
        .ok_or_else(|| {
            invalid(format!(
                "--since {t}: give a date as YYYY-MM-DD, or an age such as 7d or 12h."
            ))
        })
}

fn history(
    since: Option<String>,
    number: Option<String>,
    limit: usize,
    json: bool,
    csv: bool,
) -> Result<String, Failure> {
    let files = files()?;
    let ledger = open_ledger(&files)?;
    let now = wall_clock_ms();
    let since_ms = since.as_deref().map(|s| parse_since(s, now)).transpose()?;
    let rows = ledger
        .history(
            &HistoryQuery {
                digits: number,
                since_ms,
                limit: limit.clamp(1, 1_000_000),
                ..HistoryQuery::default()
            },
            now,
        )
        .map_err(Error::from)?;
    if json {
        return Ok(serde_json::to_string_pretty(&rows).unwrap_or_default());
    }
    if csv {
        return Ok(clickdial_services::ledger::csv(&rows));
    }
    if rows.is_empty() {
        return Ok("No calls.".into());
    }
    let table_rows: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                clickdial_core::clock::format_ist(r.created_at_ms / 1000)[..16].to_string(),
                international(&r.e164),
                r.agent.clone(),
                outcome_words(r),
                r.ref_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(table(
        ["TIME (IST)", "NUMBER", "AGENT", "OUTCOME", "REFERENCE"],
        &table_rows,
    ))
}

fn outcome_words(r: &CallRow) -> String {
    use clickdial_services::ledger::CallState;
    match (r.outcome, r.state) {
        (Some(clickdial_core::api::Outcome::Answered), _) => match r.talk_s {
            Some(t) => format!("answered {}:{:02}", t / 60, t % 60),
            None => "answered".into(),
        },
        (Some(o), _) => o.describe().to_lowercase(),
        (None, CallState::Queued) => "queued".into(),
        (None, CallState::NotPlaced) => "not placed".into(),
        (None, CallState::Pending) => "being placed".into(),
        (None, CallState::Unknown) => "may have been placed".into(),
    }
}

async fn availability(agent: Option<String>, available: bool) -> Result<String, Failure> {
    let files = files()?;
    let session = session(&open_app(&files)).await?;
    let wanted = match agent {
        Some(a) => a,
        None => saved_settings(&files)
            .default_agent()
            .map(str::to_string)
            .ok_or_else(|| {
                invalid("Which agent? Give --agent (ID, name or mobile), or choose who you are in the app once.")
            })?,
    };
    let (eid, name) = find_agent(session.client(), &wanted).await?;
    session
        .client()
        .set_available(&eid, available)
        .await
        .map_err(Error::from)?;
    let who = name.unwrap_or_else(|| format!("Agent {eid}"));
    Ok(if available {
        format!("{who} is available: calls come through again.")
    } else {
        format!("{who} is on a break: the platform sends no calls until `clickdial available`.")
    })
}

/// The agent `query` names, from the account's agents: the ID to send, and their name when
/// known. A query of digits only that matches no agent's ID or mobile goes as typed (an
/// intercom or an extension); so does it when the agents cannot be listed, unless the server
/// refused the sign-in or could not be reached (the dial would fail the same way, and a
/// second refused password counts towards the lockout).
async fn find_agent(client: &Client, query: &str) -> Result<(String, Option<String>), Error> {
    let q = query.trim();
    if q.is_empty() {
        return Err(Error::invalid("Pick an agent first."));
    }
    let agents = match client.users().await {
        Ok(agents) => agents,
        Err(e) if clickdial_services::agents::digits_only(q) && !stops_here(&e) => {
            return Ok((q.to_string(), None))
        }
        Err(e) => return Err(Error::from(e)),
    };
    Ok(match clickdial_services::agents::find(q, &agents)? {
        Some(a) => (
            a.id.clone(),
            Some(clean_text(&a.name, 80)).filter(|n| !n.is_empty()),
        ),
        None => (q.to_string(), None),
    })
}

/// The caller ID to send for `typed`: the account's DID that it is a written form of, exactly
/// as the account lists it. As typed when the account cannot list its caller IDs (a token
/// without that permission) or lists none.
async fn find_caller_id(client: &Client, typed: Option<String>) -> Result<Option<String>, Error> {
    let Some(typed) = typed.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    match client.my_numbers().await {
        Ok(numbers) if !numbers.is_empty() => {
            let found = clickdial_services::agents::resolve_caller_id(&typed, &numbers)?;
            Ok(Some(found.value.clone()))
        }
        Ok(_) => Ok(Some(typed)),
        Err(e) if stops_here(&e) => Err(Error::from(e)),
        Err(_) => Ok(Some(typed)),
    }
}

/// A failure of a look-up before the dial that the dial itself would meet: the server refused
/// the sign-in, or could not be reached.
fn stops_here(e: &ApiError) -> bool {
    matches!(e.code(), ErrorCode::Unauthorized | ErrorCode::Unreachable)
}

/// The agent as typed, for a failure before it was found.
fn typed_agent(query: &str) -> String {
    let q = clean_text(query.trim(), 40);
    if clickdial_services::agents::digits_only(&q) {
        format!("agent {q}")
    } else {
        format!("‘{q}’")
    }
}

/// "Asha Rao (agent 0506123456781)", or "agent 0506123456781" when the name is not known.
fn agent_words(id: &str, name: Option<&str>) -> String {
    let id = clean_text(id, 64);
    match name {
        Some(name) => format!("{name} (agent {id})"),
        None => format!("agent {id}"),
    }
}

/// A failure of the look-ups before a dial, in the dial's words: a server's refusal or an
/// unreachable server means the call was not placed; a wrong agent or caller ID says so itself.
fn not_placed(e: Error, who: &str) -> Error {
    match e.code {
        Code::InvalidInput | Code::InvalidNumber => e,
        _ => naming_the_agent(
            Error {
                message: format!("The call was not placed. {}", e.message),
                ..e
            },
            who,
        ),
    }
}

/// A dial's failure in plain words that name the agent, such as "The call was not placed: the
/// server refused it for Asha Rao (agent 0506123456781): “Agent is blocked.”". Failures that
/// are not about the server (a number with letters, a repeat refused) stay as they are.
fn naming_the_agent(e: Error, who: &str) -> Error {
    const NOT_PLACED: &str = "The call was not placed. ";
    const REFUSED: &str = "The server refused the request: ";
    const MAYBE: &str = "The call may or may not have been placed";
    let message = if let Some(rest) = e.message.strip_prefix(NOT_PLACED) {
        match rest.strip_prefix(REFUSED) {
            Some(quoted) => {
                format!("The call was not placed: the server refused it for {who}: {quoted}")
            }
            None => format!("The call for {who} was not placed. {rest}"),
        }
    } else if e.message.contains(MAYBE) {
        e.message.replacen(
            MAYBE,
            &format!("The call for {who} may or may not have been placed"),
            1,
        )
    } else {
        return e;
    };
    Error {
        message: single_stops(&message),
        ..e
    }
}

/// No doubled full stop after a quotation that ends with its own: “Invalid agent.”. reads
/// “Invalid agent.”
fn single_stops(text: &str) -> String {
    text.replace(".”.", ".”")
        .replace("!”.", "!”")
        .replace("?”.", "?”")
}

/// The account as `logout` names it: its server, and the email for a password sign-in.
fn account_words(settings: &Settings) -> String {
    let server = settings
        .base_url
        .as_deref()
        .map(|u| clean_text(u, 200))
        .unwrap_or_else(|| "the account".to_string());
    match (&settings.sign_in, settings.email.as_deref()) {
        (SignIn::Password, Some(email)) => format!("{server} as {}", clean_text(email, 120)),
        _ => server,
    }
}

/// What `logout` removed: which account and which secret (never the secret itself).
fn signed_out_text(settings: &Settings) -> String {
    let secret = match (&settings.sign_in, settings.email.as_deref()) {
        (SignIn::Password, Some(email)) => {
            format!("the saved password for {}", clean_text(email, 120))
        }
        (SignIn::Password, None) => "the saved password".to_string(),
        _ => "the saved API token".to_string(),
    };
    match settings.base_url.as_deref() {
        Some(url) => format!(
            "Signed out of {}: removed {secret} from the keyring.",
            clean_text(url, 200)
        ),
        None => format!("Signed out: removed {secret} from the keyring."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every argument and subcommand a person can see says what it is for in `--help`.
    #[test]
    fn every_argument_and_subcommand_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.is_hide_set() || sub.get_name() == "help" {
                    continue;
                }
                let here = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(here.clone());
                }
                walk(sub, &here, missing);
            }
        }
        let cli = Cli::command();
        let mut missing = Vec::new();
        walk(&cli, "clickdial", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:?}");
        // The walk sees nested commands and positional arguments.
        let call = cli.find_subcommand("call").unwrap();
        assert!(call.get_arguments().any(|a| a.get_id() == "number"));
        assert!(cli
            .find_subcommand("handler")
            .unwrap()
            .find_subcommand("install")
            .is_some());
    }

    #[test]
    fn failures_name_the_agent_without_doubled_stops() {
        let refused = Error::new(
            Code::Rejected,
            "The call was not placed. The server refused the request: “Invalid agent.”. \
             Pick another agent, or check the agent in the portal.",
        );
        let e = naming_the_agent(refused, "Asha Rao (agent 0506123456781)");
        assert_eq!(e.code, Code::Rejected);
        assert_eq!(
            e.message,
            "The call was not placed: the server refused it for Asha Rao (agent 0506123456781): \
             “Invalid agent.” Pick another agent, or check the agent in the portal."
        );
        let busy = Error::new(Code::Busy, "Already dialled +91 98765 43210 moments ago.");
        assert_eq!(naming_the_agent(busy.clone(), "agent 1"), busy);
        assert_eq!(
            agent_words("0506123456781", Some("Asha Rao")),
            "Asha Rao (agent 0506123456781)"
        );
        assert_eq!(agent_words("101", None), "agent 101");
    }

    #[test]
    fn logout_names_the_account_and_the_secret() {
        let mut s = Settings::default();
        s.base_url = Some("https://api.servetel.in/v1".into());
        s.sign_in = SignIn::Password;
        s.email = Some("asha@example.com".into());
        assert_eq!(
            signed_out_text(&s),
            "Signed out of https://api.servetel.in/v1: removed the saved password for \
             asha@example.com from the keyring."
        );
        assert_eq!(
            account_words(&s),
            "https://api.servetel.in/v1 as asha@example.com"
        );
        s.sign_in = SignIn::Token;
        assert_eq!(
            signed_out_text(&s),
            "Signed out of https://api.servetel.in/v1: removed the saved API token from the keyring."
        );
    }
}
