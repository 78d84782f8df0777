//! How a command ends: the exit codes (one enum, which also writes the `--help` table), failures, the
//! confirmation prompt, the plan review, and progress lines. Shared by every command.

use s3aw_core::apply::{apply, Applied, Progress};
use s3aw_core::connect::Session;
use s3aw_core::keychain::Keychain;
use s3aw_core::analyzer::Analysis;
use s3aw_core::plan::Plan;
use s3aw_core::Error;
use std::io::{IsTerminal, Write};

/// The exit codes `s3aw` documents. Scripts rely on them: never renumber one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// Bad input, or AWS refused a request.
    Error = 1,
    Usage = 2,
    /// No credentials, an expired session, access denied.
    Auth = 3,
    RolledBack = 4,
    RollbackIncomplete = 5,
    NotConfirmed = 6,
}

impl Exit {
    pub const ALL: [Exit; 7] = [Exit::Success, Exit::Error, Exit::Usage, Exit::Auth, Exit::RolledBack, Exit::RollbackIncomplete, Exit::NotConfirmed];

    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Error => "error: bad input, or AWS refused a request (the message says what to fix)",
            Exit::Usage => "usage error (unknown flag, missing argument)",
            Exit::Auth => "credentials or permissions problem (not signed in, an expired session, access denied)",
            Exit::RolledBack => "the change failed and was rolled back completely: the account is as it was",
            Exit::RollbackIncomplete => "the change failed and could not be rolled back completely: the message lists what to remove",
            Exit::NotConfirmed => "not confirmed: nothing was changed",
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The table printed under `s3aw --help`.
pub fn help_table() -> String {
    let mut out = String::from("Exit codes:\n");
    for e in Exit::ALL {
        out.push_str(&format!("  {}  {}\n", e.code(), e.meaning()));
    }
    out.trim_end().to_string()
}

/// An error with the exit code it maps to.
pub struct Failure {
    pub exit: Exit,
    pub error_code: String,
    pub message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { exit: if e.is_auth() { Exit::Auth } else { Exit::Error }, error_code: e.code().to_string(), message: e.to_string() }
    }
}

pub fn fail(exit: Exit, error_code: &str, message: impl Into<String>) -> Failure {
    Failure { exit, error_code: error_code.into(), message: message.into() }
}

/// A usage error: something missing or contradictory on the command line.
pub fn usage(message: impl Into<String>) -> Failure {
    fail(Exit::Usage, "usage", message)
}

pub type CliResult = Result<(), Failure>;

pub fn print_json(v: serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}

/// Files written, for a sentence: `a.yaml`, or `a.yaml, a.import.yaml and a.import-resources.json`.
pub fn file_list(files: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// Print the plan (or its JSON) with IAM Access Analyzer's findings, then ask unless `yes`. Returns false
/// on a dry run or an empty plan; refuses when Access Analyzer found errors.
pub fn review_plan(json: bool, dry_run: bool, yes: bool, plan: &Plan, analysis: &Analysis) -> Result<bool, Failure> {
    if dry_run {
        if json {
            let mut v = plan.to_json();
            v["access_analyzer"] = analysis_json(analysis);
            print_json(v);
        } else {
            print!("{}", plan.render_text());
            if let Some(p) = &plan.policy {
                println!("\nThe permission policy:\n{}", p.to_json_pretty());
            }
            print!("{}", analysis_text(analysis));
            println!("\nDry run: nothing was changed.");
        }
        return Ok(false);
    }
    eprint!("{}", plan.render_text());
    eprint!("{}", analysis_text(analysis));
    if analysis.blocks() {
        return Err(fail(
            Exit::Error,
            "access_analyzer_error",
            "IAM Access Analyzer found errors in the policies this plan would write (listed above). Nothing was changed.",
        ));
    }
    if plan.steps.is_empty() {
        return Ok(false);
    }
    confirm(yes, &format!("Apply these {} change(s)?", plan.steps.len()))?;
    Ok(true)
}

/// Access Analyzer's result for people: the summary, then one line per finding.
pub fn analysis_text(analysis: &Analysis) -> String {
    let mut out = format!("\n{}\n", analysis.summary());
    if let Analysis::Checked(findings) = analysis {
        for f in findings {
            out.push_str(&format!("  {} in {}: {} ({})\n", f.severity.as_str(), f.policy, f.message, f.code));
            if let Some(link) = &f.learn_more {
                out.push_str(&format!("    {link}\n"));
            }
        }
    }
    out
}

pub fn analysis_json(analysis: &Analysis) -> serde_json::Value {
    match analysis {
        Analysis::NothingToCheck => serde_json::json!({ "checked": false, "reason": "no policy to check", "blocks": false, "findings": [] }),
        Analysis::NotChecked(why) => serde_json::json!({ "checked": false, "reason": why, "blocks": false, "findings": [] }),
        Analysis::Checked(f) => serde_json::json!({
            "checked": true, "reason": null, "blocks": analysis.blocks(),
            "findings": f.iter().map(|f| serde_json::json!({ "policy": f.policy, "severity": f.severity.as_str(), "code": f.code, "message": f.message, "learn_more": f.learn_more })).collect::<Vec<_>>(),
        }),
    }
}

/// Ask on the terminal unless `yes`; without a terminal, refuse and say how to confirm.
pub fn confirm(yes: bool, question: &str) -> CliResult {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail(Exit::NotConfirmed, "not_confirmed", "not confirmed: pass --yes to go ahead without a prompt (or --dry-run to only look). Nothing was changed."));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Err(fail(Exit::NotConfirmed, "not_confirmed", "not confirmed. Nothing was changed."));
    }
    Ok(())
}

/// Progress on stderr, one line per event.
pub fn print_progress(p: Progress) {
    match p {
        Progress::StepStarted { index, total, summary } => eprintln!("[{}/{}] {summary} ...", index + 1, total),
        Progress::StepSucceeded { detail, .. } => eprintln!("      done{}", detail.map(|d| format!(" ({d})")).unwrap_or_default()),
        Progress::StepFailed { message, .. } => eprintln!("      FAILED: {message}"),
        Progress::RollbackStarted { steps } => eprintln!("Rolling back {steps} completed step(s) ..."),
        Progress::StepUndone { summary, .. } => eprintln!("      undone: {summary}"),
        Progress::UndoFailed { summary, message, .. } => eprintln!("      could NOT undo: {summary}: {message}"),
    }
}

/// Apply a reviewed plan with progress on stderr; a failure maps to the rollback exit codes.
pub async fn run_plan(session: &Session, plan: &Plan, keychain: Option<&Keychain>) -> Result<Applied, Failure> {
    apply(session, plan, keychain, &mut print_progress).await.map_err(|f| {
        // A name found taken by the create call itself (an unattended plan does not read names first) is
        // the same refusal as a plan's: nothing was changed.
        if f.changed_nothing() && matches!(f.error, Error::NameTaken { .. } | Error::ChangedSinceReview { .. }) {
            return fail(Exit::Error, f.error.code(), format!("{}\nNothing was changed.", f.error));
        }
        if f.is_clean() {
            fail(Exit::RolledBack, "rolled_back", f.explain())
        } else {
            fail(Exit::RollbackIncomplete, "rollback_incomplete", f.explain())
        }
    })
}

/// "What can this key do?" as JSON: one object per line.
pub fn card_json(lines: &[s3aw_core::explain::Line]) -> serde_json::Value {
    serde_json::Value::Array(lines.iter().map(|l| serde_json::json!({ "code": l.code, "question": l.question, "allowed": l.allowed, "answer": l.answer })).collect())
}

/// "What can this key do?" for people: the answer first, so the yes lines stand out.
pub fn print_card(lines: &[s3aw_core::explain::Line]) {
    for l in lines {
        match l.allowed {
            Some(yes) => {
                // "Yes: IAM, STS": the detail after the answer.
                let detail = l.answer.split_once(": ").map(|(_, d)| format!(": {d}")).unwrap_or_default();
                println!("  {:<4} {}{detail}", if yes { "yes" } else { "no" }, l.question)
            }
            None => println!("  {}: {}", l.question, l.answer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_table_lists_every_code_in_order() {
        let table = help_table();
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(e.code() as usize, i);
            assert!(table.contains(&format!("  {i}  {}", e.meaning())), "{table}");
        }
    }
}
