//! `clickdial` on the command line: the same binary as the app, the same core and the same
//! keyring entry. Subcommands run without a window; anything else starts the desktop app.
//!
//! Credentials: the token from the keyring and the server address from the app's settings
//! file; `CLICKDIAL_TOKEN` and `CLICKDIAL_BASE_URL` override both for scripts. The token is
//! never printed.
//!
//! Exit codes: 0 done, 2 invalid input (nothing sent), 3 authentication (no or refused
//! credentials), 4 rejected by the API, 5 network / timeout / unknown outcome.

use std::ffi::OsString;
use std::time::Instant;

use clap::{Parser, Subcommand};
use clickdial_core::api::ErrorCode;
use clickdial_core::settings::{Settings, SETTINGS_KEY};
use clickdial_core::{
    place_call, ApiError, Client, DialError, DialGuard, DialRequest, Number, Region, Secret,
};
use serde_json::json;

use crate::secrets::{KeyringStore, SecretStore, TOKEN_KEY};

const SUBCOMMANDS: [&str; 9] = [
    "normalize",
    "call",
    "agents",
    "numbers",
    "sim",
    "help",
    "--help",
    "-h",
    "--version",
];

#[derive(Parser)]
#[command(
    name = "clickdial",
    version,
    about = "Click-to-call for Servetel / Tata Smartflo. Without a subcommand, opens the app.",
    after_help = "Credentials come from the app's keyring entry and settings. For scripts, \
CLICKDIAL_TOKEN and CLICKDIAL_BASE_URL (e.g. https://api.servetel.in/v1) override them.\n\
Exit codes: 0 ok, 2 invalid input, 3 authentication, 4 rejected by the API, \
5 network, timeout or unknown outcome."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a phone number in E.164 form (+919876543210)
    Normalize {
        input: String,
        /// Region for numbers written without a country code
        #[arg(long, default_value = "IN")]
        region: String,
        #[arg(long)]
        json: bool,
    },
    /// Place a call: the platform rings the agent first, then the customer
    Call {
        number: String,
        /// The agent to ring first (agent ID / EID, as `clickdial agents` lists)
        #[arg(long)]
        agent: String,
        /// The caller ID (DID) the customer sees, as `clickdial numbers` lists
        #[arg(long = "caller-id")]
        caller_id: Option<String>,
        /// Longest talk time in seconds
        #[arg(long = "call-timeout")]
        call_timeout: Option<u32>,
        #[arg(long, default_value = "IN")]
        region: String,
        #[arg(long)]
        json: bool,
    },
    /// List the account's agents
    Agents {
        #[arg(long)]
        json: bool,
    },
    /// List the account's caller IDs (DIDs)
    Numbers {
        #[arg(long)]
        json: bool,
    },
    /// Run the Servetel simulator with the demo account, in the foreground
    Sim {
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// True when the arguments name a subcommand; otherwise the app starts (a `tel:` link, say).
pub fn is_cli(args: &[OsString]) -> bool {
    args.get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| SUBCOMMANDS.contains(&a) || a == "-V")
}

struct Failure {
    exit: i32,
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(exit: i32, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            exit,
            code,
            message: message.into(),
        }
    }
}

fn api_failure(e: &ApiError, message: String) -> Failure {
    let (exit, code) = match e.code() {
        ErrorCode::Unauthorized => (3, "unauthorized"),
        ErrorCode::Forbidden => (3, "forbidden"),
        ErrorCode::Rejected => (4, "rejected"),
        ErrorCode::RateLimited => (4, "rateLimited"),
        ErrorCode::Unreachable => (5, "unreachable"),
        _ if e.outcome_unknown() => (5, "unknownOutcome"),
        _ => (5, "network"),
    };
    Failure::new(exit, code, message)
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
            println!("{out}");
            0
        }
        Err(f) => {
            if json_output {
                println!(
                    "{}",
                    json!({"error": {"code": f.code, "message": f.message}})
                );
            }
            eprintln!("clickdial: {}", f.message);
            f.exit
        }
    }
}

fn region(code: &str) -> Result<Region, Failure> {
    Region::parse(code).map_err(|m| Failure::new(2, "invalidInput", m))
}

fn parse_number(input: &str, region_code: &str) -> Result<Number, Failure> {
    Number::parse(input, region(region_code)?)
        .map_err(|e| Failure::new(2, "invalidNumber", e.to_string()))
}

async fn execute(command: Command) -> Result<String, Failure> {
    match command {
        Command::Normalize {
            input,
            region,
            json,
        } => {
            let n = parse_number(&input, &region)?;
            Ok(if json {
                json!({"e164": n.e164(), "ext": n.ext()}).to_string()
            } else {
                n.e164().to_string()
            })
        }
        Command::Call {
            number,
            agent,
            caller_id,
            call_timeout,
            region,
            json,
        } => {
            let n = parse_number(&number, &region)?;
            if agent.trim().is_empty() {
                return Err(Failure::new(
                    2,
                    "invalidInput",
                    "--agent is empty; pass the agent ID.",
                ));
            }
            let client = client()?;
            let request = DialRequest {
                agent_number: agent.trim(),
                destination: &n,
                caller_id: caller_id.as_deref().map(str::trim),
                call_timeout,
            };
            let q = place_call(&client, &DialGuard::default(), &request, Instant::now)
                .await
                .map_err(|e| match &e {
                    DialError::Api(api) => api_failure(api, e.to_string()),
                    DialError::Busy(_) => Failure::new(4, "busy", e.to_string()),
                })?;
            Ok(if json {
                json!({"status": "queued", "e164": n.e164(), "refId": q.ref_id,
                       "callId": q.call_id, "customIdentifier": q.custom_identifier,
                       "message": q.message})
                .to_string()
            } else {
                format!(
                    "Queued: {} will ring agent {} first, then {}. Reference: {}",
                    q.message,
                    agent.trim(),
                    n.international(),
                    q.ref_id.as_deref().unwrap_or("none given")
                )
            })
        }
        Command::Agents { json } => {
            let agents = client()?
                .users()
                .await
                .map_err(|e| api_failure(&e, e.to_string()))?;
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
            let numbers = client()?
                .my_numbers()
                .await
                .map_err(|e| api_failure(&e, e.to_string()))?;
            if json {
                return Ok(serde_json::to_string_pretty(&numbers).unwrap_or_default());
            }
            let rows = numbers
                .iter()
                .map(|d| [d.value.clone(), d.did.clone(), d.name.clone()])
                .collect::<Vec<_>>();
            Ok(table(["CALLER ID", "DID", "NAME"], &rows))
        }
        Command::Sim { port } => clickdial_sim::run_foreground(port)
            .await
            .map(|_| String::new())
            .map_err(|e| Failure::new(1, "internal", format!("the simulator stopped: {e}"))),
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

/// The API client from the environment overrides, else the app's settings and keyring.
fn client() -> Result<Client, Failure> {
    let base_url = match std::env::var("CLICKDIAL_BASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => saved_base_url().ok_or_else(|| {
            Failure::new(
                3,
                "notConfigured",
                "No account is set up. Connect your account in the Clickdial app, \
                 or set CLICKDIAL_BASE_URL and CLICKDIAL_TOKEN.",
            )
        })?,
    };
    let token = match std::env::var("CLICKDIAL_TOKEN") {
        Ok(t) if !t.trim().is_empty() => Secret::new(t),
        _ => KeyringStore::new()
            .get(TOKEN_KEY)
            .map_err(|e| Failure::new(3, "keyring", e.to_string()))?
            .ok_or_else(|| {
                Failure::new(
                    3,
                    "notConfigured",
                    "No API token is saved. Connect your account in the Clickdial app, \
                     or set CLICKDIAL_TOKEN.",
                )
            })?,
    };
    Client::new(&base_url, token).map_err(|m| Failure::new(2, "invalidInput", m))
}

fn saved_base_url() -> Option<String> {
    let path = crate::settings::default_settings_path()?;
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Settings::from_stored(file.get(SETTINGS_KEY)?.clone())?.base_url
}
