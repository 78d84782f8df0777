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

async fn session() -> Session {
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
