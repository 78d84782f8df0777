"""Export for a team's engine (issue 15): CloudFormation and Terraform from a reviewed plan
(`grant ... --export FORMAT FILE`) and from an access in My access (`access export-iac`).

Proven, not just printed: a CloudFormation export is deployed into the emulator (moto implements
CloudFormation for IAM users, inline and managed policies, roles, and buckets with their encryption) and
its user gets exactly the access the app's own grant gives, by the same enforcement probes. cfn-lint passes
on every CloudFormation file. The Terraform export parses (python-hcl2), and every resource type and
argument it uses is in terraform_aws_resources.json, a list taken from the AWS provider's documentation.
moto's CloudFormation ignores a bucket's other settings and bucket policies: those are held by cfn-lint
and by shape. moto has no resource import (an IMPORT change set creates its resources), so the two-step
deployment of an export of something that exists is run with the existing resources taken away first:
step 1 recreates them as they were, standing in for the import, and step 2 updates the stack."""

import glob

import json
import pathlib
import re
import subprocess
import sys

import botocore.exceptions
import hcl2
import pytest

from conftest import account_state, as_aws_evaluates, client
from test_grant import allowed, seed

# Terraform's own meta-arguments, allowed in every resource block (Terraform language docs, "Meta-Arguments").
META = {"lifecycle", "lifecycle.prevent_destroy", "lifecycle.create_before_destroy", "lifecycle.ignore_changes", "depends_on"}
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


def tf_resources(parsed):
    """{(type, label): body} of every resource block; two blocks with one address fail the test."""
    out = {}
    for block in parsed.get("resource", []):
        for kind, named in block.items():
            for label, body in named.items():
                address = (kind.strip('"'), label.strip('"'))
                assert address not in out, f"two resources are {address}"
                out[address] = body
    return out


def kept_from_destroy(body):
    return any(l.get("prevent_destroy") for l in body.get("lifecycle", []))


def check_terraform(name, parsed, region):
    """Every export: documented resources and arguments only, labels Terraform accepts, the version that
    import blocks need, the provider in the bucket's region, and `prevent_destroy` on exactly what is
    imported."""
    for kind, arg in walk_terraform(parsed):
        assert kind in KNOWN, f"{name}: resource type {kind} is not in terraform_aws_resources.json"
        assert arg is None or arg in KNOWN[kind] or arg in META, f"{name}: {kind}.{arg} is not in terraform_aws_resources.json"
    resources = tf_resources(parsed)
    for kind, label in resources:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", label), f"{name}: {kind}.{label} is not a Terraform label"
    unquoted = lambda v: v.strip('"')
    assert unquoted(parsed["terraform"][0]["required_version"]) == ">= 1.5", name
    assert unquoted(parsed["terraform"][0]["required_providers"][0]["aws"]["source"]) == "hashicorp/aws"
    provider = {k.strip('"'): v for k, v in parsed["provider"][0].items()}
    assert unquoted(provider["aws"]["region"]) == region, name
    imported = set(imports(parsed))
    for (kind, label), body in resources.items():
        assert kept_from_destroy(body) == (f"{kind}.{label}" in imported), f"{name}: {kind}.{label}: prevent_destroy exactly on what is imported"
    assert imported <= {f"{k}.{l}" for k, l in resources}, f"{name}: an import names a resource that is not declared"


def imports(parsed):
    return {i["to"].strip('"$}{'): i["id"].strip('"') for i in parsed.get("import", [])}


def export_terraform(cli, tmp_path, name, args):
    cli.json(*args, "--export", "terraform", str(tmp_path / name))
    with open(tmp_path / name) as f:
        return hcl2.load(f)


def test_terraform_imports_exactly_what_existed_before(cli, aws, iam, s3, tmp_path):
    seed(s3)
    # What "data" holds before: a CORS rule and a policy statement of someone else's, versioning suspended.
    # No Block Public Access, default encryption or logging of its own (moto's answers say which).
    s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": [{"ID": "theirs", "AllowedOrigins": ["https://theirs.example"], "AllowedMethods": ["GET"]}]})
    theirs = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/public/*"}
    s3.put_bucket_policy(Bucket="data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Suspended"})
    had = {
        "aws_s3_bucket_public_access_block": answers(lambda: s3.get_public_access_block(Bucket="data")),
        "aws_s3_bucket_server_side_encryption_configuration": answers(lambda: s3.get_bucket_encryption(Bucket="data")),
        "aws_s3_bucket_logging": "LoggingEnabled" in s3.get_bucket_logging(Bucket="data"),
    }
    files = {
        "grant.tf": ["grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read-write", "--user", "vendor", "--tls-only", "--versioning", "--block-public-access", "--encrypt", "--cors-origin", "https://app.example.com", "--access-log-bucket", "other"],
        "managed.tf": ["grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "m", "--managed-policy"],
        "role.tf": ["grant", "role", "--bucket", "data", "--access", "read", "--role", "partner", "--account", "210987654321", "--max-session-hours", "2"],
        "new.tf": ["grant", "iam-user", "--bucket", "brand-new", "--create-bucket", "--access", "read", "--user", "n"],
    }
    parsed = {name: export_terraform(cli, tmp_path, name, args) for name, args in files.items()}
    for name in files:
        check_terraform(name, parsed[name], "us-east-1")

    expected = {"aws_s3_bucket.data", "aws_s3_bucket_cors_configuration.data", "aws_s3_bucket_policy.data", "aws_s3_bucket_versioning.data"}
    expected |= {f"{kind}.data" for kind, present in had.items() if present}
    assert set(imports(parsed["grant.tf"])) == expected, "imported: what held something before, and nothing else"
    assert "aws_s3_bucket_policy.other" not in imports(parsed["grant.tf"]), "the log bucket had no policy: its new one is created, never imported"
    assert all(v == "data" for k, v in imports(parsed["grant.tf"]).items())
    tf = (tmp_path / "grant.tf").read_text()
    assert "aws:SecureTransport" in tf and "Theirs" in tf and "theirs.example" in tf, "merged documents keep what was there"
    assert "created-by" not in tf.split('resource "aws_iam_user"')[0], "no tag on the existing bucket"
    assert imports(parsed["new.tf"]) == {}, "a plan that creates the bucket imports nothing, its policy included"
    assert imports(parsed["managed.tf"]) == imports(parsed["role.tf"]) == {}

    # An access in My access: everything exists, so everything is imported.
    cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    cli.json("access", "export-iac", entry, "--format", "terraform", str(tmp_path / "access.tf"))
    with open(tmp_path / "access.tf") as f:
        parsed["access.tf"] = hcl2.load(f)
    check_terraform("access.tf", parsed["access.tf"], "us-east-1")
    assert imports(parsed["access.tf"]) == {"aws_iam_user.vendor": "vendor", "aws_iam_user_policy.vendor_s3_access": "vendor:vendor-s3-access"}
    out = cli.json("access", "export-iac", entry, "--format", "cloudformation", str(tmp_path / "access.yaml"))
    assert out["files"] == [str(tmp_path / n) for n in ["access.yaml", "access.import.yaml", "access.import-resources.json"]]
    cfn_lint(tmp_path / "access.yaml", tmp_path / "access.import.yaml")
    listed = json.loads((tmp_path / "access.import-resources.json").read_text())
    assert [(r["LogicalResourceId"], r["ResourceIdentifier"]) for r in listed] == [
        ("UserVendor", {"UserName": "vendor"}),
        ("PolicyVendorS3Access", {"PolicyName": "vendor-s3-access", "UserName": "vendor"}),
    ]
    assert "AWS::IAM::UserPolicy" in (tmp_path / "access.yaml").read_text() and "two steps" in (tmp_path / "access.yaml").read_text()


def answers(call):
    try:
        call()
        return True
    except botocore.exceptions.ClientError:
        return False


def test_terraform_labels_start_with_a_letter_and_never_collide(cli, aws, iam, s3, tmp_path):
    """`my-bucket` and `my.bucket` are both `my_bucket` once made an identifier, and both get a bucket
    policy here (refuse plain HTTP; let S3 deliver logs); `2024-reports` starts with a digit, which
    Terraform refuses."""
    for name in ["my-bucket", "my.bucket", "2024-reports"]:
        s3.create_bucket(Bucket=name)
    parsed = export_terraform(cli, tmp_path, "logs.tf", ["grant", "iam-user", "--bucket", "my-bucket", "--access", "read", "--user", "v", "--tls-only", "--access-log-bucket", "my.bucket"])
    check_terraform("logs.tf", parsed, "us-east-1")
    policies = {label: body["bucket"].strip('"') for (kind, label), body in tf_resources(parsed).items() if kind == "aws_s3_bucket_policy"}
    assert sorted(policies) == ["my_bucket", "my_bucket_2"], policies
    assert "my.bucket" in policies.values() and "aws_s3_bucket.my_bucket.id" in " ".join(policies.values()), policies
    parsed = export_terraform(cli, tmp_path, "digits.tf", ["grant", "iam-user", "--bucket", "2024-reports", "--access", "read", "--user", "2024-reader", "--versioning"])
    check_terraform("digits.tf", parsed, "us-east-1")
    assert ("aws_s3_bucket", "bucket_2024_reports") in tf_resources(parsed) and ("aws_iam_user", "user_2024_reader") in tf_resources(parsed)


def importable_types():
    """Resource types CloudFormation can import: those whose schema (cfn-lint's copy of the registry's) has
    a read handler."""
    base = pathlib.Path(sys.executable).parent.parent / "lib"
    out = {}
    for f in glob.glob(str(base / "python3*/site-packages/cfnlint/data/schemas/resources/*.json")):
        try:
            d = json.loads(pathlib.Path(f).read_text())
        except ValueError:
            continue
        if isinstance(d, dict) and "read" in d.get("handlers", {}):
            out[d["typeName"]] = [p.rsplit("/", 1)[-1] for p in d.get("primaryIdentifier", [])]
    assert "AWS::S3::Bucket" in out, "cfn-lint's resource schemas were not found"
    return out


def test_a_cloudformation_export_of_what_exists_deploys_in_two_steps_and_keeps_it(cli, aws, iam, s3, tmp_path):
    seed(s3)
    iam.create_user(UserName="vendor")
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Suspended"})
    main = tmp_path / "vendor.yaml"
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "vendor", "--reuse-user", "--versioning", "--export", "cloudformation", str(main))
    step1, listed = tmp_path / "vendor.import.yaml", tmp_path / "vendor.import-resources.json"
    assert out["files"] == [str(main), str(step1), str(listed)]
    cfn_lint(main, step1)
    import yaml
    t1 = yaml.safe_load(step1.read_text())["Resources"]
    t2 = yaml.safe_load(main.read_text())["Resources"]
    to_import = json.loads(listed.read_text())
    assert "--change-set-type IMPORT --template-body file://vendor.import.yaml --resources-to-import file://vendor.import-resources.json" in " ".join(main.read_text().replace("# ", "").split())

    # What AWS requires of an import: only importable resources, each with a DeletionPolicy, each named in
    # the list by the identifier its type has, with the value the template declares; nothing else.
    importable = importable_types()
    assert {r["LogicalResourceId"] for r in to_import} == set(t1) == {"BucketData", "UserVendor"}
    for r in to_import:
        declared = t1[r["LogicalResourceId"]]
        assert declared["Type"] == r["ResourceType"] and r["ResourceType"] in importable
        assert declared["DeletionPolicy"] == "Retain"
        assert sorted(r["ResourceIdentifier"]) == sorted(importable[r["ResourceType"]])
        for k, v in r["ResourceIdentifier"].items():
            assert declared["Properties"][k] == v
        # Step 2 keeps them, of the same type, and never tags what existed.
        assert t2[r["LogicalResourceId"]]["Type"] == declared["Type"] and t2[r["LogicalResourceId"]]["DeletionPolicy"] == "Retain"
        assert "Tags" not in t2[r["LogicalResourceId"]]["Properties"]
    assert t1["BucketData"]["Properties"]["VersioningConfiguration"] == {"Status": "Suspended"}, "step 1 is the bucket as it was"
    assert t2["BucketData"]["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}

    # moto has no resource import: take the existing resources away, so step 1 brings them back as they
    # were (as an import would take them in), then step 2 makes the change.
    iam.delete_user(UserName="vendor")
    for o in s3.list_objects_v2(Bucket="data").get("Contents", []):
        s3.delete_object(Bucket="data", Key=o["Key"])
    s3.delete_bucket(Bucket="data")
    cfn = client("cloudformation", aws)

    def run(kind, template, **extra):
        cfn.create_change_set(StackName="vendor-stack", ChangeSetName=f"s-{kind.lower()}", ChangeSetType=kind, TemplateBody=template.read_text(), Capabilities=["CAPABILITY_NAMED_IAM"], **extra)
        cfn.execute_change_set(StackName="vendor-stack", ChangeSetName=f"s-{kind.lower()}")
        return cfn.describe_stacks(StackName="vendor-stack")["Stacks"][0]["StackStatus"]

    assert run("IMPORT", step1, ResourcesToImport=to_import) == "IMPORT_COMPLETE"
    assert iam.list_user_policies(UserName="vendor")["PolicyNames"] == [] and iam.list_user_tags(UserName="vendor")["Tags"] == []
    assert run("UPDATE", main) == "UPDATE_COMPLETE"
    for key in ["in/a.txt", "in/sub/b.txt", "out/c.txt"]:
        s3.put_object(Bucket="data", Key=key, Body=b"hello " + key.encode())
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    from_stack = probes(aws, key["AccessKeyId"], key["SecretAccessKey"])
    own = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "app-user", "--yes", "--no-keychain", "--show-secret")
    assert from_stack == probes(aws, own["access_key_id"], own["secret_access_key"])
    assert from_stack["get_in"] and not from_stack["put_in"]
    assert iam.list_user_tags(UserName="vendor")["Tags"] == [], "the existing user is not tagged"

    # Deleting the stack keeps what was there before and removes only what the stack added.
    iam.delete_access_key(UserName="vendor", AccessKeyId=key["AccessKeyId"])
    cfn.delete_stack(StackName="vendor-stack")
    assert iam.get_user(UserName="vendor")["User"]["UserName"] == "vendor"
    assert iam.list_user_policies(UserName="vendor")["PolicyNames"] == [], "the stack's policy went with it"
    assert "data" in [b["Name"] for b in s3.list_buckets()["Buckets"]]


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
