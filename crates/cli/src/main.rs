//! `s3aw`: S3 Access Wizard on the command line. Parsing and printing only; all the work is in `s3aw-core`.
//! Progress goes to stderr, results to stdout.

mod access;
mod bucket;

use clap::{Args, Parser, Subcommand, ValueEnum};
use s3aw_core::apply::{apply, Progress};
use s3aw_core::connect::{list_profiles, ConnectOptions, ProfileKind, Session};
use s3aw_core::export::{self, CsvFormat};
use s3aw_core::keychain::Keychain;
use s3aw_core::plan::{build_plan, PlanOptions};
use s3aw_core::policy::{AccessLevel, Scope};
use s3aw_core::probe::{wait_until_key_works, Backoff};
use s3aw_core::request::{self, AccessRequest, CorsRule, Hardening, IamUserOptions, Method, RoleOptions};
use s3aw_core::Error;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error: bad input, or AWS refused a request (the message says what to fix)
  2  usage error (unknown flag, missing argument)
  3  credentials or permissions problem (no credentials, expired SSO session, access denied)
  4  the change failed and was rolled back completely: the account is as it was
  5  the change failed and could not be rolled back completely: the message lists what to remove
  6  not confirmed: nothing was changed";

#[derive(Parser)]
#[command(name = "s3aw", version, about = "Give someone safe, limited access to an Amazon S3 bucket.", after_help = EXIT_CODES)]
struct Cli {
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
    /// List the AWS profiles configured on this machine.
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
    Grant(Grant),
    /// Print a saved key for AWS tools (`credential_process` format). Used from ~/.aws/config.
    CredentialProcess {
        /// The access key id.
        #[arg(long)]
        access: String,
    },
    /// Let AWS CLIs and SDKs use a saved key: adds a profile with `credential_process` to ~/.aws/config.
    UseFromAws {
        /// The access key id.
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
    Presign(PresignArgs),
}

#[derive(Args)]
struct PresignArgs {
    /// s3://BUCKET/KEY, or s3://BUCKET/PREFIX/ with --recursive.
    target: String,
    /// An upload link (HTTP PUT) instead of a download link.
    #[arg(long)]
    put: bool,
    /// With --put: the content type the uploader must send.
    #[arg(long, requires = "put")]
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
    /// link grants no more than that key can) instead of the connected identity.
    #[arg(long)]
    signer: Option<String>,
    /// Try the download link once it is made (fetches its first byte) and say whether it works.
    #[arg(long, conflicts_with_all = ["put", "recursive"])]
    test: bool,
}

#[derive(Subcommand)]
enum Grant {
    /// An IAM user with its own access key, limited to one bucket (and optionally one folder).
    IamUser(IamUserArgs),
    /// A role that another AWS account assumes with an external ID.
    Role(RoleArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
    Read,
    Upload,
    ReadWrite,
    Full,
}

impl From<Level> for AccessLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Read => AccessLevel::Read,
            Level::Upload => AccessLevel::Upload,
            Level::ReadWrite => AccessLevel::ReadWrite,
            Level::Full => AccessLevel::Full,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum CsvKind {
    /// `Access key ID,Secret access key`, as the AWS console downloads it.
    Console,
    /// Adds a `User name` column, which `aws configure import` needs.
    Import,
}

#[derive(Args)]
struct Target {
    /// The bucket to give access to.
    #[arg(long)]
    bucket: String,
    /// Limit access to this folder (key prefix) of the bucket.
    #[arg(long)]
    prefix: Option<String>,
    /// What the access allows: read (list + download), upload (put only), read-write, full (adds delete).
    #[arg(long = "access", value_enum)]
    access: Level,
    /// Object access only, without listing the bucket (image proxies fetch keys they already know).
    #[arg(long)]
    no_list: bool,
    /// Create the bucket first, in --region, with Block Public Access and default encryption on.
    #[arg(long)]
    create_bucket: bool,
    /// Add a CORS rule for browsers on this origin (repeat for several). Existing rules are kept.
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    #[command(flatten)]
    settings: HardeningArgs,
    /// Print the plan (every AWS call and its JSON) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

/// Where to write a key, shared by `grant iam-user` and `access export`.
#[derive(Args)]
struct KeyFiles {
    /// Write the key to this CSV file (owner-only permissions).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// CSV layout.
    #[arg(long, value_enum, default_value = "console")]
    csv_format: CsvKind,
    /// Add the key as this named profile in ~/.aws/credentials (other profiles are kept).
    #[arg(long)]
    aws_profile: Option<String>,
    /// Overwrite an existing CSV file or profile of the same name.
    #[arg(long)]
    force: bool,
}

impl From<CsvKind> for CsvFormat {
    fn from(k: CsvKind) -> Self {
        match k {
            CsvKind::Console => CsvFormat::Console,
            CsvKind::Import => CsvFormat::Importable,
        }
    }
}

/// Bucket hardening flags, shared by `grant` and `bucket change`.
#[derive(Args)]
struct HardeningArgs {
    /// Turn on all four Block Public Access settings for the bucket.
    #[arg(long)]
    block_public_access: bool,
    /// Turn on default encryption (SSE-S3) for the bucket.
    #[arg(long)]
    encrypt: bool,
    /// With --encrypt: use SSE-KMS with this KMS key ARN (in the bucket's region) instead of SSE-S3.
    #[arg(long, requires = "encrypt")]
    kms_key: Option<String>,
    /// Refuse non-TLS requests to the bucket (merged into the bucket policy).
    #[arg(long)]
    tls_only: bool,
    /// Turn on server access logging into this bucket (same region); its policy gets the log-delivery grant.
    #[arg(long)]
    access_log_bucket: Option<String>,
    /// With --access-log-bucket: the key prefix for the log files (default: logs/BUCKET/).
    #[arg(long, requires = "access_log_bucket")]
    access_log_prefix: Option<String>,
}

impl HardeningArgs {
    fn to_hardening(&self, bucket: &str) -> Hardening {
        Hardening {
            block_public_access: self.block_public_access,
            default_encryption: self.encrypt,
            kms_key_arn: self.kms_key.clone(),
            tls_only: self.tls_only,
            access_logging: self.access_log_bucket.as_ref().map(|b| request::LoggingTarget {
                bucket: b.clone(),
                prefix: self.access_log_prefix.clone().unwrap_or_else(|| format!("logs/{bucket}/")),
            }),
            cors_edit: None,
        }
    }
}

#[derive(Args)]
struct IamUserArgs {
    #[command(flatten)]
    target: Target,
    /// Name of the IAM user to create (default: s3aw-BUCKET-ACCESS).
    #[arg(long)]
    user: Option<String>,
    /// Name of the policy (default: USER-s3-access).
    #[arg(long)]
    policy_name: Option<String>,
    /// Create a separate managed policy and attach it, instead of putting the policy on the user itself
    /// (inline, the default: it goes with the user and cannot be attached to anyone else).
    #[arg(long)]
    managed_policy: bool,
    /// Add the access to an existing user of that name instead of refusing.
    #[arg(long)]
    reuse_user: bool,
    #[command(flatten)]
    files: KeyFiles,
    /// Print the secret access key (once).
    #[arg(long)]
    show_secret: bool,
    /// Do not save the secret in the OS keychain (then --show-secret, --csv or --aws-profile is required).
    #[arg(long)]
    no_keychain: bool,
    /// Do not wait for AWS to accept the new key.
    #[arg(long)]
    no_wait: bool,
}

#[derive(Args)]
struct RoleArgs {
    #[command(flatten)]
    target: Target,
    /// Name of the role to create.
    #[arg(long)]
    role: String,
    /// The other party: their 12-digit AWS account ID, or the ARN of one user or role of theirs.
    #[arg(long)]
    account: String,
    /// The external ID the other party gave you. Without it, a random 40-character one is generated.
    #[arg(long)]
    external_id: Option<String>,
    /// Name of the policy (default: ROLE-s3-access).
    #[arg(long)]
    policy_name: Option<String>,
    /// The longest session the other party may ask for, in hours (1-12; AWS's default is 1).
    #[arg(long)]
    max_session_hours: Option<i32>,
    /// Write the handoff sheet for the other party: FILE.md (Markdown) or FILE.json.
    #[arg(long)]
    handoff: Option<PathBuf>,
    /// Overwrite an existing handoff file.
    #[arg(long)]
    force: bool,
}

/// An error with the exit code it maps to.
struct Failure {
    code: u8,
    error_code: String,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { code: if e.is_auth() { 3 } else { 1 }, error_code: e.code().to_string(), message: e.to_string() }
    }
}

fn fail(code: u8, error_code: &str, message: impl Into<String>) -> Failure {
    Failure { code, error_code: error_code.into(), message: message.into() }
}

type CliResult = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if json {
                println!("{}", json!({ "error": { "code": f.error_code, "message": f.message } }));
            }
            eprintln!("error: {}", f.message.trim_end());
            ExitCode::from(f.code)
        }
    }
}

async fn connect(cli: &Cli) -> Result<Session, Failure> {
    Ok(Session::connect(ConnectOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        endpoint_url: cli.endpoint_url.clone(),
        credentials: None,
    })
    .await?)
}

fn print_json(v: serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}

async fn run(cli: Cli) -> CliResult {
    match &cli.command {
        Command::Profiles => {
            let profiles = list_profiles();
            if cli.json {
                print_json(json!(profiles
                    .iter()
                    .map(|p| json!({ "name": p.name, "kind": kind_word(p.kind), "region": p.region }))
                    .collect::<Vec<_>>()));
            } else if profiles.is_empty() {
                println!("No AWS profiles are configured on this machine.");
            } else {
                for p in profiles {
                    println!("{:<24} {:<12} {}", p.name, kind_word(p.kind), p.region.unwrap_or_default());
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
        Command::Grant(Grant::IamUser(args)) => grant_iam_user(&cli, args).await,
        Command::Grant(Grant::Role(args)) => grant_role(&cli, args).await,
        Command::Presign(args) => presign(&cli, args).await,
        Command::Access(cmd) => access::run(&cli, cmd).await,
        Command::Bucket(cmd) => bucket::run(&cli, cmd).await,
        Command::CredentialProcess { access } => {
            use s3aw_core::credential_process::{credential_process_output, load_saved_key};
            let key = load_saved_key(&Keychain::from_env(), access).await?;
            println!("{}", credential_process_output(&key));
            Ok(())
        }
        Command::UseFromAws { access, aws_profile, force } => {
            let exe = std::env::current_exe().map_err(|e| fail(1, "other", format!("cannot find this program's path: {e}")))?;
            let (path, command) = s3aw_core::credential_process::use_from_aws(&exe, access, aws_profile, cli.region.as_deref(), *force)?;
            if cli.json {
                print_json(json!({ "profile": aws_profile, "file": path, "credential_process": command }));
            } else {
                println!("Added [profile {aws_profile}] to {}. Use it with: aws --profile {aws_profile} s3 ls", path.display());
            }
            Ok(())
        }
    }
}

fn kind_word(k: ProfileKind) -> &'static str {
    match k {
        ProfileKind::Keys => "keys",
        ProfileKind::Sso => "sso",
        ProfileKind::AssumeRole => "role",
        ProfileKind::Process => "process",
        ProfileKind::Other => "other",
    }
}

fn base_request(session: &Session, t: &Target, method: Method) -> Result<AccessRequest, Failure> {
    let level: AccessLevel = t.access.into();
    let mut scope = Scope::new(&t.bucket, t.prefix.as_deref())?;
    scope.allow_list = !t.no_list;
    scope.partition = session.partition().to_string();
    let cors = if t.cors_origins.is_empty() { None } else { Some(CorsRule::for_origins(&t.cors_origins, level)) };
    Ok(AccessRequest {
        method,
        scope,
        level,
        cors,
        hardening: t.settings.to_hardening(&t.bucket),
        create_bucket_in: t.create_bucket.then(|| session.region().to_string()),
    })
}

/// `--yes` without `--dry-run`: the plan is applied without a person reading it first, so it skips the
/// reads that only inform the reader (see `PlanOptions::unattended`).
fn unattended(t: &Target) -> bool {
    t.yes && !t.dry_run
}

/// Print the plan (or its JSON), then ask unless --yes. Returns false on a dry run.
fn review(cli: &Cli, t: &Target, plan: &s3aw_core::plan::Plan) -> Result<bool, Failure> {
    review_plan(cli, t.dry_run, t.yes, plan)
}

/// Print the plan (or its JSON), then ask unless `yes`. Returns false on a dry run or an empty plan.
fn review_plan(cli: &Cli, dry_run: bool, yes: bool, plan: &s3aw_core::plan::Plan) -> Result<bool, Failure> {
    if dry_run {
        if cli.json {
            print_json(plan.to_json());
        } else {
            print!("{}", plan.render_text());
            if let Some(p) = &plan.policy {
                println!("\nThe permission policy:\n{}", p.to_json_pretty());
            }
            println!("\nDry run: nothing was changed.");
        }
        return Ok(false);
    }
    eprint!("{}", plan.render_text());
    if plan.steps.is_empty() {
        return Ok(false);
    }
    confirm(yes, &format!("Apply these {} change(s)?", plan.steps.len()))?;
    Ok(true)
}

/// Ask on the terminal unless `yes`; without a terminal, refuse (exit 6) and say how to confirm.
fn confirm(yes: bool, question: &str) -> CliResult {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail(6, "not_confirmed", "not confirmed: pass --yes to go ahead without a prompt (or --dry-run to only look). Nothing was changed."));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Err(fail(6, "not_confirmed", "not confirmed. Nothing was changed."));
    }
    Ok(())
}

/// Progress on stderr, one line per event.
fn print_progress(p: Progress) {
    match p {
        Progress::StepStarted { index, total, summary } => eprintln!("[{}/{}] {summary} ...", index + 1, total),
        Progress::StepSucceeded { detail, .. } => eprintln!("      done{}", detail.map(|d| format!(" ({d})")).unwrap_or_default()),
        Progress::StepFailed { message, .. } => eprintln!("      FAILED: {message}"),
        Progress::RollbackStarted { steps } => eprintln!("Rolling back {steps} completed step(s) ..."),
        Progress::StepUndone { summary, .. } => eprintln!("      undone: {summary}"),
        Progress::UndoFailed { summary, message, .. } => eprintln!("      could NOT undo: {summary}: {message}"),
    }
}

async fn run_plan(session: &Session, plan: &s3aw_core::plan::Plan, keychain: Option<&Keychain>) -> Result<s3aw_core::apply::Applied, Failure> {
    apply(session, plan, keychain, &mut print_progress).await.map_err(|f| {
        // A name found taken by the create call itself (an unattended plan does not read names first) is
        // the same refusal as a plan's: nothing was changed.
        if f.changed_nothing() && matches!(f.error, Error::NameTaken { .. }) {
            return fail(1, f.error.code(), format!("{}\nNothing was changed.", f.error));
        }
        let code = if f.is_clean() { 4 } else { 5 };
        fail(code, if f.is_clean() { "rolled_back" } else { "rollback_incomplete" }, f.explain())
    })
}

async fn grant_iam_user(cli: &Cli, args: &IamUserArgs) -> CliResult {
    let t = &args.target;
    let level: AccessLevel = t.access.into();
    let user_name = args.user.clone().unwrap_or_else(|| request::default_user_name(&t.bucket, level));
    let policy_name = args.policy_name.clone().unwrap_or_else(|| request::default_policy_name(&user_name));
    let other_destination = args.show_secret || args.files.csv.is_some() || args.files.aws_profile.is_some();
    if args.no_keychain && !other_destination && !t.dry_run {
        return Err(fail(1, "invalid_input", "with --no-keychain the secret would be lost: add --show-secret, --csv FILE or --aws-profile NAME"));
    }
    if let Some(p) = &args.files.aws_profile {
        export::validate_profile_name(p)?;
    }
    if let Some(path) = &args.files.csv {
        if path.exists() && !args.files.force {
            return Err(Error::FileExists { path: path.clone() }.into());
        }
    }
    let keychain = Keychain::from_env();
    let mut use_keychain = !args.no_keychain;
    if use_keychain && !t.dry_run {
        let k = keychain.clone();
        if let Err(e) = s3aw_core::keychain::run_blocking(move || k.check_available()).await {
            if other_destination {
                eprintln!("warning: {e}\nwarning: continuing without the keychain, as you asked for the secret another way.");
                use_keychain = false;
            } else {
                return Err(fail(
                    1,
                    e.code(),
                    format!("{e}\nNothing was changed. To go on without the keychain, add --no-keychain with --show-secret, --csv FILE or --aws-profile NAME."),
                ));
            }
        }
    }

    let session = connect(cli).await?;
    let method = Method::IamUser(IamUserOptions {
        user_name: user_name.clone(),
        policy_name,
        managed_policy: args.managed_policy,
        reuse_existing_user: args.reuse_user,
        create_access_key: true,
        save_to_keychain: use_keychain,
    });
    let req = base_request(&session, t, method)?;
    let plan = build_plan(&session, &req, &PlanOptions { keychain_service: keychain.service().to_string(), unattended: unattended(t) }).await?;
    if !review(cli, t, &plan)? {
        return Ok(());
    }
    let applied = run_plan(&session, &plan, use_keychain.then_some(&keychain)).await?;
    let key = applied.access_key.clone().ok_or_else(|| fail(1, "other", "the plan created no access key"))?;

    // The access exists now; what follows is about handing over the key. A failure here does not undo
    // the access (the secret is already safe in the keychain, or will be printed below).
    let mut warnings = Vec::new();
    if let Err(e) = s3aw_core::grant::remember(&session, &plan, &applied) {
        warnings.push(format!("could not update the local record of created access: {e}"));
    }
    let mut csv_written = None;
    if let Some(path) = &args.files.csv {
        match export::write_csv(path, &key, &user_name, args.files.csv_format.into(), args.files.force) {
            Ok(()) => csv_written = Some(path.clone()),
            Err(e) => warnings.push(format!("could not write the CSV: {e}")),
        }
    }
    let mut profile_written = None;
    if let Some(p) = &args.files.aws_profile {
        match export::write_credentials_profile(p, &key, args.files.force) {
            Ok(path) => profile_written = Some(path),
            Err(e) => warnings.push(format!("could not add the profile: {e}")),
        }
    }
    let saved_somewhere = applied.keychain_entry.is_some() || csv_written.is_some() || profile_written.is_some();
    let show_secret = args.show_secret || !saved_somewhere;
    if show_secret && !args.show_secret {
        warnings.push("the secret could not be saved anywhere, so it is printed below: copy it now, AWS will never show it again".into());
    }

    let works = if args.no_wait {
        None
    } else {
        eprintln!("Waiting for AWS to accept the new key ...");
        Some(
            wait_until_key_works(&session, &key, &Backoff::default(), |n, waited| eprintln!("      not yet (try {n}, {}s so far)", waited.as_secs()))
                .await,
        )
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }

    if cli.json {
        let mut out = json!({
            "account": applied.account,
            "user_name": user_name,
            "access_key_id": key.access_key_id,
            "keychain": applied.keychain_entry.as_ref().map(|e| json!({ "service": keychain.service(), "entry": e.entry_name() })),
            "csv": csv_written,
            "profile": profile_written.as_ref().map(|p| json!({ "name": args.files.aws_profile, "file": p })),
            "key_works": works.as_ref().map(|w| w.is_ok()),
            "warnings": warnings,
        });
        if show_secret {
            out["secret_access_key"] = json!(key.secret_access_key.expose());
        }
        print_json(out);
    } else {
        println!("Created access key {} for IAM user \"{user_name}\" in account {}.", key.access_key_id, applied.account.as_deref().unwrap_or("(unknown)"));
        if let Some(e) = &applied.keychain_entry {
            println!("Secret: saved in your keychain (service \"{}\", entry \"{}\").", keychain.service(), e.entry_name());
        }
        if let Some(p) = &csv_written {
            println!("CSV: {} (readable by you only)", p.display());
        }
        if let Some(p) = &profile_written {
            println!("Profile: [{}] in {}", args.files.aws_profile.as_deref().unwrap_or_default(), p.display());
        }
        if show_secret {
            println!("Secret access key: {}", key.secret_access_key.expose());
        }
        match &works {
            Some(Ok(w)) => println!("The key works (AWS accepted it after {} try/tries).", w.attempts),
            Some(Err(e)) => println!("The key is not working yet: {e}"),
            None => {}
        }
    }
    Ok(())
}

async fn grant_role(cli: &Cli, args: &RoleArgs) -> CliResult {
    let t = &args.target;
    if let Some(path) = &args.handoff {
        if path.exists() && !args.force {
            return Err(Error::FileExists { path: path.clone() }.into());
        }
    }
    let external_id = match &args.external_id {
        Some(id) => id.clone(),
        None => s3aw_core::handoff::generate_external_id()?,
    };
    let session = connect(cli).await?;
    let method = Method::CrossAccountRole(RoleOptions {
        role_name: args.role.clone(),
        policy_name: args.policy_name.clone().unwrap_or_else(|| request::default_policy_name(&args.role)),
        other_account: args.account.trim().to_string(),
        external_id,
        max_session_seconds: args.max_session_hours.map(|h| h.saturating_mul(3600)),
    });
    let req = base_request(&session, t, method)?;
    let plan = build_plan(&session, &req, &PlanOptions { unattended: unattended(t), ..Default::default() }).await?;
    if !review(cli, t, &plan)? {
        return Ok(());
    }
    let applied = run_plan(&session, &plan, None).await?;
    if let Err(e) = s3aw_core::grant::remember(&session, &plan, &applied) {
        eprintln!("warning: could not update the local record of created access: {e}");
    }
    let region = s3aw_core::inventory::bucket_region(&session, &t.bucket).await.unwrap_or_else(|_| session.region().to_string());
    let sheet = s3aw_core::handoff::Handoff::for_plan(&plan, session.partition(), &region).ok_or_else(|| fail(1, "other", "the plan made no role"))?;
    if let Some(path) = &args.handoff {
        sheet.write(path, args.force)?;
        eprintln!("Handoff sheet written to {}", path.display());
    }
    if cli.json {
        print_json(json!({
            "role_arn": sheet.role_arn, "external_id": sheet.external_id, "bucket": sheet.bucket, "prefix": sheet.prefix,
            "handoff": sheet.to_json(), "handoff_file": args.handoff,
        }));
    } else {
        print!("{}", sheet.to_markdown());
    }
    Ok(())
}

fn parse_s3_url(url: &str) -> Result<(String, String), Failure> {
    let rest = url.strip_prefix("s3://").ok_or_else(|| fail(1, "invalid_input", format!("\"{url}\" is not an S3 address; write it as s3://bucket/key")))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    Ok((bucket.to_string(), key.to_string()))
}

async fn presign(cli: &Cli, args: &PresignArgs) -> CliResult {
    use s3aw_core::presign::{parse_expiry, presign_prefix_csv, LinkKind};
    use s3aw_core::record::format_time as rfc3339;
    let (bucket, key) = parse_s3_url(&args.target)?;
    let expires = parse_expiry(&args.expires)?;
    let connected = connect(cli).await?;
    let session = match &args.signer {
        None => connected,
        Some(id) => connected.with_key(&s3aw_core::credential_process::load_saved_key(&Keychain::from_env(), id).await?),
    };
    if args.recursive {
        let path = args.csv.clone().unwrap_or_default();
        if path.exists() && !args.force {
            return Err(Error::FileExists { path }.into());
        }
        let mut buf = Vec::new();
        let count = presign_prefix_csv(&session, &bucket, &key, expires, &mut buf, |n| eprint!("\rsigned {n} link(s)")).await?;
        eprintln!();
        let text = String::from_utf8(buf).map_err(|e| fail(1, "other", e.to_string()))?;
        export::write_private_file(&path, &text, args.force)?;
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
        if link.cut_short_by_credentials {
            eprintln!("Note: the signing credentials are temporary and expire first, so the link stops working then. Use a long-term key (an IAM user) for longer links.");
        } else if link.temporary_without_end {
            eprintln!("Note: the signing credentials are temporary (they carry a session token), so the link stops working when that session ends, which may be before the expiry above. Use a long-term key (--signer) for longer links.");
        }
        eprintln!("Use it with: {}", link.curl());
    }
    Ok(())
}
