//! The connect kit for the person receiving access, besides the CSV and the AWS profile: an rclone remote
//! that opens the granted folder, and a Cyberduck bookmark (`.duck`) that opens it with a double-click.
//!
//! The rclone file holds the secret (rclone reads it from its config; written owner-only, like the CSV).
//! The bookmark never does: Cyberduck asks for the secret once and keeps it in the system keychain.

use crate::error::{Error, Result};
use crate::secret::AccessKey;

/// Where the recipient connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KitTarget {
    pub bucket: String,
    /// A normalised folder (`in/`), or `None` for the whole bucket.
    pub prefix: Option<String>,
    /// The bucket's region.
    pub region: String,
    /// A custom endpoint (an emulator, an S3-compatible service); `None` for AWS.
    pub endpoint: Option<String>,
    /// The access level's word (`read`, `upload`, ...): an upload-only key needs other rclone flags.
    pub level: String,
}

impl KitTarget {
    /// The kit for an access the app created: its bucket and folder, with the bucket's region looked up
    /// (the session's when it cannot be), and the endpoint it was created against.
    pub async fn for_entry(session: &crate::connect::Session, entry: &crate::record::RecordEntry) -> Result<KitTarget> {
        if entry.bucket.is_empty() {
            return Err(Error::invalid("access", format!("{} has no bucket on record (an imported key), so there is no folder to connect to", entry.principal_label())));
        }
        Ok(KitTarget {
            bucket: entry.bucket.clone(),
            prefix: entry.prefix.clone(),
            region: crate::inventory::bucket_region_or_session(session, &entry.bucket).await,
            endpoint: entry.endpoint.clone(),
            level: entry.level.clone(),
        })
    }

    /// Write the rclone remote (owner-only: it holds the secret).
    pub fn write_rclone(&self, path: &std::path::Path, name: &str, key: &AccessKey, force: bool) -> Result<()> {
        crate::export::write_private_file(path, &rclone_config(self, name, key)?, force)
    }

    /// Write the Cyberduck bookmark (no secret in it; owner-only all the same, as it names the key).
    pub fn write_cyberduck(&self, path: &std::path::Path, nickname: &str, access_key_id: &str, force: bool) -> Result<()> {
        crate::export::write_private_file(path, &cyberduck_bookmark(self, nickname, access_key_id)?, force)
    }
}

/// A name for the remote or bookmark: letters, digits, `-` and `_`, 1-64 characters.
pub fn validate_remote_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || name.starts_with('-') {
        return Err(Error::invalid("remote name", format!("\"{name}\" is not a usable remote name; use letters, digits, - and _ (not first)")));
    }
    Ok(())
}

/// A suggested remote name: the bucket and folder, in the characters rclone accepts.
pub fn default_remote_name(t: &KitTarget) -> String {
    let raw = format!("{}-{}", t.bucket, t.prefix.as_deref().unwrap_or(""));
    let name: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let name = name.trim_matches('-').chars().take(64).collect::<String>();
    name.trim_end_matches('-').to_string()
}

fn ini_value(v: &str) -> String {
    v.replace(['\n', '\r'], "")
}

/// An rclone config with two remotes: `NAME-s3`, the S3 connection (key, region or endpoint), and `NAME`,
/// an alias for `NAME-s3:BUCKET/FOLDER/`, so `rclone ls NAME:` lists the granted folder and nothing else
/// needs a path. `no_check_bucket` stops rclone from asking to create the bucket, which the key may not.
///
/// The folder keeps its trailing slash. Opening a root without one, rclone's S3 backend first HEADs the
/// key `FOLDER` to see whether the root is a file (`backend/s3/s3.go`, `NewFs`); that key is outside the
/// folder, so a folder-limited key is refused. rclone 1.72-1.74 stop there ("directory not found"); from
/// 1.75 it lists instead and takes an empty folder, or any folder an upload-only key cannot list, for a
/// file ("is a file not a directory"). A root ending in `/` skips the probe (rclone 1.56 and later).
pub fn rclone_config(t: &KitTarget, name: &str, key: &AccessKey) -> Result<String> {
    validate_remote_name(name)?;
    let mut s3 = vec![("type", "s3".to_string())];
    match &t.endpoint {
        Some(endpoint) => {
            s3.push(("provider", "Other".into()));
            s3.push(("endpoint", ini_value(endpoint)));
            s3.push(("force_path_style", "true".into()));
        }
        None => s3.push(("provider", "AWS".into())),
    }
    s3.push(("access_key_id", ini_value(&key.access_key_id)));
    s3.push(("secret_access_key", ini_value(key.secret_access_key.expose())));
    s3.push(("region", ini_value(&t.region)));
    s3.push(("no_check_bucket", "true".into()));
    if t.level == "upload" {
        // An upload-only key cannot read back what it wrote; rclone would HEAD each upload to check it.
        s3.push(("no_head", "true".into()));
    }
    let path = format!("{}/{}", t.bucket, t.prefix.as_deref().unwrap_or(""));
    let root = if t.prefix.is_some() { path.as_str() } else { t.bucket.as_str() };
    let mut out = String::from("# rclone remotes made by S3 Access Wizard. This file holds a secret key: keep it private.\n");
    out.push_str(&format!("# `rclone --config THIS_FILE lsf {name}:` lists s3://{path}\n"));
    if t.level == "upload" {
        out.push_str(&format!("# This key can only upload: `rclone --config THIS_FILE copy --no-traverse --no-check-dest FILES {name}:`\n"));
    }
    out.push_str(&format!("\n[{name}-s3]\n"));
    for (k, v) in &s3 {
        out.push_str(&format!("{k} = {v}\n"));
    }
    out.push_str(&format!("\n[{name}]\ntype = alias\nremote = {name}-s3:{}\n", ini_value(root)));
    Ok(out)
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A Cyberduck bookmark (an XML property list, keys as Cyberduck's `HostDictionary` reads them) that opens
/// the folder as the key's user. It carries the key ID, never the secret. For AWS it uses Cyberduck's
/// built-in "Amazon S3" connection; a custom endpoint keeps its host and port (Cyberduck connects with
/// https; a plain `http://` endpoint needs Cyberduck's "S3 (HTTP)" connection profile, chosen by hand).
pub fn cyberduck_bookmark(t: &KitTarget, nickname: &str, access_key_id: &str) -> Result<String> {
    let (hostname, port) = match &t.endpoint {
        Some(endpoint) => endpoint_host_port(endpoint)?,
        None => (aws_s3_host(&t.region), 443),
    };
    let path = format!("/{}/{}", t.bucket, t.prefix.as_deref().unwrap_or(""));
    let uuid = uuid::Uuid::new_v4().to_string();
    let entries = [
        ("Protocol", "s3".to_string()),
        ("Provider", "iterate GmbH".to_string()),
        ("Nickname", nickname.to_string()),
        ("UUID", uuid),
        ("Hostname", hostname),
        ("Port", port.to_string()),
        ("Username", access_key_id.to_string()),
        ("Path", path),
        ("Region", t.region.clone()),
    ];
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n",
    );
    for (k, v) in entries {
        out.push_str(&format!("\t<key>{k}</key>\n\t<string>{}</string>\n", xml_escape(&v)));
    }
    out.push_str("</dict>\n</plist>\n");
    Ok(out)
}

/// S3's regional host on AWS: `s3.REGION.amazonaws.com`, and `s3.REGION.amazonaws.com.cn` in the China
/// regions (their own partition and domain).
fn aws_s3_host(region: &str) -> String {
    format!("s3.{region}.{}", crate::policy::dns_suffix(crate::policy::partition_for_region(region)))
}

fn endpoint_host_port(endpoint: &str) -> Result<(String, u16)> {
    let bad = || Error::invalid("endpoint", format!("\"{endpoint}\" is not an http:// or https:// address"));
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(bad)?;
    let default_port = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return Err(bad()),
    };
    let host_port = rest.split('/').next().unwrap_or_default();
    match host_port.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host_port.starts_with('[') => Ok((host.to_string(), port.parse().map_err(|_| bad())?)),
        _ if host_port.is_empty() => Err(bad()),
        _ => Ok((host_port.to_string(), default_port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn target(endpoint: Option<&str>, level: &str) -> KitTarget {
        KitTarget { bucket: "vendor-data".into(), prefix: Some("in/".into()), region: "eu-west-1".into(), endpoint: endpoint.map(str::to_string), level: level.into() }
    }

    fn key() -> AccessKey {
        AccessKey { access_key_id: "AKIAEXAMPLE000000001".into(), secret_access_key: Secret::new("s3cr3t/with+chars") }
    }

    #[test]
    fn rclone_remote_opens_the_folder() {
        let text = rclone_config(&target(None, "read"), "vendor-in", &key()).unwrap();
        assert!(text.contains("[vendor-in-s3]\ntype = s3\nprovider = AWS\naccess_key_id = AKIAEXAMPLE000000001\nsecret_access_key = s3cr3t/with+chars\nregion = eu-west-1\nno_check_bucket = true\n"), "{text}");
        assert!(text.ends_with("[vendor-in]\ntype = alias\nremote = vendor-in-s3:vendor-data/in/\n"), "the folder keeps its slash: {text}");
        let bucket = KitTarget { prefix: None, ..target(None, "read") };
        assert!(rclone_config(&bucket, "all", &key()).unwrap().ends_with("remote = all-s3:vendor-data\n"));
        let emu = rclone_config(&target(Some("http://127.0.0.1:5000"), "upload"), "x", &key()).unwrap();
        assert!(emu.contains("provider = Other\nendpoint = http://127.0.0.1:5000\nforce_path_style = true\n") && emu.contains("no_head = true") && emu.contains("--no-traverse"), "{emu}");
        assert!(rclone_config(&target(None, "read"), "bad name", &key()).unwrap_err().to_string().contains("remote name"));
        assert_eq!(default_remote_name(&target(None, "read")), "vendor-data-in");
    }

    #[test]
    fn bookmark_has_the_key_id_and_never_the_secret() {
        let text = cyberduck_bookmark(&target(None, "read"), "Vendor <data>", "AKIAEXAMPLE000000001").unwrap();
        assert!(!text.contains("s3cr3t"));
        assert!(text.contains("<key>Hostname</key>\n\t<string>s3.eu-west-1.amazonaws.com</string>"));
        assert!(text.contains("<key>Path</key>\n\t<string>/vendor-data/in/</string>"));
        assert!(text.contains("<key>Username</key>\n\t<string>AKIAEXAMPLE000000001</string>"));
        assert!(text.contains("<string>Vendor &lt;data&gt;</string>"));
        let emu = cyberduck_bookmark(&target(Some("http://127.0.0.1:5000"), "read"), "n", "AKIA").unwrap();
        assert!(emu.contains("<string>127.0.0.1</string>") && emu.contains("<string>5000</string>") && emu.contains("<key>Protocol</key>\n\t<string>s3</string>"), "{emu}");
        let china = KitTarget { region: "cn-northwest-1".into(), ..target(None, "read") };
        assert!(cyberduck_bookmark(&china, "n", "AKIA").unwrap().contains("<key>Hostname</key>\n\t<string>s3.cn-northwest-1.amazonaws.com.cn</string>"));
        assert_eq!(endpoint_host_port("https://s3.example.com/").unwrap(), ("s3.example.com".into(), 443));
        assert!(endpoint_host_port("ftp://x").is_err());
    }
}
