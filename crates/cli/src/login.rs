//! `clickdial login`, `logout` and `whoami`: the account the app and the commands share.

use std::io::{BufRead, IsTerminal, Write};

use clickdial_core::sanitize::clean_text;
use clickdial_core::settings::{provider, Settings, SignIn, PROVIDERS};
use clickdial_core::Secret;
use clickdial_services::accounts::AccountForm;
use clickdial_services::policy::PolicySource;
use clickdial_services::Error;
use serde_json::json;

use crate::app::{accounts, files, saved_settings};
use crate::{invalid, Failure};

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

pub(crate) async fn login(
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
    // The organization's policy first, as the window's sign-in does: nothing is sent to a
    // server it does not allow, and nothing is saved.
    clickdial_services::policy::load(&PolicySource::for_this_build()).check_form(&form)?;
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

/// Removes the account's secret from the keyring and forgets the account; says which.
pub(crate) async fn logout() -> Result<String, Failure> {
    let files = files()?;
    // What is signed out of, read before it is forgotten (never the secret itself).
    let before = files.settings.read().settings();
    match accounts(&files).sign_out().await {
        Ok(true) => Ok(signed_out_text(&before)),
        Ok(false) => Ok("No account was set up, so there was nothing to sign out of.".into()),
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

pub(crate) fn whoami(json: bool) -> Result<String, Failure> {
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
    let me = settings.me.as_deref().map(|id| {
        let names = crate::app::open_app(&files).agent_names();
        (id.to_string(), names.get(id).cloned())
    });
    if json {
        return Ok(json!({
            "configured": configured,
            "provider": settings.provider,
            "baseUrl": settings.base_url,
            "signIn": settings.sign_in,
            "email": settings.email,
            "tokenFromEnvironment": env_override,
            "me": me.as_ref().map(|(id, name)| json!({"agent": id, "name": name})),
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
    if let Some((id, name)) = &me {
        out.push(format!(
            "You:        {}",
            crate::words::agent_words(id, name.as_deref())
        ));
    }
    if env_override {
        out.push("CLICKDIAL_TOKEN is set: commands use it instead of the keyring.".to_string());
    }
    Ok(out.join("\n"))
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
