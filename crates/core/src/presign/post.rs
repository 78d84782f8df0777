//! Drop-box upload links: a pre-signed POST for one folder. The recipient uploads with a plain HTML form
//! (or `curl -F`); S3 checks every upload against the signed policy: the key starts with the folder, the
//! size is within the limit, the content type is the one allowed, and the form is used before it expires.
//!
//! The policy's conditions are the whole promise, so they are built by one pure function
//! ([`post_policy`]) and tested by shape; the signature is SigV4's (HMAC-SHA256 of the base64 policy
//! with the day's signing key), tested against an independent implementation in the e2e tests.

use super::signer::Signer;
use super::shell_quote;
use crate::connect::Session;
use crate::error::{Error, Result};
use crate::record::format_time;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// The largest object a single POST may upload (5 GiB).
pub const MAX_POST_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// What the drop-box accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostRules {
    /// The folder uploads land in (normalised, ending in `/`).
    pub folder: String,
    /// The largest file, in bytes.
    pub max_size: u64,
    /// An exact content type (`application/pdf`), or a family (`image/`, written `image/*`); `None` for any.
    pub content_type: Option<String>,
}

/// A signed POST form: where it posts and the fields it sends before the file. Its `Debug` leaves out the
/// fields' values (the signature, and the session token of temporary credentials).
#[derive(Clone, PartialEq)]
pub struct PostForm {
    pub bucket: String,
    pub url: String,
    /// In the order the form sends them; the file comes last (S3 ignores fields after it).
    pub fields: Vec<(String, String)>,
    pub rules: PostRules,
    pub expires_at: SystemTime,
    /// The signing credentials expire first (the form stops working then).
    pub cut_short_by_credentials: bool,
    pub temporary_without_end: bool,
}

impl std::fmt::Debug for PostForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostForm")
            .field("bucket", &self.bucket)
            .field("url", &self.url)
            .field("fields", &self.fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("rules", &self.rules)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl PostForm {
    /// What the signing credentials mean for the form's life, when it is less than asked for (the CLI and
    /// the app both say it: signed in through the browser or Identity Center, the credentials are temporary).
    pub fn lifetime_note(&self) -> Option<String> {
        super::lifetime_note(self.cut_short_by_credentials, self.temporary_without_end, "the upload page")
    }
}

/// `--max-size`: `100MB`, `2GB`, `500KB`, `10MiB`, or bytes. KB, MB and GB are powers of 1,000, as file
/// managers show them; KiB, MiB and GiB powers of 1,024.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let bad = || Error::invalid("maximum size", format!("\"{text}\" is not a size; write it like 100MB, 2GB or 500KB"));
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    let bytes = n * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(Error::invalid("maximum size", "the maximum size must be at least one byte"));
    }
    if bytes > MAX_POST_SIZE as f64 {
        return Err(Error::invalid("maximum size", format!("\"{text}\" is over 5 GiB, the most one upload through a form may be")));
    }
    Ok(bytes as u64)
}

impl PostRules {
    pub fn new(folder: &str, max_size: u64, content_type: Option<&str>) -> Result<PostRules> {
        let folder = crate::validate::folder(folder)?.ok_or_else(|| Error::invalid("folder", "name the folder uploads go to (a drop-box for the whole bucket is not offered)"))?;
        if max_size == 0 || max_size > MAX_POST_SIZE {
            return Err(Error::invalid("maximum size", "the maximum size must be between one byte and 5 GiB"));
        }
        let content_type = match content_type.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                let family = t.strip_suffix('*');
                let (kind, sub) = t.split_once('/').ok_or_else(|| Error::invalid("content type", format!("\"{t}\" is not a content type; write it like application/pdf or image/*")))?;
                let ok_part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c));
                if !ok_part(kind) || !(sub == "*" || ok_part(sub)) {
                    return Err(Error::invalid("content type", format!("\"{t}\" is not a content type; write it like application/pdf or image/*")));
                }
                Some(family.unwrap_or(t).to_ascii_lowercase())
            }
        };
        Ok(PostRules { folder, max_size, content_type })
    }
}

/// The POST policy document: what S3 checks every upload against.
pub fn post_policy(bucket: &str, rules: &PostRules, expires_at: SystemTime, credential: &str, amz_date: &str, token: Option<&str>) -> Value {
    let mut conditions = vec![
        json!({ "bucket": bucket }),
        json!(["starts-with", "$key", rules.folder]),
        json!(["content-length-range", 1, rules.max_size]),
        json!({ "success_action_status": "201" }),
    ];
    match rules.content_type.as_deref() {
        Some(family) if family.ends_with('/') => conditions.push(json!(["starts-with", "$Content-Type", family])),
        Some(exact) => conditions.push(json!({ "Content-Type": exact })),
        None => {}
    }
    conditions.push(json!({ "x-amz-algorithm": "AWS4-HMAC-SHA256" }));
    conditions.push(json!({ "x-amz-credential": credential }));
    conditions.push(json!({ "x-amz-date": amz_date }));
    if let Some(t) = token {
        conditions.push(json!({ "x-amz-security-token": t }));
    }
    // S3 wants the expiration in ISO 8601 with milliseconds.
    let expiration = format_time(expires_at).replace('Z', ".000Z");
    json!({ "expiration": expiration, "conditions": conditions })
}

/// Sign a drop-box form for `rules.folder` of `bucket`, valid for `expires_in` (at most 7 days, and no
/// longer than the signing credentials).
pub async fn presign_post(session: &Session, bucket: &str, rules: &PostRules, expires_in: Duration) -> Result<PostForm> {
    let signer = Signer::new(session, bucket, expires_in).await?;
    let s = signer.post_signing()?;
    let policy = post_policy(bucket, rules, s.expires_at, &s.credential, &s.amz_date, s.security_token.as_deref());
    let policy_b64 = base64_simd::STANDARD.encode_to_string(serde_json::to_string(&policy).map_err(|e| Error::Internal(e.to_string()))?);
    let signature = signer.sign_post_policy(&policy_b64)?;
    let mut fields = vec![("key".to_string(), format!("{}${{filename}}", rules.folder))];
    if let Some(ct) = &rules.content_type {
        // A family's form sends the file's own type (the HTML page sets it); an exact type is fixed.
        if !ct.ends_with('/') {
            fields.push(("Content-Type".into(), ct.clone()));
        }
    }
    fields.push(("success_action_status".into(), "201".into()));
    fields.push(("x-amz-algorithm".into(), "AWS4-HMAC-SHA256".into()));
    fields.push(("x-amz-credential".into(), s.credential));
    fields.push(("x-amz-date".into(), s.amz_date));
    if let Some(t) = s.security_token {
        fields.push(("x-amz-security-token".into(), t));
    }
    fields.push(("policy".into(), policy_b64));
    fields.push(("x-amz-signature".into(), signature));
    Ok(PostForm {
        bucket: bucket.to_string(),
        url: signer.bucket_url().await?,
        fields,
        rules: rules.clone(),
        expires_at: s.expires_at,
        cut_short_by_credentials: s.cut_short,
        temporary_without_end: s.temporary_without_end,
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A size for people: `100 MB`.
pub fn size_text(bytes: u64) -> String {
    let units = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (n, unit) in units {
        if bytes >= n {
            let v = bytes as f64 / n as f64;
            return if v.fract() == 0.0 { format!("{v:.0} {unit}") } else { format!("{v:.1} {unit}") };
        }
    }
    format!("{bytes} bytes")
}

impl PostForm {
    /// A `curl` command that uploads FILE through the form (every word quoted for a POSIX shell).
    pub fn curl(&self) -> String {
        let mut cmd = String::from("curl");
        for (k, v) in &self.fields {
            let v = if k == "key" { v.replace("${filename}", "FILE_NAME") } else { v.clone() };
            cmd.push_str(&format!(" -F {}", shell_quote(&format!("{k}={v}"))));
        }
        if let Some(family) = self.rules.content_type.as_deref().filter(|c| c.ends_with('/')) {
            cmd.push_str(&format!(" -F {}", shell_quote(&format!("Content-Type={family}TYPE"))));
        }
        cmd.push_str(&format!(" -F file=@FILE {}", shell_quote(&self.url)));
        cmd
    }

    /// The form as JSON: where to post, the fields in order, and the limits.
    pub fn to_json(&self) -> Value {
        json!({
            "url": self.url,
            "fields": self.fields.iter().map(|(k, v)| json!({ "name": k, "value": v })).collect::<Vec<_>>(),
            "bucket": self.bucket,
            "folder": self.rules.folder,
            "max_size": self.rules.max_size,
            "content_type": self.rules.content_type,
            "expires_at": format_time(self.expires_at),
        })
    }

    /// A self-contained HTML page: the form the recipient opens in any browser to upload a file. No script,
    /// no outside resource: the form posts straight to S3.
    pub fn html(&self) -> String {
        let accept = match self.rules.content_type.as_deref() {
            Some(family) if family.ends_with('/') => format!(" accept=\"{}*\"", html_escape(family)),
            Some(exact) => format!(" accept=\"{}\"", html_escape(exact)),
            None => String::new(),
        };
        let mut hidden = String::new();
        for (k, v) in &self.fields {
            hidden.push_str(&format!("    <input type=\"hidden\" name=\"{}\" value=\"{}\">\n", html_escape(k), html_escape(v)));
        }
        let type_field = match self.rules.content_type.as_deref().filter(|c| c.ends_with('/')) {
            Some(family) => format!(
                "    <p><label for=\"ct\">Type of the file</label><br><input id=\"ct\" name=\"Content-Type\" value=\"{}\" required pattern=\"{}.+\"></p>\n",
                html_escape(family),
                html_escape(&family.replace('.', "\\.").replace('+', "\\+"))
            ),
            None => String::new(),
        };
        let limits = match self.rules.content_type.as_deref() {
            Some(ct) if ct.ends_with('/') => format!("{}* files up to {}", ct, size_text(self.rules.max_size)),
            Some(ct) => format!("{ct} files up to {}", size_text(self.rules.max_size)),
            None => format!("files up to {}", size_text(self.rules.max_size)),
        };
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; form-action {action}\">\n\
<title>Upload files to {bucket}/{folder}</title>\n\
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}button{{font-size:1rem;padding:.5rem 1rem}}</style>\n\
</head>\n<body>\n<h1>Upload a file</h1>\n\
<p>It goes to the folder <strong>{folder}</strong> of <strong>{bucket}</strong>: {limits}. This page works until {until} (UTC).</p>\n\
<form action=\"{action_attr}\" method=\"post\" enctype=\"multipart/form-data\">\n{hidden}{type_field}\
    <p><label for=\"file\">File</label><br><input id=\"file\" name=\"file\" type=\"file\" required{accept}></p>\n\
    <p><button type=\"submit\">Upload</button></p>\n</form>\n\
<p>After the upload your browser shows a short message from Amazon S3 (PostResponse): that means the file arrived. A file with the same name as one already there replaces it.</p>\n\
</body>\n</html>\n",
            action = html_escape(&self.url),
            action_attr = html_escape(&self.url),
            bucket = html_escape(&self.bucket),
            folder = html_escape(&self.rules.folder),
            until = crate::limits::describe_end(&format_time(self.expires_at)).trim_end_matches(" UTC"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_plain_units() {
        assert_eq!(parse_size("100MB").unwrap(), 100_000_000);
        assert_eq!(parse_size("1.5 GB").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("6GB").unwrap_err().to_string().contains("over 5 GiB"));
        assert!(parse_size("lots").unwrap_err().to_string().contains("100MB"));
        assert!(parse_size("0").unwrap_err().to_string().contains("at least one byte"));
        assert_eq!(size_text(100_000_000), "100 MB");
        assert_eq!(size_text(1_500_000), "1.5 MB");
    }

    #[test]
    fn rules_are_checked() {
        let r = PostRules::new("/drop", 10, Some("image/*")).unwrap();
        assert_eq!((r.folder.as_str(), r.content_type.as_deref()), ("drop/", Some("image/")));
        assert_eq!(PostRules::new("drop/", 10, Some("application/pdf")).unwrap().content_type.as_deref(), Some("application/pdf"));
        assert!(PostRules::new("", 10, None).unwrap_err().to_string().contains("name the folder"));
        assert!(PostRules::new("a*b", 10, None).is_err());
        assert!(PostRules::new("drop", 10, Some("pdf")).unwrap_err().to_string().contains("application/pdf"));
        assert!(PostRules::new("drop", 10, Some("text/<x>")).is_err());
    }

    /// The policy holds the whole promise: the bucket, the folder as the key's start, the size range, the
    /// content type, the signing fields, and the expiry.
    #[test]
    fn the_policy_limits_folder_size_and_type() {
        let t = crate::record::parse_time("2026-11-24T10:00:00Z").unwrap();
        let rules = PostRules::new("in/drop", 100_000_000, Some("image/*")).unwrap();
        let p = post_policy("vendor-data", &rules, t, "AKIA/20261124/eu-west-1/s3/aws4_request", "20261124T090000Z", Some("tok"));
        assert_eq!(p["expiration"], "2026-11-24T10:00:00.000Z");
        let c = p["conditions"].as_array().unwrap();
        assert!(c.contains(&json!({ "bucket": "vendor-data" })));
        assert!(c.contains(&json!(["starts-with", "$key", "in/drop/"])));
        assert!(c.contains(&json!(["content-length-range", 1, 100_000_000])));
        assert!(c.contains(&json!(["starts-with", "$Content-Type", "image/"])));
        assert!(c.contains(&json!({ "x-amz-credential": "AKIA/20261124/eu-west-1/s3/aws4_request" })));
        assert!(c.contains(&json!({ "x-amz-security-token": "tok" })));
        let exact = post_policy("b", &PostRules::new("d", 5, Some("application/pdf")).unwrap(), t, "c", "d", None);
        assert!(exact["conditions"].as_array().unwrap().contains(&json!({ "Content-Type": "application/pdf" })));
        assert!(!exact.to_string().contains("security-token"));
    }

    #[test]
    fn the_page_is_a_plain_form_that_posts_to_s3() {
        let form = PostForm {
            bucket: "vendor-data".into(),
            url: "https://vendor-data.s3.eu-west-1.amazonaws.com/".into(),
            fields: vec![("key".into(), "drop/${filename}".into()), ("policy".into(), "eyJ\"<x>".into())],
            rules: PostRules::new("drop", 100_000_000, None).unwrap(),
            expires_at: crate::record::parse_time("2026-11-24T10:00:00Z").unwrap(),
            cut_short_by_credentials: false,
            temporary_without_end: false,
        };
        assert_eq!(form.lifetime_note(), None, "a long-term key: the page lives as long as asked");
        let cut = PostForm { cut_short_by_credentials: true, ..form.clone() };
        assert!(cut.lifetime_note().unwrap().contains("expire first"));
        let open_ended = PostForm { temporary_without_end: true, ..form.clone() };
        assert!(open_ended.lifetime_note().unwrap().contains("session ends"));
        let html = form.html();
        assert!(html.contains("<form action=\"https://vendor-data.s3.eu-west-1.amazonaws.com/\" method=\"post\" enctype=\"multipart/form-data\">"));
        assert!(html.contains("value=\"eyJ&quot;&lt;x&gt;\""), "field values are escaped");
        assert!(html.contains("files up to 100 MB") && html.contains("2026-11-24 10:00"));
        assert!(!html.contains("<script"), "no script in the page");
        let file_at = html.find("name=\"file\"").unwrap();
        assert!(html.rfind("type=\"hidden\"").unwrap() < file_at, "the file is the last field");
        let debug = format!("{form:?}");
        assert!(debug.contains("\"policy\"") && !debug.contains("eyJ"), "field values stay out of Debug: {debug}");
        let words = shlex::split(&form.curl()).unwrap();
        assert_eq!(words.last().unwrap(), "https://vendor-data.s3.eu-west-1.amazonaws.com/");
        assert!(words.contains(&"key=drop/FILE_NAME".to_string()) && words.contains(&"file=@FILE".to_string()));
    }
}
