"""Failure at every step of a plan, injected by the proxy in front of the emulator: the change is rolled
back and the account (and the keychain) end exactly as they started."""

import json

import pytest

from conftest import account_state

EXISTING_CORS = [{"ID": "keep-me", "AllowedOrigins": ["https://old.example.com"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 60}]
EXISTING_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}],
}


def seed(iam, s3):
    s3.create_bucket(Bucket="data")
    s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": EXISTING_CORS})
    s3.put_bucket_policy(Bucket="data", Policy=json.dumps(EXISTING_POLICY))
    # Something already in the account that must be left alone.
    iam.create_user(UserName="someone-else")
    iam.create_access_key(UserName="someone-else")


GRANT = ["grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read-write", "--user", "vendor", "--cors-origin", "https://app.example.com", "--tls-only", "--yes"]
STEPS = ["s3:PutBucketPolicy", "s3:PutBucketCors", "iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"]
# With a managed policy (--managed-policy) instead of the default inline one, the IAM steps differ.
MANAGED_STEPS = ["iam:CreatePolicy", "iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateAccessKey"]


def test_the_plan_has_the_steps_this_suite_breaks(cli, iam, s3):
    seed(iam, s3)
    plan = cli.json(*GRANT, "--dry-run")
    calls = [s["call"] for s in plan["steps"]]
    assert calls == ["s3:PutBucketPolicy", "s3:PutBucketCORS", "iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey", "keychain:Save"]
    managed = [s["call"] for s in cli.json(*GRANT, "--managed-policy", "--dry-run")["steps"]]
    assert managed == ["s3:PutBucketPolicy", "s3:PutBucketCORS", *MANAGED_STEPS, "keychain:Save"]


@pytest.mark.parametrize("flags,step", [([], s) for s in STEPS] + [(["--managed-policy"], s) for s in MANAGED_STEPS if s not in STEPS])
def test_failure_at_each_step_rolls_everything_back(cli, aws, iam, s3, flags, step):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    aws.fail_next(step)
    proc = cli.run(*GRANT, *flags)
    assert proc.returncode == 4, proc.stderr
    assert "failure injected by the test" in proc.stderr
    assert f"missing permission: {step}" in proc.stderr
    assert "Everything was rolled back; the account is as it was." in proc.stderr or "Nothing had been changed" in proc.stderr
    after = account_state(iam, s3, cli)
    assert after == before
    # CORS and bucket policy are byte-for-byte what they were, not just "present".
    assert s3.get_bucket_cors(Bucket="data")["CORSRules"] == EXISTING_CORS
    assert json.loads(s3.get_bucket_policy(Bucket="data")["Policy"]) == EXISTING_POLICY
    assert not (cli.config_dir / "created.json").exists(), "nothing recorded for a failed change"


def test_an_undo_that_fails_is_reported_by_name(cli, aws, iam, s3):
    seed(iam, s3)
    aws.fail_next("iam:CreateAccessKey")
    aws.fail_next("iam:DeleteUser")
    proc = cli.run(*GRANT)
    assert proc.returncode == 5, proc.stderr
    assert 'NOT undone (please remove it by hand): Create the IAM user "vendor"' in proc.stderr
    # Everything else was still undone.
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert s3.get_bucket_cors(Bucket="data")["CORSRules"] == EXISTING_CORS


def test_success_merges_cors_and_bucket_policy(cli, iam, s3):
    seed(iam, s3)
    cli.json(*GRANT)
    rules = s3.get_bucket_cors(Bucket="data")["CORSRules"]
    assert rules[0] == EXISTING_CORS[0] and rules[1]["AllowedOrigins"] == ["https://app.example.com"]
    policy = json.loads(s3.get_bucket_policy(Bucket="data")["Policy"])
    assert policy["Statement"][0] == EXISTING_POLICY["Statement"][0]
    assert policy["Statement"][1]["Sid"] == "DenyInsecureTransport"
    # Granting again for another user plans no bucket change: the rule and statement are there.
    plan = cli.json(*[a if a != "vendor" else "vendor-two" for a in GRANT], "--dry-run")
    assert [s["call"] for s in plan["steps"]][:1] == ["iam:CreateUser"]
    assert any("identical rule" in n for n in plan["notes"]) and any("TLS-only" in n for n in plan["notes"])
