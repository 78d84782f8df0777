//! `s3aw recover [--dry-run]`: finish or undo a change that was interrupted (the intent journal), and the
//! warning every command that changes the account prints first when one is found.

use crate::exit::{confirm, fail, print_json, print_progress, CliResult, Exit, Failure};
use crate::{connect, Cli};
use s3aw_core::keychain::Keychain;
use s3aw_core::recover;
use serde_json::json;

/// Before a command that changes the account: stop on a damaged record or journal (before any AWS
/// call), and warn about each interrupted change.
pub fn before_change() -> Result<(), Failure> {
    for read in s3aw_core::journal::before_change()? {
        eprintln!("warning: {}", read.describe().replace('\n', "\nwarning: "));
        eprintln!("warning: run `s3aw recover --dry-run` to see how it would be finished or undone, then `s3aw recover` to do it.");
    }
    Ok(())
}

pub async fn run(cli: &Cli, dry_run: bool, yes: bool) -> CliResult {
    s3aw_core::record::Record::load()?;
    let found = s3aw_core::journal::interrupted()?;
    if found.is_empty() {
        if cli.json {
            print_json(json!({ "interrupted": [] }));
        } else {
            println!("No change was interrupted: there is nothing to recover.");
        }
        return Ok(());
    }
    let session = connect(cli).await?;
    let keychain = Keychain::from_env();
    let mut report = Vec::new();
    for read in &found {
        let plan = recover::plan(&session, &keychain, read).await?;
        let steps: Vec<String> = plan.fixes.iter().map(recover::Fix::summary).collect();
        if !cli.json {
            println!("{}", plan.description);
            if steps.is_empty() {
                println!("Nothing needs doing in the account.");
            } else {
                println!("{} it takes:", if plan.finishes { "Finishing" } else { "Undoing" });
                for (i, s) in steps.iter().enumerate() {
                    println!("  {}. {s}", i + 1);
                }
            }
            for n in &plan.notes {
                println!("Note: {n}");
            }
        }
        let mut item = json!({ "id": read.id, "description": plan.description, "finishes": plan.finishes, "steps": steps, "notes": plan.notes });
        if dry_run {
            report.push(item);
            continue;
        }
        confirm(yes, if plan.finishes { "Finish this change?" } else { "Undo this change?" })?;
        let out = recover::run(&session, &keychain, &plan, &mut print_progress).await?;
        if !out.left.is_empty() {
            let left: Vec<String> = out.left.iter().map(|(s, e)| format!("NOT done: {s}: {e}")).collect();
            return Err(fail(Exit::RollbackIncomplete, "recovery_incomplete", format!("{}\nRun `s3aw recover` again once that is fixed.", left.join("\n"))));
        }
        if !cli.json {
            println!("{}", if plan.finishes { "Finished." } else { "Undone: nothing of the change is left." });
        }
        item["recovered"] = json!(true);
        report.push(item);
    }
    if cli.json {
        print_json(json!({ "interrupted": report, "dry_run": dry_run }));
    } else if dry_run {
        println!("Nothing was changed (--dry-run).");
    }
    Ok(())
}
