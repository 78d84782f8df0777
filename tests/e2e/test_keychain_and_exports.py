"""The keychain when it is missing, and what third-party AWS clients make of our exports."""

import csv
import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import boto3

from conftest import account_state, as_aws_evaluates

AWS_CLI = str(Path(sys.executable).parent / "aws")


def seed(s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.txt", Body=b"quarterly numbers")


NO_DBUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/s3aw-no-bus"}


def test_no_keychain_is_said_plainly_and_nothing_changes(cli, iam, s3):
    seed(s3)
    before = account_state(iam, s3)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--yes", **NO_DBUS)
    assert proc.returncode == 1, proc.stderr
    assert "The OS keychain is not available" in proc.stderr
    assert "Nothing was changed" in proc.stderr and "--no-keychain" in proc.stderr
    assert account_state(iam, s3) == before


def test_no_keychain_but_a_csv_was_asked_for(cli, iam, s3, tmp_path):
    seed(s3)
    path = tmp_path / "vendor.csv"
    proc = cli.run("--json", "grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--yes", "--csv", str(path), check=0, **NO_DBUS)
    assert "warning: The OS keychain is not available" in proc.stderr
    out = json.loads(proc.stdout)
    assert out["keychain"] is None and out["csv"] == str(path) and "secret_access_key" not in out
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_existing_csv_is_not_overwritten(cli, iam, s3, tmp_path):
    seed(s3)
    path = tmp_path / "keys.csv"
    path.write_text("precious")
    before = account_state(iam, s3)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v", "--yes", "--csv", str(path))
    assert proc.returncode == 1 and "already exists" in proc.stderr and "--force" in proc.stderr
    assert path.read_text() == "precious"
    assert account_state(iam, s3) == before


def test_boto3_uses_the_importable_csv(cli, aws, s3, tmp_path):
    seed(s3)
    path = tmp_path / "import.csv"
    cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "reader", "--yes", "--csv", str(path), "--csv-format", "import")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == ["User name", "Access key ID", "Secret access key"] and rows[0]["User name"] == "reader"
    session = boto3.Session(aws_access_key_id=rows[0]["Access key ID"], aws_secret_access_key=rows[0]["Secret access key"], region_name="us-east-1")
    user_s3 = session.client("s3", endpoint_url=aws.url)
    aws.enforce_iam(True)
    try:
        body = user_s3.get_object(Bucket="data", Key="in/report.txt")["Body"].read()
        listed = [o["Key"] for o in user_s3.list_objects_v2(Bucket="data", Prefix="in/")["Contents"]]
    finally:
        aws.enforce_iam(False)
    assert body == b"quarterly numbers" and listed == ["in/report.txt"]


def test_awscli_uses_the_written_profile(cli, aws, s3):
    seed(s3)
    creds = cli.home / ".aws" / "credentials"
    creds.parent.mkdir()
    creds.write_text("# keep this comment\n[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other\n")
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "cli-user", "--yes", "--aws-profile", "vendor")
    assert out["profile"]["name"] == "vendor"
    text = creds.read_text()
    assert text.startswith("# keep this comment\n[default]\naws_access_key_id = AKIAOTHER\n")
    assert "[vendor]" in text and stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(cli.home), AWS_DEFAULT_REGION="us-east-1")
    aws.enforce_iam(True)
    try:
        ls = subprocess.run([AWS_CLI, "--profile", "vendor", "--endpoint-url", aws.url, "s3", "ls", "s3://data/in/"], capture_output=True, text=True, env=env)
        cp = subprocess.run([AWS_CLI, "--profile", "vendor", "--endpoint-url", aws.url, "s3", "cp", "s3://data/in/report.txt", "-"], capture_output=True, text=True, env=env)
        put = subprocess.run([AWS_CLI, "--profile", "vendor", "--endpoint-url", aws.url, "s3", "cp", "-", "s3://data/in/new.txt"], input="x", capture_output=True, text=True, env=env)
    finally:
        aws.enforce_iam(False)
    assert ls.returncode == 0 and "report.txt" in ls.stdout, ls.stderr
    assert cp.returncode == 0 and cp.stdout == "quarterly numbers", cp.stderr
    assert put.returncode != 0 and "AccessDenied" in put.stderr, "a read-only key cannot upload"


def test_the_profiles_hint_works_for_an_upload_only_folder(cli, aws, iam, s3, tmp_path):
    """For upload-only, the command to try copies a file into the folder (the key cannot list)."""
    seed(s3)
    cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "upload", "--user", "dropper", "--yes")
    added = cli.json("use-from-aws", "--access", "dropper", "--aws-profile", "drop")
    assert added["try"] == f"aws --profile drop --endpoint-url {cli.moto.proxy_url} s3 cp FILE s3://data/in/"
    text = cli.run("use-from-aws", "--access", "dropper", "--aws-profile", "drop2", check=0).stdout
    assert f"Try it: aws --profile drop2 --endpoint-url {cli.moto.proxy_url} s3 cp FILE s3://data/in/" in text, text
    upload = tmp_path / "report.csv"
    upload.write_text("a,b\n")
    env = {k: v for k, v in cli.env().items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")}
    as_aws_evaluates(iam, user="dropper")
    aws.enforce_iam(True)
    try:
        words = [str(upload) if w == "FILE" else w for w in shlex.split(added["try"])[1:]]
        tried = subprocess.run([AWS_CLI, *words], capture_output=True, text=True, env=env)
    finally:
        aws.enforce_iam(False)
    assert tried.returncode == 0, tried.stderr
    assert s3.get_object(Bucket="data", Key="in/report.csv")["Body"].read() == b"a,b\n"


def test_awscli_uses_the_key_through_credential_process(cli, aws, s3):
    """The secret stays in the keychain: awscli gets it from `s3aw credential-process`, and no file holds it."""
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "cp-user", "--yes", "--show-secret")
    key_id, secret = out["access_key_id"], out["secret_access_key"]
    added = cli.json("use-from-aws", "--access", key_id, "--aws-profile", "vendor")
    config = (cli.home / ".aws" / "config").read_text()
    # The profile names the access (so a rotation keeps it working), whichever of its names was given.
    entry_id = cli.json("access", "list")[0]["id"]
    assert "[profile vendor]\ncredential_process = " in config and f"credential-process --access {entry_id}\n" in config, config
    for access in (entry_id, key_id):
        printed = json.loads(cli.run("credential-process", "--access", access, check=0).stdout)
        assert printed == {"Version": 1, "AccessKeyId": key_id, "SecretAccessKey": secret}
    env = cli.env()
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        env.pop(k)
    aws.enforce_iam(True)
    try:
        ls = subprocess.run([AWS_CLI, "--profile", "vendor", "--endpoint-url", aws.url, "s3", "ls", "s3://data/in/"], capture_output=True, text=True, env=env)
    finally:
        aws.enforce_iam(False)
    assert ls.returncode == 0 and "report.txt" in ls.stdout, ls.stderr
    for path in cli.home.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), f"secret found in {path}"
    # The command it says to try works as printed: the folder's listing, not `aws s3 ls` alone, which lists
    # the account's buckets (s3:ListAllMyBuckets) and no level grants.
    assert added["try"] == f"aws --profile vendor --endpoint-url {cli.moto.proxy_url} s3 ls s3://data/"
    aws.enforce_iam(True)
    try:
        tried = subprocess.run([AWS_CLI, *shlex.split(added["try"])[1:]], capture_output=True, text=True, env=env)
        bare = subprocess.run([AWS_CLI, "--profile", "vendor", "--endpoint-url", cli.moto.proxy_url, "s3", "ls"], capture_output=True, text=True, env=env)
    finally:
        aws.enforce_iam(False)
    assert tried.returncode == 0 and "report.txt" not in tried.stdout and "in/" in tried.stdout, tried.stderr
    assert bare.returncode != 0 and "AccessDenied" in bare.stderr, "the old hint could never work"
    unknown = cli.run("credential-process", "--access", "AKIANOTCREATEDHERE00")
    assert unknown.returncode == 1 and "is no longer on this computer" in unknown.stderr, unknown.stderr
    assert added["profile"] == "vendor"
