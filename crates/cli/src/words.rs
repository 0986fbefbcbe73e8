//! How the commands put things for a terminal: tables, and who a call was for.

use clickdial_core::sanitize::clean_text;
use clickdial_services::error::Detail;
use clickdial_services::Error;

pub(crate) use clickdial_services::ledger::display_number as international;

pub(crate) fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
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

/// The agent as typed, for a failure before it was found.
pub(crate) fn typed_agent(query: &str) -> String {
    let q = clean_text(query.trim(), 40);
    if clickdial_services::agents::digits_only(&q) {
        format!("agent {q}")
    } else {
        format!("‘{q}’")
    }
}

/// "Asha Rao (agent 0506123456781)", or "agent 0506123456781" when the name is not known.
pub(crate) fn agent_words(id: &str, name: Option<&str>) -> String {
    let id = clean_text(id, 64);
    match name {
        Some(name) => format!("{name} (agent {id})"),
        None => format!("agent {id}"),
    }
}

/// A dial's failure in plain words that name the agent, such as "The call was not placed: the
/// server refused it for Asha Rao (agent 0506123456781): “Agent is blocked.”", composed from
/// the failure's facts (its [`Detail::Dial`]), never from its sentence. Failures that are not
/// a dial's (a number with letters, a repeat refused) stay as they are.
pub(crate) fn naming_the_agent(e: Error, who: &str) -> Error {
    let message = match &e.detail {
        Some(Detail::Dial(failure)) => failure.message(Some(who)),
        _ => return e,
    };
    Error { message, ..e }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clickdial_core::ApiError;
    use clickdial_services::error::{dial_error, not_placed};
    use clickdial_services::Code;

    #[test]
    fn failures_name_the_agent_without_doubled_stops() {
        let refused = dial_error(ApiError::Rejected {
            status: 422,
            message: "Invalid agent.".into(),
            fields: vec![("agent_number".into(), "Invalid agent.".into())],
        });
        assert_eq!(
            refused.message,
            "The call was not placed. The server refused the request: “Invalid agent.”. \
             Pick another agent, or check the agent in the portal."
        );
        let e = naming_the_agent(refused, "Asha Rao (agent 0506123456781)");
        assert_eq!(e.code, Code::Rejected);
        assert_eq!(
            e.message,
            "The call was not placed: the server refused it for Asha Rao (agent 0506123456781): \
             “Invalid agent.” Pick another agent, or check the agent in the portal."
        );
        // The sentence is not read: a failure without the facts stays as it is, whatever it says.
        let worded = Error::new(Code::Rejected, "The call was not placed. Whatever.");
        assert_eq!(naming_the_agent(worded.clone(), "agent 1"), worded);
        let busy = Error::new(Code::Busy, "Already dialled +91 98765 43210 moments ago.");
        assert_eq!(naming_the_agent(busy.clone(), "agent 1"), busy);
        // A look-up before the dial that the server refused: the call was not placed.
        let e = naming_the_agent(
            not_placed(ApiError::Unauthorized { message: None }),
            &typed_agent("Asha"),
        );
        assert_eq!(e.code, Code::Unauthorized);
        assert!(
            e.message
                .starts_with("The call for ‘Asha’ was not placed. The server did not accept"),
            "{}",
            e.message
        );
        // Unknown outcome names the agent too.
        let e = naming_the_agent(dial_error(ApiError::Timeout), "agent 101");
        assert_eq!(e.code, Code::UnknownOutcome);
        assert!(e
            .message
            .contains("The call for agent 101 may or may not have been placed"));
        assert_eq!(
            agent_words("0506123456781", Some("Asha Rao")),
            "Asha Rao (agent 0506123456781)"
        );
        assert_eq!(agent_words("101", None), "agent 101");
        assert_eq!(typed_agent(" 101 "), "agent 101");
    }
}
