//! `s3aw bucket ...`: show a bucket's settings, and change them through a reviewed plan.

use crate::args::{HardeningArgs, Level};
use crate::exit::{fail, print_json, review_plan, run_plan, usage, CliResult, Exit};
use crate::{connect, Cli};
use clap::{Args, Subcommand};
use s3aw_core::plan::build_plan;
use s3aw_core::plan::PlanOptions;
use s3aw_core::policy::{AccessLevel, Scope};
use s3aw_core::request::{AccessRequest, CorsEdit, CorsRule, Hardening, Method};
use serde_json::json;

#[derive(Subcommand)]
pub enum BucketCommand {
    /// What is on now: encryption, Block Public Access, TLS-only, access logging, CORS rules.
    Show { bucket: String },
    /// Change settings. Each shows as "already on" when it is, and only what is needed is planned.
    Change(ChangeArgs),
}

#[derive(Args)]
pub struct ChangeArgs {
    bucket: String,
    #[command(flatten)]
    settings: HardeningArgs,
    /// Add a CORS rule for web pages on this origin (repeat for several).
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// With --cors-origin: what the page may do (sets the methods).
    #[arg(long, value_enum, default_value = "read")]
    cors_access: Level,
    /// Delete the CORS rule with this number, as `s3aw bucket show` lists them (repeat for several).
    #[arg(long = "delete-cors-rule")]
    delete_cors_rules: Vec<usize>,
    /// Print the plan and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

pub async fn run(cli: &Cli, cmd: &BucketCommand) -> CliResult {
    match cmd {
        BucketCommand::Show { bucket } => show(cli, bucket).await,
        BucketCommand::Change(args) => change(cli, args).await,
    }
}

async fn show(cli: &Cli, bucket: &str) -> CliResult {
    let session = connect(cli).await?;
    let s = s3aw_core::settings::read(&session, bucket).await?;
    if cli.json {
        print_json(json!({
            "bucket": s.bucket, "region": s.region,
            "encryption": s.encryption.as_ref().map(|e| json!({ "algorithm": e.algorithm, "kms_key_id": e.kms_key_id })),
            "block_public_access": s.public_access_block,
            "tls_only": s.tls_only,
            "versioning": s.versioning,
            "policy_statements": s.policy_statements,
            "logging": s.logging.as_ref().map(|l| json!({ "bucket": l.bucket, "prefix": l.prefix })),
            "cors": s.cors,
        }));
        return Ok(());
    }
    let on_off = |b: bool| if b { "on" } else { "off" };
    println!("Bucket {} ({})", s.bucket, s.region);
    println!("  Default encryption:  {}", s.encryption.as_ref().map(|e| format!("on, {}", e.describe())).unwrap_or_else(|| "off".into()));
    println!("  Block Public Access: {}", if s.blocks_all_public_access() { "on (all four settings)".to_string() } else { format!("{:?}", s.public_access_block.unwrap_or_default()) });
    println!("  TLS-only:            {} ({} bucket policy statement(s))", on_off(s.tls_only), s.policy_statements);
    println!("  Versioning:          {}", s.versioning.as_deref().map(|v| v.to_lowercase()).unwrap_or_else(|| "never turned on".into()));
    println!("  Access logging:      {}", s.logging.as_ref().map(|l| format!("on, into s3://{}/{}", l.bucket, l.prefix)).unwrap_or_else(|| "off".into()));
    if s.cors.is_empty() {
        println!("  CORS rules:          none");
    } else {
        println!("  CORS rules:");
        for (i, r) in s.cors.iter().enumerate() {
            println!("    {}. {} from {}", i + 1, r.allowed_methods.join(", "), r.allowed_origins.join(", "));
        }
    }
    Ok(())
}

async fn change(cli: &Cli, a: &ChangeArgs) -> CliResult {
    let session = connect(cli).await?;
    let level: AccessLevel = a.cors_access.into();
    let added = (!a.cors_origins.is_empty()).then(|| CorsRule::for_origins(&a.cors_origins, level));
    // Deleting rules is an edit of the whole list, based on what is there now; an added rule joins it.
    let (cors, cors_edit) = if a.delete_cors_rules.is_empty() {
        (added, None)
    } else {
        let current = s3aw_core::inventory::bucket_cors(&session, &a.bucket).await?;
        for n in &a.delete_cors_rules {
            if *n == 0 || *n > current.len() {
                return Err(fail(Exit::Error, "invalid_input", format!("CORS rule {n}: the bucket has {} rule(s), numbered from 1 (see `s3aw bucket show {}`)", current.len(), a.bucket)));
            }
        }
        let mut rules: Vec<CorsRule> = current.iter().enumerate().filter(|(i, _)| !a.delete_cors_rules.contains(&(i + 1))).map(|(_, r)| r.clone()).collect();
        rules.extend(added);
        (None, Some(CorsEdit { based_on: current, rules }))
    };
    let hardening = Hardening { cors_edit, ..a.settings.to_hardening(&a.bucket) };
    if !hardening.touches_bucket() && cors.is_none() {
        return Err(usage("say what to change: --block-public-access, --encrypt, --tls-only, --versioning, --access-log-bucket, --cors-origin or --delete-cors-rule"));
    }
    let mut scope = Scope::new(&a.bucket, None)?;
    scope.partition = session.partition().to_string();
    let request = AccessRequest { method: Method::BucketSettings, scope, level, cors, hardening, create_bucket_in: None };
    let plan = build_plan(&session, &request, &PlanOptions::default()).await?;
    let analysis = s3aw_core::analyzer::check_plan(&session, &plan).await;
    if !review_plan(cli.json, a.dry_run, a.yes, &plan, &analysis)? {
        if plan.steps.is_empty() && !a.dry_run {
            if cli.json {
                print_json(json!({ "changed": 0, "notes": plan.notes }));
            } else {
                println!("Nothing needs to change.");
            }
        }
        return Ok(());
    }
    let applied = run_plan(&session, &plan, None).await?;
    for step in &applied.remerged {
        eprintln!("Note: re-merged: \"{step}\" was merged into what the bucket holds now, which had changed since the review; nothing in it was lost.");
    }
    if cli.json {
        print_json(json!({ "changed": plan.steps.len(), "notes": plan.notes, "remerged": applied.remerged }));
    } else {
        println!("Done: {} change(s) to \"{}\".", plan.steps.len(), a.bucket);
    }
    Ok(())
}
