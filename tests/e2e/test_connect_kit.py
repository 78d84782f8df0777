"""The connect kit for the recipient (issue 14, item 5): an rclone remote and a Cyberduck bookmark, written by
`grant iam-user` and `access export`. rclone (Debian's package) lists, downloads and uploads through the
remote against the emulator with IAM enforcement on; the bookmark is a property list with the endpoint, the
bucket path and the key ID, and never the secret."""

import os
import plistlib
import re
import shutil
import stat
import subprocess

import pytest

from conftest import as_aws_evaluates, client
from test_grant import seed

RCLONE = shutil.which("rclone")
pytestmark = pytest.mark.skipif(RCLONE is None, reason="rclone is not installed: run `make setup` (it installs Debian's rclone)")


def rclone(config, *args, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("RCLONE_")}
    proc = subprocess.run([RCLONE, "--config", str(config), "--low-level-retries", "1", "--retries", "1", *args], capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"rclone {' '.join(args)} exited {proc.returncode}\n{proc.stderr}")
    return proc


def test_rclone_and_cyberduck_open_the_granted_folder(cli, aws, iam, s3, tmp_path):
    seed(s3)
    conf, duck = tmp_path / "rclone.conf", tmp_path / "vendor.duck"
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read-write", "--user", "vendor", "--yes",
                   "--no-keychain", "--rclone", str(conf), "--rclone-remote", "vendor-in", "--cyberduck", str(duck))
    key_id = out["access_key_id"]
    assert out["rclone"] == str(conf) and out["cyberduck"] == str(duck)
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    text = conf.read_text()
    assert "[vendor-in]\ntype = alias\nremote = vendor-in-s3:data/in/\n" in text
    assert f"endpoint = {cli.moto.proxy_url}" in text

    as_aws_evaluates(iam, user="vendor")
    aws.enforce_iam(True)
    try:
        listed = rclone(conf, "lsf", "-R", "vendor-in:").stdout.split()
        assert sorted(listed) == ["a.txt", "sub/", "sub/b.txt"], listed
        got = tmp_path / "got"
        rclone(conf, "copy", "vendor-in:", str(got))
        assert (got / "a.txt").read_bytes() == b"hello in/a.txt" and (got / "sub" / "b.txt").read_bytes() == b"hello in/sub/b.txt"
        up = tmp_path / "report.csv"
        up.write_text("a,b\n")
        rclone(conf, "copyto", str(up), "vendor-in:from-rclone/report.csv")
        # The key cannot write to the bucket's other folders through the S3 remote either. (Listing them is
        # refused on AWS by the s3:prefix condition, which moto does not evaluate: see explain::tests.)
        denied = rclone(conf, "copyto", str(up), "vendor-in-s3:data/out/x.csv", check=False)
        assert denied.returncode != 0
    finally:
        aws.enforce_iam(False)
    assert s3.get_object(Bucket="data", Key="in/from-rclone/report.csv")["Body"].read() == b"a,b\n"
    assert "Contents" not in s3.list_objects_v2(Bucket="data", Prefix="out/x.csv")

    # The bookmark: a valid property list that opens the folder as the key, with no secret in it.
    raw = duck.read_bytes()
    bookmark = plistlib.loads(raw)
    secret = next(line.split(" = ", 1)[1] for line in text.splitlines() if line.startswith("secret_access_key"))
    assert secret.encode() not in raw
    assert bookmark["Protocol"] == "s3"
    assert (bookmark["Hostname"], bookmark["Port"]) == ("127.0.0.1", cli.moto.proxy_url.rsplit(":", 1)[1])
    assert bookmark["Path"] == "/data/in/" and bookmark["Username"] == key_id
    assert bookmark["Nickname"] == "vendor-in (S3 Access Wizard)"


def requests_made(proc):
    """The HTTP request lines rclone logged with `--dump headers` (`HEAD /data/in HTTP/1.1`)."""
    return [m.group(1) for m in re.finditer(r"DEBUG : ([A-Z]+ /\S* HTTP/1\.1)\s*$", proc.stderr, re.M)]


@pytest.mark.parametrize("level", ["upload", "read"])
def test_rclone_opens_an_empty_folder_without_probing_its_name(cli, aws, iam, s3, tmp_path, level):
    """The alias keeps the folder's slash, so rclone never HEADs the key `FOLDER`, which lies outside the
    folder: refused to a folder-limited key, fatal with rclone 1.72-1.74, and from 1.75 taken for a file
    whenever the folder looks empty to the key (an empty folder, or any folder for upload-only). Debian's
    rclone (1.60) goes on after a refused probe, so the probe itself is what is checked: the requests
    rclone logs (`--dump headers`) never include it."""
    s3.create_bucket(Bucket="data")
    conf = tmp_path / "rclone.conf"
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "drop", "--access", level, "--user", "dropper", "--yes",
                   "--no-keychain", "--rclone", str(conf), "--rclone-remote", "drop")
    assert "remote = drop-s3:data/drop/\n" in conf.read_text()
    as_aws_evaluates(iam, user="dropper")
    up = tmp_path / "report.csv"
    up.write_text("a,b\n")
    aws.enforce_iam(True)
    try:
        if level == "upload":
            # The command the kit's comment gives for upload-only keys.
            proc = rclone(conf, "copy", "--no-traverse", "--no-check-dest", "--dump", "headers", str(up), "drop:")
        else:
            proc = rclone(conf, "lsf", "--dump", "headers", "drop:")
            assert proc.stdout == "", "the folder is empty"
    finally:
        aws.enforce_iam(False)
    requests = requests_made(proc)
    assert requests, f"rclone logged no requests: {proc.stderr[-2000:]}"
    assert not [r for r in requests if r.startswith("HEAD /data/drop ")], requests
    if level == "upload":
        assert "PUT /data/drop/report.csv HTTP/1.1" in requests, requests
        assert s3.get_object(Bucket="data", Key="drop/report.csv")["Body"].read() == b"a,b\n"
    else:
        assert any(r.startswith("GET /data?") and "prefix=drop%2F" in r for r in requests), requests
    assert out["rclone"] == str(conf)


def test_access_export_writes_the_kit_from_the_keychain(cli, aws, s3, tmp_path):
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", "reader", "--yes")
    entry = cli.json("access", "list")[0]["id"]
    conf, duck = tmp_path / "r.conf", tmp_path / "r.duck"
    exported = cli.json("access", "export", entry, "--rclone", str(conf), "--cyberduck", str(duck))
    assert exported["rclone"] == str(conf) and exported["cyberduck"] == str(duck)
    assert "[data-in]\ntype = alias\nremote = data-in-s3:data/in/\n" in conf.read_text(), "the default name is the bucket and folder"
    assert plistlib.loads(duck.read_bytes())["Username"] == out["access_key_id"]
    assert sorted(rclone(conf, "lsf", "data-in:").stdout.split()) == ["a.txt", "sub/"]

    # Files in the way are refused unless --force; a bad remote name is refused before anything is written.
    proc = cli.run("access", "export", entry, "--rclone", str(conf))
    assert proc.returncode != 0 and "already exists" in proc.stderr, proc.stderr
    cli.json("access", "export", entry, "--rclone", str(conf), "--force")
    proc = cli.run("access", "export", entry, "--rclone", str(tmp_path / "n.conf"), "--rclone-remote", "no spaces")
    assert proc.returncode != 0 and "remote name" in proc.stderr and not (tmp_path / "n.conf").exists()


def test_a_bookmark_alone_does_not_count_as_saving_the_secret(cli, aws, iam, s3, tmp_path):
    seed(s3)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "lost", "--yes", "--no-keychain", "--cyberduck", str(tmp_path / "b.duck"))
    assert proc.returncode != 0 and "the secret would be lost" in proc.stderr, proc.stderr
    assert iam.list_users()["Users"] == []
