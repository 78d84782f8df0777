"""`s3aw permissions`: the least-privilege policy for using the app is enough to do each job, and nothing it
names is spare to the point of breaking a job when taken away. Proven against the emulator with IAM
enforcement on, as a helper who is not an administrator."""

import json

import pytest

from conftest import account_state

# moto checks some S3 calls under its own action names, not AWS's (moto/s3/responses.py ACTION_MAP):
# HeadBucket, the public access block, and bucket encryption (not in its map: GET/PUT/DELETE fall back to
# ListBucket/CreateBucket/DeleteBucket). The emulator's copy of the policy gets those names beside AWS's;
# the AWS names themselves are checked against the table (permissions::tests) and listed in
# ARCHITECTURE.md's "What the emulator does not prove".
MOTO_NAMES = {
    "s3:ListBucket": ["s3:HeadBucket"],
    "s3:GetBucketPublicAccessBlock": ["s3:GetPublicAccessBlock"],
    "s3:PutBucketPublicAccessBlock": ["s3:PutPublicAccessBlock", "s3:DeletePublicAccessBlock"],
    "s3:PutEncryptionConfiguration": ["s3:CreateBucket", "s3:DeleteBucket"],
}


def as_moto_checks(doc):
    for st in doc["Statement"]:
        extra = [m for a in st["Action"] for m in MOTO_NAMES.get(a, [])]
        st["Action"] = sorted(set(st["Action"]) | set(extra))
        # moto checks every IAM call against the resource "*" (moto/core/responses.py: IAM has no
        # _determine_resource), so a statement scoped to user/*, role/* or policy/* never matches there.
        # The scoping itself is checked by shape (permissions::tests).
        if all(a.startswith("iam:") for a in st["Action"]):
            st["Resource"] = "*"
    return doc


def helper(cli, iam, doc):
    """An IAM user with only `doc`, and the CLI environment that uses its key."""
    iam.create_user(UserName="helper")
    iam.put_user_policy(UserName="helper", PolicyName="s3aw-helper", PolicyDocument=json.dumps(doc))
    key = iam.create_access_key(UserName="helper")["AccessKey"]
    return cli.env(AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])


def test_the_policy_by_job_is_valid_and_scoped(cli):
    full = cli.json("permissions")
    actions = {a for st in full["Statement"] for a in st["Action"]}
    assert {"iam:CreateUser", "iam:CreateAccessKey", "s3:PutBucketPolicy", "s3:GetObject", "iam:UpdateAccessKey"} <= actions
    assert not any("*" in a for a in actions)
    links = cli.json("permissions", "--for", "links", "--bucket", "data")
    assert not any(a.startswith("iam:") for st in links["Statement"] for a in st["Action"])
    assert {st["Sid"]: st["Resource"] for st in links["Statement"]} == {"NoResource": "*", "Buckets": "arn:aws:s3:::data", "ObjectsForLinks": "arn:aws:s3:::data/*"}
    text = cli.run("permissions", "--for", "grant", check=0).stdout
    assert "can give\nthem any access in the account" in text, text
    bad = cli.run("permissions", "--for", "admin", check=1)
    assert '"admin" is not a job' in bad.stderr


def test_a_helper_with_only_the_policy_can_do_every_job(cli, aws, iam, s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.txt", Body=b"numbers")
    doc = as_moto_checks(cli.json("permissions", "--for", "grant,manage,settings,links", "--account", "123456789012"))
    env = helper(cli, iam, doc)
    aws.enforce_iam(True)
    try:
        cli.run("buckets", env=env, check=0)
        cli.run("--json", "grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "vendor", "--block-public-access", "--encrypt", "--versioning", "--yes", env=env, check=0)
        cli.run("--json", "grant", "iam-user", "--bucket", "data", "--prefix", "out", "--access", "upload", "--user", "reusable", "--managed-policy", "--yes", env=env, check=0)
        cli.run("--json", "bucket", "change", "data", "--cors-origin", "https://app.example.com", "--yes", env=env, check=0)
        cli.run("--json", "access", "rotate", "vendor", "--keep-sessions", "--delete-old", "--yes", env=env, check=0)
        cli.run("--json", "access", "revoke", "vendor", "--yes", env=env, check=0)
        cli.run("--json", "access", "revoke", "reusable", "--yes", env=env, check=0)
    finally:
        aws.enforce_iam(False)
    users = {u["UserName"] for u in iam.list_users()["Users"]}
    assert users == {"helper"}, "everything made was revoked again"


def test_without_one_action_the_job_stops_and_rolls_back_naming_it(cli, aws, iam, s3):
    s3.create_bucket(Bucket="data")
    doc = as_moto_checks(cli.json("permissions", "--for", "grant"))
    for st in doc["Statement"]:
        st["Action"] = [a for a in st["Action"] if a != "iam:CreateAccessKey"]
    env = helper(cli, iam, doc)
    before = account_state(iam, s3)
    aws.enforce_iam(True)
    try:
        p = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes", env=env)
    finally:
        aws.enforce_iam(False)
    assert p.returncode == 4, p.stderr
    assert "iam:CreateAccessKey" in p.stderr, p.stderr
    assert account_state(iam, s3) == before, "rolled back with the permissions the policy gives"


@pytest.mark.parametrize("job", ["links", "settings"])
def test_jobs_without_iam_cannot_create_users(cli, aws, iam, s3, job):
    s3.create_bucket(Bucket="data")
    env = helper(cli, iam, as_moto_checks(cli.json("permissions", "--for", job)))
    aws.enforce_iam(True)
    try:
        p = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes", env=env)
    finally:
        aws.enforce_iam(False)
    assert p.returncode in (3, 4), p.stderr
    assert "vendor" not in {u["UserName"] for u in iam.list_users()["Users"]}


def test_check_says_it_cannot_simulate_here(cli):
    """The emulator has no policy simulator: the check says it could not check (the simulator's answers
    are tested with replayed responses in permissions::tests)."""
    out = cli.json("permissions", "--check")
    assert out["checked"] is False and out["reason"], out
    text = cli.run("permissions", "--check", check=0).stdout
    assert text.startswith("Could not check:"), text
