//! `s3aw presign`: one link (download or upload), or download links for a whole folder as CSV.

use crate::exit::{fail, print_json, CliResult, Exit, Failure};
use crate::{connect, Cli};
use clap::Args;
use s3aw_core::keychain::Keychain;
use s3aw_core::presign::{parse_expiry, parse_size, size_text, LinkKind, PostRules};
use s3aw_core::record::format_time as rfc3339;
use s3aw_core::Error;
use serde_json::json;
use std::path::PathBuf;

#[derive(Args)]
pub struct PresignArgs {
    /// s3://BUCKET/KEY, or s3://BUCKET/PREFIX/ with --recursive.
    target: String,
    /// An upload link (HTTP PUT) instead of a download link.
    #[arg(long, conflicts_with = "post")]
    put: bool,
    /// A drop-box for s3://BUCKET/FOLDER/: a signed POST form anyone with it can upload files into that
    /// folder with, up to --max-size, until it expires. Hand it over as a web page (--html), JSON or curl.
    #[arg(long, conflicts_with_all = ["recursive", "test"], requires = "max_size")]
    post: bool,
    /// With --post: the largest file accepted (100MB, 2GB, 500KB; at most 5GiB).
    #[arg(long, requires = "post")]
    max_size: Option<String>,
    /// With --post: write the upload page (a self-contained HTML form) to this file.
    #[arg(long, requires = "post")]
    html: Option<PathBuf>,
    /// With --put: the content type the uploader must send. With --post: the type files must have
    /// (application/pdf), or a family (image/*).
    #[arg(long)]
    content_type: Option<String>,
    /// How long the link lives: 90s, 15m, 12h, 7d (at most 7d).
    #[arg(long, default_value = "1h")]
    expires: String,
    /// Links for every object under the prefix, written to --csv.
    #[arg(long, requires = "csv")]
    recursive: bool,
    /// With --recursive: the CSV file to write (key,url,expires_at).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Overwrite the CSV if it exists.
    #[arg(long)]
    force: bool,
    /// Sign with a key this app saved in the keychain (recommended: a least-privilege key, so a leaked
    /// link grants no more than that key can) instead of the connected identity. An access id or key id.
    #[arg(long)]
    signer: Option<String>,
    /// Try the download link once it is made (fetches its first byte) and say whether it works.
    #[arg(long, conflicts_with_all = ["put", "recursive"])]
    test: bool,
}

fn parse_s3_url(url: &str) -> Result<(String, String), Failure> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| fail(Exit::Error, "invalid_input", format!("\"{url}\" is not an S3 address; write it as s3://bucket/key")))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    Ok((bucket.to_string(), key.to_string()))
}

pub async fn run(cli: &Cli, args: &PresignArgs) -> CliResult {
    let (bucket, key) = parse_s3_url(&args.target)?;
    let expires = parse_expiry(&args.expires)?;
    if args.content_type.is_some() && !args.put && !args.post {
        return Err(fail(Exit::Error, "invalid_input", "--content-type goes with --put or --post"));
    }
    let post_rules = match (args.post, &args.max_size) {
        (true, Some(size)) => Some(PostRules::new(&key, parse_size(size)?, args.content_type.as_deref())?),
        _ => None,
    };
    if let Some(path) = &args.html {
        if path.exists() && !args.force {
            return Err(Error::FileExists { path: path.clone() }.into());
        }
    }
    let connected = connect(cli).await?;
    let session = match &args.signer {
        None => connected,
        Some(id) => connected.with_key(&s3aw_core::credential_process::load_saved_key(&Keychain::from_env(), id).await?),
    };
    if let Some(rules) = post_rules {
        return drop_box(cli, args, &session, &bucket, &rules, expires).await;
    }
    if args.recursive {
        let path = args.csv.clone().unwrap_or_default();
        if path.exists() && !args.force {
            return Err(Error::FileExists { path }.into());
        }
        let count = s3aw_core::presign::write_prefix_csv(&session, &bucket, &key, expires, &path, args.force, |n| eprint!("\rsigned {n} link(s)")).await?;
        eprintln!();
        if cli.json {
            print_json(json!({ "count": count, "csv": path }));
        } else {
            println!("Wrote {count} link(s) to {}", path.display());
        }
        return Ok(());
    }
    let kind = if args.put { LinkKind::Upload { content_type: args.content_type.clone() } } else { LinkKind::Download };
    let link = s3aw_core::presign::presign(&session, &bucket, &key, &kind, expires).await?;
    let tested = if args.test { Some(s3aw_core::presign::test_link(&link).await?) } else { None };
    if let Some(t) = &tested {
        eprintln!("Test: {}", t.message);
    }
    if cli.json {
        print_json(json!({
            "url": link.url, "method": link.method, "expires_at": rfc3339(link.expires_at),
            "headers": link.headers.iter().map(|(k, v)| json!({ "name": k, "value": v })).collect::<Vec<_>>(),
            "cut_short_by_credentials": link.cut_short_by_credentials, "temporary_credentials": link.cut_short_by_credentials || link.temporary_without_end, "curl": link.curl(),
            "test": tested.as_ref().map(|t| json!({ "works": t.works, "status": t.status, "message": t.message })),
        }));
    } else {
        println!("{}", link.url);
        eprintln!("Expires: {}", rfc3339(link.expires_at));
        if let Some(note) = link.lifetime_note() {
            eprintln!("Note: {note} (--signer chooses the key.)");
        }
        eprintln!("Use it with: {}", link.curl());
    }
    Ok(())
}

/// `--post`: sign the drop-box form and hand it over as a page, JSON or a curl command.
async fn drop_box(cli: &Cli, args: &PresignArgs, session: &s3aw_core::connect::Session, bucket: &str, rules: &PostRules, expires: std::time::Duration) -> CliResult {
    let form = s3aw_core::presign::presign_post(session, bucket, rules, expires).await?;
    if let Some(path) = &args.html {
        // The page carries a signature that lets anyone upload: private to you until you send it.
        s3aw_core::export::write_private_file(path, &form.html(), args.force)?;
        eprintln!("Wrote the upload page to {} (readable by you only; send it to the person who uploads).", path.display());
    }
    let note = form.lifetime_note();
    if cli.json {
        let mut out = form.to_json();
        out["curl"] = json!(form.curl());
        out["html_file"] = json!(args.html);
        out["note"] = json!(note);
        print_json(out);
        return Ok(());
    }
    println!("Upload form for s3://{bucket}/{}: files up to {}{}, until {} (UTC).", rules.folder, size_text(rules.max_size),
        rules.content_type.as_deref().map(|t| format!(" of type {t}{}", if t.ends_with('/') { "*" } else { "" })).unwrap_or_default(),
        rfc3339(form.expires_at));
    if let Some(n) = note {
        eprintln!("Note: {n} (--signer chooses the key.)");
    }
    println!("Post to: {}", form.url);
    for (k, v) in &form.fields {
        println!("  {k} = {v}");
    }
    println!("With curl: {}", form.curl());
    Ok(())
}
