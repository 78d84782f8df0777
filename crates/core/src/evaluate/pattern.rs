//! IAM's string patterns: policy variables (`${aws:username}`, `${key, 'default'}`, the escapes `${*}`,
//! `${?}`, `${$}`), the wildcards `*` and `?`, and ARNs matched segment by segment.

use super::Context;

/// One piece of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Lit(char),
    /// `*`: any run of characters, the empty one too.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Where variables are read from; `None` for a policy whose `Version` is not `2012-10-17`, where IAM
/// reads `${...}` as literal text.
pub(super) type Vars<'a> = Option<&'a Context>;

/// A `${...}` the request cannot fill: the value (or the statement) matches nothing.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unresolved;

/// Splits `s` into literal text and `${...}` references, calling `lit` for each literal character (with
/// whether it may be a wildcard) and resolving each reference to literal text.
fn walk(s: &str, vars: Vars, mut lit: impl FnMut(char, bool)) -> Result<(), Unresolved> {
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let (Some(ctx), true) = (vars, rest.starts_with("${")) {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                for c in resolve_variable(inner, ctx)?.chars() {
                    lit(c, false);
                }
                continue;
            }
        }
        lit(c, true);
        rest = &rest[c.len_utf8()..];
    }
    Ok(())
}

/// The text a `${inner}` stands for.
fn resolve_variable(inner: &str, ctx: &Context) -> Result<String, Unresolved> {
    match inner {
        "*" | "?" | "$" => return Ok(inner.to_string()),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let quoted = d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'');
            (key.trim(), quoted.then(|| d[1..d.len() - 1].to_string()))
        }
        None => (inner.trim(), None),
    };
    match ctx.get(key) {
        Some(super::ContextValue::One(v)) => Ok(v.clone()),
        // A key with several values cannot stand in a string; a missing one takes the default.
        Some(super::ContextValue::Many(_)) => Err(Unresolved),
        None => default.ok_or(Unresolved),
    }
}

/// `s` with its variables filled in, for the operators that compare whole strings.
pub(super) fn resolve(s: &str, vars: Vars) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(s.len());
    walk(s, vars, |c, _| out.push(c))?;
    Ok(out)
}

/// `s` as a wildcard pattern: `*` and `?` in the policy's own text are wildcards, text a variable
/// filled in is literal.
pub(super) fn compile(s: &str, vars: Vars) -> Result<Vec<Tok>, Unresolved> {
    let mut out = Vec::with_capacity(s.len());
    walk(s, vars, |c, wild| {
        out.push(match (c, wild) {
            ('*', true) => Tok::Star,
            ('?', true) => Tok::One,
            (c, _) => Tok::Lit(c),
        })
    })?;
    Ok(out)
}

/// Whether `text` matches the compiled pattern; `fold` compares letters ignoring case.
pub(super) fn matches(pattern: &[Tok], text: &str, fold: bool) -> bool {
    let t: Vec<char> = if fold { text.chars().flat_map(char::to_lowercase).collect() } else { text.chars().collect() };
    let p: Vec<Tok> = if fold {
        pattern.iter().flat_map(|tok| -> Vec<Tok> {
            match tok {
                Tok::Lit(c) => c.to_lowercase().map(Tok::Lit).collect(),
                other => vec![*other],
            }
        }).collect()
    } else {
        pattern.to_vec()
    };
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        match p.get(pi) {
            Some(Tok::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Tok::Lit(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            Some(Tok::Star) => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|tok| *tok == Tok::Star)
}

/// Splits at the first five colons that are not inside a `${...}` (a variable's name has a colon:
/// `${aws:username}`).
fn arn_parts(s: &str) -> Vec<&str> {
    let mut parts = Vec::with_capacity(6);
    let (mut start, mut depth) = (0, false);
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth = true,
            b'}' => depth = false,
            b':' if !depth && parts.len() < 5 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Whether `arn` matches the policy's ARN pattern, as IAM matches a `Resource` or `ArnLike`: each of the
/// first five colon-separated segments on its own (a wildcard does not run into the next one), and the
/// resource part (everything after the fifth colon, colons included) as a whole. A pattern with fewer
/// segments whose last one ends in `*` lets that `*` run over the rest. Case-sensitive.
pub(super) fn arn_matches(pattern: &str, arn: &str, vars: Vars) -> Result<bool, Unresolved> {
    let want = arn_parts(pattern);
    let have: Vec<&str> = arn.splitn(6, ':').collect();
    if have.len() < 6 {
        // Not an ARN (an S3 request for "*"): the whole text against the whole pattern.
        return Ok(matches(&compile(pattern, vars)?, arn, false));
    }
    let last = want.len() - 1;
    if want.len() < 6 && !want[last].ends_with('*') {
        return Ok(false);
    }
    for (i, w) in want.iter().enumerate() {
        let text = if i == last { have[i..].join(":") } else { have[i].to_string() };
        if !matches(&compile(w, vars)?, &text, false) {
            return Ok(false);
        }
    }
    Ok(true)
}
