"""A role for another AWS account: the trust policy, the handoff sheet, and, with the emulator enforcing IAM,
a principal of the other party that assumes the role with the right external ID gets exactly the granted
access while a wrong external ID is refused.

The emulator runs one account and compares trust principals literally (see the test-stack notes), so the
"other party" here is one IAM user whose exact ARN the role trusts; a missing external ID is not checked
by the emulator, so that case is left to the trust policy's shape (asserted below)."""

import json
import os
import stat

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import account_state, client
from oracle import Policies, decide, req

PARTNER = "arn:aws:iam::123456789012:user/partner"


def seed(iam, s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.txt", Body=b"for the partner")
    s3.put_object(Bucket="data", Key="private/secret.txt", Body=b"not for the partner")
    iam.create_user(UserName="partner")
    return iam.create_access_key(UserName="partner")["AccessKey"]


def test_the_partner_gets_exactly_the_granted_access(cli, aws, iam, s3, tmp_path):
    partner_key = seed(iam, s3)
    sheet_path = tmp_path / "handoff.json"
    out = cli.json("grant", "role", "--bucket", "data", "--prefix", "in", "--access", "read", "--role", "partner-read", "--account", PARTNER,
                   "--handoff", str(sheet_path), "--max-session-hours", "2", "--yes")
    ext = out["external_id"]
    assert len(ext) == 40 and ext.isalnum(), "a generated external ID: long and random"
    assert out["role_arn"] == "arn:aws:iam::123456789012:role/partner-read"

    role = iam.get_role(RoleName="partner-read")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"AWS": PARTNER}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": ext}}
    assert role["MaxSessionDuration"] == 7200

    sheet = json.loads(sheet_path.read_text())
    assert stat.S_IMODE(os.stat(sheet_path).st_mode) == 0o600
    assert (sheet["RoleArn"], sheet["ExternalId"], sheet["Bucket"], sheet["Prefix"]) == (out["role_arn"], ext, "data", "in/")
    # The partner attaches exactly the policy the sheet gives them.
    iam.put_user_policy(UserName="partner", PolicyName="from-the-sheet", PolicyDocument=json.dumps(sheet["PolicyForYourPrincipal"]))

    aws.enforce_iam(True)
    sts = client("sts", aws, key=partner_key["AccessKeyId"], secret=partner_key["SecretAccessKey"])
    with pytest.raises(ClientError) as denied:
        sts.assume_role(RoleArn=out["role_arn"], RoleSessionName="partner-session", ExternalId="not-the-right-one")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    creds = sts.assume_role(RoleArn=out["role_arn"], RoleSessionName="partner-session", ExternalId=ext)["Credentials"]
    s3r = boto3.client("s3", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    assert s3r.get_object(Bucket="data", Key="in/report.txt")["Body"].read() == b"for the partner"
    assert [o["Key"] for o in s3r.list_objects_v2(Bucket="data", Prefix="in/")["Contents"]] == ["in/report.txt"]
    for call in (lambda: s3r.get_object(Bucket="data", Key="private/secret.txt"),
                 lambda: s3r.put_object(Bucket="data", Key="in/new.txt", Body=b"x"),
                 lambda: s3r.delete_object(Bucket="data", Key="in/report.txt")):
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "AccessDenied"


def test_only_the_other_account_with_the_external_id_can_assume_the_role(cli, iam, s3):
    """What the emulator does not check (a missing external ID; accounts other than its one), decided by the
    independent evaluator on the trust policy exactly as stored."""
    seed(iam, s3)
    out = cli.json("grant", "role", "--bucket", "data", "--prefix", "in", "--access", "read", "--role", "vendor-read",
                   "--account", "210987654321", "--yes")
    trust = iam.get_role(RoleName="vendor-read")["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    may_assume = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}

    def assume(principal, external_id):
        ctx = {"sts:ExternalId": external_id} if external_id else {}
        return req(Policies([may_assume], principal=principal), "sts:AssumeRole", out["role_arn"], context=ctx, resource_policy=trust)

    theirs, stranger = "arn:aws:iam::210987654321:role/vendor-app", "arn:aws:iam::999988887777:role/vendor-app"
    assert decide([
        assume(theirs, out["external_id"]),
        assume(theirs, None),
        assume(theirs, "guessed-external-id"),
        assume(stranger, out["external_id"]),
    ]) == ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"]


def test_an_account_id_is_trusted_as_the_account_and_the_sheet_is_markdown(cli, iam, s3, tmp_path):
    seed(iam, s3)
    md = tmp_path / "for-vendor.md"
    out = cli.json("grant", "role", "--bucket", "data", "--access", "upload", "--role", "vendor-upload", "--account", "210987654321",
                   "--external-id", "vendor-given-id-123", "--handoff", str(md), "--yes")
    trust = iam.get_role(RoleName="vendor-upload")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    text = md.read_text()
    assert f"| Role ARN | `{out['role_arn']}` |" in text and "| External ID | `vendor-given-id-123` |" in text
    assert "--external-id vendor-given-id-123" in text and '"sts:AssumeRole"' in text
    # Listed, and revoked cleanly like any other access.
    entry = [e for e in cli.json("access", "list") if e["role_name"] == "vendor-upload"][0]
    assert entry["state"] == "exists" and entry["policy"]["Statement"]
    cli.json("access", "revoke", "vendor-upload", "--yes")
    assert iam.list_roles()["Roles"] == [] and iam.list_policies(Scope="Local")["Policies"] == []


@pytest.mark.parametrize(
    "args,message",
    [
        (["--account", "21098765432"], "must be exactly 12 digits"),
        (["--account", "arn:aws:s3:::data"], "is not an account ID or an IAM user or role ARN"),
        (["--account", "210987654321", "--external-id", "has space"], "external ID contains ' '"),
        (["--account", "210987654321", "--external-id", "x"], "it needs 2 to 1,224"),
        (["--account", "210987654321", "--max-session-hours", "13"], "between 1 and 12 hours"),
    ],
)
def test_bad_role_input_is_refused_before_any_change(cli, iam, s3, args, message):
    seed(iam, s3)
    before = account_state(iam, s3)
    proc = cli.run("grant", "role", "--bucket", "data", "--access", "read", "--role", "r", *args, "--yes")
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert account_state(iam, s3) == before


def test_a_taken_role_or_policy_name_is_refused_with_a_free_one(cli, iam, s3):
    """Unattended (--yes), the names are not read first: CreatePolicy or CreateRole refuses, the answer names
    a free name, and nothing is left behind. A dry run refuses the same names from its reads."""
    seed(iam, s3)
    role = ["grant", "role", "--bucket", "data", "--access", "read", "--account", "210987654321"]
    iam.create_role(RoleName="taken", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    before = account_state(iam, s3, cli)
    proc = cli.run(*role, "--role", "taken", "--yes")
    assert proc.returncode == 4 and 'IAM role "taken" already exists' in proc.stderr and '"taken-2" is free' in proc.stderr, proc.stderr
    assert "Everything was rolled back" in proc.stderr, "the policy created before the role is removed again"
    assert account_state(iam, s3, cli) == before
    iam.create_policy(PolicyName="fresh-s3-access", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    before = account_state(iam, s3, cli)
    for flags in (["--yes"], ["--dry-run"]):
        proc = cli.run(*role, "--role", "fresh", *flags)
        assert proc.returncode == 1, (flags, proc.stderr)
        assert 'Managed policy "fresh-s3-access" already exists' in proc.stderr, (flags, proc.stderr)
        assert account_state(iam, s3, cli) == before
    # Unattended, the free name is looked up after the refusal.
    assert '"fresh-s3-access-2" is free' in cli.run(*role, "--role", "fresh", "--yes").stderr
