//! The `Condition` element: every operator IAM documents for the keys S3 and KMS access uses, with
//! `...IfExists`, `ForAnyValue:` / `ForAllValues:` and `Null`.
//!
//! Missing keys, as the IAM guide ("Condition operators") says: a key absent from the request makes an
//! operator false, except a negated one (`StringNotEquals`, `NotIpAddress`, ...), which is true, an
//! `...IfExists` one, which is true, and `Null`, which tests exactly that. `ForAllValues:` is true for a
//! missing key or an empty list, `ForAnyValue:` false ("Conditions with multiple context keys or
//! values"). Several values for one key are ORed, and NORed under a negated operator. A key holding
//! several values needs a set operator: without one no value is compared and the operator is false.

use super::pattern::{self, Unresolved, Vars};
use super::{Context, ContextValue};
use serde_json::Value;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Set {
    Any,
    All,
}

/// A parsed operator name such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Operator {
    family: Family,
    negated: bool,
    if_exists: bool,
    set: Option<Set>,
}

/// What could not be read in a condition: AWS refuses such a policy when it is written, so a live one
/// never has it; a test or a pasted document may.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct BadCondition(pub String);

pub(super) fn is_operator(name: &str) -> bool {
    parse_operator(name).is_ok()
}

fn parse_operator(name: &str) -> Result<Operator, BadCondition> {
    let bad = || BadCondition(format!("{name} is not a condition operator IAM knows"));
    let lower = name.to_ascii_lowercase();
    let (set, rest) = if let Some(r) = lower.strip_prefix("foranyvalue:") {
        (Some(Set::Any), r)
    } else if let Some(r) = lower.strip_prefix("forallvalues:") {
        (Some(Set::All), r)
    } else {
        (None, lower.as_str())
    };
    let (if_exists, base) = match rest.strip_suffix("ifexists") {
        Some(b) => (true, b),
        None => (false, rest),
    };
    let (family, negated) = match base {
        "stringequals" => (Family::StringEquals, false),
        "stringnotequals" => (Family::StringEquals, true),
        "stringequalsignorecase" => (Family::StringEqualsIgnoreCase, false),
        "stringnotequalsignorecase" => (Family::StringEqualsIgnoreCase, true),
        "stringlike" => (Family::StringLike, false),
        "stringnotlike" => (Family::StringLike, true),
        "numericequals" => (Family::Numeric(Cmp::Eq), false),
        "numericnotequals" => (Family::Numeric(Cmp::Eq), true),
        "numericlessthan" => (Family::Numeric(Cmp::Lt), false),
        "numericlessthanequals" => (Family::Numeric(Cmp::Le), false),
        "numericgreaterthan" => (Family::Numeric(Cmp::Gt), false),
        "numericgreaterthanequals" => (Family::Numeric(Cmp::Ge), false),
        "dateequals" => (Family::Date(Cmp::Eq), false),
        "datenotequals" => (Family::Date(Cmp::Eq), true),
        "datelessthan" => (Family::Date(Cmp::Lt), false),
        "datelessthanequals" => (Family::Date(Cmp::Le), false),
        "dategreaterthan" => (Family::Date(Cmp::Gt), false),
        "dategreaterthanequals" => (Family::Date(Cmp::Ge), false),
        "bool" => (Family::Bool, false),
        "binaryequals" => (Family::Binary, false),
        "ipaddress" => (Family::Ip, false),
        "notipaddress" => (Family::Ip, true),
        "arnequals" | "arnlike" => (Family::Arn, false),
        "arnnotequals" | "arnnotlike" => (Family::Arn, true),
        "null" if !if_exists => (Family::Null, false),
        _ => return Err(bad()),
    };
    Ok(Operator { family, negated, if_exists, set })
}

/// The first condition of `condition` (a statement's `Condition` element) that does not hold, as
/// (operator, key); `None` when all hold.
pub(super) fn first_unmet(condition: Option<&Value>, ctx: &Context, vars: Vars) -> Result<Option<(String, String)>, BadCondition> {
    let Some(condition) = condition else { return Ok(None) };
    let ops = condition.as_object().ok_or_else(|| BadCondition("Condition must be an object of operators".into()))?;
    for (op_name, keys) in ops {
        let op = parse_operator(op_name)?;
        let keys = keys.as_object().ok_or_else(|| BadCondition(format!("{op_name} must map condition keys to values")))?;
        for (key, values) in keys {
            let values = policy_values(values).ok_or_else(|| BadCondition(format!("{op_name} {key}: values must be strings, numbers or booleans")))?;
            if !holds(op, &values, ctx.get(key), vars).map_err(|m| BadCondition(format!("{op_name} {key}: {m}")))? {
                return Ok(Some((op_name.clone(), key.clone())));
            }
        }
    }
    Ok(None)
}

fn policy_values(v: &Value) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    }
}

/// Whether one operator holds for one key.
fn holds(op: Operator, values: &[String], have: Option<&ContextValue>, vars: Vars) -> Result<bool, String> {
    if op.family == Family::Null {
        // `true`: the key must be absent; `false`: present.
        let absent = have.is_none();
        return Ok(values.iter().any(|v| v.eq_ignore_ascii_case(if absent { "true" } else { "false" })));
    }
    match (op.set, have) {
        (Some(Set::All), None) => Ok(true),
        (Some(Set::Any), None) => Ok(op.if_exists),
        (None, None) => Ok(op.if_exists || op.negated),
        (Some(set), Some(have)) => {
            let list: &[String] = match have {
                ContextValue::One(v) => std::slice::from_ref(v),
                ContextValue::Many(vs) => vs,
            };
            let mut results = Vec::with_capacity(list.len());
            for v in list {
                results.push(one_value(op, values, v, vars)?);
            }
            Ok(match set {
                Set::All => results.iter().all(|r| *r),
                Set::Any => results.iter().any(|r| *r),
            })
        }
        (None, Some(ContextValue::Many(_))) => Ok(false),
        (None, Some(ContextValue::One(v))) => one_value(op, values, v, vars),
    }
}

/// The operator for one request value against the policy's values: any matches (ORed), or for a
/// negated operator none does (NORed). A value naming a variable the request lacks matches nothing, and
/// a negated operator with such a value is false (the statement cannot be read as the writer meant).
fn one_value(op: Operator, values: &[String], have: &str, vars: Vars) -> Result<bool, String> {
    let mut any = false;
    for want in values {
        match positive(op.family, want, have, vars)? {
            Some(true) => any = true,
            Some(false) => {}
            None if op.negated => return Ok(false),
            None => {}
        }
    }
    Ok(any != op.negated)
}

/// The positive comparison (`StringEquals` for `StringNotEquals`): `None` when the policy value has a
/// variable the request cannot fill.
fn positive(family: Family, want: &str, have: &str, vars: Vars) -> Result<Option<bool>, String> {
    Ok(Some(match family {
        Family::StringEquals => match pattern::resolve(want, vars) {
            Ok(w) => w == have,
            Err(Unresolved) => return Ok(None),
        },
        Family::StringEqualsIgnoreCase => match pattern::resolve(want, vars) {
            Ok(w) => w.to_lowercase() == have.to_lowercase(),
            Err(_) => return Ok(None),
        },
        Family::StringLike => match pattern::compile(want, vars) {
            Ok(p) => pattern::matches(&p, have, false),
            Err(_) => return Ok(None),
        },
        Family::Arn => match pattern::arn_matches(want, have, vars) {
            // ARN operators compare ARNs: a request value that is not one matches nothing.
            Ok(m) => have.splitn(6, ':').count() == 6 && have.starts_with("arn:") && m,
            Err(_) => return Ok(None),
        },
        Family::Bool => {
            let w = match pattern::resolve(want, vars) {
                Ok(w) => w,
                Err(_) => return Ok(None),
            };
            let parse = |s: &str| match s.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            match (parse(&w), parse(have)) {
                (Some(a), Some(b)) => a == b,
                (None, _) => return Err(format!("{want} is not true or false")),
                (_, None) => false,
            }
        }
        Family::Binary => want == have,
        Family::Numeric(cmp) => {
            let w = number(want).ok_or_else(|| format!("{want} is not a number"))?;
            let h = number(have).ok_or_else(|| format!("the request's {have} is not a number"))?;
            compare(cmp, h.partial_cmp(&w))
        }
        Family::Date(cmp) => {
            let w = date(want).ok_or_else(|| format!("{want} is not a date (ISO 8601, or seconds since 1970)"))?;
            let h = date(have).ok_or_else(|| format!("the request's {have} is not a date"))?;
            compare(cmp, Some(h.cmp(&w)))
        }
        Family::Ip => {
            let (net, bits) = cidr(want).ok_or_else(|| format!("{want} is not an IP address or CIDR range"))?;
            match have.trim().parse::<IpAddr>() {
                Ok(ip) => in_range(ip, net, bits),
                Err(_) => false,
            }
        }
        // Decided in `holds` before any value is compared.
        Family::Null => false,
    }))
}

fn compare(cmp: Cmp, order: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    match (cmp, order) {
        (_, None) => false,
        (Cmp::Eq, Some(o)) => o == Equal,
        (Cmp::Lt, Some(o)) => o == Less,
        (Cmp::Le, Some(o)) => o != Greater,
        (Cmp::Gt, Some(o)) => o == Greater,
        (Cmp::Ge, Some(o)) => o != Less,
    }
}

fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
    ok.then(|| s.parse::<f64>().ok()).flatten().filter(|n| n.is_finite())
}

/// A date as IAM reads it: seconds since 1970 (an integer), or one of the W3C forms of ISO 8601
/// (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.s+]]` with `Z` or `±hh:mm`). Returned as
/// milliseconds since 1970.
pub(super) fn date(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse::<i128>().ok().map(|secs| secs * 1000);
    }
    let (date_part, time_part) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut ymd = date_part.split('-');
    let year: i32 = digits(ymd.next()?, 4)?;
    let month: u8 = ymd.next().map(|m| digits(m, 2)).unwrap_or(Some(1))?;
    let day: u8 = ymd.next().map(|d| digits(d, 2)).unwrap_or(Some(1))?;
    if ymd.next().is_some() {
        return None;
    }
    let date = time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let (mut ms, mut offset_secs) = (0i128, 0i128);
    if let Some(t) = time_part {
        let (clock, zone) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = t.rfind(['+', '-']) {
            let (c, z) = t.split_at(i);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (h, m) = z[1..].split_once(':')?;
            (c, sign * (digits::<i128>(h, 2)? * 3600 + digits::<i128>(m, 2)? * 60))
        } else {
            return None;
        };
        offset_secs = zone;
        let mut hms = clock.split(':');
        let h: i128 = digits(hms.next()?, 2)?;
        let m: i128 = digits(hms.next()?, 2)?;
        let (sec, frac) = match hms.next() {
            Some(sec) => match sec.split_once('.') {
                Some((s, f)) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => (digits::<i128>(s, 2)?, format!("{f:0<3}")[..3].parse::<i128>().ok()?),
                Some(_) => return None,
                None => (digits::<i128>(sec, 2)?, 0),
            },
            None => (0, 0),
        };
        if hms.next().is_some() || h > 23 || m > 59 || sec > 60 {
            return None;
        }
        ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
    }
    let days = i128::from(date.to_julian_day() - time::Date::from_calendar_date(1970, time::Month::January, 1).ok()?.to_julian_day());
    Some(days * 86_400_000 + ms - offset_secs * 1000)
}

fn digits<T: std::str::FromStr>(s: &str, n: usize) -> Option<T> {
    (s.len() == n && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// A CIDR range, or one address (IPv4 `/32`, IPv6 `/128`).
fn cidr(s: &str) -> Option<(IpAddr, u8)> {
    let s = s.trim();
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let m = if bits == 0 { 0 } else { (!0u32) << (32 - u32::from(bits)) };
            (u32::from(a) & m) == (u32::from(b) & m)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let m = if bits == 0 { 0 } else { (!0u128) << (128 - u32::from(bits)) };
            (u128::from(a) & m) == (u128::from(b) & m)
        }
        _ => false,
    }
}
