//! `s3aw permissions`: the least-privilege IAM policy for using this app, by job, and (with --check) which
//! of those actions the connected identity lacks.

use crate::exit::{print_json, CliResult};
use crate::Cli;
use clap::Args;
use s3aw_core::permissions::{check, policy, Check, Job, Limits};
use serde_json::json;

#[derive(Args)]
pub struct PermissionsArgs {
    /// The jobs to allow (repeat or comma-separate): grant, links, manage, settings. Default: all four.
    #[arg(long = "for", value_delimiter = ',')]
    jobs: Vec<String>,
    /// Only these buckets (repeat or comma-separate). Default: every bucket in the account.
    #[arg(long, value_delimiter = ',')]
    bucket: Vec<String>,
    /// The account's id, for the IAM resources. Default: any (the account the policy is attached in).
    #[arg(long)]
    account: Option<String>,
    /// Connect and ask IAM which of these actions your identity lacks (needs iam:SimulatePrincipalPolicy).
    #[arg(long)]
    check: bool,
}

pub async fn run(cli: &Cli, args: &PermissionsArgs) -> CliResult {
    let jobs: Vec<Job> = if args.jobs.is_empty() { Job::ALL.to_vec() } else { args.jobs.iter().map(|j| Job::parse(j)).collect::<Result<_, _>>()? };
    let region = cli.region.clone().unwrap_or_else(|| s3aw_core::connect::DEFAULT_REGION.to_string());
    let limits = Limits { account: args.account.clone(), buckets: args.bucket.clone(), partition: s3aw_core::policy::partition_for_region(&region).to_string() };
    let doc = policy(&jobs, &limits)?;
    if args.check {
        let session = crate::connect(cli).await?;
        let result = check(&session, &jobs).await;
        if cli.json {
            let (checked, missing) = match &result {
                Check::AllAllowed => (true, json!({})),
                Check::Missing(m) => (true, json!(m.iter().map(|(j, a)| (j.as_str().to_string(), json!(a))).collect::<serde_json::Map<_, _>>())),
                Check::Unknown(_) => (false, json!(null)),
            };
            print_json(json!({ "checked": checked, "missing": missing, "reason": if let Check::Unknown(r) = &result { Some(r) } else { None } }));
        } else {
            match result {
                Check::AllAllowed => println!("Your identity may do everything these jobs need."),
                Check::Missing(m) => {
                    println!("Your identity lacks some of what these jobs need:");
                    for (job, actions) in m {
                        println!("  {} ({}): {}", job.as_str(), job.describe(), actions.join(", "));
                    }
                    println!("Ask an administrator to attach the policy `s3aw permissions` prints.");
                }
                Check::Unknown(reason) => println!("Could not check: {reason}."),
            }
        }
        return Ok(());
    }
    if cli.json {
        print_json(doc);
        return Ok(());
    }
    println!("The IAM policy that lets someone use S3 Access Wizard for:");
    for j in &jobs {
        println!("  - {}: {}", j.as_str(), j.describe());
    }
    if jobs.contains(&Job::Grant) {
        println!("\nNote: \"grant\" creates IAM users and roles and gives them policies. Whoever may do that can give\nthem any access in the account: allow it only for people you would trust with that.");
    }
    println!("\n{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    Ok(())
}
