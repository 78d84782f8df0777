"""The test oracle itself: the independent IAM evaluator decides as AWS documents, on the cases moto gets
wrong. If one of these fails, every oracle-based proof in the suite is void, so they run first."""

import pytest

from oracle import ACCOUNT, OracleError, Policies, decide, req

B = "arn:aws:s3:::data"
FOLDER_LIST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": B, "Condition": {"StringLike": {"s3:prefix": ["in/*"]}}},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{B}/in/*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"{B}/in/*",
     "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}},
]}
INSIDE = "203.0.113.9"


def test_conditions_moto_ignores_are_decided_as_aws_does():
    p = Policies([FOLDER_LIST])
    cases = [
        (req(p, "s3:ListBucket", B, context={"s3:prefix": "in/"}), "Allowed"),
        (req(p, "s3:ListBucket", B, context={"s3:prefix": "out/"}), "ImplicitlyDenied"),
        (req(p, "s3:ListBucket", B), "ImplicitlyDenied"),  # no prefix at all: StringLike on a missing key fails
        (req(p, "s3:GetObject", f"{B}/in/a", source_ip=INSIDE), "Allowed"),
        (req(p, "s3:GetObject", f"{B}/in/a"), "ImplicitlyDenied"),  # another address
        (req(p, "s3:GetObject", f"{B}/in/a", source_ip=INSIDE, now="2030-01-01T00:00:01Z"), "ImplicitlyDenied"),
        (req(p, "s3:GetObject", f"{B}/out/a", source_ip=INSIDE), "ImplicitlyDenied"),
        (req(p, "s3:PutObject", f"{B}/in/a", source_ip=INSIDE), "Allowed"),
        (req(p, "s3:PutObject", f"{B}/in/a", source_ip=INSIDE,
             context={"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}), "ExplicitlyDenied"),
    ]
    assert decide([c for c, _ in cases]) == [want for _, want in cases]


def test_boundaries_tls_denies_and_not_resource():
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": [B, f"{B}/*"]}]}
    tls = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [B, f"{B}/*"],
                                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    not_resource = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{B}/secret/*"}]}
    bounded = Policies([admin], boundary=[boundary]).with_bucket_policy("data", tls)
    assert decide([
        req(bounded, "s3:GetObject", f"{B}/x"),
        req(bounded, "s3:GetObject", "arn:aws:s3:::other/x"),
        req(bounded, "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/vendor"),
        req(bounded, "s3:GetObject", f"{B}/x", secure=False),
        req(Policies([not_resource]), "s3:GetObject", "arn:aws:s3:::other/x"),
        req(Policies([not_resource]), "s3:GetObject", f"{B}/secret/x"),
    ]) == ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied", "ExplicitlyDenied", "Allowed", "ImplicitlyDenied"]


def test_session_cut_off_applies_to_temporary_credentials_only():
    cut = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                                                    "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-06-01T00:00:00Z"}}}]}
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{B}/*"}]}
    p = Policies([allow, cut])
    assert decide([
        req(p, "s3:GetObject", f"{B}/x", context={"aws:TokenIssueTime": "2026-05-31T23:00:00Z"}),
        req(p, "s3:GetObject", f"{B}/x", context={"aws:TokenIssueTime": "2026-06-01T00:00:01Z"}),
        req(p, "s3:GetObject", f"{B}/x"),
    ]) == ["ExplicitlyDenied", "Allowed", "Allowed"]


def test_a_context_key_that_does_not_apply_is_a_test_error():
    with pytest.raises(OracleError, match="do not apply"):
        decide([req(Policies([FOLDER_LIST]), "s3:GetObject", f"{B}/in/a", context={"s3:prefix": "in/"})])
