//! Finding the agent and the caller ID someone meant. An agent is named by ID, by name ("asha",
//! "Asha Rao") or by mobile number ("+91 98100 00001", "9810000001"); a caller ID by any written
//! form of one of the account's DIDs ("+91 80650 00102", "080650 00102", "8065000102"). Only a
//! unique match is used: ringing a colleague's phone by a guess would be worse than asking.

use clickdial_core::api::{Agent, CallerId};
use clickdial_core::sanitize::clean_text;

use crate::Error;

/// Whether `query` must match one of the account's agents: anything but digits only. Digits
/// only are looked up too ([`find`]), but may also be an intercom or extension the list does
/// not hold, so they go to the server as typed when nothing matches.
pub fn needs_lookup(query: &str) -> bool {
    let q = query.trim();
    !q.is_empty() && !digits_only(q)
}

/// Whether `query` is digits only (an agent ID, or a mobile, intercom or extension number).
pub fn digits_only(query: &str) -> bool {
    let q = query.trim();
    !q.is_empty() && q.chars().all(|c| c.is_ascii_digit())
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

/// The last 10 digits of a number written with at least 10: its national significant number
/// for India, and enough to tell numbers apart however they were written.
fn last_ten(digits: &str) -> Option<&str> {
    (digits.len() >= 10).then(|| &digits[digits.len() - 10..])
}

/// The one agent `query` names: by ID, by exact name, by mobile number (its last 10 digits),
/// else by a unique part of a name. Several candidates, or none: an error that lists them.
pub fn resolve<'a>(query: &str, agents: &'a [Agent]) -> Result<&'a Agent, Error> {
    match tiers(query, agents, true)? {
        Some(a) => Ok(a),
        None => Err(Error::invalid(format!(
            "No agent matches '{}'; `clickdial agents` lists them. Nothing was sent.",
            clean_text(query.trim(), 40)
        ))),
    }
}

/// The agent `query` names, as [`resolve`]; but a query of digits only is matched against the
/// agents' IDs, then their mobile numbers, and when neither matches it is `None`: sent as typed
/// (an intercom, an extension, or an agent this list does not show).
pub fn find<'a>(query: &str, agents: &'a [Agent]) -> Result<Option<&'a Agent>, Error> {
    if digits_only(query) {
        tiers(query, agents, false)
    } else {
        resolve(query, agents).map(Some)
    }
}

fn tiers<'a>(query: &str, agents: &'a [Agent], names: bool) -> Result<Option<&'a Agent>, Error> {
    let q = query.trim();
    let qw = words(q);
    let qd = digits(q);
    let by_id = |a: &Agent| a.id == q;
    let by_name = |a: &Agent| names && words(&a.name) == qw;
    let by_mobile = |a: &Agent| {
        last_ten(&qd).is_some_and(|want| {
            a.follow_me_number
                .as_deref()
                .map(digits)
                .is_some_and(|m| last_ten(&m) == Some(want))
        })
    };
    let by_part = |a: &Agent| names && !qw.is_empty() && words(&a.name).contains(&qw);
    let tiers: [&dyn Fn(&Agent) -> bool; 4] = [&by_id, &by_name, &by_mobile, &by_part];
    for matches in tiers {
        let found: Vec<&Agent> = agents.iter().filter(|a| matches(a)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(Some(one)),
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
    Ok(None)
}

/// A caller ID as people read it: "+91 80 6500 0102 (Support line)".
fn caller_id_words(c: &CallerId) -> String {
    let number = if c.did.starts_with('+') {
        crate::ledger::display_number(&c.did)
    } else {
        c.value.clone()
    };
    let name = clean_text(&c.name, 40);
    if name.is_empty() {
        clean_text(&number, 40)
    } else {
        format!("{} ({name})", clean_text(&number, 40))
    }
}

/// The account's caller ID that `query` is a written form of: the same digits as its DID (or
/// the value sent for it), else the same last 10 digits ("+91 80650 00102", "080650 00102" and
/// "8065000102" are one DID), else its name. Several or none: an error that lists the
/// account's caller IDs. The caller ID is then sent as the account lists it (`value`).
pub fn resolve_caller_id<'a>(query: &str, numbers: &'a [CallerId]) -> Result<&'a CallerId, Error> {
    let q = query.trim();
    let qd = digits(q);
    let qw = words(q);
    let forms = |c: &CallerId| [digits(&c.value), digits(&c.did)];
    let exact = |c: &CallerId| !qd.is_empty() && forms(c).contains(&qd);
    let national = |c: &CallerId| {
        let want = last_ten(&qd).map(str::to_string).unwrap_or_else(|| {
            // Fewer than 10 digits: a short DID, compared without leading zeros.
            qd.trim_start_matches('0').to_string()
        });
        !want.is_empty()
            && forms(c).iter().any(|d| {
                last_ten(d).map_or_else(|| d.trim_start_matches('0') == want, |t| t == want)
            })
    };
    let by_name = |c: &CallerId| !qw.is_empty() && words(&c.name) == qw;
    let tiers: [&dyn Fn(&CallerId) -> bool; 3] = [&exact, &national, &by_name];
    let listed = || {
        numbers
            .iter()
            .take(12)
            .map(caller_id_words)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for matches in tiers {
        let found: Vec<&CallerId> = numbers.iter().filter(|c| matches(c)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => {
                return Err(Error::invalid(format!(
                    "'{}' matches {} of the account's caller IDs: {}. Give the whole number; nothing was sent.",
                    clean_text(q, 40),
                    many.len(),
                    many.iter()
                        .take(8)
                        .map(|c| caller_id_words(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    Err(Error::invalid(format!(
        "'{}' is not one of this account's caller IDs, which are: {}. Nothing was sent.",
        clean_text(q, 40),
        listed()
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
            login: None,
            user_id: None,
            extension: None,
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

    #[test]
    fn digits_only_are_an_id_then_a_mobile_else_sent_as_typed() {
        let team = [
            agent("0506123456781", "Asha Rao", "+919810000001"),
            agent("0506123456782", "Vikram Singh", "+919810000002"),
            agent("9810000002", "Intercom", "+919810000009"),
            agent("0506123456784", "Asha Iyer", "09810000004"),
            agent("0506123456785", "Shared Phone", "+919810000004"),
        ];
        let id = |q: &str| find(q, &team).map(|a| a.map(|a| a.id.as_str()));
        assert_eq!(id("0506123456782"), Ok(Some("0506123456782")));
        assert_eq!(id("9810000001"), Ok(Some("0506123456781")), "by mobile");
        assert_eq!(id(" 919810000001 "), Ok(Some("0506123456781")));
        assert_eq!(id("9810000002"), Ok(Some("9810000002")), "an ID wins");
        assert_eq!(id("101"), Ok(None), "an intercom goes as typed");
        assert_eq!(id("9999999999"), Ok(None));
        assert_eq!(id("vikram"), Ok(Some("0506123456782")));
        let e = find("9810000004", &team).unwrap_err();
        assert_eq!(e.code, crate::Code::InvalidInput);
        assert!(
            e.message.starts_with(
                "'9810000004' matches 2 agents: Asha Iyer (0506123456784), Shared Phone (0506123456785)."
            ),
            "{}",
            e.message
        );
        assert!(find("Nobody", &team).is_err());
        assert!(digits_only(" 123 ") && !digits_only("+91 98100 00001") && !digits_only(""));
    }

    fn did(name: &str, e164: &str) -> CallerId {
        CallerId {
            id: "1".into(),
            name: name.into(),
            did: e164.into(),
            value: e164.trim_start_matches('+').into(),
        }
    }

    #[test]
    fn any_written_form_of_a_did_finds_it() {
        let dids = [
            did("Sales line", "+918065000101"),
            did("Support line", "+918065000102"),
        ];
        for form in [
            "+91 80650 00102",
            "080650 00102",
            "8065000102",
            "918065000102",
            "+918065000102",
            "(080) 6500-0102",
            "support LINE",
        ] {
            let found = resolve_caller_id(form, &dids).map(|c| c.value.as_str());
            assert_eq!(found, Ok("918065000102"), "{form}");
        }
        let e = resolve_caller_id("123", &dids).unwrap_err();
        assert_eq!(e.code, crate::Code::InvalidInput);
        assert_eq!(
            e.message,
            "'123' is not one of this account's caller IDs, which are: \
             +91 80 6500 0101 (Sales line), +91 80 6500 0102 (Support line). Nothing was sent."
        );
        assert!(
            resolve_caller_id("+44 80650 00102", &dids).is_ok(),
            "last 10 digits"
        );
        // A short DID (a toll-free or an extension line) is matched without leading zeros,
        // and only by the same digits.
        let short = [did("Toll free", "+18001234"), did("Desk", "+5551234")];
        assert_eq!(
            resolve_caller_id("018001234", &short).map(|c| c.name.as_str()),
            Ok("Toll free")
        );
        assert_eq!(
            resolve_caller_id("0 555 1234", &short).map(|c| c.name.as_str()),
            Ok("Desk")
        );
        assert!(resolve_caller_id("18001235", &short).is_err());
        let twins = [did("A", "+918065000102"), did("B", "+448065000102")];
        assert_eq!(
            resolve_caller_id("+44 8065000102", &twins).map(|c| c.name.as_str()),
            Ok("B"),
            "the whole number first"
        );
        assert!(resolve_caller_id("8065000102", &twins)
            .unwrap_err()
            .message
            .starts_with("'8065000102' matches 2 of the account's caller IDs"));
    }
}
