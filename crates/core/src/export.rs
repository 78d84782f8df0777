//! Exports the user asks for: the console's access-key CSV (and an `aws configure import` variant), and a
//! named profile in `~/.aws/credentials` that keeps every other profile and comment. Files holding secrets
//! are created owner-only (0600) and are never overwritten without `force`.

use crate::error::{Error, Result};
use crate::secret::AccessKey;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Which CSV layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvFormat {
    /// `Access key ID,Secret access key`: what the AWS console downloads.
    Console,
    /// `User name,Access key ID,Secret access key`: what `aws configure import` accepts.
    Importable,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV text. CRLF line endings, as the console writes.
pub fn credentials_csv(key: &AccessKey, user_name: &str, format: CsvFormat) -> String {
    let id = csv_field(&key.access_key_id);
    let secret = csv_field(key.secret_access_key.expose());
    match format {
        CsvFormat::Console => format!("Access key ID,Secret access key\r\n{id},{secret}\r\n"),
        CsvFormat::Importable => format!("User name,Access key ID,Secret access key\r\n{},{id},{secret}\r\n", csv_field(user_name)),
    }
}

/// Read an access key from a CSV as the AWS console downloads it (`Access key ID,Secret access key`, or with
/// a leading `User name` column). Returns the key and the user name when the file has one.
pub fn parse_credentials_csv(text: &str) -> Result<(AccessKey, Option<String>)> {
    let f = "CSV file";
    let mut lines = text.trim_start_matches('\u{feff}').lines().map(str::trim).filter(|l| !l.is_empty());
    let header: Vec<String> = lines.next().ok_or_else(|| Error::invalid(f, "the file is empty"))?.split(',').map(|h| h.trim().trim_matches('"').to_ascii_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(id_col), Some(secret_col)) = (col("access key id"), col("secret access key")) else {
        return Err(Error::invalid(f, "this is not an access key file from the AWS console: its first line must name the columns \"Access key ID\" and \"Secret access key\""));
    };
    let row = lines.next().ok_or_else(|| Error::invalid(f, "the file has column names but no key"))?;
    let fields: Vec<String> = row.split(',').map(|v| v.trim().trim_matches('"').to_string()).collect();
    let get = |i: usize| fields.get(i).cloned().filter(|v| !v.is_empty());
    let id = get(id_col).ok_or_else(|| Error::invalid(f, "the access key ID is missing"))?;
    let secret = get(secret_col).ok_or_else(|| Error::invalid(f, "the secret access key is missing"))?;
    Ok((AccessKey { access_key_id: id, secret_access_key: crate::secret::Secret::new(secret) }, col("user name").and_then(get)))
}

/// Write `contents` to `path` readable by the owner only. Refuses to replace a file unless `force`.
pub fn write_private_file(path: &Path, contents: &str, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::FileExists { path: path.to_path_buf() });
    }
    let io = |action: &'static str| move |source| Error::Io { action, path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io("create the folder for"))?;
    }
    // Write a private temporary file next to the target, then rename it into place: the secret is never
    // in a file anyone else can read, even for a moment, and a crash leaves no half-written file.
    let tmp = temp_path(path);
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io("create"))?;
        f.write_all(contents.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::Io { action: "write", path: path.to_path_buf(), source: e }
        })?;
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io { action: "write", path: path.to_path_buf(), source: e }
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.s3aw-{}.tmp", std::process::id()))
}

/// Write the CSV export.
pub fn write_csv(path: &Path, key: &AccessKey, user_name: &str, format: CsvFormat, force: bool) -> Result<()> {
    write_private_file(path, &credentials_csv(key, user_name, format), force)
}

/// Profile names that work in both the credentials file and `aws --profile`.
pub fn validate_profile_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Error::invalid("profile name", format!("\"{name}\" is not a usable profile name; use letters, digits, - _ and .")));
    }
    Ok(())
}

/// Insert or (with `force`) replace `[profile]` in an AWS INI text, keeping everything else byte for byte.
pub fn upsert_ini_section(text: &str, header: &str, body: &[(String, String)], force: bool, path: &Path) -> Result<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_header = |l: &str| {
        let t = l.trim();
        t.starts_with('[') && t.ends_with(']')
    };
    let start = lines.iter().position(|l| is_header(l) && l.trim()[1..l.trim().len() - 1].trim() == header);
    let new_section: String = std::iter::once(format!("[{header}]\n")).chain(body.iter().map(|(k, v)| format!("{k} = {v}\n"))).collect();
    match start {
        Some(_) if !force => Err(Error::ProfileExists { profile: header.trim_start_matches("profile ").to_string(), path: path.to_path_buf() }),
        Some(s) => {
            let end = lines.iter().skip(s + 1).position(|l| is_header(l)).map(|p| p + s + 1).unwrap_or(lines.len());
            // Keep comments and blank lines that trail the old section (they usually belong to the next one).
            let mut tail_start = end;
            while tail_start > s + 1 && {
                let t = lines[tail_start - 1].trim();
                t.is_empty() || t.starts_with('#') || t.starts_with(';')
            } {
                tail_start -= 1;
            }
            let mut out: String = lines[..s].concat();
            out.push_str(&new_section);
            out.push_str(&lines[tail_start..].concat());
            Ok(out)
        }
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&new_section);
            Ok(out)
        }
    }
}

/// Add the key as `[profile]` in the shared credentials file (`~/.aws/credentials` or
/// `AWS_SHARED_CREDENTIALS_FILE`), keeping every other profile and comment. Returns the file's path.
pub fn write_credentials_profile(profile: &str, key: &AccessKey, force: bool) -> Result<PathBuf> {
    write_credentials_profile_at(&crate::connect::credentials_file_path(), profile, key, force)
}

pub fn write_credentials_profile_at(path: &Path, profile: &str, key: &AccessKey, force: bool) -> Result<PathBuf> {
    validate_profile_name(profile)?;
    let body = [
        ("aws_access_key_id".to_string(), key.access_key_id.clone()),
        ("aws_secret_access_key".to_string(), key.secret_access_key.expose().to_string()),
    ];
    upsert_ini_file(path, profile, &body, force)
}

/// Insert or (with `force`) replace one section of an AWS INI file on disk, keeping the rest; the file is
/// written owner-only. Returns the file's path.
pub fn upsert_ini_file(path: &Path, header: &str, body: &[(String, String)], force: bool) -> Result<PathBuf> {
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(Error::Io { action: "read", path: path.to_path_buf(), source }),
    };
    let updated = upsert_ini_section(&existing, header, body, force, path)?;
    write_private_file(path, &updated, true)?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn key() -> AccessKey {
        AccessKey { access_key_id: "AKIAEXAMPLE".into(), secret_access_key: Secret::new("se/cr+et") }
    }

    #[test]
    fn csv_formats() {
        assert_eq!(credentials_csv(&key(), "bob", CsvFormat::Console), "Access key ID,Secret access key\r\nAKIAEXAMPLE,se/cr+et\r\n");
        assert_eq!(
            credentials_csv(&key(), "a,b", CsvFormat::Importable),
            "User name,Access key ID,Secret access key\r\n\"a,b\",AKIAEXAMPLE,se/cr+et\r\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_not_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/keys.csv");
        write_csv(&path, &key(), "bob", CsvFormat::Console, false).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let err = write_csv(&path, &key(), "bob", CsvFormat::Console, false).unwrap_err();
        assert_eq!(err.code(), "file_exists");
        write_csv(&path, &key(), "bob", CsvFormat::Importable, true).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("User name"));
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn profile_is_added_and_everything_else_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let original = "# my creds\n[default]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old # note\n\n; other\n[ci]\naws_access_key_id=AKIACI\n";
        std::fs::write(&path, original).unwrap();
        write_credentials_profile_at(&path, "vendor", &key(), false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "existing text kept byte for byte:\n{text}");
        assert!(text.ends_with("\n[vendor]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = se/cr+et\n"), "{text}");
        let err = write_credentials_profile_at(&path, "ci", &key(), false).unwrap_err();
        assert_eq!(err.code(), "profile_exists");
        // Replacing a profile in the middle keeps the ones around it and their comments.
        write_credentials_profile_at(&path, "default", &key(), true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# my creds\n[default]\naws_access_key_id = AKIAEXAMPLE\n"), "{text}");
        assert!(text.contains("\n; other\n[ci]\naws_access_key_id=AKIACI\n"), "{text}");
        assert!(!text.contains("AKIAOLD"));
        assert!(validate_profile_name("bad name").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn reads_console_csvs_back() {
        let key = AccessKey { access_key_id: "AKIAIOSFODNN7EXAMPLE".into(), secret_access_key: crate::secret::Secret::new("a/b+c") };
        for (format, user) in [(CsvFormat::Console, None), (CsvFormat::Importable, Some("vendor".to_string()))] {
            let (back, name) = parse_credentials_csv(&credentials_csv(&key, "vendor", format)).unwrap();
            assert_eq!(back.access_key_id, key.access_key_id);
            assert_eq!(back.secret_access_key.expose(), "a/b+c");
            assert_eq!(name, user);
        }
        assert!(parse_credentials_csv("name,value\nx,y\n").unwrap_err().to_string().contains("not an access key file"));
        assert!(parse_credentials_csv("Access key ID,Secret access key\n").unwrap_err().to_string().contains("no key"));
    }
}
