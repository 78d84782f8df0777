//! The engine against the moto server started by the harness (`S3AW_TEST_ENDPOINT`).
//! Run through `make test`; `cargo test` alone skips these (they are `#[ignore]`d).

#![allow(clippy::unwrap_used)]

use s3aw_core::apply::{apply, Progress};
use s3aw_core::connect::{ConnectOptions, Session};
use s3aw_core::plan::{build_plan, PlanOptions};
use s3aw_core::policy::{AccessLevel, Scope};
use s3aw_core::probe::{wait_until_key_works, Backoff};
use s3aw_core::request::{AccessRequest, Hardening, IamUserOptions, Method};
use s3aw_core::secret::{PastedCredentials, Secret};

/// The app's folder (the intent journal, the record) for this test process: a temporary one, never the
/// user's own.
fn private_app_folder() {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("s3aw-emulator-test-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    });
    std::env::set_var("S3AW_CONFIG_DIR", dir);
}

async fn session() -> Session {
    private_app_folder();
    let endpoint = std::env::var("S3AW_TEST_ENDPOINT").expect("run through make test (tests/harness/with-moto.sh sets S3AW_TEST_ENDPOINT)");
    Session::connect(ConnectOptions {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint),
        credentials: Some(PastedCredentials { access_key_id: "AKIAADMINEXAMPLE0002".into(), secret_access_key: Secret::new("admin"), session_token: None }),
    })
    .await
    .unwrap()
}

fn request(bucket: &str, user: &str, keychain: bool) -> AccessRequest {
    AccessRequest {
        method: Method::IamUser(IamUserOptions {
            user_name: user.into(),
            policy_name: format!("{user}-s3-access"),
            managed_policy: false,
            reuse_existing_user: false,
            accept_existing_access: false,
            create_access_key: true,
            save_to_keychain: keychain,
        }),
        scope: Scope::new(bucket, Some("in")).unwrap(),
        level: AccessLevel::Read,
        cors: None,
        hardening: Hardening::default(),
        create_bucket_in: Some("us-east-1".into()),
    }
}

#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn apply_reports_progress_and_the_key_works() {
    let s = session().await;
    let plan = build_plan(&s, &request("engine-ok", "engine-ok-user", false), &PlanOptions::default()).await.unwrap();
    let mut events = Vec::new();
    let applied = apply(&s, &plan, None, &mut |p| events.push(p)).await.unwrap();
    let n = plan.steps.len();
    assert_eq!(events.len(), 2 * n, "a start and a success event per step: {events:?}");
    assert!(matches!(&events[0], Progress::StepStarted { index: 0, total, .. } if *total == n));
    assert!(matches!(&events[2 * n - 1], Progress::StepSucceeded { detail: Some(d), .. } if d.starts_with("access key ")));
    let key = applied.access_key.unwrap();
    // Debug output of the result never shows the secret.
    assert!(!format!("{:?}", key).contains(key.secret_access_key.expose()));
    let waited = wait_until_key_works(&s, &key, &Backoff::default(), |_, _| {}).await.unwrap();
    assert_eq!(waited.attempts, 1, "moto accepts new keys at once");
    let me = s.with_key(&key).whoami().await.unwrap();
    assert!(me.arn.ends_with("user/engine-ok-user"), "{}", me.arn);
}

/// The last step (saving to the keychain) fails when no keychain is given: everything before it, the new
/// bucket included, is undone in reverse order.
#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn keychain_step_failure_rolls_back_the_aws_side() {
    let s = session().await;
    let plan = build_plan(&s, &request("engine-rollback", "engine-rb-user", true), &PlanOptions::default()).await.unwrap();
    assert_eq!(plan.steps.last().unwrap().api_call(), "keychain:Save");
    let mut events = Vec::new();
    let failure = apply(&s, &plan, None, &mut |p| events.push(p)).await.unwrap_err();
    assert_eq!(failure.error.code(), "keychain_unavailable");
    assert!(failure.is_clean(), "{}", failure.explain());
    let undone: Vec<usize> = events.iter().filter_map(|e| if let Progress::StepUndone { index, .. } = e { Some(*index) } else { None }).collect();
    let expected: Vec<usize> = (0..plan.steps.len() - 1).rev().collect();
    assert_eq!(undone, expected, "every completed step undone, last first");
    // Nothing is left: a second plan for the same names sees a clean account.
    let again = build_plan(&s, &request("engine-rollback", "engine-rb-user", true), &PlanOptions::default()).await.unwrap();
    assert_eq!(again.steps.len(), plan.steps.len());
    assert!(s_has_no_users(&s).await);
}

async fn s_has_no_users(s: &Session) -> bool {
    // Reading through the engine's own inventory: the user must be gone.
    !s3aw_core::iam::user_exists(s, "engine-rb-user").await.unwrap()
}

/// Links are signed for the bucket's own region, which HeadBucket names (`x-amz-bucket-region`).
#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn a_buckets_region_comes_from_head_bucket() {
    let s = session().await;
    for (bucket, region) in [("engine-eu", "eu-west-1"), ("engine-us", "us-east-1")] {
        let mut req = request(bucket, "unused", false);
        req.method = Method::BucketSettings;
        req.create_bucket_in = Some(region.into());
        let plan = build_plan(&s, &req, &PlanOptions::default()).await.unwrap();
        apply(&s, &plan, None, &mut |_| {}).await.unwrap();
        assert_eq!(s3aw_core::presign::bucket_region_hint(&s, bucket).await.as_deref(), Some(region));
    }
}

/// Change the emulator behind the engine's back, as another admin would (a raw, unsigned request, which
/// moto accepts): `PUT /BUCKET?SUBRESOURCE` with `body`.
fn someone_else_puts(bucket: &str, subresource: &str, body: &str) {
    let endpoint = std::env::var("S3AW_TEST_ENDPOINT").unwrap();
    let out = std::process::Command::new("curl")
        .args(["-sf", "-X", "PUT", "-H", "Content-Type: application/octet-stream", &format!("{endpoint}/{bucket}?{subresource}"), "--data-binary", body])
        .output()
        .unwrap();
    assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
}

const EMERGENCY_DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EmergencyDeny","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::BUCKET/*"}]}"#;

fn cors_xml(origin: &str) -> String {
    format!("<CORSConfiguration><CORSRule><AllowedOrigin>{origin}</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")
}

async fn settings_plan(s: &Session, bucket: &str, h: Hardening) -> s3aw_core::plan::Plan {
    let mut req = request(bucket, "unused", false);
    req.method = Method::BucketSettings;
    req.create_bucket_in = None;
    req.hardening = h;
    build_plan(s, &req, &PlanOptions::default()).await.unwrap()
}

async fn new_bucket(s: &Session, bucket: &str) {
    let mut req = request(bucket, "unused", false);
    req.method = Method::BucketSettings;
    let plan = build_plan(s, &req, &PlanOptions::default()).await.unwrap();
    apply(s, &plan, None, &mut |_| {}).await.unwrap();
}

/// Minutes may pass between the review and Apply. A statement another admin added to the bucket policy
/// meanwhile (an emergency Deny) is kept: ours is merged into what the bucket holds at apply time, and the
/// apply says so.
#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn a_policy_changed_after_the_review_is_remerged_not_overwritten() {
    let s = session().await;
    new_bucket(&s, "engine-remerge").await;
    let plan = settings_plan(&s, "engine-remerge", Hardening { tls_only: true, ..Default::default() }).await;
    someone_else_puts("engine-remerge", "policy", &EMERGENCY_DENY.replace("BUCKET", "engine-remerge"));
    let mut details = Vec::new();
    let applied = apply(&s, &plan, None, &mut |p| {
        if let Progress::StepSucceeded { detail: Some(d), .. } = p {
            details.push(d)
        }
    })
    .await
    .unwrap();
    assert_eq!(applied.remerged.len(), 1, "{:?}", applied.remerged);
    assert!(details.iter().any(|d| d.starts_with("re-merged")), "{details:?}");
    let now = s3aw_core::settings::read(&s, "engine-remerge").await.unwrap();
    assert!(now.tls_only);
    assert_eq!(now.policy_statements, 2, "the emergency Deny and ours");
}

/// A CORS edit (or removal) replaces the whole list it was based on: if the bucket's rules changed since
/// the review, the apply stops before its first change, even when other steps come first.
#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn a_cors_edit_stops_before_any_change_when_the_rules_changed() {
    let s = session().await;
    new_bucket(&s, "engine-cors-moved").await;
    someone_else_puts("engine-cors-moved", "cors", &cors_xml("https://a.example.com"));
    let based_on = s3aw_core::inventory::bucket_cors(&s, "engine-cors-moved").await.unwrap();
    let edit = s3aw_core::request::CorsEdit { based_on, rules: vec![] };
    let plan = settings_plan(&s, "engine-cors-moved", Hardening { tls_only: true, cors_edit: Some(edit), ..Default::default() }).await;
    assert_eq!(plan.steps.iter().map(|a| a.api_call()).collect::<Vec<_>>(), vec!["s3:PutBucketPolicy", "s3:DeleteBucketCORS"]);
    someone_else_puts("engine-cors-moved", "cors", &cors_xml("https://b.example.com"));
    let failure = apply(&s, &plan, None, &mut |_| {}).await.unwrap_err();
    assert_eq!(failure.error.code(), "changed_since_review");
    assert!(failure.changed_nothing(), "{}", failure.explain());
    let now = s3aw_core::settings::read(&s, "engine-cors-moved").await.unwrap();
    assert!(!now.tls_only, "the policy step before it did not run");
    assert_eq!(now.cors[0].allowed_origins, vec!["https://b.example.com"], "their rule stays");
}

/// A rollback puts a document back only while the bucket still holds what the step wrote: a policy someone
/// changed after our step is theirs and stays, and the failure says it was left alone.
#[tokio::test]
#[ignore = "needs the emulator: run through make test"]
async fn a_rollback_leaves_a_document_changed_after_our_step() {
    let s = session().await;
    new_bucket(&s, "engine-undo-moved").await;
    someone_else_puts("engine-undo-moved", "cors", &cors_xml("https://a.example.com"));
    let based_on = s3aw_core::inventory::bucket_cors(&s, "engine-undo-moved").await.unwrap();
    let edit = s3aw_core::request::CorsEdit { based_on, rules: vec![] };
    let plan = settings_plan(&s, "engine-undo-moved", Hardening { tls_only: true, cors_edit: Some(edit), ..Default::default() }).await;
    let theirs = EMERGENCY_DENY.replace("BUCKET", "engine-undo-moved");
    // Right after our policy step: another admin replaces the policy, and changes the CORS rules, so the
    // next step (based on the old rules) fails and the rollback begins.
    let failure = apply(&s, &plan, None, &mut |p| {
        if let Progress::StepSucceeded { index: 0, .. } = p {
            someone_else_puts("engine-undo-moved", "policy", &theirs);
            someone_else_puts("engine-undo-moved", "cors", &cors_xml("https://b.example.com"));
        }
    })
    .await
    .unwrap_err();
    assert_eq!(failure.error.code(), "changed_since_review");
    assert_eq!(failure.left_behind.len(), 1, "{}", failure.explain());
    assert!(failure.left_behind[0].1.to_string().contains("left as they made it"), "{}", failure.explain());
    let now = s3aw_core::settings::read(&s, "engine-undo-moved").await.unwrap();
    assert_eq!(now.policy_statements, 1);
    assert!(!now.tls_only, "their policy, not ours and not the old one");
}
