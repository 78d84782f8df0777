"""`s3aw grant iam-user` against the emulator: what it creates, and — with moto's IAM enforcement on —
that the new key can do exactly what its access level says and nothing else."""

import csv
import json
import os
import stat

import botocore.exceptions
import pytest

from conftest import account_state, as_aws_evaluates, client

LEVELS = ["read", "upload", "read-write", "full"]


def seed(s3):
    s3.create_bucket(Bucket="data")
    s3.create_bucket(Bucket="other")
    for key in ["in/a.txt", "in/sub/b.txt", "out/c.txt"]:
        s3.put_object(Bucket="data", Key=key, Body=b"hello " + key.encode())
    s3.put_object(Bucket="other", Key="x.txt", Body=b"other")


def allowed(fn):
    try:
        fn()
        return True
    except botocore.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
        assert code in ("AccessDenied", "403"), f"unexpected error {code}: {e}"
        return False


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Access key ID", "Secret access key"]
    return rows[1][0], rows[1][1]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("prefix", [None, "in"])
def test_grant_creates_exactly_scoped_keys(cli, aws, iam, s3, tmp_path, level, prefix):
    seed(s3)
    csv_path = tmp_path / "keys.csv"
    args = ["grant", "iam-user", "--bucket", "data", "--access", level, "--user", "vendor", "--yes", "--csv", str(csv_path)]
    if prefix:
        args += ["--prefix", prefix]
    out = cli.json(*args)

    # What was created.
    key_id, secret = read_csv(csv_path)
    assert out["access_key_id"] == key_id and "secret_access_key" not in out
    assert stat.S_IMODE(os.stat(csv_path).st_mode) == 0o600
    assert iam.get_user(UserName="vendor")["User"]["Tags"] == [{"Key": "created-by", "Value": "s3-access-wizard"}]
    # The policy is the user's own (inline), not a managed policy anyone could attach.
    assert iam.list_attached_user_policies(UserName="vendor")["AttachedPolicies"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_user_policies(UserName="vendor")["PolicyNames"] == ["vendor-s3-access"]
    doc = iam.get_user_policy(UserName="vendor", PolicyName="vendor-s3-access")["PolicyDocument"]
    if isinstance(doc, str):
        doc = json.loads(doc)
    actions = {a for st in doc["Statement"] for a in st["Action"]}
    assert not any("*" in a for a in actions)
    resources = {r for st in doc["Statement"] for r in st["Resource"]}
    assert f"arn:aws:s3:::data/{'in/' if prefix else ''}*" in resources
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="vendor")["AccessKeyMetadata"]] == [key_id]

    # The secret is in the real keychain under account/user/key id, and nowhere in the record.
    entry = f"123456789012/vendor/{key_id}"
    assert out["keychain"]["entry"] == entry
    assert cli.keychain_secret(entry) == secret
    record = (cli.config_dir / "created.json").read_text()
    assert secret not in record
    rec = json.loads(record)["entries"][0]
    assert rec["user_name"] == "vendor" and rec["access_key_ids"] == [key_id] and rec["level"] == level
    assert out["key_works"] is True

    # Levels that write refuse uploads with a customer-provided key (checked by shape: see as_aws_evaluates).
    assert len(as_aws_evaluates(iam, user="vendor")) == (0 if level == "read" else 1)

    # What the key may do, with IAM enforcement on.
    user_s3 = client("s3", aws, key=key_id, secret=secret)
    inside = "in/a.txt"
    outside = "out/c.txt" if prefix else None
    aws.enforce_iam(True)
    try:
        can = {
            "get": allowed(lambda: user_s3.get_object(Bucket="data", Key=inside)["Body"].read()),
            "list": allowed(lambda: user_s3.list_objects_v2(Bucket="data", Prefix="in/")),
            "put": allowed(lambda: user_s3.put_object(Bucket="data", Key="in/new.txt", Body=b"new")),
            "delete": allowed(lambda: user_s3.delete_object(Bucket="data", Key="in/sub/b.txt")),
            "other_bucket": allowed(lambda: user_s3.get_object(Bucket="other", Key="x.txt")),
            "list_buckets": allowed(lambda: user_s3.list_buckets()),
            "cors": allowed(lambda: user_s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})),
        }
        if outside:
            can["get_outside"] = allowed(lambda: user_s3.get_object(Bucket="data", Key=outside))
            can["put_outside"] = allowed(lambda: user_s3.put_object(Bucket="data", Key="out/new.txt", Body=b"x"))
    finally:
        aws.enforce_iam(False)

    reads = level in ("read", "read-write", "full")
    writes = level != "read"
    assert can["get"] == reads, can
    assert can["list"] == reads, can
    assert can["put"] == writes, can
    assert can["delete"] == (level == "full"), can
    assert not can["other_bucket"] and not can["list_buckets"] and not can["cors"], can
    if outside:
        assert not can["get_outside"] and not can["put_outside"], can


@pytest.mark.parametrize("level", LEVELS)
def test_multipart_uploads_resume_cancel_and_tag_in_the_folder_only(cli, aws, iam, s3, level):
    """What resumable uploaders call (Cyberduck's resume, Uppy and other browser uploaders, the SDKs'
    transfer managers): start a multipart upload, send a part, list the parts sent, cancel the upload; and
    what `aws s3 cp` calls for a large tagged file (PutObjectTagging). boto3 with the new key, under
    enforcement: every level that writes does all of it in its folder (tagging only where it also reads),
    and nothing of it on someone else's upload in another folder."""
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", level, "--user", "vendor", "--yes", "--show-secret")
    theirs = s3.create_multipart_upload(Bucket="data", Key="out/theirs.bin")["UploadId"]
    as_aws_evaluates(iam, user="vendor")
    user_s3 = client("s3", aws, key=out["access_key_id"], secret=out["secret_access_key"])
    seen = {}

    def start():
        seen["upload"] = user_s3.create_multipart_upload(Bucket="data", Key="in/big.bin")["UploadId"]

    def list_parts():
        seen["parts"] = [p["PartNumber"] for p in user_s3.list_parts(Bucket="data", Key="in/big.bin", UploadId=seen["upload"]).get("Parts", [])]

    tags = {"TagSet": [{"Key": "project", "Value": "q4"}]}
    aws.enforce_iam(True)
    try:
        can = {"start": allowed(start)}
        if can["start"]:
            can["part"] = allowed(lambda: user_s3.upload_part(Bucket="data", Key="in/big.bin", UploadId=seen["upload"], PartNumber=1, Body=b"x" * 1024))
            can["list_parts"] = allowed(list_parts)
            can["abort"] = allowed(lambda: user_s3.abort_multipart_upload(Bucket="data", Key="in/big.bin", UploadId=seen["upload"]))
        can["list_parts_outside"] = allowed(lambda: user_s3.list_parts(Bucket="data", Key="out/theirs.bin", UploadId=theirs))
        can["abort_outside"] = allowed(lambda: user_s3.abort_multipart_upload(Bucket="data", Key="out/theirs.bin", UploadId=theirs))
        can["tag"] = allowed(lambda: user_s3.put_object_tagging(Bucket="data", Key="in/a.txt", Tagging=tags))
        can["tag_outside"] = allowed(lambda: user_s3.put_object_tagging(Bucket="data", Key="out/c.txt", Tagging=tags))
    finally:
        aws.enforce_iam(False)

    writes = level != "read"
    expected = {"start": writes, "list_parts_outside": False, "abort_outside": False, "tag": level in ("read-write", "full"), "tag_outside": False}
    if writes:
        expected.update(part=True, list_parts=True, abort=True)
    assert can == expected
    if writes:
        assert seen["parts"] == [1]
    uploads = [(u["Key"], u["UploadId"]) for u in s3.list_multipart_uploads(Bucket="data").get("Uploads", [])]
    assert uploads == [("out/theirs.bin", theirs)], "ours was cancelled, theirs is untouched"


def test_object_only_access_cannot_list(cli, aws, s3, tmp_path):
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--no-list", "--user", "proxy", "--yes", "--show-secret", "--no-keychain")
    user_s3 = client("s3", aws, key=out["access_key_id"], secret=out["secret_access_key"])
    aws.enforce_iam(True)
    try:
        assert allowed(lambda: user_s3.get_object(Bucket="data", Key="out/c.txt"))
        assert not allowed(lambda: user_s3.list_objects_v2(Bucket="data"))
    finally:
        aws.enforce_iam(False)


def test_managed_policy_on_request(cli, aws, iam, s3):
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "upload", "--user", "dropbox", "--managed-policy", "--yes", "--no-keychain", "--show-secret")
    assert iam.list_user_policies(UserName="dropbox")["PolicyNames"] == []
    attached = iam.list_attached_user_policies(UserName="dropbox")["AttachedPolicies"]
    assert attached == [{"PolicyName": "dropbox-s3-access", "PolicyArn": "arn:aws:iam::123456789012:policy/dropbox-s3-access"}]
    assert {"Key": "created-by", "Value": "s3-access-wizard"} in iam.list_policy_tags(PolicyArn=attached[0]["PolicyArn"])["Tags"]
    assert len(as_aws_evaluates(iam, user="dropbox")) == 1
    user_s3 = client("s3", aws, key=out["access_key_id"], secret=out["secret_access_key"])
    aws.enforce_iam(True)
    try:
        assert allowed(lambda: user_s3.put_object(Bucket="data", Key="drop.txt", Body=b"x"))
        assert not allowed(lambda: user_s3.get_object(Bucket="data", Key="drop.txt"))
    finally:
        aws.enforce_iam(False)


def test_unattended_grant_makes_only_the_calls_it_needs(cli, aws, iam, s3):
    """With --yes nobody reads the plan: no account lookup and no name check before the change (the create
    call is the check). The record and the keychain entry still name the account, learned from CreateUser."""
    seed(s3)
    aws.clear_operations()
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes")
    # GetBucketEncryption: a bucket encrypted with a customer-managed KMS key needs that key in the policy.
    assert aws.operations() == ["s3:HeadBucket", "s3:GetBucketEncryption", "iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey", "sts:GetCallerIdentity"], aws.operations()
    assert out["account"] == "123456789012" and out["key_works"] is True
    assert out["keychain"]["entry"] == f"123456789012/vendor/{out['access_key_id']}"
    assert json.loads((cli.config_dir / "created.json").read_text())["entries"][0]["account"] == "123456789012"
    # Without waiting for the key: one call fewer. A reviewed plan (here a dry run) reads the account and the name.
    aws.clear_operations()
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "other", "--yes", "--no-wait", "--no-keychain", "--show-secret")
    assert aws.operations() == ["s3:HeadBucket", "s3:GetBucketEncryption", "iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"], aws.operations()
    aws.clear_operations()
    plan = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "third", "--dry-run")
    assert sorted(aws.operations()) == ["iam:GetUser", "s3:GetBucketEncryption", "s3:HeadBucket", "sts:GetCallerIdentity"], aws.operations()
    assert plan["account"] == "123456789012" and "in account 123456789012" in plan["headline"]


def test_dry_run_changes_nothing_and_prints_the_plan(cli, aws, iam, s3):
    seed(s3)
    before = account_state(iam, s3, cli)
    plan = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "v", "--dry-run")
    assert [s["call"] for s in plan["steps"]] == ["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey", "keychain:Save"]
    statements = {st["Sid"]: st for st in plan["steps"][1]["document"]["Statement"]}
    assert statements["ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": ["in/*"]}}
    # GetBucketLocation carries no s3:prefix, so it has a statement of its own (AWS would refuse it otherwise).
    assert statements["BucketLocation"]["Action"] == ["s3:GetBucketLocation"] and "Condition" not in statements["BucketLocation"]
    text = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--dry-run", check=0).stdout
    assert "Nothing has been changed yet" in text and "Dry run: nothing was changed." in text
    assert account_state(iam, s3, cli) == before
    assert not any(op.startswith("iam:Create") for op in aws.operations()), "a dry run only reads"


def test_without_yes_and_no_terminal_nothing_changes(cli, iam, s3):
    seed(s3)
    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", input="")
    assert proc.returncode == 6, proc.stderr
    assert "pass --yes" in proc.stderr
    assert account_state(iam, s3, cli) == before


def test_existing_user_is_refused_with_a_free_name(cli, iam, s3):
    seed(s3)
    iam.create_user(UserName="vendor")
    iam.create_user(UserName="vendor-2")
    before = account_state(iam, s3, cli)
    # Reviewed: the plan itself refuses. Unattended (--yes): CreateUser refuses, before any other change of
    # the user; changes planned before it (a bucket policy, a managed policy) are rolled back (exit 4).
    for flags, code in ((["--dry-run"], 1), (["--yes"], 1), (["--yes", "--managed-policy", "--tls-only"], 4)):
        proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", *flags)
        assert proc.returncode == code, (flags, proc.stderr)
        assert 'IAM user "vendor" already exists' in proc.stderr and '"vendor-3" is free' in proc.stderr, (flags, proc.stderr)
        assert account_state(iam, s3, cli) == before, flags
    assert not (cli.config_dir / "created.json").exists()
    # Asked explicitly, the existing user is reused and keeps what it had. When it already has permissions,
    # its new key carries them all: the plan names them and --yes alone is not enough.
    iam.put_user_policy(UserName="vendor", PolicyName="own", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}))
    before = account_state(iam, s3, cli)
    proc = cli.run("--json", "grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--reuse-user", "--yes")
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"]["code"] == "existing_access", proc.stderr
    assert 'its own policy "own"' in proc.stderr and "--accept-existing-access" in proc.stderr, proc.stderr
    assert account_state(iam, s3, cli) == before
    plan = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--reuse-user", "--accept-existing-access", "--dry-run")
    assert any(n.startswith("Warning:") and '"own"' in n for n in plan["notes"]), plan["notes"]
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--reuse-user", "--accept-existing-access", "--yes")
    assert iam.list_user_policies(UserName="vendor")["PolicyNames"] == ["own", "vendor-s3-access"]
    assert iam.get_user_policy(UserName="vendor", PolicyName="own")["PolicyDocument"]["Statement"][0]["Action"] == "s3:ListAllMyBuckets"


def test_two_key_limit_is_explained_before_any_change(cli, iam, s3):
    seed(s3)
    iam.create_user(UserName="full")
    iam.create_access_key(UserName="full")
    iam.create_access_key(UserName="full")
    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "full", "--reuse-user", "--yes", "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["code"] == "key_limit"
    assert "already has two access keys" in proc.stderr
    assert account_state(iam, s3, cli) == before


@pytest.mark.parametrize(
    "args,message",
    [
        (["--bucket", "Bad_Bucket", "--access", "read"], "bucket name: \"Bad_Bucket\" contains"),
        (["--bucket", "data", "--access", "read", "--user", "has space"], "user name: the user name may use only"),
        (["--bucket", "data", "--access", "read", "--prefix", "a*"], "folder: a folder name cannot contain *"),
        (["--bucket", "nosuch", "--access", "read"], "The bucket \"nosuch\" does not exist"),
        (["--bucket", "data", "--access", "read", "--cors-origin", "app.example.com"], "is not an origin"),
        (["--bucket", "data", "--access", "read", "--cors-origin", "https://app.example.com/app"], 'would never match: write "https://app.example.com"'),
        (["--bucket", "data", "--access", "read", "--no-keychain"], "the secret would be lost"),
    ],
)
def test_bad_input_gets_a_specific_error_and_no_change(cli, aws, iam, s3, args, message):
    seed(s3)
    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "iam-user", *args, "--yes")
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "panicked" not in proc.stderr and "SdkError" not in proc.stderr
    assert account_state(iam, s3, cli) == before


def test_connection_errors_are_plain(cli, tmp_path):
    env = cli.env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    proc = cli.run("whoami", env=env)
    assert proc.returncode == 3 and "No AWS credentials were found" in proc.stderr, proc.stderr
    proc = cli.run("--profile", "missing", "whoami")
    assert proc.returncode == 1 and 'no AWS profile named "missing"' in proc.stderr
    proc = cli.run("--endpoint-url", "http://127.0.0.1:9", "whoami")
    assert proc.returncode == 1 and "Could not reach AWS at http://127.0.0.1:9" in proc.stderr, proc.stderr
    # An SSO profile whose session was never started names the login command.
    (cli.home / ".aws").mkdir()
    (cli.home / ".aws" / "config").write_text(
        "[profile work]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n"
    )
    env = cli.env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    proc = cli.run("--profile", "work", "whoami", env=env)
    assert proc.returncode == 3 and "s3aw login --sso --aws-profile work" in proc.stderr, proc.stderr
    assert "aws sso login" not in proc.stderr, "never sends people to the AWS CLI"


def test_whoami_buckets_and_folders(cli, s3):
    seed(s3)
    me = cli.json("whoami")
    assert me["account"] == "123456789012" and me["endpoint"]
    s3.create_bucket(Bucket="euro", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    buckets = cli.json("buckets")
    assert buckets == [{"name": "data", "region": "us-east-1"}, {"name": "euro", "region": "eu-west-1"}, {"name": "other", "region": "us-east-1"}]
    assert cli.json("folders", "data") == ["in/", "out/"]
    assert cli.json("folders", "data", "--prefix", "in/") == ["in/sub/"]


def test_create_bucket_with_safe_defaults(cli, s3):
    cli.json("grant", "iam-user", "--bucket", "fresh-bucket", "--create-bucket", "--access", "read-write", "--user", "app", "--yes", "--no-keychain", "--show-secret")
    pab = s3.get_public_access_block(Bucket="fresh-bucket")["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    enc = s3.get_bucket_encryption(Bucket="fresh-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
