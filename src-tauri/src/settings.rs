//! Commands of the "Bucket settings" screen: read what is on now, and plan a change (applied by
//! `apply_plan`, like a grant, under the plan's id).

use crate::commands::{keep_for_review, scope};
use crate::ipc::*;
use crate::state::AppState;
use s3aw_core::plan::{build_plan, PlanOptions};
use s3aw_core::policy::AccessLevel;
use s3aw_core::request::{AccessRequest, CorsEdit, Hardening, LoggingTarget, Method};
use tauri::State;

#[tauri::command]
pub async fn bucket_settings(state: State<'_, AppState>, bucket: String) -> IpcResult<BucketSettingsDto> {
    let session = state.session().await?;
    let s = s3aw_core::settings::read(&session, &bucket).await?;
    Ok(BucketSettingsDto {
        blocks_public_access: s.blocks_all_public_access(),
        encryption: s.encryption.as_ref().map(|e| e.describe()),
        kms_key_id: s.encryption.and_then(|e| e.kms_key_id),
        bucket: s.bucket,
        region: s.region,
        tls_only: s.tls_only,
        versioning: match s.versioning.as_deref() {
            Some("Enabled") => VersioningDto::Enabled,
            Some(_) => VersioningDto::Suspended,
            None => VersioningDto::Off,
        },
        policy_statements: s.policy_statements as u32,
        logging: s.logging.map(|l| LoggingDto { bucket: l.bucket, prefix: l.prefix }),
        cors: s.cors.into_iter().map(CorsRuleDto::from).collect(),
    })
}

/// Plan a change of bucket settings; `apply_plan` applies it like a grant.
#[tauri::command]
pub async fn plan_settings(state: State<'_, AppState>, args: SettingsArgs) -> IpcResult<PlanDto> {
    let id = state.next_plan_id();
    let session = state.session().await?;
    let hardening = Hardening {
        block_public_access: args.block_public_access,
        default_encryption: args.encryption != EncryptionChoice::Keep,
        kms_key_arn: (args.encryption == EncryptionChoice::SseKms).then(|| args.kms_key_arn.unwrap_or_default()),
        tls_only: args.tls_only,
        versioning: args.versioning,
        access_logging: args.logging.map(|l| LoggingTarget { bucket: l.bucket.trim().to_string(), prefix: l.prefix.trim().to_string() }),
        cors_edit: args.cors_edit.map(|e| CorsEdit { based_on: e.based_on.into_iter().map(Into::into).collect(), rules: e.rules.into_iter().map(Into::into).collect() }),
    };
    let request = AccessRequest {
        method: Method::BucketSettings,
        scope: scope(Some(&session), &args.bucket, None, true)?,
        level: AccessLevel::Read,
        cors: None,
        hardening,
        create_bucket_in: None,
    };
    let plan = build_plan(&session, &request, &PlanOptions::default()).await?;
    keep_for_review(&state, id, plan, None).await
}
