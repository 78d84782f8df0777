"""Export for a team's engine (issue 15): CloudFormation and Terraform from a reviewed plan
(`grant ... --export FORMAT FILE`) and from an access in My access (`access export-iac`).

Proven, not just printed: a CloudFormation export is deployed into the emulator (moto implements
CloudFormation for IAM users, inline and managed policies, roles, and buckets with their encryption) and
its user gets exactly the access the app's own grant gives, by the same enforcement probes. cfn-lint passes
on every CloudFormation file. The Terraform export parses (python-hcl2), and every resource type and
argument it uses is in terraform_aws_resources.json, a list taken from the AWS provider's documentation.
moto's CloudFormation ignores a bucket's other settings and bucket policies: those are held by cfn-lint
and by shape."""

import json
import pathlib
import subprocess
import sys

import hcl2
import pytest

from conftest import account_state, as_aws_evaluates, client
from test_grant import allowed, seed

KNOWN = {k: set(v) for k, v in json.loads((pathlib.Path(__file__).parent / "terraform_aws_resources.json").read_text()).items() if not k.startswith("_")}


def cfn_lint(*paths):
    proc = subprocess.run([str(pathlib.Path(sys.executable).parent / "cfn-lint"), *map(str, paths)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def deploy(aws, template_path, name):
    cfn = client("cloudformation", aws)
    cfn.create_stack(StackName=name, TemplateBody=template_path.read_text())
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {r["LogicalResourceId"]: r for r in cfn.describe_stack_resources(StackName=name)["StackResources"]}


def probes(aws, key_id, secret):
    """What a key can do in the seeded bucket, with IAM enforcement on."""
    s3 = client("s3", aws, key=key_id, secret=secret)
    aws.enforce_iam(True)
    try:
        return {
            "list_in": allowed(lambda: s3.list_objects_v2(Bucket="data", Prefix="in/")),
            "get_in": allowed(lambda: s3.get_object(Bucket="data", Key="in/a.txt")["Body"].read()),
            "put_in": allowed(lambda: s3.put_object(Bucket="data", Key="in/probe.txt", Body=b"x")),
            "get_out": allowed(lambda: s3.get_object(Bucket="data", Key="out/c.txt")),
            "put_out": allowed(lambda: s3.put_object(Bucket="data", Key="out/probe.txt", Body=b"x")),
            "other_bucket": allowed(lambda: s3.get_object(Bucket="other", Key="x.txt")),
            "delete_in": allowed(lambda: s3.delete_object(Bucket="data", Key="in/sub/b.txt")),
        }
    finally:
        aws.enforce_iam(False)


@pytest.mark.parametrize("level", ["read", "read-write", "full"])
def test_a_cloudformation_export_deploys_to_exactly_the_apps_access(cli, aws, iam, s3, tmp_path, level):
    seed(s3)
    template = tmp_path / "access.yaml"
    before = account_state(iam, s3, cli)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", level, "--user", "stack-user", "--export", "cloudformation", str(template))
    assert out["changed"] is False
    assert account_state(iam, s3, cli) == before, "an export changes nothing"
    text = template.read_text()
    assert "No access key is declared here" in text and "AWS::IAM::AccessKey" not in text
    cfn_lint(template)

    resources = deploy(aws, template, "s3aw-export")
    assert resources["UserStackUser"]["ResourceType"] == "AWS::IAM::User"
    stack_key = iam.create_access_key(UserName="stack-user")["AccessKey"]
    as_aws_evaluates(iam, user="stack-user")
    from_stack = probes(aws, stack_key["AccessKeyId"], stack_key["SecretAccessKey"])

    # The app's own grant of the same access, probed the same way.
    seed_again = client("s3", aws)
    seed_again.put_object(Bucket="data", Key="in/sub/b.txt", Body=b"hello in/sub/b.txt")
    own = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", level, "--user", "app-user", "--yes", "--no-keychain", "--show-secret")
    as_aws_evaluates(iam, user="app-user")
    from_app = probes(aws, own["access_key_id"], own["secret_access_key"])
    assert from_stack == from_app, (from_stack, from_app)
    assert from_app["get_in"] and not from_app["other_bucket"] and not from_app["put_out"]

    # The documents are the same, statement for statement.
    def doc(user):
        d = iam.get_user_policy(UserName=user, PolicyName=iam.list_user_policies(UserName=user)["PolicyNames"][0])["PolicyDocument"]
        return json.loads(d) if isinstance(d, str) else d
    assert doc("stack-user")["Statement"] == [s for s in doc("app-user")["Statement"]]


def test_a_role_and_a_new_encrypted_bucket_deploy(cli, aws, iam, s3, tmp_path):
    seed(s3)
    role = tmp_path / "role.json"
    cli.json("grant", "role", "--bucket", "data", "--access", "read", "--role", "partner", "--account", "210987654321", "--external-id", "ext-12345", "--export", "cloudformation", str(role))
    bucket = tmp_path / "bucket.yaml"
    cli.json("grant", "iam-user", "--bucket", "fresh-bucket", "--create-bucket", "--encrypt", "--access", "read", "--user", "fresh", "--managed-policy", "--export", "cloudformation", str(bucket))
    cfn_lint(role, bucket)
    json.loads(role.read_text())  # a .json file is JSON
    deploy(aws, role, "s3aw-role")
    trust = iam.get_role(RoleName="partner")["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-12345"}}
    attached = iam.list_attached_role_policies(RoleName="partner")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["partner-s3-access"]

    deploy(aws, bucket, "s3aw-bucket")
    assert s3.get_bucket_encryption(Bucket="fresh-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert [p["PolicyName"] for p in iam.list_attached_user_policies(UserName="fresh")["AttachedPolicies"]] == ["fresh-s3-access"]


def walk_terraform(parsed):
    """(resource type, argument path) for every argument of every resource and import block."""
    used = []

    def args(kind, body, prefix=""):
        for k, v in body.items():
            if k.startswith("__"):
                continue
            path = f"{prefix}{k}"
            used.append((kind, path))
            blocks = v if isinstance(v, list) else [v]
            for b in blocks:
                if isinstance(b, dict) and b.get("__is_block__"):
                    args(kind, b, path + ".")

    for block in parsed.get("resource", []):
        for kind, named in block.items():
            kind = kind.strip('"')
            for body in named.values():
                used.append((kind, None))
                args(kind, body)
    for body in parsed.get("import", []):
        args("import", body)
    return used


def test_terraform_exports_use_only_documented_resources_and_import_what_exists(cli, aws, iam, s3, tmp_path):
    seed(s3)
    files = {
        "grant.tf": ["grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read-write", "--user", "vendor", "--tls-only", "--versioning", "--block-public-access", "--encrypt", "--cors-origin", "https://app.example.com", "--access-log-bucket", "other"],
        "managed.tf": ["grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "m", "--managed-policy"],
        "role.tf": ["grant", "role", "--bucket", "data", "--access", "read", "--role", "partner", "--account", "210987654321", "--max-session-hours", "2"],
        "new.tf": ["grant", "iam-user", "--bucket", "brand-new", "--create-bucket", "--access", "read", "--user", "n"],
    }
    parsed = {}
    for name, args in files.items():
        cli.json(*args, "--export", "terraform", str(tmp_path / name))
        with open(tmp_path / name) as f:
            parsed[name] = hcl2.load(f)
        for kind, arg in walk_terraform(parsed[name]):
            assert kind in KNOWN, f"{name}: resource type {kind} is not in terraform_aws_resources.json"
            assert arg is None or arg in KNOWN[kind], f"{name}: {kind}.{arg} is not in terraform_aws_resources.json"

    imports = lambda name: {i["to"].strip('"$}{'): i["id"].strip('"') for i in parsed[name].get("import", [])}
    grant_imports = imports("grant.tf")
    # The bucket exists: it and its settings are imported; the new user and policy are created.
    assert grant_imports["aws_s3_bucket.data"] == "data"
    assert grant_imports["aws_s3_bucket_versioning.data"] == "data" and grant_imports["aws_s3_bucket_policy.data"] == "data"
    assert not any(k.startswith("aws_iam_") for k in grant_imports)
    assert "aws_s3_bucket_policy.other" in grant_imports, "the log bucket's merged policy too"
    assert imports("new.tf") == {}, "a plan that creates the bucket imports nothing"
    tf = (tmp_path / "grant.tf").read_text()
    assert "aws:SecureTransport" in tf and "No access key is declared here" in tf

    # An access in My access: everything exists, so everything is imported.
    cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    cli.json("access", "export-iac", entry, "--format", "terraform", str(tmp_path / "access.tf"))
    with open(tmp_path / "access.tf") as f:
        parsed["access.tf"] = hcl2.load(f)
    assert imports("access.tf") == {"aws_iam_user.vendor": "vendor", "aws_iam_user_policy.vendor_s3_access": "vendor:vendor-s3-access"}
    cli.json("access", "export-iac", entry, "--format", "cloudformation", str(tmp_path / "access.yaml"))
    cfn_lint(tmp_path / "access.yaml")
    text = (tmp_path / "access.yaml").read_text()
    assert "AWS::IAM::UserPolicy" in text and "DeletionPolicy: \"Retain\"" in text and "resource import" in text


def test_bad_exports_are_refused(cli, aws, iam, s3, tmp_path):
    seed(s3)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--export", "pulumi", str(tmp_path / "x"))
    assert proc.returncode != 0 and "cloudformation or terraform" in proc.stderr
    existing = tmp_path / "taken.yaml"
    existing.write_text("mine")
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--export", "cloudformation", str(existing))
    assert proc.returncode != 0 and "already exists" in proc.stderr and existing.read_text() == "mine"


def test_the_review_says_access_analyzer_did_not_check_at_the_emulator(cli, aws, s3):
    """IAM Access Analyzer's mapping is tested with replayed answers (analyzer::tests); the emulator has
    none, and the review says so instead of pretending."""
    seed(s3)
    plan = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--dry-run")
    assert plan["access_analyzer"] == {"checked": False, "reason": "this endpoint has no IAM Access Analyzer", "blocks": False, "findings": []}
    text = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--dry-run", check=0).stdout
    assert "IAM Access Analyzer: not checked (this endpoint has no IAM Access Analyzer)." in text
