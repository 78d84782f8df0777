"""Links you can cut off (issue 14, item 2): `s3aw share create|list|extend|stop`.

What the emulator shows, and what it cannot: moto's IAM enforcement reads only the Authorization header
(moto/iam/access_control.py) and fails on a pre-signed URL, whose signature is in the query string; with
enforcement off it serves any link without checking its signature. So the links are fetched with
enforcement off (they name the right objects and are well formed), and the cut-off is shown by the key
being gone: a request signed with the key that signed the links works, with enforcement on, before
`share stop`, and is refused (InvalidAccessKeyId) after it. AWS checks a pre-signed URL's key the same
way, so on AWS the links themselves are refused (ARCHITECTURE.md, "What the emulator does not prove")."""

import csv
import datetime
import json
import os
import stat
import urllib.error
import urllib.request

import botocore.exceptions

from conftest import account_state, client
from oracle import decide, policies_of, req
from test_grant import allowed, seed


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_links_work_until_the_share_is_stopped(cli, aws, iam, s3, tmp_path):
    seed(s3)
    before = account_state(iam, s3, cli)
    links_csv = tmp_path / "links.csv"
    out = cli.json("share", "create", "s3://data/in/", "--keys", "a.txt", "sub/b.txt", "--expires", "2d", "--csv", str(links_csv), "--yes")
    user = out["user_name"]
    assert user.startswith("s3aw-share-") and out["files"] == ["in/a.txt", "in/sub/b.txt"]

    # The share's key may only download exactly those files, until the share's end.
    doc = iam.get_user_policy(UserName=user, PolicyName=f"{user}-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert [st["Action"] for st in doc["Statement"]] == [["s3:GetObject"]]
    assert doc["Statement"][0]["Resource"] == ["arn:aws:s3:::data/in/a.txt", "arn:aws:s3:::data/in/sub/b.txt"]
    assert doc["Statement"][0]["Condition"]["DateLessThan"]["aws:CurrentTime"] == out["ends_at"]
    # As AWS decides it (the evaluator; moto ignores the end): those files until the end, nothing else, never after.
    held = policies_of(iam, user=user)
    end = datetime.datetime.fromisoformat(out["ends_at"].replace("Z", "+00:00"))
    after = (end + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert decide([
        req(held, "s3:GetObject", "arn:aws:s3:::data/in/a.txt"),
        req(held, "s3:GetObject", "arn:aws:s3:::data/in/sub/b.txt"),
        req(held, "s3:GetObject", "arn:aws:s3:::data/in/a.txt", now=after),
        req(held, "s3:GetObject", "arn:aws:s3:::data/in/c.txt"),
        req(held, "s3:GetObject", "arn:aws:s3:::data/in/a.txt.bak"),
        req(held, "s3:ListBucket", "arn:aws:s3:::data", context={"s3:prefix": "in/"}),
        req(held, "s3:PutObject", "arn:aws:s3:::data/in/a.txt"),
    ]) == ["Allowed", "Allowed"] + ["ImplicitlyDenied"] * 5
    assert {"Key": "created-by", "Value": "s3-access-wizard"} in iam.list_user_tags(UserName=user)["Tags"]

    # The links: in the CSV (owner-only) and the output, signed with the share's key, none stored anywhere.
    assert stat.S_IMODE(os.stat(links_csv).st_mode) == 0o600
    rows = list(csv.DictReader(open(links_csv, newline="")))
    assert [r["key"] for r in rows] == ["in/a.txt", "in/sub/b.txt"]
    assert all(f"X-Amz-Credential={out['access_key_id']}%2F" in r["url"] for r in rows)
    record = (cli.config_dir / "created.json").read_text()
    assert "X-Amz-Signature" not in record and rows[0]["url"] not in record

    assert fetch(rows[0]["url"]) == (200, b"hello in/a.txt")
    assert fetch(rows[1]["url"]) == (200, b"hello in/sub/b.txt")
    # The key that signed them, with enforcement on: those files and nothing else.
    share_key = client("s3", aws, key=out["access_key_id"], secret=cli.keychain_secret(f"123456789012/{user}/{out['access_key_id']}"))
    aws.enforce_iam(True)
    try:
        assert share_key.get_object(Bucket="data", Key="in/a.txt")["Body"].read() == b"hello in/a.txt"
        assert not allowed(lambda: share_key.get_object(Bucket="data", Key="out/c.txt"))
        assert not allowed(lambda: share_key.list_objects_v2(Bucket="data", Prefix="in/"))
    finally:
        aws.enforce_iam(False)

    listed = cli.json("share", "list")
    assert [(s["id"], s["files"], s["links"], s["expired"], s["stopped"]) for s in listed] == [(out["id"], out["files"], 2, False, False)]
    assert cli.json("access", "list")[0]["kind"] == "share", "My access lists shares too"

    stopped = cli.json("share", "stop", out["id"], "--yes")
    assert stopped == {"stopped": out["id"]}
    aws.enforce_iam(True)
    try:
        share_key.get_object(Bucket="data", Key="in/a.txt")
        raise AssertionError("the share's key still works after share stop")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidAccessKeyId", e.response
    finally:
        aws.enforce_iam(False)
    assert account_state(iam, s3, cli) == before, "nothing of the share is left: user, key, keychain entry"
    assert cli.json("share", "list") == []


def test_a_folder_share_and_extend(cli, aws, iam, s3):
    seed(s3)
    out = cli.json("share", "create", "s3://data/in", "--expires", "1h", "--yes")
    assert sorted(link["key"] for link in out["links"]) == ["in/a.txt", "in/sub/b.txt"], "every file of the folder"
    user = out["user_name"]
    doc = iam.get_user_policy(UserName=user, PolicyName=f"{user}-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Resource"] == ["arn:aws:s3:::data/in/*"]

    # A file added later is in the folder share's next links; extend moves the end on AWS and in the list.
    s3.put_object(Bucket="data", Key="in/new.txt", Body=b"new")
    extended = cli.json("share", "extend", out["id"], "--expires", "3d")
    assert extended["ends_at"] > out["ends_at"]
    assert "in/new.txt" in [link["key"] for link in extended["links"]]
    doc = iam.get_user_policy(UserName=user, PolicyName=f"{user}-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Condition"]["DateLessThan"]["aws:CurrentTime"] == extended["ends_at"]
    assert cli.json("share", "list")[0]["ends_at"] == extended["ends_at"]
    new_link = next(link["url"] for link in extended["links"] if link["key"] == "in/new.txt")
    assert fetch(new_link) == (200, b"new")


def test_bad_shares_are_refused_before_any_change(cli, aws, iam, s3, tmp_path):
    seed(s3)
    before = account_state(iam, s3, cli)
    for args, message in [
        (["s3://data/", "--yes"], "choose files, or a folder"),
        (["s3://data/in/", "--keys", "*.txt", "--yes"], "wildcard"),
        # IAM would refuse the share's policy (MalformedPolicyDocument): said before anything is planned.
        (["s3://data/in/", "--keys", "报告.pdf", "--yes"], "share its folder s3://data/in/ instead"),
        (["s3://data/in/", "--expires", "8d", "--yes"], "7 days"),
        (["data/in/", "--yes"], "s3://bucket/folder/"),
        (["s3://data/in/", "--keys", *[f"file-with-a-long-name-number-{i:03}.pdf" for i in range(40)], "--yes"], "too many files"),
    ]:
        proc = cli.run("share", "create", *args)
        assert proc.returncode != 0 and message in proc.stderr and "panicked" not in proc.stderr, (args, proc.stderr)
    assert account_state(iam, s3, cli) == before
    # A grant is not a share: stop refuses it.
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    proc = cli.run("share", "stop", entry, "--yes")
    assert proc.returncode != 0 and "is not a share" in proc.stderr
