"""`s3aw presign`: links fetched over HTTP from the emulator (IAM enforcement off: moto answers presigned
requests with 500 while it is on), expiry rules, the temporary-credentials cap, and bulk CSV export."""

import csv
import json
import os
import stat
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest


def fetch(url, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


def test_download_link_works(cli, s3):
    s3.create_bucket(Bucket="files")
    s3.put_object(Bucket="files", Key="docs/guide.pdf", Body=b"%PDF guide")
    out = cli.json("presign", "s3://files/docs/guide.pdf", "--expires", "15m", via_proxy=False)
    assert out["method"] == "GET" and "X-Amz-Signature=" in out["url"]
    expires = datetime.fromisoformat(out["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(timezone.utc) <= timedelta(minutes=15, seconds=5)
    assert out["cut_short_by_credentials"] is False
    assert fetch(out["url"]) == (200, b"%PDF guide")


def test_upload_link_requires_its_content_type(cli, s3):
    s3.create_bucket(Bucket="files")
    out = cli.json("presign", "s3://files/in/photo.png", "--put", "--content-type", "image/png", via_proxy=False)
    assert out["method"] == "PUT"
    assert {"name": "content-type", "value": "image/png"} in out["headers"]
    assert out["curl"].startswith("curl -X PUT -T FILE -H 'content-type: image/png'")
    status, _ = fetch(out["url"], "PUT", b"\x89PNG data", {"Content-Type": "image/png"})
    assert status == 200
    obj = s3.get_object(Bucket="files", Key="in/photo.png")
    assert obj["Body"].read() == b"\x89PNG data" and obj["ContentType"] == "image/png"


@pytest.mark.parametrize("expires,message", [("8d", "at most 7 days"), ("0s", "at least one second"), ("tomorrow", "30m, 12h or 7d")])
def test_expiry_is_validated(cli, expires, message):
    proc = cli.run("presign", "s3://files/a.txt", "--expires", expires)
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr


def test_temporary_credentials_cap_the_link(cli, s3, tmp_path):
    """Credentials from a credential_process that expire in 30 minutes: a 7-day link is cut to their end."""
    s3.create_bucket(Bucket="files")
    s3.put_object(Bucket="files", Key="a.txt", Body=b"a")
    end = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0)
    script = tmp_path / "creds.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'ASIATEMPORARY0000001', 'SecretAccessKey': 'temp',"
        f" 'SessionToken': 'token', 'Expiration': '{end.strftime('%Y-%m-%dT%H:%M:%SZ')}'}}))\n"
    )
    (cli.home / ".aws").mkdir()
    (cli.home / ".aws" / "config").write_text(f"[profile temp]\ncredential_process = {sys.executable} {script}\nregion = us-east-1\n")
    env = cli.env(via_proxy=False)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    proc = cli.run("--json", "--profile", "temp", "presign", "s3://files/a.txt", "--expires", "7d", env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["cut_short_by_credentials"] is True
    assert datetime.fromisoformat(out["expires_at"].replace("Z", "+00:00")) == end
    text = cli.run("--profile", "temp", "presign", "s3://files/a.txt", "--expires", "7d", env=env)
    assert "the signing credentials are temporary" in text.stderr


def test_a_session_token_without_an_end_time_is_still_temporary(cli, s3):
    """Pasted temporary keys (AWS_SESSION_TOKEN) come with no end time: the link is not cut, but it says so."""
    s3.create_bucket(Bucket="files")
    out = cli.json("presign", "s3://files/a.txt", "--expires", "2d", AWS_ACCESS_KEY_ID="ASIATEMPORARY0000002", AWS_SESSION_TOKEN="token")
    assert out["cut_short_by_credentials"] is False and out["temporary_credentials"] is True
    text = cli.run("presign", "s3://files/a.txt", AWS_ACCESS_KEY_ID="ASIATEMPORARY0000002", AWS_SESSION_TOKEN="token")
    assert "carry a session token" in text.stderr
    long_term = cli.json("presign", "s3://files/a.txt")
    assert long_term["temporary_credentials"] is False


def test_bulk_links_for_a_prefix_match_the_listing(cli, s3, tmp_path):
    s3.create_bucket(Bucket="bulk")
    # Every 500th key is awkward (a comma, a space, a plus, non-ASCII): after the first link, links are
    # signed without the SDK's request pipeline, and these must still be encoded as S3 expects.
    awkward = ["{:05d}, with comma.jpg", "{:05d} späce+plus.jpg", "{:05d}/日本語 (1).jpg", "{:05d}~tilde's.jpg", "{:05d}&amp=x.jpg"]
    keys = ["photos/" + (awkward[i // 500].format(i) if i % 500 == 0 else f"{i:05d}.jpg") for i in range(2500)]
    for k in keys:
        s3.put_object(Bucket="bulk", Key=k, Body=k.encode())
    s3.put_object(Bucket="bulk", Key="elsewhere/x.jpg", Body=b"x")
    path = tmp_path / "links.csv"
    out = cli.json("presign", "s3://bulk/photos/", "--recursive", "--csv", str(path), "--expires", "2h", via_proxy=False)
    assert out["count"] == 2500
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["key"] for r in rows] == sorted(keys)
    assert len({r["expires_at"] for r in rows}) == 1
    by_key = {r["key"]: r["url"] for r in rows}
    for key in [r["key"] for r in rows[::600]] + keys[::500]:
        assert fetch(by_key[key]) == (200, key.encode()), key
    proc = cli.run("presign", "s3://bulk/photos/", "--recursive", "--csv", str(path))
    assert proc.returncode == 1 and "already exists" in proc.stderr


def test_links_signed_by_a_saved_least_privilege_key(cli, aws, s3):
    s3.create_bucket(Bucket="files")
    s3.put_object(Bucket="files", Key="shared/a.txt", Body=b"shared a")
    out = cli.json("grant", "iam-user", "--bucket", "files", "--prefix", "shared", "--access", "read", "--user", "link-signer", "--yes")
    link = cli.json("presign", "s3://files/shared/a.txt", "--signer", out["access_key_id"], via_proxy=False)
    assert f"X-Amz-Credential={out['access_key_id']}" in link["url"], "signed by the saved key, not the admin"
    assert fetch(link["url"]) == (200, b"shared a")
    proc = cli.run("presign", "s3://files/shared/a.txt", "--signer", "AKIANOTSAVEDHERE0000")
    assert proc.returncode == 1 and "nothing this app created or imported matches" in proc.stderr, proc.stderr


def test_test_this_link_fetches_it_and_explains_the_answer(cli, s3):
    s3.create_bucket(Bucket="share")
    s3.put_object(Bucket="share", Key="report.pdf", Body=b"%PDF-1.7 quarterly")
    ok = cli.json("presign", "s3://share/report.pdf", "--test")
    assert ok["test"] == {"works": True, "status": 206, "message": "The link works: the file downloads."}
    # An empty file has no first byte: S3 answers 416 to the range, after checking the signature.
    s3.put_object(Bucket="share", Key="empty.txt", Body=b"")
    empty = cli.json("presign", "s3://share/empty.txt", "--test")
    assert empty["test"] == {"works": True, "status": 416, "message": "The link works: the file is empty."}
    missing = cli.json("presign", "s3://share/not-there.pdf", "--test")
    assert missing["test"]["works"] is False and missing["test"]["status"] == 404
    assert "no file at this key" in missing["test"]["message"]
