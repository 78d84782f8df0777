//! `s3aw`: S3 Access Wizard on the command line. Parsing and printing only; all the work is in `s3aw-core`.
//! Progress goes to stderr, results to stdout. Exit codes are in `exit.rs`.

mod access;
mod args;
mod bucket;
mod exit;
mod grant;
mod guide;
mod login;
mod permissions;
mod presign;
mod recover;
mod share;

use clap::{Parser, Subcommand};
use exit::{fail, print_json, CliResult, Exit, Failure};
use s3aw_core::connect::{list_profiles, ConnectOptions, Session};
use s3aw_core::keychain::Keychain;
use serde_json::json;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "s3aw", version, about = "Give someone safe, limited access to an Amazon S3 bucket.", after_help = exit::help_table())]
pub struct Cli {
    /// AWS profile to connect with (from ~/.aws/config or ~/.aws/credentials, SSO included).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// AWS Region (defaults to the profile's, then us-east-1).
    #[arg(long, global = true)]
    region: Option<String>,
    /// Custom endpoint URL (an S3/IAM-compatible emulator). Defaults to $AWS_ENDPOINT_URL.
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    /// Print results as JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show which AWS account and identity you are connected as.
    Whoami,
    /// Sign in in the browser (your AWS account's sign-in, or IAM Identity Center with --sso); saved as a
    /// profile every command and AWS tool can use. No access keys needed.
    Login(login::LoginArgs),
    /// Sign out of a sign-in profile: its saved session is deleted from this computer.
    Logout(login::LogoutArgs),
    /// The least-privilege IAM policy for using this app (by job), so someone who is not an administrator
    /// can do this work; --check asks IAM what your identity lacks.
    Permissions(permissions::PermissionsArgs),
    /// List the AWS profiles configured on this machine, with how each signs in.
    Profiles,
    /// List buckets with their regions.
    Buckets,
    /// List the folders directly under a prefix of a bucket.
    Folders {
        bucket: String,
        #[arg(long, default_value = "")]
        prefix: String,
    },
    /// Create access to a bucket.
    #[command(subcommand)]
    Grant(Box<grant::Grant>),
    /// Print a saved key for AWS tools (`credential_process` format). Used from ~/.aws/config.
    CredentialProcess {
        /// The access (its id, as `s3aw access list` shows it), or one access key id.
        #[arg(long)]
        access: String,
    },
    /// Let AWS CLIs and SDKs use a saved key: adds a profile with `credential_process` to ~/.aws/config.
    /// The profile names the access, so it keeps working after the key is rotated.
    UseFromAws {
        /// The access (its id, user name or one of its key ids).
        #[arg(long)]
        access: String,
        /// The profile name to add.
        #[arg(long)]
        aws_profile: String,
        /// Replace a profile of the same name.
        #[arg(long)]
        force: bool,
    },
    /// A bucket's settings: show them, or change them (hardening, access logging, CORS rules).
    #[command(subcommand)]
    Bucket(bucket::BucketCommand),
    /// List, rotate, revoke, import and export the access this app created.
    #[command(subcommand)]
    Access(access::AccessCommand),
    /// Make a pre-signed link to download (or, with --put, upload) one object, or links for a whole prefix.
    Presign(Box<presign::PresignArgs>),
    /// Read a vendor's setup guide: what it asks for, what is broader than the job needs, and the
    /// least-privilege equivalent (`grant ... --from-guide FILE` applies it).
    #[command(subcommand)]
    Guide(GuideCommand),
    /// Links you can stop: signed with a key made for the share, deleted by `share stop`.
    #[command(subcommand)]
    Share(share::ShareCommand),
    /// Finish or undo a change that was interrupted (the process killed, the laptop closed, a crash):
    /// the account ends with the finished access or with nothing of it. Commands that change the
    /// account warn when there is one.
    Recover {
        /// Show what it would do, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Go ahead without asking.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// Whether a command may change the account (or the record of what the app made).
fn changes_account(cmd: &Command) -> bool {
    use access::AccessCommand as A;
    match cmd {
        Command::Grant(_) | Command::Bucket(bucket::BucketCommand::Change(_)) => true,
        Command::Share(c) => !matches!(c, share::ShareCommand::List),
        Command::Access(c) => matches!(c, A::Rotate(_) | A::DeleteKey { .. } | A::Revoke { .. } | A::Import { .. } | A::Adopt { .. }),
        _ => false,
    }
}

#[derive(Subcommand)]
enum GuideCommand {
    /// The JSON blocks found, the findings (each with its line) and the proposed request.
    Read(guide::ReadArgs),
}

fn main() -> ExitCode {
    quiet_on_closed_output();
    let cli = Cli::parse();
    let json = cli.json;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::from(Exit::Error.code());
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if json {
                println!("{}", json!({ "error": { "code": f.error_code, "message": f.message } }));
            }
            eprintln!("error: {}", f.message.trim_end());
            ExitCode::from(f.exit.code())
        }
    }
}

/// A reader that stops early (`s3aw permissions | head`) ends this process quietly, as it ends other
/// tools (exit 141, as a shell reports SIGPIPE), instead of with a panic and a backtrace.
fn quiet_on_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.payload().downcast_ref::<String>().map(String::as_str).or_else(|| info.payload().downcast_ref::<&str>().copied()).unwrap_or("");
        if text.starts_with("failed printing to std") && text.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

pub async fn connect(cli: &Cli) -> Result<Session, Failure> {
    Ok(Session::connect(ConnectOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        credentials: None,
    })
    .await?)
}

async fn run(cli: Cli) -> CliResult {
    if changes_account(&cli.command) {
        recover::before_change()?;
    }
    match &cli.command {
        Command::Profiles => {
            let profiles = list_profiles().await;
            if cli.json {
                print_json(json!(profiles
                    .iter()
                    .map(|p| {
                        let mut v = json!({ "name": p.name, "kind": p.kind.as_str(), "region": p.region });
                        if let Some(s) = s3aw_core::signin::session_status(p) {
                            v["signed_in"] = json!(s.signed_in);
                            v["identity"] = json!(s.identity);
                            v["expires_at"] = json!(s.expires_at.map(s3aw_core::record::format_time));
                        }
                        v
                    })
                    .collect::<Vec<_>>()));
            } else if profiles.is_empty() {
                println!("No AWS profiles are configured on this machine. Sign in with: s3aw login");
            } else {
                for p in &profiles {
                    let status = match s3aw_core::signin::session_status(p) {
                        Some(s) if s.signed_in => format!("signed in: {}", s.identity),
                        Some(_) => format!("signed out (s3aw login{} --aws-profile {})", if p.kind == s3aw_core::connect::ProfileKind::Sso { " --sso" } else { "" }, p.name),
                        None => String::new(),
                    };
                    println!("{:<24} {:<12} {:<14} {}", p.name, p.kind.as_str(), p.region.clone().unwrap_or_default(), status);
                }
            }
            Ok(())
        }
        Command::Whoami => {
            let session = connect(&cli).await?;
            let id = session.whoami().await?;
            if cli.json {
                print_json(json!({ "account": id.account, "arn": id.arn, "user_id": id.user_id, "region": session.region(), "endpoint": session.endpoint_url() }));
            } else {
                println!("Account:  {}\nIdentity: {}\nRegion:   {}", id.account, id.arn, session.region());
                if let Some(url) = session.endpoint_url() {
                    println!("Endpoint: {url} (not AWS)");
                }
            }
            Ok(())
        }
        Command::Buckets => {
            let session = connect(&cli).await?;
            let buckets = s3aw_core::inventory::list_buckets(&session).await?;
            if cli.json {
                print_json(json!(buckets.iter().map(|b| json!({ "name": b.name, "region": b.region })).collect::<Vec<_>>()));
            } else {
                for b in &buckets {
                    println!("{:<64} {}", b.name, b.region.as_deref().unwrap_or("(region unknown)"));
                }
                eprintln!("{} bucket(s)", buckets.len());
            }
            Ok(())
        }
        Command::Folders { bucket, prefix } => {
            let session = connect(&cli).await?;
            let folders = s3aw_core::inventory::list_folders(&session, bucket, prefix).await?;
            if cli.json {
                print_json(json!(folders));
            } else {
                for f in folders {
                    println!("{f}");
                }
            }
            Ok(())
        }
        Command::Login(args) => login::login(&cli, args).await,
        Command::Logout(args) => login::logout(&cli, args).await,
        Command::Permissions(args) => permissions::run(&cli, args).await,
        Command::Grant(cmd) => grant::run(&cli, cmd).await,
        Command::Presign(args) => presign::run(&cli, args).await,
        Command::Share(cmd) => share::run(&cli, cmd).await,
        Command::Recover { dry_run, yes } => recover::run(&cli, *dry_run, *yes).await,
        Command::Guide(GuideCommand::Read(args)) => guide::run(&cli, args),
        Command::Access(cmd) => access::run(&cli, cmd).await,
        Command::Bucket(cmd) => bucket::run(&cli, cmd).await,
        Command::CredentialProcess { access } => {
            // AWS tools show this command's stderr to their user: one plain line, never a trace.
            let out = s3aw_core::credential_process::serve(&Keychain::from_env(), access).await?;
            println!("{out}");
            Ok(())
        }
        Command::UseFromAws { access, aws_profile, force } => {
            let exe = std::env::current_exe().map_err(|e| fail(Exit::Error, "other", format!("cannot find this program's path: {e}")))?;
            let added = s3aw_core::credential_process::use_from_aws(&exe, access, aws_profile, cli.region.as_deref(), *force)?;
            if cli.json {
                print_json(json!({ "profile": aws_profile, "file": added.path, "credential_process": added.credential_process, "try": added.try_it }));
            } else {
                println!("Added [profile {aws_profile}] to {}. Try it: {}", added.path.display(), added.try_it);
            }
            Ok(())
        }
    }
}
