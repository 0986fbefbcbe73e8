//! Finding the agent someone meant: an agent ID passes as it is; a name ("asha", "Asha Rao") or
//! a mobile number ("+91 98100 00001") is looked up in the account's agents. Only a unique
//! match is used: ringing a colleague's phone by a guess would be worse than asking.

use clickdial_core::api::Agent;
use clickdial_core::sanitize::clean_text;

use crate::Error;

/// Whether `query` must be looked up: anything but a plain agent ID (digits only).
pub fn needs_lookup(query: &str) -> bool {
    let q = query.trim();
    !q.is_empty() && !q.chars().all(|c| c.is_ascii_digit())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn words(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The one agent `query` names: by ID, by exact name, by mobile number (its last 10 digits),
/// else by a unique part of a name. Several candidates, or none: an error that lists them.
pub fn resolve<'a>(query: &str, agents: &'a [Agent]) -> Result<&'a Agent, Error> {
    let q = query.trim();
    let qw = words(q);
    let qd = digits(q);
    let tiers: [&dyn Fn(&Agent) -> bool; 4] = [
        &|a| a.id == q,
        &|a| words(&a.name) == qw,
        &|a| {
            qd.len() >= 10
                && a.follow_me_number
                    .as_deref()
                    .map(digits)
                    .is_some_and(|m| m.len() >= 10 && m[m.len() - 10..] == qd[qd.len() - 10..])
        },
        &|a| !qw.is_empty() && words(&a.name).contains(&qw),
    ];
    for matches in tiers {
        let found: Vec<&Agent> = agents.iter().filter(|a| matches(a)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => {
                let names: Vec<String> = many
                    .iter()
                    .take(8)
                    .map(|a| format!("{} ({})", clean_text(&a.name, 40), a.id))
                    .collect();
                return Err(Error::invalid(format!(
                    "'{}' matches {} agents: {}. Give the agent ID or the full name; nothing was sent.",
                    clean_text(q, 40),
                    many.len(),
                    names.join(", ")
                )));
            }
        }
    }
    Err(Error::invalid(format!(
        "No agent matches '{}'; `clickdial agents` lists them. Nothing was sent.",
        clean_text(q, 40)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clickdial_core::api::AgentStatus;

    fn agent(id: &str, name: &str, mobile: &str) -> Agent {
        Agent {
            id: id.into(),
            name: name.into(),
            follow_me_number: Some(mobile.into()),
            status: AgentStatus::Enabled,
        }
    }

    #[test]
    fn a_unique_id_name_number_or_part_of_a_name_is_used() {
        let team = [
            agent("0506123456781", "Asha Rao", "+919810000001"),
            agent("0506123456782", "Vikram Singh", "+919810000002"),
            agent("0506123456783", "Asha Iyer", "+919810000003"),
        ];
        let id = |q: &str| resolve(q, &team).map(|a| a.id.as_str());
        assert_eq!(id("0506123456782"), Ok("0506123456782"));
        assert_eq!(id("  asha   RAO "), Ok("0506123456781"));
        assert_eq!(id("+91 98100 00003"), Ok("0506123456783"));
        assert_eq!(id("098100-00002"), Ok("0506123456782"));
        assert_eq!(id("vikram"), Ok("0506123456782"));
        let e = resolve("asha", &team).unwrap_err();
        assert_eq!(e.code, crate::Code::InvalidInput);
        assert!(
            e.message.starts_with(
                "'asha' matches 2 agents: Asha Rao (0506123456781), Asha Iyer (0506123456783)."
            ),
            "{}",
            e.message
        );
        assert!(resolve("Priya", &team)
            .unwrap_err()
            .message
            .starts_with("No agent matches 'Priya'"));
        assert!(
            resolve("+91 98100", &team).is_err(),
            "too few digits to be a number"
        );
        assert!(
            needs_lookup("Asha")
                && needs_lookup("+91 98100 00001")
                && !needs_lookup("0506123456781")
        );
        assert!(!needs_lookup("  "));
    }
}
