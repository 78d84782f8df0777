//! Pre-signed links: download (GET) and upload (PUT) URLs signed by the connected identity or by a key
//! the app saved. SigV4 links live at most 7 days, and a link signed with temporary credentials (SSO,
//! assumed role, session token) dies with them, whatever expiry it was given: the link's real end time is
//! reported, capped at the credentials' expiry.

mod bulk;
mod check;
mod post;
mod signer;

pub use bulk::{links_csv_row, presign_prefix_csv, write_links_csv, write_prefix_csv};
pub use check::{test_link, LinkTest};
pub use post::{parse_size, post_policy, presign_post, size_text, PostForm, PostRules, MAX_POST_SIZE};
pub use signer::{bucket_region_hint, credentials_lifetime, Lifetime, Signer};

use crate::connect::Session;
use crate::error::{Error, Result};
use std::time::{Duration, SystemTime};

/// The longest a SigV4 pre-signed URL may live.
pub const MAX_EXPIRY: Duration = Duration::from_secs(604_800);

/// Parse a plain duration: `90s`, `15m`, `12h`, `7d`, or a number of seconds.
pub fn parse_expiry(text: &str) -> Result<Duration> {
    use crate::validate::DurationText;
    let d = match crate::validate::duration(text) {
        DurationText::Ok(d) => d,
        DurationText::TooLong => return Err(Error::invalid("expiry", format!("\"{text}\" is far longer than a link may live: at most 7 days (7d)"))),
        DurationText::NotADuration => return Err(Error::invalid("expiry", format!("\"{text}\" is not a duration; write it like 30m, 12h or 7d"))),
        DurationText::BadUnit(u) => return Err(Error::invalid("expiry", format!("\"{u}\" is not a unit; use s, m, h or d"))),
    };
    check_expiry(d)?;
    Ok(d)
}

pub fn check_expiry(d: Duration) -> Result<()> {
    if d.is_zero() {
        return Err(Error::invalid("expiry", "a link must live at least one second"));
    }
    if d > MAX_EXPIRY {
        return Err(Error::invalid("expiry", format!("a pre-signed link can live at most 7 days (604800 seconds); {} seconds was asked", d.as_secs())));
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Download,
    /// An upload; with a content type, the uploader must send that exact `Content-Type` header.
    Upload { content_type: Option<String> },
}

/// A signed link. The URL carries a signature, not a secret key; it still grants access while it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub bucket: String,
    pub key: String,
    pub method: String,
    pub url: String,
    /// Headers the client must send with the request.
    pub headers: Vec<(String, String)>,
    pub expires_at: SystemTime,
    /// Set when the signing credentials expire before the asked-for expiry (the link dies with them).
    pub cut_short_by_credentials: bool,
    /// Signed with temporary credentials whose end time is unknown: the link may stop working earlier.
    pub temporary_without_end: bool,
}

impl Link {
    /// A `curl` command that uses the link, every word quoted for a POSIX shell (object keys are chosen by
    /// whoever uploaded them, and may hold quotes, spaces or `$`).
    pub fn curl(&self) -> String {
        let q = |s: &str| shell_quote(s);
        let headers: String = self.headers.iter().map(|(k, v)| format!(" -H {}", q(&format!("{k}: {v}")))).collect();
        match self.method.as_str() {
            "PUT" => format!("curl -X PUT -T FILE{headers} {}", q(&self.url)),
            _ => {
                let name = self.key.rsplit('/').find(|s| !s.is_empty()).unwrap_or("download");
                format!("curl -o {}{headers} {}", q(name), q(&self.url))
            }
        }
    }

    /// What the signing credentials mean for the link's life, when it is less than asked for.
    pub fn lifetime_note(&self) -> Option<String> {
        lifetime_note(self.cut_short_by_credentials, self.temporary_without_end, "the link")
    }
}

/// What temporary signing credentials mean for `thing` ("the link", "the upload page") signed with them:
/// cut short to their end, or ending with a session whose end is unknown. `None` for a long-term key.
pub(crate) fn lifetime_note(cut_short: bool, temporary_without_end: bool, thing: &str) -> Option<String> {
    let advice = "Sign with a long-term key (an IAM user) for longer.";
    if cut_short {
        Some(format!("the signing credentials are temporary and expire first, so {thing} stops working then. {advice}"))
    } else if temporary_without_end {
        Some(format!("the signing credentials are temporary (they carry a session token), so {thing} stops working when that session ends, which may be before its end date. {advice}"))
    } else {
        None
    }
}

/// One word for a POSIX shell. Control characters cannot be quoted portably, so they are escaped the way
/// bash's `$'...'` does.
pub fn shell_quote(s: &str) -> String {
    match shlex::try_quote(s) {
        Ok(q) => q.into_owned(),
        Err(_) => {
            let escaped: String = s.chars().map(|c| if c.is_control() || c == '\'' || c == '\\' { format!("\\x{:02x}", c as u32) } else { c.to_string() }).collect();
            format!("$'{escaped}'")
        }
    }
}

/// Sign one link. The expiry is capped by the credentials' own expiry, and the link says so.
pub async fn presign(session: &Session, bucket: &str, key: &str, kind: &LinkKind, expires_in: Duration) -> Result<Link> {
    crate::validate::bucket_name(bucket)?;
    if key.is_empty() {
        return Err(Error::invalid("object key", "name the file (object key) to link to"));
    }
    let signer = Signer::new(session, bucket, expires_in).await?;
    signer.sign(key, kind).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_in_plain_units() {
        assert_eq!(parse_expiry("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_expiry("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_expiry("12h").unwrap(), Duration::from_secs(43_200));
        assert_eq!(parse_expiry("7d").unwrap(), MAX_EXPIRY);
        assert!(parse_expiry("8d").unwrap_err().to_string().contains("at most 7 days"));
        assert!(parse_expiry("0s").is_err());
        assert!(parse_expiry("soon").unwrap_err().to_string().contains("30m, 12h or 7d"));
        assert!(parse_expiry("3y").unwrap_err().to_string().contains("not a unit"));
        assert!(parse_expiry("2w").unwrap_err().to_string().contains("at most 7 days"));
        // Numbers past u64, or whose seconds overflow it, are refused as too long, never wrapped.
        for huge in ["99999999999999999999999d", "18446744073709551615d", "213503982334601d", "99999999999999999999"] {
            assert!(parse_expiry(huge).unwrap_err().to_string().contains("at most 7 days"), "{huge}");
        }
    }

    #[test]
    fn curl_commands_send_the_signed_headers() {
        let link = Link {
            bucket: "b".into(),
            key: "up/file.png".into(),
            method: "PUT".into(),
            url: "https://b.s3.amazonaws.com/up/file.png?X-Amz-Signature=x".into(),
            headers: vec![("content-type".into(), "image/png".into())],
            expires_at: SystemTime::now(),
            cut_short_by_credentials: false,
            temporary_without_end: false,
        };
        assert_eq!(link.curl(), "curl -X PUT -T FILE -H 'content-type: image/png' 'https://b.s3.amazonaws.com/up/file.png?X-Amz-Signature=x'");
    }

    /// A key with a quote, `$` or spaces still makes one word per argument when a shell reads the command.
    #[test]
    fn curl_commands_quote_awkward_keys_for_the_shell() {
        let link = Link {
            bucket: "b".into(),
            key: "in/it's $HOME `x`.txt".into(),
            method: "GET".into(),
            url: "https://b.s3.amazonaws.com/in/it%27s?X-Amz-Signature=x&b=c".into(),
            headers: vec![],
            expires_at: SystemTime::now(),
            cut_short_by_credentials: false,
            temporary_without_end: false,
        };
        let cmd = link.curl();
        let words = shlex::split(&cmd).unwrap();
        assert_eq!(words, vec!["curl", "-o", "it's $HOME `x`.txt", "https://b.s3.amazonaws.com/in/it%27s?X-Amz-Signature=x&b=c"], "{cmd}");
        assert_eq!(shell_quote("a\nb"), "'a\nb'", "a newline inside single quotes is one word");
        assert_eq!(shell_quote("a\0b"), "$'a\\x00b'", "a NUL cannot be quoted, only escaped");
    }
}
