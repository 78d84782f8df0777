//! IAM Access Analyzer before Apply: every policy a plan writes is checked with ValidatePolicy (identity
//! policies, the role's trust policy, bucket policies), and bucket policies also with CheckNoPublicAccess.
//! Findings are plain sentences with AWS's own words one click away; errors block Apply, warnings do not.
//!
//! Where there is no Access Analyzer (a custom endpoint, such as the local sandbox) or the identity may
//! not use it, the review says "not checked" and why: the check never blocks on its own absence.

use crate::connect::Session;
use crate::plan::{Action, Plan};
use aws_sdk_accessanalyzer::types::{AccessCheckResourceType, CheckNoPublicAccessResult, PolicyType, ValidatePolicyFindingType, ValidatePolicyResourceType};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// How serious a finding is, as Access Analyzer grades it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy will not work as written (or makes the bucket public): Apply is blocked.
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

impl Severity {
    pub fn blocks(self) -> bool {
        self == Severity::Error
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// One finding about one policy of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Which policy: "the policy of user \"x\"", "the bucket policy of \"b\"", ...
    pub policy: String,
    pub severity: Severity,
    /// Access Analyzer's issue code (`MISSING_VERSION`, `PUBLIC_ACCESS`, ...).
    pub code: String,
    /// One sentence for people.
    pub message: String,
    /// AWS's documentation of the finding, when it gave one.
    pub learn_more: Option<String>,
}

/// The result of checking a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Analysis {
    /// The plan writes no policy.
    NothingToCheck,
    /// Checked: the findings (empty when there is nothing to say).
    Checked(Vec<Finding>),
    /// Not checked, with why.
    NotChecked(String),
}

impl Analysis {
    /// Whether Apply must be refused.
    pub fn blocks(&self) -> bool {
        matches!(self, Analysis::Checked(f) if f.iter().any(|f| f.severity.blocks()))
    }

    /// One line for the review.
    pub fn summary(&self) -> String {
        match self {
            Analysis::NothingToCheck => "IAM Access Analyzer: this plan writes no policy to check.".into(),
            Analysis::NotChecked(why) => format!("IAM Access Analyzer: not checked ({why})."),
            Analysis::Checked(f) if f.is_empty() => "IAM Access Analyzer checked every policy of this plan: no findings.".into(),
            Analysis::Checked(f) => {
                let errors = f.iter().filter(|f| f.severity.blocks()).count();
                format!("IAM Access Analyzer: {} finding(s), {errors} of them error(s){}.", f.len(), if errors > 0 { ": Apply is blocked until they are fixed" } else { "" })
            }
        }
    }
}

/// What kind of policy a document is, for ValidatePolicy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    Identity,
    RoleTrust,
    Bucket,
}

/// A policy the plan writes.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyToCheck {
    pub label: String,
    pub kind: PolicyKind,
    pub document: String,
}

/// The policies a plan writes, in its order.
pub fn policies_of(plan: &Plan) -> Vec<PolicyToCheck> {
    let mut out = Vec::new();
    let json = |d: &crate::policy::PolicyDocument| serde_json::to_string(d).unwrap_or_default();
    for step in &plan.steps {
        match step {
            Action::PutUserPolicy { user_name, document, .. } => out.push(PolicyToCheck { label: format!("the policy of user \"{user_name}\""), kind: PolicyKind::Identity, document: json(document) }),
            Action::CreatePolicy { policy_name, document, .. } => out.push(PolicyToCheck { label: format!("the policy \"{policy_name}\""), kind: PolicyKind::Identity, document: json(document) }),
            Action::CreateRole { role_name, trust, .. } => out.push(PolicyToCheck { label: format!("who may use role \"{role_name}\" (its trust policy)"), kind: PolicyKind::RoleTrust, document: json(trust) }),
            Action::PutBucketPolicy { bucket, document, .. } => out.push(PolicyToCheck { label: format!("the bucket policy of \"{bucket}\""), kind: PolicyKind::Bucket, document: document.clone() }),
            _ => {}
        }
    }
    out
}

/// Check a plan with the session's Access Analyzer (none at a custom endpoint).
pub async fn check_plan(session: &Session, plan: &Plan) -> Analysis {
    let policies = policies_of(plan);
    if policies.is_empty() {
        return Analysis::NothingToCheck;
    }
    if session.endpoint_url().is_some() {
        return Analysis::NotChecked("this endpoint has no IAM Access Analyzer".into());
    }
    check(&session.access_analyzer(), &policies).await
}

/// Check the policies with this client: ValidatePolicy for each, CheckNoPublicAccess for bucket policies.
pub async fn check(client: &aws_sdk_accessanalyzer::Client, policies: &[PolicyToCheck]) -> Analysis {
    let mut findings = Vec::new();
    for p in policies {
        let (policy_type, resource_type) = match p.kind {
            PolicyKind::Identity => (PolicyType::IdentityPolicy, None),
            PolicyKind::RoleTrust => (PolicyType::ResourcePolicy, Some(ValidatePolicyResourceType::RoleTrust)),
            PolicyKind::Bucket => (PolicyType::ResourcePolicy, Some(ValidatePolicyResourceType::S3Bucket)),
        };
        let mut pages = client.validate_policy().policy_document(&p.document).policy_type(policy_type).set_validate_policy_resource_type(resource_type).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) => return not_checked(e.code(), e.message()),
            };
            for f in page.findings() {
                findings.push(Finding {
                    policy: p.label.clone(),
                    severity: severity(f.finding_type()),
                    code: f.issue_code().to_string(),
                    message: f.finding_details().to_string(),
                    learn_more: Some(f.learn_more_link().to_string()).filter(|l| !l.is_empty()),
                });
            }
        }
        if p.kind == PolicyKind::Bucket {
            match client.check_no_public_access().policy_document(&p.document).resource_type(AccessCheckResourceType::S3Bucket).send().await {
                Ok(out) if out.result() == Some(&CheckNoPublicAccessResult::Fail) => findings.push(Finding {
                    policy: p.label.clone(),
                    severity: Severity::Error,
                    code: "PUBLIC_ACCESS".into(),
                    message: format!(
                        "This bucket policy would make the bucket public (anyone on the internet could reach it){}",
                        out.message().map(|m| format!(": {m}")).unwrap_or_else(|| ".".into())
                    ),
                    learn_more: None,
                }),
                Ok(_) => {}
                Err(e) => return not_checked(e.code(), e.message()),
            }
        }
    }
    findings.sort_by_key(|f| f.severity);
    Analysis::Checked(findings)
}

#[allow(deprecated)]
fn severity(t: &ValidatePolicyFindingType) -> Severity {
    match t {
        ValidatePolicyFindingType::Error => Severity::Error,
        ValidatePolicyFindingType::SecurityWarning => Severity::SecurityWarning,
        ValidatePolicyFindingType::Warning => Severity::Warning,
        ValidatePolicyFindingType::Suggestion => Severity::Suggestion,
        // A grade this app does not know yet: shown, not blocking.
        _ => Severity::Warning,
    }
}

fn not_checked(code: Option<&str>, message: Option<&str>) -> Analysis {
    Analysis::NotChecked(match code {
        Some("AccessDeniedException") | Some("AccessDenied") => "your identity may not use IAM Access Analyzer (access-analyzer:ValidatePolicy)".into(),
        Some(c) => format!("IAM Access Analyzer answered {c}{}", message.map(|m| format!(": {m}")).unwrap_or_default()),
        None => "IAM Access Analyzer could not be reached".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
    use aws_smithy_types::body::SdkBody;

    fn client(answers: Vec<(u16, &str)>) -> (aws_sdk_accessanalyzer::Client, StaticReplayClient) {
        let events = answers
            .into_iter()
            .map(|(status, body)| {
                ReplayEvent::new(
                    http::Request::builder().uri("https://access-analyzer.us-east-1.amazonaws.com/").body(SdkBody::empty()).unwrap(),
                    http::Response::builder().status(status).header("content-type", "application/json").body(SdkBody::from(body.to_string())).unwrap(),
                )
            })
            .collect();
        let replay = StaticReplayClient::new(events);
        let conf = aws_sdk_accessanalyzer::Config::builder()
            .behavior_version(aws_sdk_accessanalyzer::config::BehaviorVersion::latest())
            .region(aws_sdk_accessanalyzer::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_accessanalyzer::config::Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
            .http_client(replay.clone())
            .build();
        (aws_sdk_accessanalyzer::Client::from_conf(conf), replay)
    }

    fn finding(kind: &str, code: &str, details: &str) -> String {
        serde_json::json!({ "findingDetails": details, "findingType": kind, "issueCode": code, "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html", "locations": [] }).to_string()
    }

    fn identity(doc: &str) -> PolicyToCheck {
        PolicyToCheck { label: "the policy of user \"vendor\"".into(), kind: PolicyKind::Identity, document: doc.into() }
    }

    /// A real finding of each grade, as Access Analyzer returns them: mapped, sorted, and only errors block.
    #[tokio::test]
    async fn each_grade_is_mapped_and_only_errors_block() {
        let body = format!(
            "{{\"findings\":[{},{},{},{}]}}",
            finding("SUGGESTION", "EMPTY_ARRAY_ACTION", "Add values to the empty array."),
            finding("WARNING", "MISSING_VERSION", "We recommend that you specify the Version element."),
            finding("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive."),
            finding("ERROR", "INVALID_ACTION", "The action s3:GetObjekt does not exist."),
        );
        let (c, replay) = client(vec![(200, &body)]);
        let a = check(&c, &[identity("{}")]).await;
        let Analysis::Checked(f) = &a else { panic!("{a:?}") };
        assert_eq!(f.iter().map(|f| f.severity).collect::<Vec<_>>(), vec![Severity::Error, Severity::SecurityWarning, Severity::Warning, Severity::Suggestion]);
        assert_eq!(f[0].code, "INVALID_ACTION");
        assert_eq!(f[0].message, "The action s3:GetObjekt does not exist.");
        assert!(f[0].learn_more.as_deref().unwrap().starts_with("https://docs.aws.amazon.com/"));
        assert!(a.blocks());
        assert!(a.summary().contains("Apply is blocked"));
        let sent = replay.actual_requests().next().unwrap();
        assert_eq!(sent.headers().get("x-amz-target"), None, "a REST-JSON call, no target header");
        assert!(std::str::from_utf8(sent.body().bytes().unwrap()).unwrap().contains("\"policyType\":\"IDENTITY_POLICY\""));

        let (c, _) = client(vec![(200, &format!("{{\"findings\":[{}]}}", finding("WARNING", "MISSING_VERSION", "x")))]);
        let warn_only = check(&c, &[identity("{}")]).await;
        assert!(!warn_only.blocks(), "a warning does not block");
        let (c, _) = client(vec![(200, "{\"findings\":[]}")]);
        assert_eq!(check(&c, &[identity("{}")]).await, Analysis::Checked(vec![]));
    }

    /// A bucket policy: ValidatePolicy as a resource policy of a bucket, then CheckNoPublicAccess; FAIL is an
    /// error that blocks.
    #[tokio::test]
    async fn a_public_bucket_policy_blocks() {
        let (c, replay) = client(vec![(200, "{\"findings\":[]}"), (200, "{\"result\":\"FAIL\",\"message\":\"The resource policy grants public access for the access type s3:GetObject.\",\"reasons\":[]}")]);
        let p = PolicyToCheck { label: "the bucket policy of \"b\"".into(), kind: PolicyKind::Bucket, document: "{}".into() };
        let a = check(&c, &[p]).await;
        let Analysis::Checked(f) = &a else { panic!("{a:?}") };
        assert_eq!((f[0].severity, f[0].code.as_str()), (Severity::Error, "PUBLIC_ACCESS"));
        assert!(f[0].message.contains("would make the bucket public") && f[0].message.contains("s3:GetObject"));
        let bodies: Vec<String> = replay.actual_requests().map(|r| String::from_utf8_lossy(r.body().bytes().unwrap()).to_string()).collect();
        assert!(bodies[0].contains("\"validatePolicyResourceType\":\"AWS::S3::Bucket\"") && bodies[0].contains("RESOURCE_POLICY"), "{}", bodies[0]);
        assert!(bodies[1].contains("\"resourceType\":\"AWS::S3::Bucket\""), "{}", bodies[1]);
        let (c, _) = client(vec![(200, "{\"findings\":[]}"), (200, "{\"result\":\"PASS\",\"message\":\"\",\"reasons\":[]}")]);
        let p = PolicyToCheck { label: "b".into(), kind: PolicyKind::Bucket, document: "{}".into() };
        assert_eq!(check(&c, &[p]).await, Analysis::Checked(vec![]));
    }

    #[tokio::test]
    async fn no_permission_means_not_checked_never_blocked() {
        let (c, _) = client(vec![(403, "{\"__type\":\"AccessDeniedException\",\"message\":\"User is not authorized to perform: access-analyzer:ValidatePolicy\"}")]);
        let a = check(&c, &[identity("{}")]).await;
        assert!(matches!(&a, Analysis::NotChecked(why) if why.contains("may not use IAM Access Analyzer")), "{a:?}");
        assert!(!a.blocks());
        assert!(a.summary().starts_with("IAM Access Analyzer: not checked"));
    }
}
