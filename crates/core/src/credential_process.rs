//! Using saved keys from any AWS tool without a plain-text secret: `credential_process` prints the key from
//! the keychain in the format AWS SDKs and CLIs read, and a profile in `~/.aws/config` points at it.

use crate::error::{Error, Result};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::policy::AccessLevel;
use crate::record::Record;
use crate::secret::AccessKey;
use std::path::{Path, PathBuf};

/// Find where a key created (or imported) by the app lives in the keychain, from the local record.
pub fn key_ref_for(record: &Record, access_key_id: &str) -> Result<KeyRef> {
    record
        .entries
        .iter()
        .find(|e| e.access_key_ids.iter().any(|k| k == access_key_id))
        .map(|e| KeyRef {
            account: e.account.clone(),
            owner: e.user_name.clone().or_else(|| e.role_name.clone()).unwrap_or_default(),
            access_key_id: access_key_id.to_string(),
        })
        .ok_or_else(|| Error::invalid("access key", format!("{access_key_id} is not a key this app created or imported on this machine")))
}

/// A key this app created or imported: by its key id, or an access (entry id or user name) for that
/// access's current key. The local record says where it is in the keychain, the keychain holds the secret.
pub async fn load_saved_key(keychain: &Keychain, access: &str) -> Result<AccessKey> {
    let record = Record::load()?;
    let entry = record.find(access)?;
    // One key asked for by its id: that key, or a clear "not in the keychain".
    let candidates: Vec<String> = if entry.access_key_ids.iter().any(|k| k == access) {
        vec![access.to_string()]
    } else {
        entry.access_key_ids.iter().rev().cloned().collect()
    };
    let mut missing = None;
    for id in candidates {
        let (k, r) = (keychain.clone(), entry.key_ref(&id));
        match run_blocking(move || k.load(&r)).await {
            Ok(secret) => return Ok(AccessKey { access_key_id: id, secret_access_key: secret }),
            Err(e @ Error::SecretNotInKeychain { .. }) => missing = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(missing.unwrap_or_else(|| Error::invalid("access", format!("{} has no saved access key", entry.principal_label()))))
}

/// The JSON a `credential_process` prints (Version 1). It holds the secret: print it, never log it.
pub fn credential_process_output(key: &AccessKey) -> String {
    serde_json::json!({
        "Version": 1,
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key.expose(),
    })
    .to_string()
}

/// Add `[profile NAME]` with `credential_process = COMMAND` to the AWS config file (`~/.aws/config` or
/// `AWS_CONFIG_FILE`), keeping everything else in it. Returns the file's path.
pub fn write_credential_process_profile(profile: &str, command: &str, region: Option<&str>, force: bool) -> Result<PathBuf> {
    write_credential_process_profile_at(&crate::paths::config_file_path()?, profile, command, region, force)
}

pub fn write_credential_process_profile_at(path: &Path, profile: &str, command: &str, region: Option<&str>, force: bool) -> Result<PathBuf> {
    crate::export::validate_profile_name(profile)?;
    let header = if profile == "default" { "default".to_string() } else { format!("profile {profile}") };
    let mut body = vec![("credential_process".to_string(), command.to_string())];
    if let Some(r) = region {
        body.push(("region".to_string(), r.to_string()));
    }
    crate::export::upsert_ini_file(path, &header, &body, force)
}

/// "Use from AWS CLI and SDKs": add `[profile NAME]` whose `credential_process` runs `exe credential-process
/// --access ENTRY` (the CLI, or the desktop app itself). The profile names the access (its entry in the
/// record), not one key, so a rotation keeps it working: it always serves the access's current key.
/// `access` may be the entry's id, user name or one of its key ids.
pub fn use_from_aws(exe: &Path, access: &str, profile: &str, region: Option<&str>, force: bool) -> Result<AwsProfile> {
    let record = Record::load()?;
    let entry = record.find(access)?;
    if entry.user_name.is_none() {
        return Err(Error::invalid("access", format!("{} has no access keys: the other account signs in through the role", entry.principal_label())));
    }
    let command = format!("{} credential-process --access {}", quote_arg(&exe.to_string_lossy()), quote_arg(&entry.id));
    let profile = profile.trim();
    let path = write_credential_process_profile(profile, &command, region, force)?;
    Ok(AwsProfile { path, credential_process: command, try_it: first_aws_command(entry, profile) })
}

/// The profile [`use_from_aws`] added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsProfile {
    /// The config file it is in.
    pub path: PathBuf,
    /// Its `credential_process` command.
    pub credential_process: String,
    /// An AWS CLI command that works with it: [`first_aws_command`].
    pub try_it: String,
}

/// A first AWS CLI command that works with the access's profile, for a POSIX shell. Not `aws s3 ls` alone:
/// that lists the account's buckets (`s3:ListAllMyBuckets`), which no access level grants. A level that
/// lists gets the listing of its folder; upload-only, a copy into it; a share, a download of its first file.
pub fn first_aws_command(entry: &crate::record::RecordEntry, profile: &str) -> String {
    use crate::presign::shell_quote;
    let folder = format!("s3://{}/{}", entry.bucket, entry.prefix.as_deref().unwrap_or(""));
    let mut words = vec!["aws".to_string(), "--profile".into(), shell_quote(profile)];
    if let Some(endpoint) = &entry.endpoint {
        words.extend(["--endpoint-url".into(), shell_quote(endpoint)]);
    }
    let share_file = entry.share_files.first().map(|f| format!("s3://{}/{f}", entry.bucket)).unwrap_or_else(|| format!("{folder}FILE"));
    let (verb, from, to) = if entry.kind == crate::share::KIND {
        ("cp", shell_quote(&share_file), Some(".".to_string()))
    } else if entry.level == AccessLevel::Upload.as_str() {
        ("cp", "FILE".to_string(), Some(shell_quote(&folder)))
    } else {
        ("ls", shell_quote(&folder), None)
    };
    words.extend(["s3".to_string(), verb.to_string(), from]);
    words.extend(to);
    words.join(" ")
}

/// What `credential-process --access ACCESS` prints: the access's current key (the newest one whose
/// secret is in the keychain; rotation adds keys at the end), in the `credential_process` format. An
/// access that was revoked is a plain error for the AWS tool to show, not a trace.
pub async fn serve(keychain: &Keychain, access: &str) -> Result<String> {
    match load_saved_key(keychain, access).await {
        Ok(key) => Ok(credential_process_output(&key)),
        Err(Error::Invalid { field: "access", .. } | Error::SecretNotInKeychain { .. }) => Err(Error::AccessGone { access: access.to_string() }),
        Err(e) => Err(e),
    }
}

/// Keys this app saved on this machine whose secrets are in the keychain (to sign links, or hand over).
pub async fn saved_keys(keychain: &Keychain) -> Result<Vec<(crate::record::RecordEntry, String)>> {
    let record = Record::load()?;
    let mut out = Vec::new();
    for e in record.entries.into_iter().filter(|e| e.user_name.is_some()) {
        for id in e.access_key_ids.clone() {
            let (k, r) = (keychain.clone(), e.key_ref(&id));
            if run_blocking(move || Ok(k.contains(&r))).await.unwrap_or(false) {
                out.push((e.clone(), id));
            }
        }
    }
    Ok(out)
}

/// Quote a path for the config file's command line (the AWS CLI splits it like a shell).
pub fn quote_arg(arg: &str) -> String {
    if arg.chars().all(|c| c.is_ascii_alphanumeric() || "/._-=:".contains(c)) {
        arg.to_string()
    } else {
        format!("\"{}\"", arg.replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordEntry;

    #[test]
    fn finds_keys_in_the_record() {
        let entry = RecordEntry {
            id: "x".into(),
            created_at: "t".into(),
            account: "123456789012".into(),
            kind: "iam-user".into(),
            user_name: Some("vendor".into()),
            role_name: None,
            policy_arn: None,
            inline_policy_name: None,
            created_user: true,
            created_policy: false,
            bucket: "b".into(),
            prefix: None,
            level: "read".into(),
            access_key_ids: vec!["AKIA1".into()],
            endpoint: None,
            ..Default::default()
        };
        let record = Record { version: 1, entries: vec![entry] };
        assert_eq!(key_ref_for(&record, "AKIA1").unwrap().entry_name(), "123456789012/vendor/AKIA1");
        assert!(key_ref_for(&record, "AKIA2").unwrap_err().to_string().contains("not a key this app created"));
    }

    #[test]
    fn profile_in_config_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "[default]\nregion = eu-west-1\n").unwrap();
        write_credential_process_profile_at(&path, "vendor", "/usr/bin/s3aw credential-process --access AKIA1", Some("us-east-1"), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[default]\nregion = eu-west-1\n\n[profile vendor]\ncredential_process = /usr/bin/s3aw credential-process --access AKIA1\nregion = us-east-1\n");
        assert_eq!(quote_arg("/opt/My Apps/s3aw"), "\"/opt/My Apps/s3aw\"");
    }

    /// The command to try names the granted folder: `aws s3 ls` alone needs s3:ListAllMyBuckets, which no
    /// level grants.
    #[test]
    fn the_first_command_works_with_the_level() {
        let entry = RecordEntry { bucket: "vendor-data".into(), prefix: Some("in box/".into()), level: "read".into(), ..Default::default() };
        assert_eq!(first_aws_command(&entry, "vendor"), "aws --profile vendor s3 ls 's3://vendor-data/in box/'");
        let upload = RecordEntry { level: "upload".into(), prefix: Some("in/".into()), endpoint: Some("http://127.0.0.1:5000".into()), ..entry.clone() };
        assert_eq!(first_aws_command(&upload, "up"), "aws --profile up --endpoint-url http://127.0.0.1:5000 s3 cp FILE s3://vendor-data/in/");
        let bucket = RecordEntry { prefix: None, level: "full".into(), ..entry.clone() };
        assert_eq!(first_aws_command(&bucket, "all"), "aws --profile all s3 ls s3://vendor-data/");
        let share = RecordEntry { kind: "share".into(), level: "share".into(), share_files: vec!["in/q1.pdf".into()], ..entry };
        assert_eq!(first_aws_command(&share, "s"), "aws --profile s s3 cp s3://vendor-data/in/q1.pdf .");
    }
}
