//! Running a plan: each step in order, progress reported as events, and on failure every completed step
//! undone in reverse order, with an exact account of what was rolled back and what could not be.

use crate::connect::Session;
use crate::error::{from_sdk, Error, Result};
use crate::journal::{self, Entry, Outcome};
use crate::keychain::{run_blocking, KeyRef, Keychain};
use crate::plan::{merge_cors, merge_statement, Action, Encryption, Plan, PolicyPurpose, PublicAccessBlock, CREATED_BY_TAG};
use crate::request::CorsRule;
use crate::secret::AccessKey;
use aws_sdk_s3::types as s3t;
use serde::{Deserialize, Serialize};

/// Progress of an apply, for live display. Holds no secret.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    StepStarted { index: usize, total: usize, summary: String },
    StepSucceeded { index: usize, detail: Option<String> },
    StepFailed { index: usize, message: String },
    RollbackStarted { steps: usize },
    StepUndone { index: usize, summary: String },
    UndoFailed { index: usize, summary: String, message: String },
}

/// What a successful apply produced.
#[derive(Debug)]
pub struct Applied {
    /// The account that was changed (the plan's, or the one AWS named when it created the user).
    pub account: Option<String>,
    pub access_key: Option<AccessKey>,
    /// Where the secret was saved, when the plan saved it.
    pub keychain_entry: Option<KeyRef>,
    /// Steps that merged into a document someone else had changed since the review, by summary.
    pub remerged: Vec<String>,
    /// The completed steps and what undoing them needs, for [`roll_back`].
    done: Vec<(usize, StepOutput)>,
    /// The change's journal entry, still open while what follows the apply (the record) is not written.
    journal: Option<Entry>,
}

impl Applied {
    /// Close the change's journal entry: what the apply made is now recorded (or needs no record).
    pub fn close_journal(&self) {
        if let Some(j) = &self.journal {
            let _ = j.close(Outcome::Finished);
        }
    }
}

/// A failed apply: the error, and what rollback did.
#[derive(Debug)]
pub struct ApplyFailure {
    pub failed_step: usize,
    pub failed_summary: String,
    pub error: Error,
    /// Steps that were undone, as plain summaries (in the order they were undone).
    pub rolled_back: Vec<String>,
    /// Steps that could not be undone, with why: these are left in the account and must be cleaned by hand.
    pub left_behind: Vec<(String, Error)>,
}

impl ApplyFailure {
    pub fn is_clean(&self) -> bool {
        self.left_behind.is_empty()
    }

    /// The first change failed, so the account is exactly as it was.
    pub fn changed_nothing(&self) -> bool {
        self.rolled_back.is_empty() && self.left_behind.is_empty()
    }

    /// A full explanation for people.
    pub fn explain(&self) -> String {
        let mut out = format!("Step {} failed: {}\n{}\n", self.failed_step + 1, self.failed_summary, self.error);
        if self.rolled_back.is_empty() && self.left_behind.is_empty() {
            out.push_str("Nothing had been changed, so nothing needed to be undone.\n");
        } else {
            for r in &self.rolled_back {
                out.push_str(&format!("Undone: {r}\n"));
            }
            for (r, e) in &self.left_behind {
                out.push_str(&format!("NOT undone (please remove it by hand): {r}: {e}\n"));
            }
            if self.left_behind.is_empty() {
                out.push_str("Everything was rolled back; the account is as it was.\n");
            }
        }
        out
    }
}

/// The result of one step that undoing it may need (written to the journal as the step's answer).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StepOutput {
    pub(crate) access_key_id: Option<String>,
    /// For a step that replaced a whole document (bucket policy, CORS rules): what the bucket held just
    /// before (`None`: nothing) and what the step wrote. Undo restores the first only while the bucket
    /// still holds the second.
    pub(crate) replaced: Option<Replaced>,
    /// The step merged into a document that had changed since the review.
    #[serde(default)]
    pub(crate) remerged: bool,
    /// The account, once known (CreateUser's ARN names it for an unattended plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replaced {
    Policy { before: Option<String>, written: String },
    Cors { before: Vec<CorsRule>, written: Vec<CorsRule> },
}

struct Run<'a> {
    session: &'a Session,
    keychain: Option<&'a Keychain>,
    account: Option<String>,
    key: Option<AccessKey>,
    keychain_entry: Option<KeyRef>,
    journal: Option<Entry>,
}

/// The journal entry a plan's apply opens: the plan's headline, and the record entry it will make.
fn journal_change(session: &Session, plan: &Plan) -> journal::Change {
    journal::Change {
        kind: journal::Kind::Apply,
        summary: plan.headline.clone(),
        account: plan.account.clone(),
        endpoint: session.endpoint_url().map(str::to_string),
        steps: plan.steps.len(),
        detail: serde_json::json!({ "record": crate::grant::draft_entry(session, plan) }),
    }
}

/// Apply `plan`, calling `progress` for each event. The keychain is needed when the plan saves a secret.
///
/// Documents S3 replaces whole are read again first: a CORS edit or removal based on rules that have
/// changed since the review stops before anything changes; a statement or rule to add is merged into what
/// is there when its step runs (and the progress says it was re-merged).
///
/// Every step is written to the intent journal before it runs; the entry closes when the apply is rolled
/// back, and otherwise when what was made is recorded ([`Applied::close_journal`], which
/// `grant::remember` calls); a plan that records nothing (bucket settings) closes it here.
pub async fn apply(
    session: &Session,
    plan: &Plan,
    keychain: Option<&Keychain>,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> std::result::Result<Applied, ApplyFailure> {
    let mut run = Run { session, keychain, account: plan.account.clone(), key: None, keychain_entry: None, journal: None };
    let total = plan.steps.len();
    match Entry::begin(journal_change(session, plan)) {
        Ok(entry) => run.journal = Some(entry),
        Err(error) => {
            let summary = plan.steps.first().map(Action::summary).unwrap_or_default();
            progress(Progress::StepFailed { index: 0, message: error.to_string() });
            return Err(ApplyFailure { failed_step: 0, failed_summary: summary, error, rolled_back: vec![], left_behind: vec![] });
        }
    }
    if let Err((index, error)) = run.check_unchanged(plan).await {
        run.close_journal(Outcome::RolledBack);
        let summary = plan.steps[index].summary();
        progress(Progress::StepFailed { index, message: error.to_string() });
        return Err(ApplyFailure { failed_step: index, failed_summary: summary, error, rolled_back: vec![], left_behind: vec![] });
    }
    let mut done: Vec<(usize, StepOutput)> = Vec::new();
    for (index, action) in plan.steps.iter().enumerate() {
        progress(Progress::StepStarted { index, total, summary: action.summary() });
        let started = match &run.journal {
            Some(j) => j.intent(index, &action.summary(), action),
            None => Ok(()),
        };
        let result = match started {
            Ok(()) => run.execute(action).await,
            Err(e) => Err(e),
        };
        match result {
            Ok((mut out, detail)) => {
                out.account.clone_from(&run.account);
                if let Some(j) = &run.journal {
                    j.done(index, &out);
                }
                progress(Progress::StepSucceeded { index, detail });
                done.push((index, out));
            }
            Err(error) => {
                progress(Progress::StepFailed { index, message: error.to_string() });
                let failure = ApplyFailure { failed_step: index, failed_summary: action.summary(), error, rolled_back: vec![], left_behind: vec![] };
                return Err(run.undo_all(plan, done, failure, progress).await);
            }
        }
    }
    let remerged = done.iter().filter(|(_, o)| o.remerged).map(|(i, _)| plan.steps[*i].summary()).collect();
    if crate::grant::draft_entry(session, plan).is_none() {
        run.close_journal(Outcome::Finished);
    }
    Ok(Applied { account: run.account, access_key: run.key, keychain_entry: run.keychain_entry, remerged, done, journal: run.journal })
}

/// Undo a successful apply, in reverse, because what followed it failed (say the new secret could be
/// saved nowhere): the account ends as it was. Returns the account of what was undone, as for a failure.
pub async fn roll_back(
    session: &Session,
    plan: &Plan,
    applied: Applied,
    keychain: Option<&Keychain>,
    error: Error,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> ApplyFailure {
    let mut run = Run { session, keychain, account: applied.account, key: applied.access_key, keychain_entry: applied.keychain_entry, journal: applied.journal };
    let last = applied.done.last().map(|(i, _)| *i).unwrap_or(0);
    let failure = ApplyFailure { failed_step: last, failed_summary: "Hand the new key over".into(), error, rolled_back: vec![], left_behind: vec![] };
    run.undo_all(plan, applied.done, failure, progress).await
}

/// The account named in an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`).
fn arn_account(arn: &str) -> Option<String> {
    arn.split(':').nth(4).filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())).map(str::to_string)
}

/// A create call refused because the name is taken (an unattended plan does not read names first): say
/// so, with a free name found now.
async fn name_taken<F, Fut>(kind: &'static str, name: &str, taken: F) -> Error
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let suggestion = crate::iam::free_name(name, taken).await.ok().flatten().unwrap_or_else(|| format!("{name}-2"));
    Error::NameTaken { kind, name: name.to_string(), suggestion }
}

fn build_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("could not build the {what} request: {e}"))
}

fn cors_to_sdk(rules: &[CorsRule]) -> Result<s3t::CorsConfiguration> {
    let mut out = Vec::new();
    for r in rules {
        out.push(
            s3t::CorsRule::builder()
                .set_id(r.id.clone())
                .set_allowed_origins(Some(r.allowed_origins.clone()))
                .set_allowed_methods(Some(r.allowed_methods.clone()))
                .set_allowed_headers((!r.allowed_headers.is_empty()).then(|| r.allowed_headers.clone()))
                .set_expose_headers((!r.expose_headers.is_empty()).then(|| r.expose_headers.clone()))
                .set_max_age_seconds(r.max_age_seconds)
                .build()
                .map_err(|e| build_err("CORS", e))?,
        );
    }
    s3t::CorsConfiguration::builder().set_cors_rules(Some(out)).build().map_err(|e| build_err("CORS", e))
}

fn pab_to_sdk(p: PublicAccessBlock) -> s3t::PublicAccessBlockConfiguration {
    s3t::PublicAccessBlockConfiguration::builder()
        .block_public_acls(p[0])
        .ignore_public_acls(p[1])
        .block_public_policy(p[2])
        .restrict_public_buckets(p[3])
        .build()
}

fn logging_to_sdk(target: Option<&crate::request::LoggingTarget>) -> Result<s3t::BucketLoggingStatus> {
    let mut status = s3t::BucketLoggingStatus::builder();
    if let Some(t) = target {
        status = status.logging_enabled(s3t::LoggingEnabled::builder().target_bucket(&t.bucket).target_prefix(&t.prefix).build().map_err(|e| build_err("logging", e))?);
    }
    Ok(status.build())
}

fn encryption_to_sdk(e: &Encryption) -> Result<s3t::ServerSideEncryptionConfiguration> {
    let default = s3t::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(s3t::ServerSideEncryption::from(e.algorithm.as_str()))
        .set_kms_master_key_id(e.kms_key_id.clone())
        .build()
        .map_err(|e| build_err("encryption", e))?;
    s3t::ServerSideEncryptionConfiguration::builder()
        .rules(s3t::ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).set_bucket_key_enabled(e.kms_key_id.is_some().then_some(true)).build())
        .build()
        .map_err(|e| build_err("encryption", e))
}

/// Undo one step of an interrupted apply, from what its journal entry says (`recover`): `out` is the
/// step's answer, or what undoing must assume when none came back.
pub(crate) async fn undo_step(session: &Session, keychain: Option<&Keychain>, account: Option<String>, keychain_entry: Option<KeyRef>, action: &Action, out: &StepOutput) -> Result<()> {
    let mut run = Run { session, keychain, account, key: None, keychain_entry, journal: None };
    run.undo(action, out).await
}

impl Run<'_> {
    /// Close the journal entry (once).
    fn close_journal(&mut self, outcome: Outcome) {
        if let Some(j) = self.journal.take() {
            let _ = j.close(outcome);
        }
    }

    fn s3(&self) -> &aws_sdk_s3::Client {
        self.session.s3()
    }

    /// Before any change: the steps that replace the CORS rules with an edited list (or remove them) were
    /// based on the rules read for the review; if the bucket holds other rules now, stop.
    async fn check_unchanged(&self, plan: &Plan) -> std::result::Result<(), (usize, Error)> {
        for (i, action) in plan.steps.iter().enumerate() {
            let (bucket, previous) = match action {
                Action::PutBucketCors { bucket, previous, added: None, .. } => (bucket, previous.clone().unwrap_or_default()),
                Action::DeleteBucketCors { bucket, previous } => (bucket, previous.clone()),
                _ => continue,
            };
            let now = crate::inventory::bucket_cors(self.session, bucket).await.map_err(|e| (i, e))?;
            if now != previous {
                return Err((i, Error::ChangedSinceReview { what: "CORS rules" }));
            }
        }
        Ok(())
    }

    /// Undo the completed steps in reverse, recording what was undone and what could not be.
    async fn undo_all(&mut self, plan: &Plan, done: Vec<(usize, StepOutput)>, mut failure: ApplyFailure, progress: &mut (dyn FnMut(Progress) + Send)) -> ApplyFailure {
        if !done.is_empty() {
            progress(Progress::RollbackStarted { steps: done.len() });
        }
        for (i, out) in done.into_iter().rev() {
            let step = &plan.steps[i];
            match self.undo(step, &out).await {
                Ok(()) => {
                    if let Some(j) = &self.journal {
                        j.undone(i);
                    }
                    progress(Progress::StepUndone { index: i, summary: step.summary() });
                    failure.rolled_back.push(step.summary());
                }
                Err(e) => {
                    progress(Progress::UndoFailed { index: i, summary: step.summary(), message: e.to_string() });
                    failure.left_behind.push((step.summary(), e));
                }
            }
        }
        // What could not be undone stays open in the journal: `recover` tries again.
        if failure.left_behind.is_empty() {
            self.close_journal(Outcome::RolledBack);
        } else {
            self.journal = None;
        }
        failure
    }

    /// Write `added` into the bucket policy as it is now (re-read: minutes may have passed since the
    /// review, and another admin's statement must not be lost).
    async fn put_policy_merged(&self, bucket: &str, planned: &str, previous: &Option<String>, added: &serde_json::Value, purpose: &PolicyPurpose) -> Result<(StepOutput, Option<String>)> {
        let ctx = &self.session.ctx;
        let s3 = self.s3_for(bucket).await?;
        let now = crate::inventory::read_bucket_policy(self.session, &s3, bucket).await?;
        let unchanged = same_json(now.as_deref(), previous.as_deref());
        let document = if unchanged {
            planned.to_string()
        } else {
            match merge_statement(now.as_deref(), added, purpose)? {
                Some((doc, _)) => doc,
                None => return Ok((StepOutput::default(), Some("already there: someone added it since the review".into()))),
            }
        };
        s3.put_bucket_policy().bucket(bucket).policy(&document).send().await.map_err(|e| from_sdk(ctx, "PutBucketPolicy", e))?;
        let out = StepOutput { replaced: Some(Replaced::Policy { before: now, written: document }), remerged: !unchanged, ..Default::default() };
        let detail = (!unchanged).then(|| "re-merged: the bucket's policy had changed since the review; every statement in it now was kept".to_string());
        Ok((out, detail))
    }

    /// Add a CORS rule to the rules as they are now (re-read, as for the policy).
    async fn put_cors_merged(&self, bucket: &str, planned: &[CorsRule], previous: &Option<Vec<CorsRule>>, added: &CorsRule) -> Result<(StepOutput, Option<String>)> {
        let now = crate::inventory::bucket_cors(self.session, bucket).await?;
        let unchanged = now == previous.clone().unwrap_or_default();
        let rules = if unchanged {
            planned.to_vec()
        } else {
            match merge_cors(Some(&now), added)? {
                Some(rules) => rules,
                None => return Ok((StepOutput::default(), Some("already there: someone added it since the review".into()))),
            }
        };
        self.s3().put_bucket_cors().bucket(bucket).cors_configuration(cors_to_sdk(&rules)?).send().await.map_err(|e| from_sdk(&self.session.ctx, "PutBucketCors", e))?;
        let out = StepOutput { replaced: Some(Replaced::Cors { before: now, written: rules }), remerged: !unchanged, ..Default::default() };
        let detail = (!unchanged).then(|| "re-merged: the bucket's CORS rules had changed since the review; every rule on it now was kept".to_string());
        Ok((out, detail))
    }

    /// Put back a replaced document, but only while the bucket still holds what the step wrote: a change
    /// someone made after it is theirs, and is left as it is (reported, not overwritten).
    async fn restore(&self, bucket: &str, replaced: &Replaced) -> Result<()> {
        let ctx = &self.session.ctx;
        match replaced {
            Replaced::Policy { before, written } => {
                let s3 = self.s3_for(bucket).await?;
                let now = crate::inventory::read_bucket_policy(self.session, &s3, bucket).await?;
                if !same_json(now.as_deref(), Some(written)) {
                    return Err(Error::ChangedSinceReview { what: "policy (changed again by someone else after this step, so it was left as they made it)" });
                }
                match before {
                    Some(doc) => s3.put_bucket_policy().bucket(bucket).policy(doc).send().await.map(|_| ()).map_err(|e| from_sdk(ctx, "PutBucketPolicy", e)),
                    None => s3.delete_bucket_policy().bucket(bucket).send().await.map(|_| ()).map_err(|e| from_sdk(ctx, "DeleteBucketPolicy", e)),
                }
            }
            Replaced::Cors { before, written } => {
                let now = crate::inventory::bucket_cors(self.session, bucket).await?;
                if &now != written {
                    return Err(Error::ChangedSinceReview { what: "CORS rules (changed again by someone else after this step, so they were left as they made them)" });
                }
                if before.is_empty() {
                    self.s3().delete_bucket_cors().bucket(bucket).send().await.map(|_| ()).map_err(|e| from_sdk(ctx, "DeleteBucketCors", e))
                } else {
                    self.s3().put_bucket_cors().bucket(bucket).cors_configuration(cors_to_sdk(before)?).send().await.map(|_| ()).map_err(|e| from_sdk(ctx, "PutBucketCors", e))
                }
            }
        }
    }

    /// A client in `bucket`'s region: a policy step may concern another bucket (the log target).
    async fn s3_for(&self, bucket: &str) -> Result<aws_sdk_s3::Client> {
        match crate::inventory::bucket_region(self.session, bucket).await {
            Ok(region) => Ok(self.session.s3_in(&region)),
            Err(_) => Ok(self.session.s3().clone()),
        }
    }

    async fn execute(&mut self, action: &Action) -> Result<(StepOutput, Option<String>)> {
        let ctx = &self.session.ctx;
        let iam = &self.session.iam;
        let none = || Ok((StepOutput::default(), None));
        match action {
            Action::CreateBucket { bucket, region } => {
                let mut req = self.session.s3_in(region).create_bucket().bucket(bucket);
                if region != "us-east-1" {
                    req = req.create_bucket_configuration(
                        s3t::CreateBucketConfiguration::builder().location_constraint(s3t::BucketLocationConstraint::from(region.as_str())).build(),
                    );
                }
                req.send().await.map_err(|e| from_sdk(ctx, "CreateBucket", e))?;
                none()
            }
            Action::PutPublicAccessBlock { bucket, .. } => {
                self.s3().put_public_access_block().bucket(bucket).public_access_block_configuration(pab_to_sdk([true; 4])).send().await.map_err(|e| from_sdk(ctx, "PutPublicAccessBlock", e))?;
                none()
            }
            Action::PutBucketEncryption { bucket, target, .. } => {
                let conf = encryption_to_sdk(target)?;
                self.s3().put_bucket_encryption().bucket(bucket).server_side_encryption_configuration(conf).send().await.map_err(|e| from_sdk(ctx, "PutBucketEncryption", e))?;
                none()
            }
            Action::PutBucketCors { bucket, rules, previous, added: Some(added) } => self.put_cors_merged(bucket, rules, previous, added).await,
            Action::PutBucketCors { bucket, rules, previous, added: None } => {
                // An edit replaces the list it was based on: checked before the first step, and again now.
                let before = crate::inventory::bucket_cors(self.session, bucket).await?;
                if before != previous.clone().unwrap_or_default() {
                    return Err(Error::ChangedSinceReview { what: "CORS rules" });
                }
                self.s3().put_bucket_cors().bucket(bucket).cors_configuration(cors_to_sdk(rules)?).send().await.map_err(|e| from_sdk(ctx, "PutBucketCors", e))?;
                Ok((StepOutput { replaced: Some(Replaced::Cors { before, written: rules.clone() }), ..Default::default() }, None))
            }
            Action::PutBucketPolicy { bucket, document, previous, added, purpose, .. } => self.put_policy_merged(bucket, document, previous, added, purpose).await,
            Action::DeleteBucketCors { bucket, previous } => {
                let before = crate::inventory::bucket_cors(self.session, bucket).await?;
                if &before != previous {
                    return Err(Error::ChangedSinceReview { what: "CORS rules" });
                }
                self.s3().delete_bucket_cors().bucket(bucket).send().await.map_err(|e| from_sdk(ctx, "DeleteBucketCors", e))?;
                Ok((StepOutput { replaced: Some(Replaced::Cors { before, written: vec![] }), ..Default::default() }, None))
            }
            Action::PutBucketVersioning { bucket, .. } => {
                let conf = s3t::VersioningConfiguration::builder().status(s3t::BucketVersioningStatus::Enabled).build();
                self.s3_for(bucket).await?.put_bucket_versioning().bucket(bucket).versioning_configuration(conf).send().await.map_err(|e| from_sdk(ctx, "PutBucketVersioning", e))?;
                none()
            }
            Action::PutBucketLogging { bucket, target, .. } => {
                self.s3().put_bucket_logging().bucket(bucket).bucket_logging_status(logging_to_sdk(Some(target))?).send().await.map_err(|e| from_sdk(ctx, "PutBucketLogging", e))?;
                none()
            }
            Action::CreatePolicy { policy_name, policy_arn, document, .. } => {
                let sent = iam.create_policy().policy_name(policy_name).policy_document(document.to_json_pretty()).description("Created by S3 Access Wizard").tags(tag()?).send().await;
                match sent {
                    Ok(_) => none(),
                    Err(e) if e.as_service_error().map(|s| s.is_entity_already_exists_exception()).unwrap_or(false) => {
                        let prefix = policy_arn.strip_suffix(policy_name.as_str()).unwrap_or(policy_arn).to_string();
                        let session = self.session;
                        Err(name_taken("Managed policy", policy_name, |n| {
                            let arn = format!("{prefix}{n}");
                            async move { crate::iam::policy_exists(session, &arn).await }
                        })
                        .await)
                    }
                    Err(e) => Err(from_sdk(ctx, "CreatePolicy", e)),
                }
            }
            Action::CreateUser { user_name } => {
                let out = match iam.create_user().user_name(user_name).tags(tag()?).send().await {
                    Ok(out) => out,
                    Err(e) if e.as_service_error().map(|s| s.is_entity_already_exists_exception()).unwrap_or(false) => {
                        let session = self.session;
                        return Err(name_taken("IAM user", user_name, |n| async move { crate::iam::user_exists(session, &n).await }).await);
                    }
                    Err(e) => return Err(from_sdk(ctx, "CreateUser", e)),
                };
                // An unattended plan did not ask which account this is: AWS names it in the new user's ARN.
                if self.account.is_none() {
                    self.account = out.user().and_then(|u| arn_account(u.arn()));
                }
                none()
            }
            Action::AttachUserPolicy { user_name, policy_arn, .. } => {
                iam.attach_user_policy().user_name(user_name).policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "AttachUserPolicy", e))?;
                none()
            }
            Action::PutUserPolicy { user_name, policy_name, document, .. } => {
                iam.put_user_policy()
                    .user_name(user_name)
                    .policy_name(policy_name)
                    .policy_document(document.to_json_pretty())
                    .send()
                    .await
                    .map_err(|e| from_sdk(ctx, "PutUserPolicy", e))?;
                none()
            }
            Action::CreateRole { role_name, trust, max_session_seconds, .. } => {
                let sent = iam
                    .create_role()
                    .role_name(role_name)
                    .assume_role_policy_document(trust.to_json_pretty())
                    .set_max_session_duration(*max_session_seconds)
                    .description("Created by S3 Access Wizard for another AWS account")
                    .tags(tag()?)
                    .send()
                    .await;
                match sent {
                    Ok(_) => none(),
                    Err(e) if e.as_service_error().map(|s| s.is_entity_already_exists_exception()).unwrap_or(false) => {
                        let session = self.session;
                        Err(name_taken("IAM role", role_name, |n| async move { crate::iam::role_exists(session, &n).await }).await)
                    }
                    Err(e) => Err(from_sdk(ctx, "CreateRole", e)),
                }
            }
            Action::AttachRolePolicy { role_name, policy_arn, .. } => {
                iam.attach_role_policy().role_name(role_name).policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "AttachRolePolicy", e))?;
                none()
            }
            Action::CreateAccessKey { user_name } => {
                let key = crate::iam::create_access_key(self.session, user_name).await?;
                let id = key.access_key_id.clone();
                self.key = Some(key);
                Ok((StepOutput { access_key_id: Some(id.clone()), ..Default::default() }, Some(format!("access key {id}"))))
            }
            Action::SaveSecretToKeychain { user_name, .. } => {
                let keychain = self.keychain.ok_or_else(|| Error::KeychainUnavailable { detail: "no keychain was given to save the secret in".into() })?.clone();
                let key = self.key.clone().ok_or_else(|| Error::Internal("there is no new key to save".into()))?;
                let account = self.account.clone().ok_or_else(|| Error::Internal("the account of the new key is not known, so it cannot be saved".into()))?;
                let entry = KeyRef { account, owner: user_name.clone(), access_key_id: key.access_key_id.clone() };
                let e2 = entry.clone();
                run_blocking(move || keychain.store(&e2, &key.secret_access_key)).await?;
                self.keychain_entry = Some(entry);
                Ok((StepOutput::default(), Some("saved in the keychain".into())))
            }
        }
    }

    async fn undo(&mut self, action: &Action, out: &StepOutput) -> Result<()> {
        let ctx = &self.session.ctx;
        let iam = &self.session.iam;
        match action {
            Action::CreateBucket { bucket, region } => {
                self.session.s3_in(region).delete_bucket().bucket(bucket).send().await.map_err(|e| from_sdk(ctx, "DeleteBucket", e))?;
            }
            Action::PutPublicAccessBlock { bucket, previous } => match previous {
                Some(p) => {
                    self.s3().put_public_access_block().bucket(bucket).public_access_block_configuration(pab_to_sdk(*p)).send().await.map_err(|e| from_sdk(ctx, "PutPublicAccessBlock", e))?;
                }
                None => {
                    self.s3().delete_public_access_block().bucket(bucket).send().await.map_err(|e| from_sdk(ctx, "DeletePublicAccessBlock", e))?;
                }
            },
            Action::PutBucketEncryption { bucket, previous, .. } => match previous {
                Some(p) => {
                    self.s3().put_bucket_encryption().bucket(bucket).server_side_encryption_configuration(encryption_to_sdk(p)?).send().await.map_err(|e| from_sdk(ctx, "PutBucketEncryption", e))?;
                }
                None => {
                    self.s3().delete_bucket_encryption().bucket(bucket).send().await.map_err(|e| from_sdk(ctx, "DeleteBucketEncryption", e))?;
                }
            },
            Action::PutBucketCors { bucket, .. } | Action::DeleteBucketCors { bucket, .. } | Action::PutBucketPolicy { bucket, .. } => {
                // Nothing was written (it was already there): nothing to undo.
                if let Some(replaced) = &out.replaced {
                    self.restore(bucket, replaced).await?;
                }
            }
            Action::PutBucketLogging { bucket, previous, .. } => {
                self.s3().put_bucket_logging().bucket(bucket).bucket_logging_status(logging_to_sdk(previous.as_ref())?).send().await.map_err(|e| from_sdk(ctx, "PutBucketLogging", e))?;
            }
            Action::PutBucketVersioning { bucket, .. } => {
                // Versioning cannot be switched off, only suspended; versions kept meanwhile stay.
                let conf = s3t::VersioningConfiguration::builder().status(s3t::BucketVersioningStatus::Suspended).build();
                self.s3_for(bucket).await?.put_bucket_versioning().bucket(bucket).versioning_configuration(conf).send().await.map_err(|e| from_sdk(ctx, "PutBucketVersioning", e))?;
            }
            Action::CreatePolicy { policy_arn, .. } => {
                iam.delete_policy().policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "DeletePolicy", e))?;
            }
            Action::CreateUser { user_name } => {
                iam.delete_user().user_name(user_name).send().await.map_err(|e| from_sdk(ctx, "DeleteUser", e))?;
            }
            Action::AttachUserPolicy { user_name, policy_arn, .. } => {
                iam.detach_user_policy().user_name(user_name).policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "DetachUserPolicy", e))?;
            }
            Action::PutUserPolicy { user_name, policy_name, .. } => {
                iam.delete_user_policy().user_name(user_name).policy_name(policy_name).send().await.map_err(|e| from_sdk(ctx, "DeleteUserPolicy", e))?;
            }
            Action::CreateRole { role_name, .. } => {
                iam.delete_role().role_name(role_name).send().await.map_err(|e| from_sdk(ctx, "DeleteRole", e))?;
            }
            Action::AttachRolePolicy { role_name, policy_arn, .. } => {
                iam.detach_role_policy().role_name(role_name).policy_arn(policy_arn).send().await.map_err(|e| from_sdk(ctx, "DetachRolePolicy", e))?;
            }
            Action::CreateAccessKey { user_name } => {
                if let Some(id) = &out.access_key_id {
                    iam.delete_access_key().user_name(user_name).access_key_id(id).send().await.map_err(|e| from_sdk(ctx, "DeleteAccessKey", e))?;
                }
                self.key = None;
            }
            Action::SaveSecretToKeychain { .. } => {
                if let (Some(k), Some(entry)) = (self.keychain, self.keychain_entry.take()) {
                    let k = k.clone();
                    run_blocking(move || k.delete(&entry)).await?;
                }
            }
        }
        Ok(())
    }
}

/// Whether two policy documents say the same (S3 may return a policy re-formatted).
fn same_json(a: Option<&str>, b: Option<&str>) -> bool {
    let parse = |t: Option<&str>| t.map(|t| serde_json::from_str::<serde_json::Value>(t).unwrap_or_else(|_| serde_json::Value::String(t.to_string())));
    parse(a) == parse(b)
}

fn tag() -> Result<aws_sdk_iam::types::Tag> {
    aws_sdk_iam::types::Tag::builder().key(CREATED_BY_TAG.0).value(CREATED_BY_TAG.1).build().map_err(|e| build_err("tag", e))
}

#[cfg(test)]
mod tests {
    use super::arn_account;

    #[test]
    fn the_account_comes_from_the_arn() {
        assert_eq!(arn_account("arn:aws:iam::123456789012:user/vendor").as_deref(), Some("123456789012"));
        assert_eq!(arn_account("arn:aws-cn:iam::210987654321:user/path/vendor").as_deref(), Some("210987654321"));
        assert_eq!(arn_account("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
        assert_eq!(arn_account("not an arn"), None);
    }
}
