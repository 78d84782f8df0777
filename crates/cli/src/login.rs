//! `s3aw login` and `s3aw logout`: sign in in the browser (a console sign-in through AWS Sign-In, or IAM
//! Identity Center), stored as the AWS CLI stores it, so every command (`--profile NAME`) and every AWS tool
//! on this machine can use it.

use crate::exit::{fail, print_json, usage, CliResult, Exit};
use crate::Cli;
use clap::Args;
use s3aw_core::connect::{list_profiles, ProfileInfo, ProfileKind};
use s3aw_core::signin::console::{ConsoleOptions, ConsoleSignIn};
use s3aw_core::signin::sso::{SsoOptions, SsoSession, SsoSignIn};
use serde_json::json;
use std::time::{Duration, SystemTime};

#[derive(Args)]
pub struct LoginArgs {
    /// Sign in with IAM Identity Center (your organisation's AWS access portal) instead of an AWS account's
    /// own sign-in.
    #[arg(long)]
    sso: bool,
    /// The profile to store the sign-in under (default: the global --profile, else "default"; with --sso,
    /// ROLE-ACCOUNT). Signing in to an existing sign-in profile again renews it.
    #[arg(long)]
    aws_profile: Option<String>,
    /// The browser is on another device: print the address to open there, then paste the code it shows.
    #[arg(long, conflicts_with = "sso")]
    remote: bool,
    /// With --sso: the AWS access portal URL (https://d-1234567890.awsapps.com/start).
    #[arg(long, requires = "sso")]
    start_url: Option<String>,
    /// With --sso: the region of the Identity Center instance (default: --region, else us-east-1).
    #[arg(long, requires = "sso")]
    sso_region: Option<String>,
    /// With --sso: the account to use (needed when the portal lists several).
    #[arg(long, requires = "sso")]
    account: Option<String>,
    /// With --sso: the role to use in that account (needed when there are several).
    #[arg(long, requires = "sso")]
    role: Option<String>,
    /// Print the sign-in address instead of opening the browser.
    #[arg(long)]
    no_browser: bool,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
}

#[derive(Args)]
pub struct LogoutArgs {
    /// The sign-in profile to sign out of (default: the global --profile, else "default").
    #[arg(long)]
    aws_profile: Option<String>,
}

fn profile_name(cli: &Cli, given: &Option<String>) -> Option<String> {
    given.clone().or_else(|| cli.profile.clone()).map(|p| p.trim().to_string())
}

/// A time as people read it: `2026-11-23 21:45 UTC`.
fn when(t: SystemTime) -> String {
    let s = s3aw_core::record::format_time(t);
    format!("{} UTC", s.get(..16).unwrap_or(&s).replace('T', " "))
}

fn show_url(url: &str, open: bool) {
    if open {
        eprintln!("Opening your browser to sign in. If it does not open, go to this address:\n\n  {url}\n");
        if let Err(e) = s3aw_core::signin::open_in_browser(url) {
            eprintln!("({e})");
        }
    } else {
        eprintln!("Open this address in a browser and sign in:\n\n  {url}\n");
    }
}

pub async fn login(cli: &Cli, args: &LoginArgs) -> CliResult {
    let profiles = list_profiles().await;
    let name = profile_name(cli, &args.aws_profile);
    let existing = name.as_ref().and_then(|n| profiles.iter().find(|p| &p.name == n)).cloned();
    if args.sso || existing.as_ref().is_some_and(|p| p.kind == ProfileKind::Sso && args.start_url.is_none()) {
        sso_login(cli, args, name, existing).await
    } else {
        console_login(cli, args, name.unwrap_or_else(|| "default".into()), existing).await
    }
}

async fn console_login(cli: &Cli, args: &LoginArgs, profile: String, existing: Option<ProfileInfo>) -> CliResult {
    let region = cli.region.clone().or_else(|| existing.as_ref().and_then(|p| p.region.clone())).unwrap_or_else(|| s3aw_core::connect::DEFAULT_REGION.to_string());
    // A name that is taken is refused before the browser opens, not after the person signed in.
    s3aw_core::signin::check_profile_is_free_for(&profile, "login_session").await?;
    let mut opts = ConsoleOptions::new(&region);
    opts.remote = args.remote;
    opts.timeout = Duration::from_secs(args.timeout);
    let attempt = ConsoleSignIn::begin(opts).await?;
    let session = if args.remote {
        eprintln!("On the device with the browser, open this address and sign in:\n\n  {}\n", attempt.authorize_url);
        eprintln!("Then paste the code the browser shows here and press Enter:");
        let mut code = String::new();
        std::io::stdin().read_line(&mut code).map_err(|e| fail(Exit::Error, "other", format!("could not read the code: {e}")))?;
        attempt.finish_with_code(&code).await?
    } else {
        show_url(&attempt.authorize_url, !args.no_browser);
        eprintln!("Waiting for you to sign in (up to {} s; Ctrl+C to stop) ...", args.timeout);
        attempt.wait().await?
    };
    let (profile, cache) = session.save(&profile).await?;
    // A session lasts until AWS ends it, at most 12 hours; the credentials in it renew on their own.
    let latest = SystemTime::now() + Duration::from_secs(12 * 3600);
    if cli.json {
        print_json(json!({
            "profile": profile, "kind": "login", "identity": session.session_arn, "account": session.account, "region": session.region,
            "credentials_expire_at": s3aw_core::record::format_time(session.expires_at), "session_ends_by": s3aw_core::record::format_time(latest),
            "cache_file": cache,
        }));
    } else {
        println!("Signed in as {} in account {} until {} at the latest.", session.session_arn, session.account, when(latest));
        println!("Saved as profile \"{profile}\" (the AWS CLI and SDKs can use it too). Use it: s3aw --profile {profile} buckets");
    }
    Ok(())
}

async fn sso_login(cli: &Cli, args: &LoginArgs, name: Option<String>, existing: Option<ProfileInfo>) -> CliResult {
    let again = existing.as_ref().filter(|p| p.kind == ProfileKind::Sso && args.start_url.is_none());
    let mut opts = match (again, &args.start_url) {
        (_, Some(url)) => SsoOptions::new(url, args.sso_region.as_deref().or(cli.region.as_deref()).unwrap_or(s3aw_core::connect::DEFAULT_REGION)),
        (Some(p), None) => {
            let url = p.sso_start_url.clone().ok_or_else(|| fail(Exit::Error, "invalid_input", format!("the profile \"{}\" names no start URL; pass --start-url", p.name)))?;
            let mut o = SsoOptions::new(&url, args.sso_region.as_deref().or(p.sso_region.as_deref()).unwrap_or(s3aw_core::connect::DEFAULT_REGION));
            // The cache file is named after the profile's session (or, for the older layout, its start URL).
            o.session_name = p.sso_session.clone().unwrap_or(url);
            o
        }
        (None, None) => return Err(usage("--sso needs --start-url (your AWS access portal URL), or --aws-profile naming an Identity Center profile to sign in to again")),
    };
    opts.timeout = Duration::from_secs(args.timeout);
    if let Some(name) = &name {
        s3aw_core::signin::check_profile_is_free_for(name, "sso_session").await?;
    }
    let session = match SsoSession::from_cache(&opts)? {
        Some(s) => {
            eprintln!("Using your Identity Center sign-in from earlier (valid until {}).", when(s.expires_at));
            s
        }
        None => {
            let attempt = SsoSignIn::begin(opts).await?;
            show_url(&attempt.authorize_url, !args.no_browser);
            eprintln!("Waiting for you to sign in (up to {} s; Ctrl+C to stop) ...", args.timeout);
            attempt.wait().await?
        }
    };
    if let Some(p) = again {
        // Signing in to an existing profile again: its account and role stay.
        report_sso(cli, &session, &p.name, p.sso_account_id.as_deref().unwrap_or_default(), p.sso_role_name.as_deref().unwrap_or_default());
        return Ok(());
    }
    let accounts = session.accounts().await?;
    let account = match (&args.account, accounts.as_slice()) {
        (Some(a), _) if accounts.iter().any(|x| &x.account_id == a) => a.clone(),
        (Some(a), _) => return Err(fail(Exit::Error, "invalid_input", format!("you may not use account {a} with this sign-in; the portal lists: {}", list_accounts(&accounts)))),
        (None, [only]) => only.account_id.clone(),
        (None, []) => return Err(fail(Exit::Auth, "access_denied", "the access portal lists no AWS account for you; ask your administrator to assign you one")),
        (None, many) => return Err(choose("account", &format!("--account ID (one of: {})", list_accounts(many)))),
    };
    let roles = session.roles(&account).await?;
    let role = match (&args.role, roles.as_slice()) {
        (Some(r), _) if roles.contains(r) => r.clone(),
        (Some(r), _) => return Err(fail(Exit::Error, "invalid_input", format!("you may not use the role \"{r}\" in account {account}; you may use: {}", roles.join(", ")))),
        (None, [only]) => only.clone(),
        (None, []) => return Err(fail(Exit::Auth, "access_denied", format!("you have no role in account {account}; ask your administrator to assign you one"))),
        (None, many) => return Err(choose("role", &format!("--role NAME (one of: {})", many.join(", ")))),
    };
    let region = cli.region.clone().unwrap_or_else(|| session.opts.sso_region.clone());
    let profile = name.unwrap_or_else(|| format!("{role}-{account}"));
    session.save_profile(&profile, &account, &role, &region).await?;
    report_sso(cli, &session, &profile, &account, &role);
    Ok(())
}

fn list_accounts(accounts: &[s3aw_core::signin::sso::SsoAccount]) -> String {
    accounts.iter().map(|a| if a.name.is_empty() { a.account_id.clone() } else { format!("{} ({})", a.account_id, a.name) }).collect::<Vec<_>>().join(", ")
}

/// Several to choose from: the sign-in is kept (a second run does not open the browser again).
fn choose(what: &str, how: &str) -> crate::exit::Failure {
    fail(Exit::Usage, "usage", format!("you may use more than one {what}; run the same command again with {how}. You stay signed in, so the browser will not open again."))
}

fn report_sso(cli: &Cli, session: &SsoSession, profile: &str, account: &str, role: &str) {
    if cli.json {
        print_json(json!({
            "profile": profile, "kind": "sso", "start_url": session.opts.start_url, "sso_region": session.opts.sso_region, "sso_session": session.opts.session_name,
            "account": account, "role": role, "token_expires_at": s3aw_core::record::format_time(session.expires_at),
        }));
    } else {
        println!("Signed in to IAM Identity Center ({}) until {}.", session.opts.start_url, when(session.expires_at));
        println!("Profile \"{profile}\" uses the role {role} in account {account} (the AWS CLI and SDKs can use it too). Use it: s3aw --profile {profile} buckets");
    }
}

pub async fn logout(cli: &Cli, args: &LogoutArgs) -> CliResult {
    let profile = profile_name(cli, &args.aws_profile).unwrap_or_else(|| "default".into());
    let out = s3aw_core::signin::sign_out(&profile).await?;
    if cli.json {
        print_json(json!({ "profile": out.profile, "session": out.session, "cache_removed": out.cache_removed, "kept_for": out.kept_for, "ended_at_aws": out.ended_at_aws }));
        return Ok(());
    }
    match out.ended_at_aws {
        Some(true) => println!("AWS ended the Identity Center session of \"{}\".", out.profile),
        Some(false) => println!("AWS did not confirm the end of the Identity Center session of \"{}\" (it may have ended already).", out.profile),
        None => {}
    }
    if !out.kept_for.is_empty() {
        println!("Signed out of \"{}\". The saved sign-in stays on this computer for {}, which use the same session.", out.profile, out.kept_for.join(", "));
    } else if out.cache_removed {
        println!("Signed out of \"{}\": its saved sign-in is deleted from this computer; the profile's other settings stay.", out.profile);
    } else {
        println!("\"{}\" was not signed in on this computer; nothing to delete.", out.profile);
    }
    Ok(())
}
