//! `s3aw grant iam-user|role`: build the request from flags, plan, review, apply, hand the result over.

use crate::args::{HardeningArgs, KeyFiles, Level};
use crate::exit::{fail, print_json, print_progress, review_plan, run_plan, CliResult, Exit, Failure};
use crate::{connect, Cli};
use clap::{Args, Subcommand};
use s3aw_core::apply::Applied;
use s3aw_core::connect::Session;
use s3aw_core::export;
use s3aw_core::keychain::Keychain;
use s3aw_core::kit::KitTarget;
use s3aw_core::limits::{self, Limits};
use s3aw_core::plan::{build_plan, Plan, PlanOptions};
use s3aw_core::policy::{AccessLevel, Scope};
use s3aw_core::probe::{wait_until_key_works, Backoff};
use s3aw_core::request::{self, AccessRequest, CorsRule, IamUserOptions, Method, RoleOptions};
use s3aw_core::secret::AccessKey;
use s3aw_core::Error;
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Grant {
    /// An IAM user with its own access key, limited to one bucket (and optionally one folder).
    IamUser(IamUserArgs),
    /// A role that another AWS account assumes with an external ID.
    Role(RoleArgs),
}

#[derive(Args)]
pub struct Target {
    /// The bucket to give access to.
    #[arg(long)]
    bucket: String,
    /// Limit access to this folder (key prefix) of the bucket.
    #[arg(long)]
    prefix: Option<String>,
    /// What the access allows: read (list + download), upload (put only), read-write, full (adds delete).
    #[arg(long = "access", value_enum, required_unless_present_any = ["from_guide", "recipe"])]
    access: Option<Level>,
    /// Start from a vendor's setup guide (text or JSON): its least-privilege equivalent is planned, after
    /// saying what in it is broader than needed. Flags given here win over the guide.
    #[arg(long, conflicts_with = "recipe")]
    from_guide: Option<PathBuf>,
    /// With --from-guide: create the guide's own permission policy exactly as pasted (checked; never a
    /// wildcard principal) instead of the least-privilege equivalent.
    #[arg(long, requires = "from_guide")]
    as_pasted: bool,
    /// Start from a vendor's recipe (docs/recipe.md). Flags given here win over the recipe.
    #[arg(long)]
    recipe: Option<PathBuf>,
    /// Object access only, without listing the bucket (image proxies fetch keys they already know).
    #[arg(long)]
    no_list: bool,
    /// With --from-guide or --recipe: allow listing the folder although the guide or recipe says the
    /// vendor does not list (--access alone keeps the guide's "no listing").
    #[arg(long, conflicts_with = "no_list")]
    list: bool,
    /// Create the bucket first, in --region, with Block Public Access and default encryption on.
    #[arg(long)]
    create_bucket: bool,
    /// Add a CORS rule for browsers on this origin (repeat for several). Existing rules are kept.
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// The access ends on this date (YYYY-MM-DD: at the start of that day, UTC; or an RFC 3339 time).
    /// AWS refuses every request after it; `s3aw access list` shows it, and revoke cleans up.
    #[arg(long, conflicts_with = "ends_in")]
    ends: Option<String>,
    /// The access ends this long from now: 7d, 30d, 90d, 12h, 2w.
    #[arg(long)]
    ends_in: Option<String>,
    /// Only from this address or network (CIDR; repeat for several). Requests through a VPC endpoint carry
    /// no public address and are refused too.
    #[arg(long = "source-ip")]
    source_ips: Vec<String>,
    #[command(flatten)]
    settings: HardeningArgs,
    /// Print the plan (every AWS call and its JSON) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the plan for your team's engine instead of applying it: `--export cloudformation FILE`
    /// (YAML, or JSON for a .json file) or `--export terraform FILE`. Changes nothing.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"], conflicts_with = "dry_run")]
    export: Vec<String>,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Args)]
pub struct IamUserArgs {
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
    /// With --reuse-user: go ahead although the user already has other permissions (the new key carries
    /// all of them, not only this access). --yes alone is not enough.
    #[arg(long, requires = "reuse_user")]
    accept_existing_access: bool,
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
pub struct RoleArgs {
    #[command(flatten)]
    target: Target,
    /// Name of the role to create.
    #[arg(long)]
    role: String,
    /// The other party: their 12-digit AWS account ID, or the ARN of one user or role of theirs.
    #[arg(long, required_unless_present_any = ["from_guide", "recipe"])]
    account: Option<String>,
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

pub async fn run(cli: &Cli, cmd: &Grant) -> CliResult {
    match cmd {
        Grant::IamUser(args) => grant_iam_user(cli, args).await,
        Grant::Role(args) => grant_role(cli, args).await,
    }
}

/// What a guide or recipe proposes, when the grant starts from one (read once, before anything else).
struct Guided {
    proposal: s3aw_core::guide::Proposal,
    reading: Option<s3aw_core::guide::Reading>,
}

fn guided(t: &Target) -> Result<Option<Guided>, Failure> {
    if let Some(path) = &t.from_guide {
        let reading = crate::guide::read_guide(path, &t.bucket)?;
        eprintln!("From the guide {}:", path.display());
        crate::guide::print_findings(&reading);
        if t.as_pasted {
            eprintln!("Warning: creating the guide's own policy exactly as pasted, with everything listed above that is broader than needed.");
        }
        return Ok(Some(Guided { proposal: reading.proposal.clone(), reading: Some(reading) }));
    }
    if let Some(path) = &t.recipe {
        let recipe = crate::guide::read_recipe(path)?;
        eprintln!("From the recipe of {}: {}", recipe.vendor, recipe.purpose);
        return Ok(Some(Guided { proposal: recipe.proposal()?, reading: None }));
    }
    Ok(None)
}

/// The level: `--access`, else the guide's or recipe's.
fn level_of(t: &Target, g: Option<&Guided>) -> Result<AccessLevel, Failure> {
    match (t.access, g) {
        (Some(l), _) => Ok(l.into()),
        (None, Some(g)) => Ok(g.proposal.access),
        (None, None) => Err(fail(Exit::Error, "invalid_input", "say what the access allows: --access read|upload|read-write|full")),
    }
}

/// With --as-pasted, the plan writes the guide's own policy in place of the generated one.
fn as_pasted(plan: &mut Plan, g: Option<&Guided>) -> Result<(), Failure> {
    let Some(reading) = g.and_then(|g| g.reading.as_ref()) else { return Ok(()) };
    let doc = s3aw_core::guide::pasted_policy(reading).ok_or_else(|| fail(Exit::Error, "invalid_input", "the guide has no permission policy to create as pasted"))?;
    Ok(s3aw_core::guide::apply_as_pasted(plan, doc)?)
}

fn base_request(session: &Session, t: &Target, method: Method, g: Option<&Guided>) -> Result<AccessRequest, Failure> {
    let level = level_of(t, g)?;
    let prefix = t.prefix.clone().or_else(|| g.and_then(|g| g.proposal.prefix.clone()));
    let mut scope = Scope::new(&t.bucket, prefix.as_deref())?;
    scope.allow_list = allow_list(t, g);
    scope.partition = session.partition().to_string();
    scope.limits = limits(t)?;
    let origins = if t.cors_origins.is_empty() { g.map(|g| g.proposal.cors_origins.clone()).unwrap_or_default() } else { t.cors_origins.clone() };
    let cors = if origins.is_empty() { None } else { Some(CorsRule::for_origins(&origins, level)) };
    Ok(AccessRequest {
        method,
        scope,
        level,
        cors,
        hardening: t.settings.to_hardening(&t.bucket),
        create_bucket_in: t.create_bucket.then(|| session.region().to_string()),
    })
}

/// Listing: `--no-list` or `--list` when given, else the guide's or recipe's choice (a level given with
/// `--access` does not bring listing back), else allowed.
fn allow_list(t: &Target, g: Option<&Guided>) -> bool {
    if t.no_list || t.list {
        return t.list;
    }
    !g.is_some_and(|g| g.proposal.no_list)
}

/// `--ends`, `--ends-in` and `--source-ip`.
fn limits(t: &Target) -> Result<Limits, Failure> {
    Ok(limits::limits_from(t.ends.as_deref(), t.ends_in.as_deref(), &t.source_ips, std::time::SystemTime::now())?)
}

/// `--yes` without `--dry-run`: the plan is applied without a person reading it first, so it skips the
/// reads that only inform the reader (see `PlanOptions::unattended`).
fn unattended(t: &Target) -> bool {
    t.yes && !t.dry_run && t.export.is_empty()
}

/// Print the plan with IAM Access Analyzer's findings, then ask (unless --yes). Returns false on a dry run,
/// and after an export (which writes the plan for another engine instead of applying it).
async fn review(cli: &Cli, session: &Session, t: &Target, plan: &Plan) -> Result<bool, Failure> {
    if let [format, file] = t.export.as_slice() {
        let path = PathBuf::from(file);
        let format = s3aw_core::iac::IacFormat::parse(format, &path)?;
        let files = s3aw_core::iac::IacModel::from_plan(plan)?.write(format, &path, false)?;
        if cli.json {
            print_json(json!({ "exported": path, "files": files, "format": format!("{format:?}"), "changed": false }));
        } else {
            println!("Wrote {} for your team's engine. Nothing was changed in the account.", crate::exit::file_list(&files));
            if plan.creates_key_for().is_some() {
                println!("It declares no access key: after the stack is applied, create one (IAM console, or aws iam create-access-key) and keep it with `s3aw access import`.");
            }
        }
        return Ok(false);
    }
    let analysis = s3aw_core::analyzer::check_plan(session, plan).await;
    review_plan(cli.json, t.dry_run, t.yes, plan, &analysis)
}

// ---- grant iam-user ---------------------------------------------------------------------------------------

/// Whether the secret can go somewhere besides the keychain.
fn other_destination(args: &IamUserArgs) -> bool {
    args.show_secret || args.files.holds_secret()
}

/// Refuse what would fail after the key exists: a lost secret, a bad profile name, a CSV in the way.
fn check_destinations(args: &IamUserArgs) -> CliResult {
    if args.no_keychain && !other_destination(args) && !args.target.dry_run {
        return Err(fail(Exit::Error, "invalid_input", "with --no-keychain the secret would be lost: add --show-secret, --csv FILE, --aws-profile NAME or --rclone FILE"));
    }
    args.files.check()?;
    Ok(())
}

/// Whether the secret goes into the keychain: asked for, and the keychain works (checked before any change).
async fn use_keychain(args: &IamUserArgs, keychain: &Keychain) -> Result<bool, Failure> {
    if args.no_keychain || args.target.dry_run || !args.target.export.is_empty() {
        return Ok(!args.no_keychain);
    }
    let k = keychain.clone();
    match s3aw_core::keychain::run_blocking(move || k.check_available()).await {
        Ok(()) => Ok(true),
        Err(e) if other_destination(args) => {
            eprintln!("warning: {e}\nwarning: continuing without the keychain, as you asked for the secret another way.");
            Ok(false)
        }
        Err(e) => Err(fail(
            Exit::Error,
            e.code(),
            format!("{e}\nNothing was changed. To go on without the keychain, add --no-keychain with --show-secret, --csv FILE or --aws-profile NAME."),
        )),
    }
}

/// Where the new key went after the apply.
struct HandedOver {
    csv: Option<PathBuf>,
    profile: Option<PathBuf>,
    /// The rclone remote and the Cyberduck bookmark, when asked for.
    kit: Vec<(&'static str, PathBuf)>,
    warnings: Vec<String>,
}

/// Write the key where it was asked to go, and note what was created in the local record.
async fn hand_over(session: &Session, plan: &Plan, applied: &Applied, key: &AccessKey, args: &IamUserArgs, user_name: &str) -> HandedOver {
    let mut out = HandedOver { csv: None, profile: None, kit: Vec::new(), warnings: Vec::new() };
    if let Some(path) = &args.files.csv {
        match export::write_csv(path, key, user_name, args.files.csv_format.into(), args.files.force) {
            Ok(()) => out.csv = Some(path.clone()),
            Err(e) => out.warnings.push(format!("could not write the CSV: {e}")),
        }
    }
    if let Some(p) = &args.files.aws_profile {
        match export::write_credentials_profile(p, key, args.files.force) {
            Ok(path) => out.profile = Some(path),
            Err(e) => out.warnings.push(format!("could not add the profile: {e}")),
        }
    }
    if args.files.rclone.is_some() || args.files.cyberduck.is_some() {
        let scope = &plan.request.scope;
        let target = KitTarget {
            bucket: scope.bucket.clone(),
            prefix: scope.prefix.clone(),
            region: s3aw_core::inventory::bucket_region_or_session(session, &scope.bucket).await,
            endpoint: session.endpoint_url().map(str::to_string),
            level: plan.request.level.as_str().to_string(),
        };
        match args.files.write_kit(&target, key) {
            Ok(written) => out.kit = written,
            Err(e) => out.warnings.push(format!("could not write the connect kit: {e}")),
        }
    }
    // Recorded last: this closes the change's journal entry, so a grant cut short before the secret
    // reached its files is still found and undone by `s3aw recover`.
    if let Err(e) = s3aw_core::grant::remember(session, plan, applied) {
        out.warnings.push(format!("could not update the local record of created access: {e}"));
    }
    out
}

async fn grant_iam_user(cli: &Cli, args: &IamUserArgs) -> CliResult {
    let t = &args.target;
    check_destinations(args)?;
    let keychain = Keychain::from_env();
    let use_keychain = use_keychain(args, &keychain).await?;

    let g = guided(t)?;
    let session = connect(cli).await?;
    let level = level_of(t, g.as_ref())?;
    let user_name = args.user.clone().unwrap_or_else(|| request::default_user_name(&t.bucket, level));
    let method = Method::IamUser(IamUserOptions {
        user_name: user_name.clone(),
        policy_name: args.policy_name.clone().unwrap_or_else(|| request::default_policy_name(&user_name)),
        managed_policy: args.managed_policy,
        reuse_existing_user: args.reuse_user,
        accept_existing_access: args.accept_existing_access,
        create_access_key: true,
        save_to_keychain: use_keychain,
    });
    let req = base_request(&session, t, method, g.as_ref())?;
    let mut plan = build_plan(&session, &req, &PlanOptions { keychain_service: keychain.service().to_string(), unattended: unattended(t) }).await?;
    if t.as_pasted {
        as_pasted(&mut plan, g.as_ref())?;
    }
    if !review(cli, &session, t, &plan).await? {
        return Ok(());
    }
    let applied = run_plan(&session, &plan, use_keychain.then_some(&keychain)).await?;
    let key = applied.access_key.clone().ok_or_else(|| fail(Exit::Error, "other", "the plan created no access key"))?;

    // The access exists now; what follows is about handing over the key. When the secret reached none of
    // the places asked for (and printing it was not asked for), the key is unusable: undo the whole grant.
    let handed = hand_over(&session, &plan, &applied, &key, args, &user_name).await;
    let saved_somewhere = applied.keychain_entry.is_some() || handed.csv.is_some() || handed.profile.is_some() || handed.kit.iter().any(|(what, _)| *what == "rclone");
    if !saved_somewhere && !args.show_secret {
        for w in &handed.warnings {
            eprintln!("warning: {w}");
        }
        let why = Error::Other("the new secret could not be saved anywhere you asked for, and AWS never shows it again".into());
        let f = s3aw_core::apply::roll_back(&session, &plan, applied, use_keychain.then_some(&keychain), why, &mut print_progress).await;
        let _ = s3aw_core::record::Record::modify(|r| r.entries.retain(|e| !e.access_key_ids.contains(&key.access_key_id)));
        let exit = if f.is_clean() { Exit::RolledBack } else { Exit::RollbackIncomplete };
        return Err(fail(exit, "secret_not_saved", format!("{}Fix the destination and run the grant again (or add --show-secret to print it).", f.explain())));
    }

    let works = if args.no_wait {
        None
    } else {
        eprintln!("Waiting for AWS to accept the new key ...");
        Some(wait_until_key_works(&session, &key, &Backoff::default(), |n, waited| eprintln!("      not yet (try {n}, {}s so far)", waited.as_secs())).await)
    };
    for w in &handed.warnings {
        eprintln!("warning: {w}");
    }
    let card = s3aw_core::explain::for_plan(&plan).unwrap_or_default();
    print_grant(cli, args, &keychain, &applied, &key, &handed, &user_name, works.as_ref().map(|w| w.as_ref().map(|w| w.attempts)), &card);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print_grant(cli: &Cli, args: &IamUserArgs, keychain: &Keychain, applied: &Applied, key: &AccessKey, handed: &HandedOver, user_name: &str, works: Option<Result<u32, &Error>>, card: &[s3aw_core::explain::Line]) {
    if cli.json {
        let mut out = json!({
            "account": applied.account,
            "user_name": user_name,
            "access_key_id": key.access_key_id,
            "keychain": applied.keychain_entry.as_ref().map(|e| json!({ "service": keychain.service(), "entry": e.entry_name() })),
            "csv": handed.csv,
            "profile": handed.profile.as_ref().map(|p| json!({ "name": args.files.aws_profile, "file": p })),
            "rclone": handed.kit.iter().find(|(w, _)| *w == "rclone").map(|(_, p)| p),
            "cyberduck": handed.kit.iter().find(|(w, _)| *w == "cyberduck").map(|(_, p)| p),
            "key_works": works.as_ref().map(|w| w.is_ok()),
            "warnings": handed.warnings,
            "can": crate::exit::card_json(card),
        });
        if args.show_secret {
            out["secret_access_key"] = json!(key.secret_access_key.expose());
        }
        print_json(out);
        return;
    }
    println!("Created access key {} for IAM user \"{user_name}\" in account {}.", key.access_key_id, applied.account.as_deref().unwrap_or("(unknown)"));
    if let Some(e) = &applied.keychain_entry {
        println!("Secret: saved in your keychain (service \"{}\", entry \"{}\").", keychain.service(), e.entry_name());
    }
    if let Some(p) = &handed.csv {
        println!("CSV: {} (readable by you only)", p.display());
    }
    if let Some(p) = &handed.profile {
        println!("Profile: [{}] in {}", args.files.aws_profile.as_deref().unwrap_or_default(), p.display());
    }
    for (what, p) in &handed.kit {
        match *what {
            "rclone" => println!("rclone remote: {} (readable by you only; it holds the secret)", p.display()),
            _ => println!("Cyberduck bookmark: {} (double-click it; Cyberduck asks for the secret once)", p.display()),
        }
    }
    if args.show_secret {
        println!("Secret access key: {}", key.secret_access_key.expose());
    }
    match works {
        Some(Ok(attempts)) => println!("The key works (AWS accepted it after {attempts} try/tries)."),
        Some(Err(e)) => println!("The key is not working yet: {e}"),
        None => {}
    }
    println!("What this key can do:");
    crate::exit::print_card(card);
}

// ---- grant role -------------------------------------------------------------------------------------------

async fn grant_role(cli: &Cli, args: &RoleArgs) -> CliResult {
    let t = &args.target;
    if let Some(path) = &args.handoff {
        if path.exists() && !args.force {
            return Err(Error::FileExists { path: path.clone() }.into());
        }
    }
    let g = guided(t)?;
    let external_id = match (&args.external_id, g.as_ref().and_then(|g| g.proposal.external_id.clone())) {
        (Some(id), _) => id.clone(),
        (None, Some(id)) => id,
        (None, None) if g.as_ref().is_some_and(|g| g.proposal.external_id_asked) => {
            return Err(fail(
                Exit::Error,
                "invalid_input",
                "the guide speaks of an external ID but gives none (the vendor may make it for you): add --external-id with the one from the vendor, or one you make and send them",
            ))
        }
        (None, None) => s3aw_core::handoff::generate_external_id()?,
    };
    let account = args.account.clone().or_else(|| g.as_ref().and_then(|g| g.proposal.account.clone())).ok_or_else(|| {
        fail(Exit::Error, "invalid_input", "the guide names no AWS account to trust: add --account with the vendor's 12-digit account ID")
    })?;
    let session = connect(cli).await?;
    let method = Method::CrossAccountRole(RoleOptions {
        role_name: args.role.clone(),
        policy_name: args.policy_name.clone().unwrap_or_else(|| request::default_policy_name(&args.role)),
        other_account: account.trim().to_string(),
        external_id,
        max_session_seconds: args.max_session_hours.map(|h| h.saturating_mul(3600)),
    });
    let req = base_request(&session, t, method, g.as_ref())?;
    let mut plan = build_plan(&session, &req, &PlanOptions { unattended: unattended(t), ..Default::default() }).await?;
    if t.as_pasted {
        as_pasted(&mut plan, g.as_ref())?;
    }
    if !review(cli, &session, t, &plan).await? {
        return Ok(());
    }
    let applied = run_plan(&session, &plan, None).await?;
    if let Err(e) = s3aw_core::grant::remember(&session, &plan, &applied) {
        eprintln!("warning: could not update the local record of created access: {e}");
    }
    let sheet = s3aw_core::handoff::Handoff::for_applied_plan(&session, &plan).await.ok_or_else(|| fail(Exit::Error, "other", "the plan made no role"))?;
    if let Some(path) = &args.handoff {
        sheet.write(path, args.force)?;
        eprintln!("Handoff sheet written to {}", path.display());
    }
    let card = s3aw_core::explain::for_plan(&plan).unwrap_or_default();
    if cli.json {
        print_json(json!({
            "can": crate::exit::card_json(&card),
            "role_arn": sheet.role_arn, "external_id": sheet.external_id, "bucket": sheet.bucket, "prefix": sheet.prefix,
            "handoff": sheet.to_json(), "handoff_file": args.handoff,
        }));
    } else {
        print!("{}", sheet.to_markdown());
        println!("\nWhat the role can do:");
        crate::exit::print_card(&card);
    }
    Ok(())
}
