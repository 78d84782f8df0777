//! `s3aw guide read` and the `--from-guide` / `--recipe` flags of `grant`: a vendor's guide or recipe,
//! read by `s3aw_core::guide`, turned into the usual request (flags given on the command line win).

use crate::exit::{print_json, CliResult};
use crate::Cli;
use clap::Args;
use s3aw_core::guide::recipe::Recipe;
use s3aw_core::guide::{self, Proposal, Reading};
use s3aw_core::Error;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct ReadArgs {
    /// The guide: a text, Markdown or JSON file as the vendor sent it.
    file: PathBuf,
    /// Your bucket: it replaces the guide's placeholders ({your-bucket-name}, YOUR-BUCKET-NAME, <bucket>, ...).
    #[arg(long)]
    bucket: String,
}

fn read_file(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { action: "read", path: path.to_path_buf(), source })?;
    String::from_utf8(bytes).map_err(|_| Error::Invalid { field: "guide", message: format!("{} is not text; save the guide as plain text or Markdown", path.display()) })
}

/// Read a guide file for `bucket`.
pub fn read_guide(path: &Path, bucket: &str) -> Result<Reading, Error> {
    s3aw_core::validate::bucket_name(bucket)?;
    guide::read(&read_file(path)?, bucket)
}

/// Read a recipe file.
pub fn read_recipe(path: &Path) -> Result<Recipe, Error> {
    Recipe::parse(&read_file(path)?)
}

pub fn proposal_json(p: &Proposal) -> Value {
    json!({
        "method": p.method.as_str(), "access": p.access.as_str(), "no_list": p.no_list, "prefix": p.prefix,
        "cors_origins": p.cors_origins, "account": p.account, "external_id": p.external_id, "external_id_asked": p.external_id_asked,
    })
}

/// Text from a guide, safe for a terminal: control characters (escape sequences that could move the
/// cursor or erase the lines above) are shown escaped, as `\u{1b}`.
pub fn plain(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

pub fn print_findings(r: &Reading) {
    for f in &r.findings {
        eprintln!("  line {}: {} [{}]", f.line, plain(&f.message), f.code);
        if !f.quote.is_empty() {
            eprintln!("      {}", plain(&f.quote));
        }
    }
}

pub fn run(cli: &Cli, args: &ReadArgs) -> CliResult {
    let r = read_guide(&args.file, &args.bucket)?;
    if cli.json {
        print_json(json!({
            "blocks": r.extracted.blocks.iter().map(|b| json!({ "line": b.line, "json": b.value })).collect::<Vec<_>>(),
            "placeholders": r.extracted.placeholders,
            "asks": r.asks,
            "findings": r.findings.iter().map(|f| json!({ "code": f.code, "message": f.message, "line": f.line, "quote": f.quote, "blocks_as_pasted": f.blocks_as_pasted })).collect::<Vec<_>>(),
            "proposal": proposal_json(&r.proposal),
        }));
        return Ok(());
    }
    println!("The guide asks for:");
    for a in &r.asks {
        println!("  - {}", plain(a));
    }
    if !r.extracted.placeholders.is_empty() {
        println!("Placeholders replaced by \"{}\": {}", args.bucket, plain(&r.extracted.placeholders.join(", ")));
    }
    if r.findings.is_empty() {
        println!("Nothing in it is broader than the job needs.");
    } else {
        println!("Broader than the job needs, or wrong:");
        for f in &r.findings {
            println!("  line {}: {}{}", f.line, plain(&f.message), if f.blocks_as_pasted { " (so it cannot be created as pasted)" } else { "" });
            if !f.quote.is_empty() {
                println!("      {}", plain(&f.quote));
            }
        }
    }
    let p = &r.proposal;
    let proposed = format!(
        "Proposed instead: {} with {} access{}{}{}{}",
        if p.method == guide::ProposedMethod::Role { "a role for their account" } else { "an IAM user with its own key" },
        p.access.as_str(),
        p.prefix.as_deref().map(|f| format!(" to the folder {f}")).unwrap_or_default(),
        if p.no_list { ", without listing" } else { "" },
        if p.cors_origins.is_empty() { String::new() } else { format!(", CORS for {}", p.cors_origins.join(", ")) },
        p.account.as_deref().map(|a| format!(", trusting {a}{}", p.external_id.as_deref().map(|e| format!(" with external ID {e}")).unwrap_or_default())).unwrap_or_default(),
    );
    println!("{}", plain(&proposed));
    let cmd = if p.method == guide::ProposedMethod::Role { "grant role --role NAME" } else { "grant iam-user" };
    println!("Apply it with: s3aw {cmd} --bucket {} --from-guide {}", args.bucket, args.file.display());
    Ok(())
}
