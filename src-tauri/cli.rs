//! `clickdial` on the command line: the same binary as the app, the same core and the same
//! keyring entry. Subcommands run without a window; anything else starts the desktop app.
//!
//! Credentials: the app's (keyring secret, settings file), set up in the window or with
//! `clickdial login`; `CLICKDIAL_TOKEN` and `CLICKDIAL_BASE_URL` override both for scripts.
//! No secret is ever printed.
//!
//! Exit codes: 0 done, 2 invalid input (nothing sent), 3 authentication (no or refused
//! credentials), 4 rejected by the API, 5 network / timeout / unknown outcome.

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Instant;

use clap::{Parser, Subcommand};
use clickdial_core::api::{clean_token, Credentials, ErrorCode};
use clickdial_core::settings::{
    provider, validate_base_url, Settings, SignIn, MAX_CALL_TIMEOUT, PROVIDERS,
};
use clickdial_core::{
    place_call, ApiError, Client, DialError, DialGuard, DialRequest, Number, Region, Secret,
};
use serde_json::json;

use crate::account;
use crate::secrets::{KeyringStore, SecretError};
use crate::settings::{default_settings_path, load_file, read_file, save_file, FileSettings};

const SUBCOMMANDS: [&str; 12] = [
    "normalize",
    "call",
    "agents",
    "numbers",
    "login",
    "logout",
    "whoami",
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
        /// Region for numbers written without a country code (default: the app's setting)
        #[arg(long)]
        region: Option<String>,
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
    /// Connect an account: prompts, or --token-stdin / --email with --password-stdin
    Login {
        /// servetel, smartflo or acefone
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
    /// Remove the account's token or password from the keyring and forget the account
    Logout,
    /// Show the account in use (never the secret)
    Whoami {
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
            | Command::Whoami { json: true }
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
            let _ = writeln!(std::io::stdout(), "{out}");
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
            let _ = writeln!(std::io::stderr(), "clickdial: {}", f.message);
            f.exit
        }
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(2, "invalidInput", message)
}

fn keyring_failure(e: SecretError) -> Failure {
    Failure::new(3, "keyring", e.to_string())
}

fn parse_number(input: &str, region: Region) -> Result<Number, Failure> {
    Number::parse(input, region).map_err(|e| Failure::new(2, "invalidNumber", e.to_string()))
}

/// The app's settings, read without changing the file (the app may be running).
fn saved_settings() -> Settings {
    match default_settings_path().map(|p| read_file(&p)) {
        Some(FileSettings::Read(s)) => s,
        Some(FileSettings::Unreadable) => {
            let _ = writeln!(
                std::io::stderr(),
                "clickdial: the settings file could not be read, so defaults are used; \
                 `clickdial login` or the app will set it up again."
            );
            Settings::default()
        }
        Some(FileSettings::Missing) | None => Settings::default(),
    }
}

fn write_settings(settings: &Settings) -> Result<(), Failure> {
    let path = default_settings_path()
        .ok_or_else(|| Failure::new(1, "internal", "no data folder for the settings file"))?;
    // An unreadable file is kept aside rather than overwritten.
    if let (_, Some(notice)) = load_file(&path) {
        let _ = writeln!(std::io::stderr(), "clickdial: {notice}");
    }
    save_file(&path, settings)
        .map_err(|e| Failure::new(1, "internal", format!("could not save the settings: {e}")))
}

async fn execute(command: Command) -> Result<String, Failure> {
    match command {
        Command::Normalize {
            input,
            region,
            json,
        } => {
            let n = parse_number(&input, Region::parse(&region).map_err(invalid)?)?;
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
            region: region_code,
            json,
        } => {
            // One read of the settings file serves the region, the call timeout and the account.
            let settings = saved_settings();
            let region = match region_code {
                Some(code) => Region::parse(&code).map_err(invalid)?,
                None => settings.region(),
            };
            let n = parse_number(&number, region)?;
            if call_timeout.is_some_and(|t| !(10..=MAX_CALL_TIMEOUT).contains(&t)) {
                return Err(invalid(format!(
                    "--call-timeout must be between 10 and {MAX_CALL_TIMEOUT} seconds"
                )));
            }
            let caller_id = caller_id
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty());
            if agent.trim().is_empty() {
                return Err(Failure::new(
                    2,
                    "invalidInput",
                    "--agent is empty; pass the agent ID.",
                ));
            }
            let call_timeout = call_timeout.or(settings.call_timeout);
            let client = client(settings)?;
            let request = DialRequest {
                agent_number: agent.trim(),
                destination: &n,
                caller_id: caller_id.as_deref(),
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
            let agents = client(saved_settings())?
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
            let numbers = client(saved_settings())?
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
        Command::Login {
            provider,
            base_url,
            token_stdin,
            email,
            password_stdin,
        } => login(provider, base_url, token_stdin, email, password_stdin).await,
        Command::Logout => {
            account::forget(&KeyringStore::new()).map_err(keyring_failure)?;
            let mut settings = saved_settings();
            settings.sign_out();
            write_settings(&settings)?;
            Ok(
                "Signed out: the account's token and password were removed from the keyring."
                    .into(),
            )
        }
        Command::Whoami { json } => whoami(json),
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
fn client(settings: Settings) -> Result<Client, Failure> {
    let from_env = std::env::var("CLICKDIAL_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .map(|u| validate_base_url(&u))
        .transpose()
        .map_err(|m| invalid(format!("CLICKDIAL_BASE_URL: {m}")))?;
    let token = std::env::var("CLICKDIAL_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| Credentials::Token(Secret::new(t)));
    let not_set_up = |what: &str| {
        Failure::new(
            3,
            "notConfigured",
            format!(
                "{what} Run `clickdial login`, connect your account in the app, \
                 or set CLICKDIAL_BASE_URL and CLICKDIAL_TOKEN."
            ),
        )
    };
    let base_url = match (from_env, &settings.base_url) {
        (Some(url), _) => url,
        (None, Some(url)) => url.clone(),
        (None, None) => return Err(not_set_up("No account is set up.")),
    };
    let credentials = match token {
        Some(t) => t,
        // The saved secret only ever goes to the saved account's server.
        None if settings.base_url.as_deref() == Some(base_url.as_str()) => {
            account::credentials(&settings, &KeyringStore::new())
                .map_err(keyring_failure)?
                .ok_or_else(|| not_set_up("No token or password is saved."))?
        }
        None => return Err(not_set_up(
            "CLICKDIAL_BASE_URL is not the saved account's server, so its token is not sent there.",
        )),
    };
    account::client(&base_url, credentials).map_err(invalid)
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

fn read_stdin_secret(what: &str) -> Result<Secret, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| invalid(format!("could not read the {what}: {e}")))?;
    let secret = Secret::new(line);
    if secret.is_empty() {
        return Err(invalid(format!("standard input had no {what}")));
    }
    Ok(secret)
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
            let p = provider(&id).ok_or_else(|| {
                invalid(format!(
                    "unknown provider '{id}': use servetel, smartflo or acefone, or --base-url"
                ))
            })?;
            (p.id.to_string(), p.base_url.to_string())
        }
        (None, Some(url)) => (
            "custom".to_string(),
            validate_base_url(&url).map_err(invalid)?,
        ),
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
                Some(p) => (p.id.to_string(), p.base_url.to_string()),
                None if n == PROVIDERS.len() + 1 => {
                    let url = ask("Server address (https://…/v1): ")?;
                    (
                        "custom".to_string(),
                        validate_base_url(&url).map_err(invalid)?,
                    )
                }
                None => return Err(invalid(format!("'{choice}' is not one of the choices"))),
            }
        }
        (None, None) => {
            return Err(invalid(
                "say which provider: --provider servetel|smartflo|acefone, or --base-url",
            ))
        }
    };
    let credentials = if token_stdin {
        Credentials::Token(clean_token(&read_stdin_secret("token")?))
    } else if let Some(email) = email {
        let password = if password_stdin {
            read_stdin_secret("password")?
        } else if interactive {
            ask_secret("Password: ")?
        } else {
            return Err(invalid("use --password-stdin to pass the password"));
        };
        Credentials::Password { email, password }
    } else if interactive {
        match ask("Sign in with 1. an API token or 2. email and password [1]: ")?.as_str() {
            "" | "1" => Credentials::Token(clean_token(&ask_secret("API token: ")?)),
            "2" => Credentials::Password {
                email: ask("Email (login ID): ")?,
                password: ask_secret("Password: ")?,
            },
            other => return Err(invalid(format!("'{other}' is not one of the choices"))),
        }
    } else {
        return Err(invalid(
            "use --token-stdin, or --email with --password-stdin",
        ));
    };

    let client = account::client(&base_url, credentials.clone()).map_err(invalid)?;
    let (check, _, _) = account::check(&client)
        .await
        .map_err(|e| api_failure(&e, e.to_string()))?;
    account::remember(&KeyringStore::new(), &credentials).map_err(keyring_failure)?;
    let mut settings = saved_settings();
    if settings.base_url.as_deref() != Some(base_url.as_str()) {
        settings.last_agent = None;
        settings.last_caller_by_agent.clear();
    }
    settings.provider = Some(provider_id);
    settings.base_url = Some(base_url.clone());
    (settings.sign_in, settings.email) = match credentials {
        Credentials::Token(_) => (SignIn::Token, None),
        Credentials::Password { email, .. } => (SignIn::Password, Some(email.trim().to_string())),
    };
    write_settings(&settings)?;
    Ok(format!("Signed in to {base_url}. {}", check.message))
}

fn whoami(json: bool) -> Result<String, Failure> {
    let settings = saved_settings();
    let configured = account::credentials(&settings, &KeyringStore::new())
        .map_err(keyring_failure)?
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
