//! `clickdial` on the command line: the same binary as the app, the same core and the same
//! keyring entry. Subcommands run without a window; anything else starts the desktop app.
//!
//! Credentials: the app's (keyring secret, settings file), set up in the window or with
//! `clickdial login`; `CLICKDIAL_TOKEN` and `CLICKDIAL_BASE_URL` override both for scripts.
//! No secret is ever printed.
//!
//! Exit codes: 0 done, 2 invalid input (nothing sent), 3 authentication (no or refused
//! credentials), 4 rejected by the API, 5 network / timeout / unknown outcome, 6 refused as a
//! duplicate of a call placed moments ago (by any Clickdial process), 7 refused by the
//! organization's policy (`clickdial policy` shows it; a policy that cannot be read, too).
//!
//! This module only translates: arguments and prompts in, the shared services
//! (`clickdial-services`) called, their answers printed. It holds no dial or account rules.
//! Here: the arguments, the dispatch and the printing; one module per command beside it
//! (`app` opens what they share, `words` puts things for a terminal).

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand};
use clickdial_services::{Code, Error};
use serde_json::json;

mod agents;
mod app;
mod availability;
mod call;
mod events;
mod handler;
mod history;
mod login;
mod normalize;
mod policy;
mod status;
mod words;

#[derive(Parser)]
#[command(
    name = "clickdial",
    version,
    about = "Click-to-call for Servetel / Tata Smartflo. Without a subcommand, opens the app.",
    after_help = "Credentials come from the app's keyring entry and settings. For scripts, \
CLICKDIAL_TOKEN and CLICKDIAL_BASE_URL (e.g. https://api.servetel.in/v1) override them.\n\
Exit codes: 0 ok, 2 invalid input, 3 authentication, 4 rejected by the API, \
5 network, timeout or unknown outcome, 6 refused: the same number was dialled moments ago, \
7 refused by your organization's policy."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a phone number in E.164 form (+919876543210)
    Normalize {
        /// The number as written: "098765 43210", "+91-98765-43210", "tel:+919876543210", or
        /// a line with it ("Mob +91-98765 43210 / alt 022 2345 6789": the mobile first)
        #[arg(required = true, num_args = 1..)]
        input: Vec<String>,
        /// Region for numbers written without a country code
        #[arg(long, default_value = "IN")]
        region: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Place a call: the platform rings the agent first, then the customer
    Call {
        /// The customer's number as written, in one or several words: "98765 43210",
        /// "+91 98765 43210", "tel:…", or a line with one number in it
        #[arg(required = true, num_args = 1..)]
        number: Vec<String>,
        /// The agent to ring first: agent ID (EID), name ("Asha Rao", or a unique part) or mobile number, as `clickdial agents` lists; default: you (`clickdial me`)
        #[arg(long)]
        agent: Option<String>,
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
    /// Show or set who you are: the agent whose phone rings for your calls (shared with the app)
    Me {
        /// The agent: ID, name or mobile, as `clickdial agents` lists; without it, shows who you are
        agent: Option<String>,
        /// Forget who you are (the app asks again)
        #[arg(long, conflicts_with = "agent")]
        forget: bool,
    },
    /// Show the account in use and who you are (never the secret)
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
        #[arg(long, conflicts_with = "find")]
        number: Option<String>,
        /// Only calls found by a number, an agent's name, a caller ID's name or number, or a
        /// word of the wrap-up (disposition or note), as the window's search finds them
        /// ("Vikram", "Sales", "43210", "call back")
        #[arg(long, value_name = "TEXT")]
        find: Option<String>,
        /// How many calls at most
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV (a spreadsheet opens it)
        #[arg(long)]
        csv: bool,
        /// Write to this file instead (a new file: an existing one is never replaced)
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// After a call: what came of it (a disposition) and a note; the last call by default
    Note {
        /// A call's reference (ref ID), call ID or custom identifier; default: the last call
        reference: Option<String>,
        /// What came of it: a name ("Call back") or its number (2), as `clickdial note` lists
        #[arg(long)]
        disposition: Option<String>,
        /// A line of notes ("call back Thursday")
        #[arg(long)]
        text: Option<String>,
        /// Print JSON (the call, and what came of the after-call hand-off) instead of text
        #[arg(long)]
        json: bool,
        /// With a link template as the after-call hand-off: print the link, do not open it
        #[arg(long)]
        no_open: bool,
    },
    /// Every dial, stage, end and wrap-up from every Clickdial on this computer, one JSON object per line (schema in the README)
    Events {
        /// From this day on (YYYY-MM-DD, India time), an age (7d, 12h), or a call's reference
        #[arg(long)]
        since: Option<String>,
        /// Keep printing new events as they happen (until stopped)
        #[arg(long)]
        follow: bool,
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
    /// Whether Clickdial starts at login (in the tray when the app says so); turn it on or off
    Autostart {
        /// on or off; without it, shows whether it is on
        #[arg(value_parser = ["on", "off"])]
        state: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Which app opens tel: and callto: links; make it Clickdial
    Handler {
        #[command(subcommand)]
        action: HandlerAction,
    },
    /// Show the organization's policy in force (what it locks) and where it came from
    Policy {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
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
    /// Print the browser policy that lets a CRM's pages open phone links without a prompt
    #[command(name = "browser-policy")]
    BrowserPolicy {
        /// The CRM's address, such as https://crm.example.com (repeat for several)
        #[arg(long, required = true)]
        origin: Vec<String>,
        /// chrome, edge, chromium or firefox
        #[arg(long, default_value = "chrome")]
        browser: String,
        /// Write it into the browser's system policy folder (as root)
        #[arg(long)]
        install: bool,
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
    /// The typed facts behind the error, for `--json` (scripts decide from them, not words).
    detail: Option<clickdial_services::error::Detail>,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            exit: e.code.exit_code(),
            code: e.code,
            message: e.message,
            detail: e.detail,
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
            | Command::Autostart { json: true, .. }
            | Command::Status { json: true, .. }
            | Command::History { json: true, .. }
            | Command::Policy { json: true }
            | Command::Handler {
                action: HandlerAction::Status { json: true }
                    | HandlerAction::Install { json: true }
            }
    );
    if matches!(
        cli.command,
        Command::Call { .. }
            | Command::Agents { .. }
            | Command::Numbers { .. }
            | Command::Me { agent: Some(_), .. }
            | Command::Status { .. }
            | Command::Hangup { .. }
            | Command::Available { .. }
            | Command::Break { .. }
    ) {
        spare_the_certificate_store();
    }
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
            if !out.is_empty() {
                let _ = writeln!(std::io::stdout(), "{}", terminal_safe(&out));
            }
            0
        }
        Err(f) => {
            if json_output {
                let _ = writeln!(
                    std::io::stdout(),
                    "{}",
                    match &f.detail {
                        Some(detail) => json!({"error": {"code": f.code, "message": f.message,
                                                          "detail": detail}}),
                        None => json!({"error": {"code": f.code, "message": f.message}}),
                    }
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

/// A command that uses the session (never `login`, which may go elsewhere) and whose session's
/// server is on this machine over plain http (the simulator) opens no TLS connection, so OpenSSL is pointed at no certificates rather than reading the
/// system's store: `clickdial call` against the simulator then costs about a third. Programs
/// started from here get the user's settings back. Before any thread starts.
fn spare_the_certificate_store() {
    let base_url = std::env::var("CLICKDIAL_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| {
            app::files()
                .ok()
                .and_then(|f| app::saved_settings(&f).base_url)
        });
    if base_url.is_some_and(|u| clickdial_core::api::plain_loopback(u.trim())) {
        clickdial_services::process::set_for_this_process(&[
            ("SSL_CERT_FILE", "/dev/null"),
            ("SSL_CERT_DIR", "/nonexistent"),
        ]);
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

async fn execute(command: Command) -> Result<String, Failure> {
    match command {
        Command::Handler { action } => handler::handler(action),
        Command::Autostart { state, json } => handler::autostart(state.as_deref(), json),
        Command::Normalize {
            input,
            region,
            json,
        } => normalize::normalize(&input.join(" "), &region, json),
        Command::Call {
            number,
            agent,
            caller_id,
            call_timeout,
            region,
            json,
        } => {
            call::call(
                number.join(" "),
                agent,
                caller_id,
                call_timeout,
                region,
                json,
            )
            .await
        }
        Command::Agents { json } => agents::agents(json).await,
        Command::Numbers { json } => agents::numbers(json).await,
        Command::Login {
            provider,
            base_url,
            token_stdin,
            email,
            password_stdin,
        } => login::login(provider, base_url, token_stdin, email, password_stdin).await,
        Command::Logout => login::logout().await,
        Command::Me { agent, forget } => agents::me(agent, forget).await,
        Command::Whoami { json } => login::whoami(json),
        Command::Status { reference, json } => status::status(reference, json).await,
        Command::Hangup { call_id } => status::hangup(call_id).await,
        Command::History {
            since,
            number,
            find,
            limit,
            json,
            csv,
            output,
        } => history::history(
            since,
            history::Filter { number, find },
            limit,
            json,
            csv,
            output,
        ),
        Command::Note {
            reference,
            disposition,
            text,
            json,
            no_open,
        } => events::note(reference, disposition, text, json, no_open).await,
        Command::Events { since, follow } => events::events(since, follow),
        Command::Policy { json } => policy::show(json),
        Command::Available { agent } => availability::availability(agent, true).await,
        Command::Break { agent } => availability::availability(agent, false).await,
        Command::Sim {
            for_parent: true, ..
        } => clickdial_sim::run_for_parent(
            clickdial_services::data_dir()
                .map(|d| d.join(clickdial_services::demo::CONTROL_FILE))
                .as_deref(),
        )
        .await
        .map(|_| String::new())
        .map_err(|e| Failure::from(Error::internal(format!("the simulator stopped: {e}")))),
        Command::Sim { port, .. } => clickdial_sim::run_foreground(port)
            .await
            .map(|_| String::new())
            .map_err(|e| Failure::from(Error::internal(format!("the simulator stopped: {e}")))),
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
}
