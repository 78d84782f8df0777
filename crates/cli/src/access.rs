//! `s3aw access ...`: what the app created, managed later. Parsing and printing only.

use crate::args::KeyFiles;
use crate::exit::{confirm, fail, print_json, print_progress, usage, CliResult, Exit};
use crate::{connect, Cli};
use clap::{Args, Subcommand};
use s3aw_core::access::revoke::{plan_revoke, revoke, RevokeOptions};
use s3aw_core::access::rotate::{delete_key, plan_rotation, revoke_user_sessions, rotate, RotateOptions};
use s3aw_core::access::{self, AccessStatus, Live};
use s3aw_core::credential_process::load_saved_key;
use s3aw_core::export;
use s3aw_core::keychain::Keychain;
use s3aw_core::probe::Backoff;
use s3aw_core::record::Record;
use s3aw_core::secret::{AccessKey, Secret};
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand)]
pub enum AccessCommand {
    /// Everything this app created or imported, with what AWS and the keychain hold now.
    List {
        /// Also find what the app made in this account that this computer's list does not have (IAM users
        /// and roles with its `created-by` tag: made on another computer, before a reinstall, or by a grant
        /// cut short). `s3aw access adopt NAME` adds one to the list.
        #[arg(long)]
        all: bool,
    },
    /// Add an IAM user or role the app made elsewhere (`access list --all` shows them) to this computer's
    /// list, so it can be rotated and revoked here. Nothing changes in AWS.
    Adopt {
        /// The IAM user's or role's name.
        name: String,
    },
    /// One access in detail, with its policy as it is in the account.
    Show {
        /// The access: its id, user or role name, or an access key id.
        access: String,
    },
    /// What an access can do, in plain yes/no lines, read from every policy its user or role holds now
    /// (inline, attached, its groups', and its permissions boundary).
    Explain {
        access: String,
        /// The bucket to ask about (for an imported key, which has none on record).
        #[arg(long)]
        bucket: Option<String>,
        /// The folder to ask about (default: the access's own).
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Why the other side gets an error with this access ("Access Denied", "SignatureDoesNotMatch", ...):
    /// the most likely cause in plain words, from the access's live state and the policies decided as AWS
    /// would. Reads only.
    Why {
        access: String,
        /// What they tried: s3:GetObject, s3:PutObject, s3:ListBucket, s3:DeleteObject (else read from the
        /// error text).
        #[arg(long)]
        action: Option<String>,
        /// The file (object name) they tried, or for a listing the folder.
        #[arg(long)]
        key: Option<String>,
        /// A file holding the error they saw (from the AWS CLI, boto3, rclone, Cyberduck), or - for stdin.
        #[arg(long)]
        error_text: Option<std::path::PathBuf>,
        /// They uploaded with their own encryption key (SSE-C; the error text does not say so).
        #[arg(long)]
        sse_c: bool,
    },
    /// Replace an access key: create a new one, save it, wait until it works, deactivate the old one.
    Rotate(RotateArgs),
    /// Delete one access key (in AWS, the keychain and the list), and cut off sessions made from the user's
    /// keys before now (a session made with the deleted key would otherwise live on for up to 36 hours).
    DeleteKey {
        access: String,
        /// The access key id to delete.
        #[arg(long)]
        key: String,
        /// Leave sessions made from the user's keys alone.
        #[arg(long)]
        keep_sessions: bool,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Remove everything the app created for an access: keys, policies, the user or role, saved secrets.
    Revoke {
        access: String,
        /// Also delete what the app did not create (a reused user, an imported key, an untagged policy).
        #[arg(long)]
        adopt: bool,
        /// Do not cut off sessions made before now (by default the first step refuses them).
        #[arg(long)]
        keep_sessions: bool,
        /// Only print what would be deleted.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Add an existing access key to the keychain and the list: from a console CSV, or an id with the
    /// secret read from stdin.
    Import {
        /// A CSV file as the AWS console downloads it.
        #[arg(long, conflicts_with = "access_key_id")]
        csv: Option<PathBuf>,
        /// The access key id; the secret is read from stdin (never from the command line).
        #[arg(long, required_unless_present = "csv")]
        access_key_id: Option<String>,
    },
    /// Write a saved key to a CSV file or a profile in ~/.aws/credentials (owner-only permissions).
    Export(ExportArgs),
    /// Write an access as CloudFormation or Terraform for your team's engine, with what exists marked for
    /// import. Changes nothing.
    ExportIac {
        access: String,
        /// cloudformation (YAML, or JSON for a .json file) or terraform.
        #[arg(long)]
        format: String,
        /// The file to write.
        file: PathBuf,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
pub struct RotateArgs {
    access: String,
    /// The key to replace (default: the one active key this app made for the user).
    #[arg(long)]
    key: Option<String>,
    /// Delete the old key at the end instead of only deactivating it (and cut off sessions made with it).
    #[arg(long)]
    delete_old: bool,
    /// With --delete-old: leave sessions made from the old key alone (they last up to 36 hours).
    #[arg(long, requires = "delete_old")]
    keep_sessions: bool,
    /// When the user already has two keys and one is inactive, delete that one first.
    #[arg(long)]
    delete_inactive: bool,
    /// Seconds to wait for AWS to accept the new key before giving up and keeping the old one.
    #[arg(long, default_value_t = 60)]
    wait_timeout: u64,
    /// Print the new secret access key (once). It is in the keychain either way.
    #[arg(long)]
    show_secret: bool,
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    access: String,
    /// Which key (default: the entry's only saved key).
    #[arg(long)]
    key: Option<String>,
    #[command(flatten)]
    files: KeyFiles,
}

pub async fn run(cli: &Cli, cmd: &AccessCommand) -> CliResult {
    let keychain = Keychain::from_env();
    match cmd {
        AccessCommand::List { all } => {
            let session = connect(cli).await?;
            let record = Record::load()?;
            let list = access::status(&session, &keychain, &record).await?;
            let elsewhere = if *all { access::elsewhere::find(&session, &record).await? } else { vec![] };
            if cli.json {
                print_json(json!(list.iter().map(status_json).chain(elsewhere.iter().map(elsewhere_json)).collect::<Vec<_>>()));
                return Ok(());
            }
            if list.is_empty() {
                println!("This app has not created or imported any access on this machine yet.");
            }
            for s in &list {
                print_status(s, false);
            }
            for e in &elsewhere {
                print_elsewhere(e);
            }
            Ok(())
        }
        AccessCommand::Adopt { name } => {
            let session = connect(cli).await?;
            let entry = access::elsewhere::adopt(&session, name).await?;
            if cli.json {
                print_json(json!({ "id": entry.id, "kind": entry.kind, "user_name": entry.user_name, "role_name": entry.role_name, "access_key_ids": entry.access_key_ids }));
            } else {
                println!("Added {} to this computer's list as {}. Its keys' secrets are not on this computer; rotate to get a key saved here, or revoke it.", entry.principal_label(), entry.id);
            }
            Ok(())
        }
        AccessCommand::Show { access: query } => {
            let session = connect(cli).await?;
            let record = Record::load()?;
            let entry = record.find(query)?;
            let one = Record { version: 1, entries: vec![entry.clone()] };
            let list = access::status(&session, &keychain, &one).await?;
            let s = list.first().ok_or_else(|| fail(Exit::Error, "other", "the entry vanished"))?;
            if cli.json {
                print_json(status_json(s));
            } else {
                print_status(s, true);
            }
            Ok(())
        }
        AccessCommand::Explain { access: query, bucket, prefix } => {
            let session = connect(cli).await?;
            let record = Record::load()?;
            let one = Record { version: 1, entries: vec![record.find(query)?.clone()] };
            let list = access::status(&session, &keychain, &one).await?;
            let s = list.first().ok_or_else(|| fail(Exit::Error, "other", "the entry vanished"))?;
            let lines = s3aw_core::explain::for_access(s, session.partition(), bucket.as_deref(), prefix.as_deref())?;
            if cli.json {
                print_json(json!({ "id": s.entry.id, "expired": s.expired(std::time::SystemTime::now()), "can": crate::exit::card_json(&lines) }));
            } else {
                println!("What {} can do:", s.entry.principal_label());
                crate::exit::print_card(&lines);
            }
            Ok(())
        }
        AccessCommand::Why { access: query, action, key, error_text, sse_c } => {
            let text = match error_text.as_deref() {
                None => String::new(),
                Some(p) if p.as_os_str() == "-" => {
                    let mut t = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin().take(1 << 20), &mut t).map_err(|e| fail(Exit::Error, "invalid_input", format!("could not read the error text from standard input: {e}")))?;
                    t
                }
                Some(p) => {
                    let bytes = std::fs::read(p).map_err(|source| s3aw_core::Error::Io { action: "read", path: p.to_path_buf(), source })?;
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            };
            let entry = Record::load()?.find(query)?.clone();
            let mut error = s3aw_core::why::read_error_text(&text);
            error.sse_c |= *sse_c;
            let attempt = s3aw_core::why::attempt_of(&entry, action.as_deref(), key.as_deref(), &error)?;
            let session = connect(cli).await?;
            let answer = s3aw_core::why::why(&session, &keychain, &entry, &attempt, &error).await?;
            if cli.json {
                print_json(json!({
                    "id": entry.id, "cause": answer.cause, "message": answer.message, "fix": answer.fix, "decided_by": answer.decided_by,
                    "action": attempt.action, "resource": attempt.resource, "prefix": attempt.prefix, "error_code": error.code,
                }));
            } else {
                println!("{}", crate::guide::plain(&answer.message));
                if let Some(f) = &answer.fix {
                    println!("What to do: {}", crate::guide::plain(f));
                }
            }
            Ok(())
        }
        AccessCommand::Rotate(args) => rotate_cmd(cli, &keychain, args).await,
        AccessCommand::DeleteKey { access: query, key, keep_sessions, yes } => {
            let session = connect(cli).await?;
            let entry = Record::load()?.find(query)?.clone();
            confirm(*yes, &format!("Delete access key {key} of {}? Whoever uses it loses access.", entry.principal_label()))?;
            delete_key(&session, &keychain, &entry, key).await?;
            let sessions_cut = if *keep_sessions {
                false
            } else {
                revoke_user_sessions(&session, &entry).await.map_err(|e| fail(Exit::Error, e.code(), format!("The key {key} is deleted, but sessions made with it could not be cut off: {e}")))?;
                true
            };
            if cli.json {
                print_json(json!({ "deleted": key, "sessions_cut_off": sessions_cut }));
            } else {
                println!("Deleted access key {key}.");
                if sessions_cut {
                    println!("Sessions made before now from the keys of {} are cut off.", entry.principal_label());
                }
            }
            Ok(())
        }
        AccessCommand::Revoke { access: query, adopt, keep_sessions, dry_run, yes } => {
            let session = connect(cli).await?;
            let entry = Record::load()?.find(query)?.clone();
            let plan = plan_revoke(&session, &entry, RevokeOptions { adopt: *adopt, keep_sessions: *keep_sessions }).await?;
            if cli.json && *dry_run {
                print_json(json!({
                    "id": entry.id,
                    "steps": plan.steps.iter().map(|s| json!({ "call": s.api_call(), "summary": s.summary() })).collect::<Vec<_>>(),
                    "kept": plan.kept,
                }));
                return Ok(());
            }
            eprintln!("Revoking {} ({}) deletes:", entry.principal_label(), entry.id);
            for (i, s) in plan.steps.iter().enumerate() {
                eprintln!("  {}. {}  [{}]", i + 1, s.summary(), s.api_call());
            }
            for k in &plan.kept {
                eprintln!("  Kept: {k}");
            }
            if *dry_run {
                eprintln!("Dry run: nothing was changed.");
                return Ok(());
            }
            confirm(*yes, "Delete all of this? It cannot be undone.")?;
            revoke(&session, &keychain, &plan, &mut print_progress).await.map_err(|f| fail(Exit::RollbackIncomplete, "revoke_incomplete", f.explain()))?;
            if cli.json {
                print_json(json!({ "revoked": entry.id, "steps": plan.steps.len(), "kept": plan.kept }));
            } else {
                println!("Revoked: {} no longer has the access, and nothing of it is left on this machine.", entry.principal_label());
            }
            Ok(())
        }
        AccessCommand::Import { csv, access_key_id } => {
            let key = match (csv, access_key_id) {
                (Some(path), _) => {
                    let text = std::fs::read_to_string(path).map_err(|e| fail(Exit::Error, "io", format!("could not read {}: {e}", path.display())))?;
                    export::parse_credentials_csv(&text)?.0
                }
                (None, Some(id)) => {
                    let mut secret = String::new();
                    let read = if std::io::stdin().is_terminal() {
                        eprint!("Paste the secret access key for {id} and press Enter: ");
                        std::io::stdin().read_line(&mut secret).map(|_| ())
                    } else {
                        std::io::stdin().read_to_string(&mut secret).map(|_| ())
                    };
                    read.map_err(|e| fail(Exit::Error, "io", format!("could not read the secret from stdin: {e}")))?;
                    let secret = secret.trim().to_string();
                    if secret.is_empty() {
                        return Err(fail(Exit::Error, "invalid_input", "secret access key: nothing was given on stdin"));
                    }
                    AccessKey { access_key_id: id.trim().to_string(), secret_access_key: Secret::new(secret) }
                }
                (None, None) => return Err(usage("give --csv FILE or --access-key-id ID")),
            };
            let session = connect(cli).await?;
            let entry = access::import_key(&session, &keychain, key).await?;
            if cli.json {
                print_json(json!({ "id": entry.id, "user_name": entry.user_name, "account": entry.account, "access_key_id": entry.access_key_ids.first() }));
            } else {
                println!("Imported {} of {} (account {}). Its secret is in your keychain.", entry.access_key_ids.join(", "), entry.principal_label(), entry.account);
            }
            Ok(())
        }
        AccessCommand::Export(args) => export_cmd(cli, &keychain, args).await,
        AccessCommand::ExportIac { access: query, format, file, force } => {
            let format = s3aw_core::iac::IacFormat::parse(format, file)?;
            if file.exists() && !force {
                // Checked before connecting; the export's other files are checked when it is written.
                return Err(s3aw_core::Error::FileExists { path: file.clone() }.into());
            }
            let session = connect(cli).await?;
            let one = Record { version: 1, entries: vec![Record::load()?.find(query)?.clone()] };
            let list = access::status(&session, &keychain, &one).await?;
            let s = list.first().ok_or_else(|| fail(Exit::Error, "other", "the entry vanished"))?;
            let files = s3aw_core::iac::IacModel::from_access(&session, s).await?.write(format, file, *force)?;
            if cli.json {
                print_json(json!({ "exported": file, "files": files, "id": s.entry.id }));
            } else {
                println!("Wrote {} for {}. What it declares exists already: import it (the file says how).", crate::exit::file_list(&files), s.entry.principal_label());
            }
            Ok(())
        }
    }
}

async fn rotate_cmd(cli: &Cli, keychain: &Keychain, args: &RotateArgs) -> CliResult {
    let session = connect(cli).await?;
    let entry = Record::load()?.find(&args.access)?.clone();
    let opts = RotateOptions { old_key: args.key.clone(), delete_old: args.delete_old, keep_sessions: args.keep_sessions };
    let plan = plan_rotation(&session, &entry, &opts).await?;
    if let (Some(inactive), false) = (plan.deletes_inactive_key(), args.delete_inactive) {
        return Err(fail(
            Exit::Error,
            "key_limit",
            format!("{} already has two keys, the most AWS allows. Add --delete-inactive to delete the inactive key {inactive} first. Nothing was changed.", entry.principal_label()),
        ));
    }
    eprintln!("Rotating the key {} of {}:", plan.old_key_id, entry.principal_label());
    for (i, s) in plan.summaries().iter().enumerate() {
        eprintln!("  {}. {s}", i + 1);
    }
    confirm(args.yes, "Go ahead?")?;
    let backoff = Backoff { budget: Duration::from_secs(args.wait_timeout), ..Backoff::default() };
    let done = rotate(&session, keychain, &plan, &backoff, &mut print_progress).await.map_err(|f| {
        let exit = if f.clean { Exit::RolledBack } else { Exit::RollbackIncomplete };
        fail(exit, if f.clean { "rolled_back" } else { "rotation_incomplete" }, f.explain())
    })?;
    if cli.json {
        let mut out = json!({
            "new_access_key_id": done.new_key.access_key_id,
            "old_access_key_id": done.old_key_id,
            "old_key": if done.old_deleted { "deleted" } else { "inactive" },
            "keychain": { "service": keychain.service(), "entry": done.keychain_entry.entry_name() },
        });
        if args.show_secret {
            out["secret_access_key"] = json!(done.new_key.secret_access_key.expose());
        }
        print_json(out);
    } else {
        println!("New key {} works and its secret is in your keychain.", done.new_key.access_key_id);
        if done.old_deleted {
            println!("The old key {} is deleted.", done.old_key_id);
        } else {
            println!("The old key {} is deactivated. Delete it once nothing uses it: s3aw access delete-key {} --key {}", done.old_key_id, entry.id, done.old_key_id);
        }
        if args.show_secret {
            println!("Secret access key: {}", done.new_key.secret_access_key.expose());
        }
    }
    Ok(())
}

async fn export_cmd(cli: &Cli, keychain: &Keychain, args: &ExportArgs) -> CliResult {
    let files = &args.files;
    if !files.any() {
        return Err(usage("say where the key goes: --csv FILE, --aws-profile NAME, --rclone FILE or --cyberduck FILE"));
    }
    files.check()?;
    let record = Record::load()?;
    let entry = record.find(&args.access)?;
    let key_id = match (&args.key, entry.access_key_ids.as_slice()) {
        (Some(k), _) => k.clone(),
        (None, [one]) => one.clone(),
        (None, []) => return Err(fail(Exit::Error, "invalid_input", format!("{} has no saved access key", entry.principal_label()))),
        (None, many) => return Err(fail(Exit::Error, "invalid_input", format!("{} has several keys ({}); choose one with --key", entry.principal_label(), many.join(", ")))),
    };
    let key = load_saved_key(keychain, &key_id).await?;
    let user = entry.user_name.clone().unwrap_or_default();
    let mut out = json!({ "access_key_id": key_id });
    if let Some(path) = &files.csv {
        export::write_csv(path, &key, &user, files.csv_format.into(), files.force)?;
        out["csv"] = json!(path);
        if !cli.json {
            println!("Wrote {} (readable by you only).", path.display());
        }
    }
    if let Some(p) = &files.aws_profile {
        let path = export::write_credentials_profile(p, &key, files.force)?;
        out["profile"] = json!({ "name": p, "file": path });
        if !cli.json {
            println!("Added [{p}] to {}.", path.display());
        }
    }
    if files.rclone.is_some() || files.cyberduck.is_some() {
        let session = connect(cli).await?;
        let target = s3aw_core::kit::KitTarget::for_entry(&session, entry).await?;
        for (what, path) in files.write_kit(&target, &key)? {
            out[what] = json!(path);
            if !cli.json {
                match what {
                    "rclone" => println!("Wrote the rclone remote to {} (readable by you only; it holds the secret).", path.display()),
                    _ => println!("Wrote the Cyberduck bookmark to {} (no secret in it).", path.display()),
                }
            }
        }
    }
    if cli.json {
        print_json(out);
    }
    Ok(())
}

fn live_word(l: &Live) -> String {
    match l {
        Live::Exists => "exists".into(),
        Live::Deleted => "deleted outside this app".into(),
        Live::Unchecked(why) => format!("not checked: {why}"),
    }
}

fn status_json(s: &AccessStatus) -> serde_json::Value {
    let e = &s.entry;
    let now = std::time::SystemTime::now();
    let limits = s.limits();
    json!({
        "ends_at": limits.ends_at, "expired": s.expired(std::time::SystemTime::now()), "source_ips": limits.source_ips,
        "id": e.id, "kind": e.kind, "account": e.account, "created_at": e.created_at,
        "user_name": e.user_name, "role_name": e.role_name, "bucket": e.bucket, "prefix": e.prefix, "level": e.level,
        "policy_arn": e.policy_arn, "inline_policy_name": e.inline_policy_name, "endpoint": e.endpoint,
        "state": match &s.principal { Live::Exists => "exists", Live::Deleted => "deleted", Live::Unchecked(_) => "unchecked" },
        "state_detail": live_word(&s.principal),
        "keys": s.keys.iter().map(|k| json!({
            "access_key_id": k.access_key_id, "status": k.status, "created": k.created, "last_used": k.last_used,
            "age_days": k.age_days(now), "rotation_due": k.rotation_due(now, access::key_max_age_days()),
            "last_used_service": k.last_used_service, "in_keychain": k.in_keychain, "recorded": k.recorded,
        })).collect::<Vec<_>>(),
        "policy": s.policy_document,
    })
}

/// What the app made elsewhere, as `access list --all --json` lists it beside the recorded entries.
fn elsewhere_json(e: &access::elsewhere::Elsewhere) -> serde_json::Value {
    json!({
        "made_elsewhere": true, "kind": e.kind, "created_at": e.created,
        "user_name": (e.kind == "iam-user").then_some(&e.name), "role_name": (e.kind == "role").then_some(&e.name),
        "keys": e.keys.iter().map(|(id, status)| json!({ "access_key_id": id, "status": status, "in_keychain": false, "recorded": false })).collect::<Vec<_>>(),
    })
}

fn print_elsewhere(e: &access::elsewhere::Elsewhere) {
    println!("{} — made by the app elsewhere (not in this computer's list)", e.label());
    if let Some(c) = &e.created {
        println!("  created {c}");
    }
    for (id, status) in &e.keys {
        println!("  key {id}: {status}, no secret on this computer");
    }
    println!("  `s3aw access adopt {}` adds it to the list here; then `s3aw access revoke {}` removes it.", e.name, e.name);
}

fn print_status(s: &AccessStatus, details: bool) {
    let e = &s.entry;
    let what = if e.kind == "imported" {
        "imported key".to_string()
    } else {
        format!("{} access to s3://{}/{}", e.level, e.bucket, e.prefix.as_deref().unwrap_or(""))
    };
    println!("{}\n  {}: {what}\n  {}; account {}, created {}", e.id, e.principal_label(), live_word(&s.principal), e.account, e.created_at);
    let limits = s.limits();
    if let Some(end) = &limits.ends_at {
        if s.expired(std::time::SystemTime::now()) {
            println!("  EXPIRED on {}: AWS refuses it now; `s3aw access revoke {}` cleans it up", s3aw_core::limits::describe_end(end), e.id);
        } else {
            println!("  ends {}", s3aw_core::limits::describe_end(end));
        }
    }
    if !limits.source_ips.is_empty() {
        println!("  only from {}", limits.source_ips.join(", "));
    }
    for k in &s.keys {
        let status = k.status.as_deref().unwrap_or("gone from AWS");
        let used = match (&k.last_used, &k.last_used_service) {
            (Some(t), Some(svc)) => format!("last used {t} ({svc})"),
            (Some(t), None) => format!("last used {t}"),
            _ => "never used".into(),
        };
        let saved = if k.in_keychain { "secret in keychain" } else { "secret not on this machine" };
        let (now, max_age) = (std::time::SystemTime::now(), access::key_max_age_days());
        let age = match k.age_days(now) {
            Some(0) => ", made today".to_string(),
            Some(1) => ", made 1 day ago".to_string(),
            Some(d) => format!(", made {d} days ago"),
            None => String::new(),
        };
        println!("  key {}: {status}{age}, {used}, {saved}", k.access_key_id);
        if k.rotation_due(now, max_age) {
            println!("    older than {max_age} days: rotate it (s3aw access rotate {})", s.entry.id);
        }
    }
    if details {
        if let Some(p) = &s.policy_document {
            println!("  policy:\n{}", serde_json::to_string_pretty(p).unwrap_or_default());
        }
    }
}
