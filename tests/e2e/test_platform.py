"""What matters most on each platform, run against whichever CLI build the suite is given: the Linux build
in `make test`, the Windows build under Wine in `make wine-test` (S3AW_BIN=tests/harness/wine-s3aw.sh).

A grant with its CSV (CRLF, as the console writes it) and AWS profile, an existing credentials file with
CRLF line ends kept intact, and the keychain round trip through `credential-process` (the Secret Service on
Linux, Windows Credential Manager as Wine implements it). On Windows the AWS folder is %USERPROFILE%\\.aws
(Wine sets USERPROFILE to the prefix's user folder and passes no HOME), which is where these tests look."""

import csv
import json
import os
import pathlib
import stat

import boto3

from test_grant import seed

WINE_PREFIX = os.environ.get("S3AW_WINEPREFIX") if os.environ.get("S3AW_BIN") else None


def aws_folder(cli):
    """Where the CLI keeps the AWS files: $HOME/.aws on Linux, %USERPROFILE%\\.aws on Windows."""
    if WINE_PREFIX:
        return pathlib.Path(WINE_PREFIX) / "drive_c" / "users" / os.environ.get("USER", "root") / ".aws"
    return cli.home / ".aws"


def fresh_aws_folder(cli):
    folder = aws_folder(cli)
    if folder.exists():
        for f in folder.iterdir():
            f.unlink()
    return folder


def client_from_profile(aws, folder, profile):
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(folder / "credentials")
    try:
        session = boto3.Session(profile_name=profile)
        return session.client("s3", endpoint_url=aws.url, region_name="us-east-1")
    finally:
        del os.environ["AWS_SHARED_CREDENTIALS_FILE"]


def test_a_grant_writes_its_csv_and_profile_where_the_platform_keeps_them(cli, aws, s3, tmp_path):
    seed(s3)
    folder = fresh_aws_folder(cli)
    csv_path = tmp_path / "vendor.csv"
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "platform-vendor", "--yes", "--no-keychain", "--csv", str(csv_path), "--aws-profile", "platform-vendor")
    # Nobody else may read the secret: mode 0600 on Linux; on Windows the owner-only access list, which Wine
    # shows as a mode without any permission for others.
    assert stat.S_IMODE(os.stat(csv_path).st_mode) & 0o007 == 0
    assert stat.S_IMODE(os.stat(aws_folder(cli) / "credentials").st_mode) & 0o007 == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"Access key ID,Secret access key\r\n"), raw[:60]
    key_id, secret = list(csv.reader(raw.decode().splitlines()))[1]
    assert key_id == out["access_key_id"]
    creds = (folder / "credentials").read_text()
    assert f"[platform-vendor]\naws_access_key_id = {key_id}\n" in creds.replace("\r\n", "\n")
    # A third-party client reads the profile and works with it.
    listed = client_from_profile(aws, folder, "platform-vendor").list_objects_v2(Bucket="data", Prefix="in/")
    assert [o["Key"] for o in listed["Contents"]][:1] == ["in/a.txt"]


def test_a_credentials_file_with_crlf_line_ends_keeps_its_profiles(cli, aws, s3, tmp_path):
    seed(s3)
    folder = fresh_aws_folder(cli)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "credentials").write_bytes(b"[default]\r\naws_access_key_id = AKIAEXISTING00000001\r\naws_secret_access_key = keep-me\r\n\r\n")
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "crlf-vendor", "--yes", "--no-keychain", "--aws-profile", "crlf-vendor")
    text = (folder / "credentials").read_bytes().decode().replace("\r\n", "\n")
    assert "[default]\naws_access_key_id = AKIAEXISTING00000001\naws_secret_access_key = keep-me\n" in text
    assert text.count("[default]") == 1 and "[crlf-vendor]" in text
    client_from_profile(aws, folder, "crlf-vendor").list_objects_v2(Bucket="data")


def test_the_keychain_round_trip_through_credential_process(cli, aws, s3, tmp_path):
    seed(s3)
    csv_path = tmp_path / "k.csv"
    out = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "kc-vendor", "--yes", "--csv", str(csv_path))
    assert out["keychain"]["entry"].endswith(f"/kc-vendor/{out['access_key_id']}")
    secret = list(csv.reader(csv_path.read_text().splitlines()))[1][1]
    entry = cli.json("access", "list")[0]["id"]
    served = json.loads(cli.run("credential-process", "--access", entry, check=0).stdout)
    assert served["Version"] == 1 and served["AccessKeyId"] == out["access_key_id"]
    assert served["SecretAccessKey"] == secret, "the secret comes back from the platform's keychain"
