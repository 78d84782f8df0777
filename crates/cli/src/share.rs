//! `s3aw share create|list|stop|extend`: links signed with a key made for the share, so they can be stopped.

use crate::exit::{confirm, fail, print_json, print_progress, review_plan, run_plan, CliResult, Exit};
use crate::{connect, Cli};
use clap::{Args, Subcommand};
use s3aw_core::access::revoke::{plan_revoke, revoke, RevokeOptions};
use s3aw_core::keychain::Keychain;
use s3aw_core::presign::{parse_expiry, Link};
use s3aw_core::probe::{wait_until_key_works, Backoff};
use s3aw_core::record::{format_time, Record, RecordEntry};
use s3aw_core::share::{self, ShareRequest};
use s3aw_core::Error;
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ShareCommand {
    /// Links to files (or to every file of a folder) signed with a key made for this share alone, so that
    /// `s3aw share stop` can stop them all at once before they expire.
    Create(CreateArgs),
    /// The shares this app made: files or folder, number of links, end.
    List,
    /// Stop every link of a share now: the share's key and its user are deleted.
    Stop {
        /// The share's id (from `s3aw share list`).
        share: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Move a share's end and sign its links again (the old links keep their old end).
    Extend {
        share: String,
        /// How long from now: 90s, 15m, 12h, 7d (at most 7d).
        #[arg(long)]
        expires: String,
        #[command(flatten)]
        out: LinksOut,
    },
}

#[derive(Args)]
pub struct CreateArgs {
    /// s3://BUCKET/FOLDER/: the folder to share, or where the --keys are.
    target: String,
    /// Share only these files: names in the folder, or full keys (repeat, or separate with spaces).
    #[arg(long, num_args = 1..)]
    keys: Vec<String>,
    /// How long the links work: 90s, 15m, 12h, 7d (at most 7d). The share's key ends then too.
    #[arg(long, default_value = "7d")]
    expires: String,
    #[command(flatten)]
    out: LinksOut,
    /// Print the plan and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Create without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

/// Where the links go: a CSV (owner-only) or, without one, the output.
#[derive(Args)]
pub struct LinksOut {
    /// Write the links to this CSV file (key,url,expires_at; readable by you only).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Overwrite the CSV if it exists.
    #[arg(long)]
    force: bool,
}

impl LinksOut {
    fn check(&self) -> Result<(), Error> {
        match &self.csv {
            Some(p) if p.exists() && !self.force => Err(Error::FileExists { path: p.clone() }),
            _ => Ok(()),
        }
    }

    fn write(&self, links: &[Link]) -> Result<(), Error> {
        if let Some(path) = &self.csv {
            s3aw_core::presign::write_links_csv(path, links, self.force)?;
        }
        Ok(())
    }
}

fn parse_target(target: &str) -> Result<(String, Option<String>), Error> {
    let rest = target.strip_prefix("s3://").ok_or_else(|| Error::Invalid { field: "share", message: format!("\"{target}\" is not an S3 address; write it as s3://bucket/folder/") })?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    Ok((bucket.to_string(), s3aw_core::validate::folder(prefix)?))
}

pub async fn run(cli: &Cli, cmd: &ShareCommand) -> CliResult {
    let keychain = Keychain::from_env();
    match cmd {
        ShareCommand::Create(args) => create(cli, &keychain, args).await,
        ShareCommand::List => list(cli, &keychain).await,
        ShareCommand::Stop { share: id, yes } => stop(cli, &keychain, id, *yes).await,
        ShareCommand::Extend { share: id, expires, out } => {
            out.check()?;
            let expires = parse_expiry(expires)?;
            let session = connect(cli).await?;
            let entry = find_share(id)?;
            let (updated, links) = share::extend(&session, &keychain, &entry, expires).await?;
            out.write(&links)?;
            print_links(cli, &updated, &links, out.csv.as_deref());
            Ok(())
        }
    }
}

fn find_share(query: &str) -> Result<RecordEntry, Error> {
    let record = Record::load()?;
    let entry = record.find(query)?;
    if entry.kind != share::KIND {
        return Err(Error::Invalid { field: "share", message: format!("{} is not a share; `s3aw share list` shows the shares", entry.id) });
    }
    Ok(entry.clone())
}

async fn create(cli: &Cli, keychain: &Keychain, args: &CreateArgs) -> CliResult {
    let (bucket, prefix) = parse_target(&args.target)?;
    let files: Vec<String> = args
        .keys
        .iter()
        .flat_map(|k| k.split_whitespace())
        .map(|k| match &prefix {
            Some(p) if !k.starts_with(p.as_str()) => format!("{p}{k}"),
            _ => k.to_string(),
        })
        .collect();
    let req = ShareRequest { bucket, prefix, files, expires_in: parse_expiry(&args.expires)? };
    req.validate()?;
    args.out.check()?;
    if !args.dry_run {
        let k = keychain.clone();
        if let Err(e) = s3aw_core::keychain::run_blocking(move || k.check_available()).await {
            return Err(fail(Exit::Error, e.code(), format!("{e}\nA share keeps its key in the keychain, to sign its links again later. Nothing was changed.")));
        }
    }
    let session = connect(cli).await?;
    let plan = share::plan_share(&session, &req, keychain.service()).await?;
    let analysis = s3aw_core::analyzer::check_plan(&session, &plan).await;
    if !review_plan(cli.json, args.dry_run, args.yes, &plan, &analysis)? {
        return Ok(());
    }
    let applied = run_plan(&session, &plan, Some(keychain)).await?;
    let entry = share::remember(&session, &plan, &applied, &req)?;
    if let Some(key) = &applied.access_key {
        eprintln!("Waiting for AWS to accept the share's key ...");
        wait_until_key_works(&session, key, &Backoff::default(), |n, waited| eprintln!("      not yet (try {n}, {}s so far)", waited.as_secs())).await?;
    }
    let links = share::sign(&session, keychain, &entry, req.expires_in).await?;
    args.out.write(&links)?;
    print_links(cli, &entry, &links, args.out.csv.as_deref());
    Ok(())
}

fn print_links(cli: &Cli, entry: &RecordEntry, links: &[Link], csv: Option<&Path>) {
    if cli.json {
        print_json(json!({
            "id": entry.id, "user_name": entry.user_name, "access_key_id": entry.access_key_ids.last(), "ends_at": entry.ends_at,
            "bucket": entry.bucket, "prefix": entry.prefix, "files": entry.share_files, "csv": csv,
            "links": links.iter().map(|l| json!({ "key": l.key, "url": l.url, "expires_at": format_time(l.expires_at) })).collect::<Vec<_>>(),
        }));
        return;
    }
    let end = entry.ends_at.as_deref().map(s3aw_core::limits::describe_end).unwrap_or_default();
    match csv {
        Some(p) => println!("{} link(s) written to {} (readable by you only). They work until {end}.", links.len(), p.display()),
        None => {
            for l in links {
                println!("{}\t{}", l.key, l.url);
            }
            eprintln!("{} link(s); they work until {end}.", links.len());
        }
    }
    println!("Share {}: stop every link now with `s3aw share stop {}`.", entry.id, entry.id);
}

async fn list(cli: &Cli, keychain: &Keychain) -> CliResult {
    let session = connect(cli).await?;
    let record = Record::load()?;
    let shares = Record { version: 1, entries: record.entries.into_iter().filter(|e| e.kind == share::KIND).collect() };
    let list = s3aw_core::access::status(&session, keychain, &shares).await?;
    let now = std::time::SystemTime::now();
    if cli.json {
        print_json(json!(list
            .iter()
            .map(|s| {
                let e = &s.entry;
                json!({
                    "id": e.id, "bucket": e.bucket, "prefix": e.prefix, "files": e.share_files, "ends_at": s.limits().ends_at,
                    "expired": s.expired(now), "stopped": s.keys.iter().all(|k| k.status.is_none()),
                    "links": if e.share_files.is_empty() { json!("every file in the folder") } else { json!(e.share_files.len()) },
                    "access_key_id": e.access_key_ids.last(), "user_name": e.user_name,
                })
            })
            .collect::<Vec<_>>()));
        return Ok(());
    }
    if list.is_empty() {
        println!("No shares yet. `s3aw share create s3://BUCKET/FOLDER/ --expires 7d` makes one.");
    }
    for s in &list {
        let e = &s.entry;
        let what = if e.share_files.is_empty() { format!("every file in s3://{}/{}", e.bucket, e.prefix.as_deref().unwrap_or("")) } else { format!("{} file(s) in s3://{}/{}", e.share_files.len(), e.bucket, e.prefix.as_deref().unwrap_or("")) };
        let end = s.limits().ends_at.as_deref().map(s3aw_core::limits::describe_end).unwrap_or_default();
        let state = if s.expired(now) { format!("ended {end}") } else { format!("until {end}") };
        println!("{}\n  {what}, {state}", e.id);
    }
    Ok(())
}

async fn stop(cli: &Cli, keychain: &Keychain, id: &str, yes: bool) -> CliResult {
    let entry = find_share(id)?;
    let session = connect(cli).await?;
    let plan = plan_revoke(&session, &entry, RevokeOptions { adopt: false, keep_sessions: false }).await?;
    eprintln!("Stopping share {} deletes its key, so every one of its links stops working:", entry.id);
    for (i, s) in plan.steps.iter().enumerate() {
        eprintln!("  {}. {}  [{}]", i + 1, s.summary(), s.api_call());
    }
    confirm(yes, "Stop these links now? It cannot be undone.")?;
    revoke(&session, keychain, &plan, &mut print_progress).await.map_err(|f| fail(Exit::RollbackIncomplete, "stop_incomplete", f.explain()))?;
    if cli.json {
        print_json(json!({ "stopped": entry.id }));
    } else {
        println!("Stopped: every link of share {} is refused from now on.", entry.id);
    }
    Ok(())
}
