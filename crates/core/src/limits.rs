//! Limits a grant can carry besides its bucket and folder: a date on which it ends, and the network
//! addresses it may be used from. Both become conditions on the Allow statements of the granted policy
//! (the addresses on all but the bucket's KMS key, see `policy::access_statements`), so AWS itself
//! enforces them on every request; nothing here depends on the app being around.
//!
//! An end is `DateLessThan {"aws:CurrentTime": END}`: after END every request with the key (or the role)
//! is refused, although the user and its key still exist until someone revokes them. Addresses are
//! `IpAddress {"aws:SourceIp": [CIDR...]}`: requests that reach S3 through a VPC endpoint carry no public
//! address and are refused too.

use crate::error::{Error, Result};
use crate::record::{format_time, parse_time};
use serde_json::{json, Map, Value};
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

/// When a grant ends, and where it may be used from. The default limits nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// The moment access ends (RFC 3339, UTC, `Z`, to the second), as the policy holds it.
    pub ends_at: Option<String>,
    /// Networks (CIDR, normalised) requests must come from.
    pub source_ips: Vec<String>,
}

/// The condition keys AWS sets on every request, which the limits test.
pub const CURRENT_TIME: &str = "aws:CurrentTime";
pub const SOURCE_IP: &str = "aws:SourceIp";

/// The most an end may lie ahead: past this, "ends" means nothing a person would plan for, and a typo
/// (2062 for 2026) is more likely than intent.
const FARTHEST_END: Duration = Duration::from_secs(5 * 366 * 86_400);

/// The presets people pick from ("Access ends in 7 / 30 / 90 days").
pub const PRESET_DAYS: [u32; 3] = [7, 30, 90];

impl Limits {
    pub fn is_empty(&self) -> bool {
        self.ends_at.is_none() && self.source_ips.is_empty()
    }

    /// The conditions to add to an Allow statement.
    pub fn conditions(&self) -> Map<String, Value> {
        let mut out = Map::new();
        if let Some(end) = &self.ends_at {
            out.insert("DateLessThan".into(), json!({ CURRENT_TIME: end }));
        }
        if !self.source_ips.is_empty() {
            out.insert("IpAddress".into(), json!({ SOURCE_IP: self.source_ips }));
        }
        out
    }

    /// Add the limits to a statement's conditions, keeping the ones it has. A statement's condition
    /// operators are ANDed, so each limit narrows it further.
    pub fn apply_to(&self, condition: Option<Value>) -> Option<Value> {
        let extra = self.conditions();
        if extra.is_empty() {
            return condition;
        }
        let mut merged = match condition {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (operator, keys) in extra {
            match (merged.get_mut(&operator), keys) {
                (Some(Value::Object(have)), Value::Object(add)) => have.extend(add),
                (_, keys) => {
                    merged.insert(operator, keys);
                }
            }
        }
        Some(Value::Object(merged))
    }

    /// Plan notes: what the limits mean, in plain words.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(end) = &self.ends_at {
            out.push(format!(
                "Access ends {}: from then on AWS refuses every request made with it. The user or role and its key stay until you revoke them (My access offers to clean up ended access).",
                describe_end(end)
            ));
        }
        if !self.source_ips.is_empty() {
            out.push(format!(
                "Only from {}: requests from any other address are refused. Requests that reach S3 through a VPC endpoint carry no public address, so they are refused too.",
                self.source_ips.join(", ")
            ));
        }
        out
    }

    /// Whether the end has passed at `now`.
    pub fn ended(&self, now: SystemTime) -> bool {
        self.ends_at.as_deref().and_then(|e| parse_time(e).ok()).is_some_and(|end| end <= now)
    }
}

/// An end time for people: `2026-12-31 00:00 UTC`.
pub fn describe_end(end: &str) -> String {
    match parse_time(end) {
        Ok(t) => {
            let t = time::OffsetDateTime::from(t);
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        Err(_) => end.to_string(),
    }
}

/// The limits a person chose: an end date (`YYYY-MM-DD` or RFC 3339) or a time from now (`30d`), and
/// source addresses; empty words count as not chosen. The CLI's flags and the app's form both come here.
pub fn limits_from(ends_on: Option<&str>, ends_in: Option<&str>, source_ips: &[String], now: SystemTime) -> Result<Limits> {
    fn chosen(o: Option<&str>) -> Option<&str> {
        o.map(str::trim).filter(|t| !t.is_empty())
    }
    let ends_at = match (chosen(ends_on), chosen(ends_in)) {
        (Some(_), Some(_)) => return Err(Error::invalid("end date", "choose an end date or a time from now, not both")),
        (Some(date), None) => Some(parse_ends(date, now)?),
        (None, Some(d)) => Some(parse_ends_in(d, now)?),
        (None, None) => None,
    };
    let mut ips = Vec::new();
    for ip in source_ips.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let ip = parse_source_ip(ip)?;
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    Ok(Limits { ends_at, source_ips: ips })
}

/// `--ends`: a date (`2026-12-31`, access ends at the start of that day, UTC) or an RFC 3339 time. It
/// must lie in the future, and at most five years ahead.
pub fn parse_ends(text: &str, now: SystemTime) -> Result<String> {
    let t = text.trim();
    let field = "end date";
    let end = if let Ok(date) = time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]")) {
        SystemTime::from(date.midnight().assume_utc())
    } else {
        parse_time(t).map_err(|_| Error::invalid(field, format!("\"{text}\" is not a date; write it as YYYY-MM-DD (access ends at the start of that day, UTC)")))?
    };
    check_end(end, now, text)
}

/// `--ends-in`: a duration from now (`30d`, `12h`, `2w`).
pub fn parse_ends_in(text: &str, now: SystemTime) -> Result<String> {
    let d = match crate::validate::duration(text) {
        crate::validate::DurationText::Ok(d) => d,
        crate::validate::DurationText::TooLong => return Err(Error::invalid("end date", format!("\"{text}\" is more than five years away"))),
        _ => return Err(Error::invalid("end date", format!("\"{text}\" is not a duration; write it like 7d, 30d, 12h or 2w"))),
    };
    check_end(now + d, now, text)
}

fn check_end(end: SystemTime, now: SystemTime, text: &str) -> Result<String> {
    if end <= now + Duration::from_secs(60) {
        return Err(Error::invalid("end date", format!("\"{text}\" is not in the future; access must end after it starts")));
    }
    if end > now + FARTHEST_END {
        return Err(Error::invalid("end date", format!("\"{text}\" is more than five years away; pick a nearer date, or no end")));
    }
    Ok(format_time(end))
}

/// `--source-ip`: an address or a network in CIDR notation, IPv4 or IPv6. A bare address means that one
/// address (`/32` or `/128`). Returned normalised, as the policy holds it.
pub fn parse_source_ip(text: &str) -> Result<String> {
    let t = text.trim();
    let bad = || Error::invalid("source address", format!("\"{text}\" is not an address or network; write it like 203.0.113.7 or 203.0.113.0/24"));
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (t, None),
    };
    let ip: IpAddr = addr.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len: u8 = match len {
        Some(l) => l.parse().map_err(|_| bad())?,
        None => max,
    };
    if len > max {
        return Err(Error::invalid("source address", format!("\"{text}\" has a network length over {max}")));
    }
    if len == 0 {
        return Err(Error::invalid("source address", format!("\"{text}\" is every address; leave the address limit out instead")));
    }
    let private = match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    if private {
        return Err(Error::invalid(
            "source address",
            format!("\"{text}\" is a private address, which AWS never sees as a request's source (it sees your network's public address); use the public one"),
        ));
    }
    Ok(format!("{ip}/{len}"))
}

/// The limits a policy document carries: the end that every Allow statement has, and the addresses that
/// every Allow statement but a KMS key's has (S3 calls KMS from its own address, so the app never limits
/// those; see `policy::access_statements`). A limit on only some statements limits only those, and is not
/// reported as the grant's.
pub fn limits_of(doc: &Value) -> Limits {
    let allows: Vec<&Value> = doc["Statement"].as_array().map(|s| s.iter().filter(|s| s["Effect"] == "Allow").collect()).unwrap_or_default();
    if allows.is_empty() {
        return Limits::default();
    }
    let kms_only = |s: &Value| {
        let actions: Vec<&str> = match &s["Action"] {
            Value::String(a) => vec![a.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        !actions.is_empty() && actions.iter().all(|a| a.starts_with("kms:"))
    };
    let s3_allows: Vec<&Value> = allows.iter().copied().filter(|s| !kms_only(s)).collect();
    let end_of = |s: &Value| s["Condition"]["DateLessThan"][CURRENT_TIME].as_str().map(str::to_string);
    let ips_of = |s: &Value| -> Option<Vec<String>> {
        match &s["Condition"]["IpAddress"][SOURCE_IP] {
            Value::String(one) => Some(vec![one.clone()]),
            Value::Array(many) => Some(many.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()),
            _ => None,
        }
    };
    let first_end = end_of(allows[0]);
    let ends_at = first_end.filter(|e| allows.iter().all(|s| end_of(s).as_ref() == Some(e)));
    let first_ips = s3_allows.first().and_then(|s| ips_of(s));
    let source_ips = first_ips.filter(|ips| s3_allows.iter().all(|s| ips_of(s).as_ref() == Some(ips))).unwrap_or_default();
    Limits { ends_at, source_ips }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        parse_time(text).unwrap()
    }

    #[test]
    fn ends_on_a_date_or_in_a_while() {
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(parse_ends("2026-12-31", now).unwrap(), "2026-12-31T00:00:00Z");
        assert_eq!(parse_ends("2026-12-31T17:30:00+01:00", now).unwrap(), "2026-12-31T16:30:00Z");
        assert_eq!(parse_ends_in("30d", now).unwrap(), "2026-12-23T10:00:00Z");
        assert_eq!(parse_ends_in("2w", now).unwrap(), "2026-12-07T10:00:00Z");
        assert_eq!(parse_ends_in("12h", now).unwrap(), "2026-11-23T22:00:00Z");
        assert!(parse_ends("2026-11-23", now).unwrap_err().to_string().contains("not in the future"));
        assert!(parse_ends("2020-01-01", now).unwrap_err().to_string().contains("not in the future"));
        assert!(parse_ends("31/12/2026", now).unwrap_err().to_string().contains("YYYY-MM-DD"));
        assert!(parse_ends("2062-01-01", now).unwrap_err().to_string().contains("five years"));
        assert!(parse_ends_in("soon", now).unwrap_err().to_string().contains("7d, 30d"));
        assert!(parse_ends_in("0d", now).unwrap_err().to_string().contains("not in the future"));
        assert!(parse_ends_in("99999999999999999999d", now).unwrap_err().to_string().contains("five years"));
    }

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(parse_source_ip("203.0.113.7").unwrap(), "203.0.113.7/32");
        assert_eq!(parse_source_ip(" 198.51.100.0/24 ").unwrap(), "198.51.100.0/24");
        assert_eq!(parse_source_ip("2001:db8::/32").unwrap(), "2001:db8::/32");
        assert!(parse_source_ip("203.0.113.0/33").unwrap_err().to_string().contains("over 32"));
        assert!(parse_source_ip("0.0.0.0/0").unwrap_err().to_string().contains("every address"));
        assert!(parse_source_ip("10.1.2.3").unwrap_err().to_string().contains("private"));
        assert!(parse_source_ip("192.168.1.0/24").unwrap_err().to_string().contains("public one"));
        assert!(parse_source_ip("example.com").unwrap_err().to_string().contains("203.0.113.0/24"));
    }

    #[test]
    fn limits_join_a_statements_own_conditions() {
        let l = Limits { ends_at: Some("2026-12-31T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into()] };
        let merged = l.apply_to(Some(json!({ "StringLike": { "s3:prefix": ["a/*"] } }))).unwrap();
        assert_eq!(
            merged,
            json!({
                "StringLike": { "s3:prefix": ["a/*"] },
                "DateLessThan": { "aws:CurrentTime": "2026-12-31T00:00:00Z" },
                "IpAddress": { "aws:SourceIp": ["203.0.113.0/24"] }
            })
        );
        assert_eq!(l.apply_to(None).unwrap()["DateLessThan"]["aws:CurrentTime"], "2026-12-31T00:00:00Z");
        assert_eq!(Limits::default().apply_to(None), None, "no limits, no condition");
        assert!(l.ended(at("2026-12-31T00:00:00Z")) && !l.ended(at("2026-12-30T23:59:59Z")));
        assert!(!Limits::default().ended(at("2099-01-01T00:00:00Z")));
        assert_eq!(describe_end("2026-12-31T00:00:00Z"), "2026-12-31 00:00 UTC");
        assert!(l.notes()[1].contains("VPC endpoint"));
    }

    #[test]
    fn limits_are_read_back_only_when_every_allow_has_them() {
        let l = Limits { ends_at: Some("2026-12-31T00:00:00Z".into()), source_ips: vec!["203.0.113.0/24".into()] };
        let both = json!({ "Statement": [
            { "Effect": "Allow", "Condition": l.apply_to(None) },
            { "Effect": "Allow", "Condition": l.apply_to(Some(json!({ "StringLike": { "s3:prefix": "x/*" } }))) },
            { "Effect": "Deny" }
        ]});
        assert_eq!(limits_of(&both), l);
        let partial = json!({ "Statement": [ { "Effect": "Allow", "Condition": l.apply_to(None) }, { "Effect": "Allow" } ]});
        assert_eq!(limits_of(&partial), Limits::default());
        assert_eq!(limits_of(&json!({})), Limits::default());
    }
}
