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

/// The one CSV writer for everything the app writes as CSV (key files, link lists): RFC 4180 quoting by
/// the `csv` crate. Key files end lines with CRLF, as the console writes them; link lists with LF.
pub struct CsvWriter<W: std::io::Write> {
    inner: csv::Writer<W>,
}

impl<W: std::io::Write> CsvWriter<W> {
    /// CRLF line endings, as the AWS console's key files.
    pub fn new(out: W) -> Self {
        CsvWriter { inner: csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out) }
    }

    /// LF line endings.
    pub fn with_lf(out: W) -> Self {
        CsvWriter { inner: csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out) }
    }

    pub fn row<I, T>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.inner.write_record(cells).map_err(csv_error)
    }

    pub fn finish(mut self) -> Result<()> {
        self.inner.flush().map_err(|source| Error::Io { action: "write", path: "the CSV file".into(), source })
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Io { action: "write", path: "the CSV file".into(), source: std::io::Error::other(e.to_string()) }
}

/// A cell a spreadsheet will show as text: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is a formula in Excel, LibreOffice and Google Sheets (OWASP's CSV injection), so it gets a
/// leading `'`. For cells whose content others chose (object keys), never for keys and secrets that
/// tools read back.
pub fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV text. CRLF line endings, as the console writes.
pub fn credentials_csv(key: &AccessKey, user_name: &str, format: CsvFormat) -> String {
    let mut buf = Vec::new();
    {
        let mut w = CsvWriter::new(&mut buf);
        let written = match format {
            CsvFormat::Console => w.row(["Access key ID", "Secret access key"]).and_then(|_| w.row([key.access_key_id.as_str(), key.secret_access_key.expose()])),
            CsvFormat::Importable => w
                .row(["User name", "Access key ID", "Secret access key"])
                .and_then(|_| w.row([user_name, key.access_key_id.as_str(), key.secret_access_key.expose()])),
        };
        // Writing into memory cannot fail.
        let _ = written.and_then(|_| w.finish());
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    zeroize::Zeroize::zeroize(&mut buf);
    text
}

/// Read an access key from a CSV as the AWS console downloads it (`Access key ID,Secret access key`, or with
/// a `User name` column, in any order; a UTF-8 BOM and CRLF line endings are fine). Returns the key and the
/// user name when the file has one. Quoted fields (a user name with a comma) are read as the `csv` crate
/// reads them.
pub fn parse_credentials_csv(text: &str) -> Result<(AccessKey, Option<String>)> {
    let f = "CSV file";
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Error::invalid(f, "the file is empty"));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().map_err(|e| Error::invalid(f, format!("it cannot be read as CSV ({e})")))?.iter().map(|h| h.to_ascii_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(id_col), Some(secret_col)) = (col("access key id"), col("secret access key")) else {
        return Err(Error::invalid(f, "this is not an access key file from the AWS console: its first line must name the columns \"Access key ID\" and \"Secret access key\""));
    };
    let row = reader
        .records()
        .filter_map(|r| r.ok())
        .find(|r| r.iter().any(|v| !v.is_empty()))
        .ok_or_else(|| Error::invalid(f, "the file has column names but no key"))?;
    let get = |i: usize| row.get(i).map(str::to_string).filter(|v| !v.is_empty());
    let id = get(id_col).ok_or_else(|| Error::invalid(f, "the access key ID is missing"))?;
    let secret = get(secret_col).ok_or_else(|| Error::invalid(f, "the secret access key is missing"))?;
    Ok((AccessKey { access_key_id: id, secret_access_key: crate::secret::Secret::new(secret) }, col("user name").and_then(get)))
}

/// Write `contents` to `path` readable by the owner only. Refuses to replace a file unless `force`.
pub fn write_private_file(path: &Path, contents: &str, force: bool) -> Result<()> {
    write_private_bytes(path, contents.as_bytes(), force)
}

/// [`write_private_file`] for bytes.
pub fn write_private_bytes(path: &Path, contents: &[u8], force: bool) -> Result<()> {
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
        // Windows has no file mode: the file is created with a DACL that allows only this user.
        #[cfg(windows)]
        let mut f = crate::winacl::create_owner_only(&tmp).map_err(io("create"))?;
        #[cfg(not(windows))]
        let mut f = {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            opts.open(&tmp).map_err(io("create"))?
        };
        f.write_all(contents).and_then(|_| f.sync_all()).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::Io { action: "write", path: path.to_path_buf(), source: e }
        })?;
    }
    replace_file(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io { action: "write", path: path.to_path_buf(), source: e }
    })
}

/// Rename `from` over `to`. Windows refuses to replace a file while another program has it open (the AWS
/// CLI reading `~/.aws/credentials`, a virus scanner, a backup tool): "Access denied" until that program
/// closes it, which is a matter of milliseconds. The rename is tried again for up to two seconds, as Go's
/// toolchain and npm do, before the error is said; elsewhere a rename replaces an open file at once.
fn replace_file(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        let start = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(2);
        loop {
            match std::fs::rename(from, to) {
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && start.elapsed() < std::time::Duration::from_secs(2) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }
    #[cfg(not(windows))]
    std::fs::rename(from, to)
}

/// A temporary name beside `path` that no other writer uses at the same time: this process's id and a
/// number of its own, so two threads (or two windows of the app) never share one.
fn temp_path(path: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    path.with_file_name(format!(".{name}.s3aw-{}-{n}.tmp", std::process::id()))
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

/// Every section name, key and value written to `~/.aws/config` or `credentials` is one line of plain
/// text: a line break or another control character would add a line of its own (a `credential_process`
/// an attacker chose, say), so it is refused.
pub fn check_ini_values(header: &str, body: &[(String, String)]) -> Result<()> {
    for (what, text) in std::iter::once(("section name", header)).chain(body.iter().flat_map(|(k, v)| [("key", k.as_str()), ("value", v.as_str())])) {
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(Error::invalid("AWS config file", format!("the {what} {:?} holds the control character {:?}; a line of the file must be one line of text", text.escape_debug().to_string(), c)));
        }
        if what == "section name" && text.contains([']', '[']) {
            return Err(Error::invalid("AWS config file", format!("the section name {text:?} holds a bracket")));
        }
    }
    Ok(())
}

/// Insert or (with `force`) replace `[profile]` in an AWS INI text, keeping everything else byte for byte.
pub fn upsert_ini_section(text: &str, header: &str, body: &[(String, String)], force: bool, path: &Path) -> Result<String> {
    check_ini_values(header, body)?;
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

/// The lines of `[header]` in an INI text: (the header's line, the line after its last key).
fn ini_section_span(lines: &[&str], header: &str) -> Option<(usize, usize)> {
    let is_header = |l: &str| {
        let t = l.trim();
        t.starts_with('[') && t.ends_with(']')
    };
    let start = lines.iter().position(|l| is_header(l) && l.trim()[1..l.trim().len() - 1].trim() == header)?;
    let mut end = lines.iter().skip(start + 1).position(|l| is_header(l)).map(|p| p + start + 1).unwrap_or(lines.len());
    // Comments and blank lines trailing the section usually belong to the next one.
    while end > start + 1 && {
        let t = lines[end - 1].trim();
        t.is_empty() || t.starts_with('#') || t.starts_with(';')
    } {
        end -= 1;
    }
    Some((start, end))
}

/// Set `keys` in `[header]` (adding the section when missing), keeping the section's other keys and the
/// rest of the text byte for byte.
pub fn set_ini_keys(text: &str, header: &str, keys: &[(String, String)]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some((start, end)) = ini_section_span(&lines, header) else {
        return upsert_ini_section(text, header, keys, true, Path::new("")).unwrap_or_else(|_| text.to_string());
    };
    let key_of = |l: &str| l.split_once('=').map(|(k, _)| k.trim().to_string());
    let mut body: Vec<String> = lines[start + 1..end].iter().map(|l| l.to_string()).collect();
    if let Some(last) = body.last_mut() {
        if !last.ends_with('\n') {
            last.push('\n');
        }
    }
    for (k, v) in keys {
        match body.iter().position(|l| key_of(l).as_deref() == Some(k.as_str())) {
            Some(i) => body[i] = format!("{k} = {v}\n"),
            None => body.push(format!("{k} = {v}\n")),
        }
    }
    let mut out: String = lines[..=start].concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&body.concat());
    out.push_str(&lines[end..].concat());
    out
}

/// The value of `key` in `[header]` of an INI text, when set.
pub fn ini_value(text: &str, header: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (start, end) = ini_section_span(&lines, header)?;
    lines[start + 1..end].iter().find_map(|l| l.split_once('=').filter(|(k, _)| k.trim() == key).map(|(_, v)| v.trim().to_string()))
}

/// Remove `keys` from `[header]` of an INI text, keeping the section (and everything else) byte for byte.
pub fn remove_ini_keys(text: &str, header: &str, keys: &[&str]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some((start, end)) = ini_section_span(&lines, header) else { return text.to_string() };
    let named = |l: &&str| l.split_once('=').is_some_and(|(k, _)| keys.contains(&k.trim()));
    let body: String = lines[start + 1..end].iter().filter(|l| !named(l)).copied().collect();
    lines[..=start].concat() + &body + &lines[end..].concat()
}

/// Remove `[header]` and its keys from an INI text, keeping the rest byte for byte. `None` when absent.
pub fn remove_ini_section(text: &str, header: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (start, end) = ini_section_span(&lines, header)?;
    Some(lines[..start].concat() + &lines[end..].concat())
}

/// Read, change and write back (owner-only) an AWS INI file; a file that is not there reads as empty.
/// The file is locked from reading to writing (another s3aw process waits its turn), and a symlink is
/// followed: the file it points to is rewritten, the link stays.
pub fn edit_ini_file(path: &Path, change: impl FnOnce(&str) -> String) -> Result<()> {
    let path = &followed(path);
    let _lock = crate::lock::exclusive(path)?;
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(Error::Io { action: "read", path: path.to_path_buf(), source }),
    };
    let updated = change(&existing);
    if updated != existing {
        write_private_file(path, &updated, true)?;
    }
    Ok(())
}

/// Add the key as `[profile]` in the shared credentials file (`~/.aws/credentials` or
/// `AWS_SHARED_CREDENTIALS_FILE`), keeping every other profile and comment. Returns the file's path.
pub fn write_credentials_profile(profile: &str, key: &AccessKey, force: bool) -> Result<PathBuf> {
    write_credentials_profile_at(&crate::paths::credentials_file_path()?, profile, key, force)
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
/// written owner-only, under the file's lock, through a symlink (as [`edit_ini_file`]). Returns the path
/// as given.
pub fn upsert_ini_file(given: &Path, header: &str, body: &[(String, String)], force: bool) -> Result<PathBuf> {
    let path = &followed(given);
    let _lock = crate::lock::exclusive(path)?;
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(Error::Io { action: "read", path: path.to_path_buf(), source }),
    };
    let updated = upsert_ini_section(&existing, header, body, force, given)?;
    write_private_file(path, &updated, true)?;
    Ok(given.to_path_buf())
}

/// The file a path names, through symlinks (a dotfiles manager's `~/.aws/config -> dotfiles/aws/config`),
/// so a rename puts the new text there and the link stays. A path that is no link is itself.
fn followed(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..32 {
        match std::fs::read_link(&p) {
            Ok(target) => p = p.parent().map(|d| d.join(&target)).unwrap_or(target),
            Err(_) => break,
        }
    }
    p
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

    /// IAM user names may hold commas (and our writer quotes them); reading such a file back must take the
    /// key id from its own column, not from wherever a naive split puts it.
    #[test]
    fn user_names_with_commas_and_quotes_round_trip() {
        let key = AccessKey { access_key_id: "AKIAIOSFODNN7EXAMPLE".into(), secret_access_key: crate::secret::Secret::new("s,e\"cret") };
        for user in ["a,b", "x\"y", "=cmd,@x"] {
            let text = credentials_csv(&key, user, CsvFormat::Importable);
            let (back, name) = parse_credentials_csv(&text).unwrap();
            assert_eq!(back.access_key_id, "AKIAIOSFODNN7EXAMPLE", "{text}");
            assert_eq!(back.secret_access_key.expose(), "s,e\"cret");
            assert_eq!(name.as_deref(), Some(user));
        }
    }

    #[test]
    fn spreadsheet_formulas_are_neutralised() {
        for (cell, safe) in [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("photos/a.jpg", "photos/a.jpg"), ("", "")] {
            assert_eq!(spreadsheet_safe(cell), safe);
        }
        let mut buf = Vec::new();
        let mut w = CsvWriter::new(&mut buf);
        w.row(crate::presign::links_csv_row("=1+1,\"x\"", "https://u", "t")).unwrap();
        w.finish().unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "\"'=1+1,\"\"x\"\"\",https://u,t\r\n");
        let mut buf = Vec::new();
        let mut w = CsvWriter::with_lf(&mut buf);
        w.row(["a", "b"]).unwrap();
        w.finish().unwrap();
        assert_eq!(buf, b"a,b\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_written_through_the_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
        let target = dir.path().join("dotfiles/config");
        std::fs::write(&target, "[default]\nregion = eu-west-1\n").unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink("dotfiles/config", &link).unwrap();
        upsert_ini_file(&link, "profile x", &[("a".into(), "b".into())], false).unwrap();
        edit_ini_file(&link, |t| set_ini_keys(t, "profile x", &[("c".into(), "d".into())])).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "[default]\nregion = eu-west-1\n\n[profile x]\na = b\nc = d\n");
    }

    /// Many writers at once (threads here, processes in the e2e suite): every one's profile is kept.
    #[test]
    fn writers_at_once_keep_every_profile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::thread::scope(|s| {
            for i in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for round in 0..4 {
                        edit_ini_file(path, |t| set_ini_keys(t, &format!("p{i}"), &[("k".into(), format!("{i}.{round}"))])).unwrap();
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        for i in 0..8 {
            assert!(text.contains(&format!("[p{i}]\nk = {i}.3\n")), "{text}");
        }
    }

    #[test]
    fn ini_values_with_line_breaks_or_control_characters_are_refused() {
        let injected = vec![("role_arn".to_string(), "arn:aws:iam::1:role/x\ncredential_process = /tmp/evil".to_string())];
        let err = upsert_ini_section("", "profile p", &injected, true, Path::new("config")).unwrap_err().to_string();
        assert!(err.contains("control character"), "{err}");
        assert!(upsert_ini_section("", "profile p]\n[default", &[], true, Path::new("config")).is_err());
        assert!(upsert_ini_section("", "profile p", &[("region".into(), "eu\u{1b}west".into())], true, Path::new("config")).is_err());
        upsert_ini_section("", "profile p", &[("region".into(), "eu-west-1".into())], true, Path::new("config")).unwrap();
    }

    #[test]
    fn ini_keys_are_read_and_removed_one_by_one() {
        let text = "[profile me]\nlogin_session = arn:aws:iam::1:user/a\nregion = eu-west-1\n\n[profile other]\nlogin_session = x\n";
        assert_eq!(ini_value(text, "profile me", "region").as_deref(), Some("eu-west-1"));
        assert_eq!(ini_value(text, "profile me", "output"), None);
        assert_eq!(remove_ini_keys(text, "profile me", &["login_session"]), "[profile me]\nregion = eu-west-1\n\n[profile other]\nlogin_session = x\n");
        assert_eq!(remove_ini_keys(text, "profile gone", &["login_session"]), text);
    }

    #[test]
    fn ini_keys_are_set_and_sections_removed_keeping_the_rest() {
        let text = "# top\n[default]\nregion = eu-west-1\n\n[profile me]\noutput = json\nregion=us-east-1\n; about next\n[profile other]\nx = 1\n";
        let set = set_ini_keys(text, "profile me", &[("login_session".into(), "arn:aws:iam::1:user/a".into()), ("region".into(), "eu-central-1".into())]);
        assert_eq!(set, "# top\n[default]\nregion = eu-west-1\n\n[profile me]\noutput = json\nregion = eu-central-1\nlogin_session = arn:aws:iam::1:user/a\n; about next\n[profile other]\nx = 1\n");
        assert_eq!(remove_ini_section(&set, "profile me").unwrap(), "# top\n[default]\nregion = eu-west-1\n\n; about next\n[profile other]\nx = 1\n");
        assert!(remove_ini_section(text, "profile nobody").is_none());
        assert_eq!(set_ini_keys("", "profile new", &[("a".into(), "b".into())]), "[profile new]\na = b\n");
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
        // The console's own file: a BOM and CRLF line endings.
        let (k, _) = parse_credentials_csv("\u{feff}Access key ID,Secret access key\r\nAKIAIOSFODNN7EXAMPLE,a/b+c\r\n").unwrap();
        assert_eq!((k.access_key_id.as_str(), k.secret_access_key.expose()), ("AKIAIOSFODNN7EXAMPLE", "a/b+c"));
        assert!(parse_credentials_csv("Access key ID,Secret access key\n").unwrap_err().to_string().contains("no key"));
    }
}
