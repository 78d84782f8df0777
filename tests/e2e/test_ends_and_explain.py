"""Access that ends on a date (and only from some addresses), and "what can this key do?" (issue 14, items 1
and 4), through the CLI against the emulator.

moto counts every condition but StringEquals as met (moto/iam/policy_conditions.py), so it cannot show AWS
refusing a request after the end date or from another address: these tests check that the condition AWS
evaluates is on every Allow statement of what was created, and that the app reads it back; the refusal
itself is AWS's documented evaluation (ARCHITECTURE.md, "What the emulator does not prove")."""

import datetime
import json

import pytest

from conftest import account_state, as_aws_evaluates, client
from test_grant import allowed, seed


def policy_of(iam, user=None, role=None):
    if user:
        doc = iam.get_user_policy(UserName=user, PolicyName=f"{user}-s3-access")["PolicyDocument"]
    else:
        arn = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"][0]["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return json.loads(doc) if isinstance(doc, str) else doc


def assert_limited(doc, end, ips):
    allows = [st for st in doc["Statement"] if st["Effect"] == "Allow"]
    assert allows
    for st in allows:
        assert st["Condition"]["DateLessThan"] == {"aws:CurrentTime": end}, st
        assert st["Condition"]["IpAddress"] == {"aws:SourceIp": ips}, st
    for st in doc["Statement"]:
        if st["Effect"] == "Deny":
            assert "DateLessThan" not in st.get("Condition", {}), "a Deny is never limited in time"


def test_a_grant_that_ends_carries_the_end_on_every_allow_and_lists_it(cli, aws, iam, s3):
    seed(s3)
    before = datetime.datetime.now(datetime.timezone.utc)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read-write", "--user", "vendor",
                   "--ends-in", "30d", "--source-ip", "203.0.113.0/24", "--source-ip", "198.51.100.7", "--yes", "--no-keychain", "--show-secret")
    listed = cli.json("access", "list")
    assert len(listed) == 1
    end = listed[0]["ends_at"]
    assert end.endswith("Z")
    delta = datetime.datetime.fromisoformat(end.replace("Z", "+00:00")) - before
    assert datetime.timedelta(days=29, hours=23) < delta < datetime.timedelta(days=30, minutes=5), delta
    assert listed[0]["expired"] is False
    assert listed[0]["source_ips"] == ["203.0.113.0/24", "198.51.100.7/32"]
    assert_limited(policy_of(iam, user="vendor"), end, ["203.0.113.0/24", "198.51.100.7/32"])

    # The grant's card says when it ends and from where; the level's answers are unchanged by the limits.
    card = {line["code"]: line for line in out["can"]}
    assert card["ends"]["answer"].startswith(end[:10]) and card["source_ips"]["answer"] == "203.0.113.0/24, 198.51.100.7/32"
    assert card["download"]["allowed"] and card["upload"]["allowed"] and not card["delete"]["allowed"]

    text = cli.run("access", "list", check=0).stdout
    assert f"ends {end[:10]}" in text and "only from 203.0.113.0/24, 198.51.100.7/32" in text

    # The plan says what the end means, before anything is created.
    plan = cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "v2", "--ends", "2027-01-01", "--dry-run")
    notes = " ".join(plan["notes"])
    assert "Access ends 2027-01-01 00:00 UTC" in notes and "revoke" in notes
    assert "v2" not in [u["UserName"] for u in iam.list_users()["Users"]]


def test_a_role_can_end_too(cli, aws, iam, s3):
    seed(s3)
    out = cli.json("grant", "role", "--bucket", "data", "--access", "read", "--role", "partner", "--account", "210987654321", "--ends", "2027-03-01", "--yes")
    doc = policy_of(iam, role="partner")
    for st in doc["Statement"]:
        assert st["Condition"]["DateLessThan"] == {"aws:CurrentTime": "2027-03-01T00:00:00Z"}, st
        assert "IpAddress" not in st["Condition"]
    assert {line["code"]: line["answer"] for line in out["can"]}["ends"] == "2027-03-01 00:00 UTC"
    assert cli.json("access", "list")[0]["ends_at"] == "2027-03-01T00:00:00Z"


def test_ended_access_is_marked_expired_and_revoke_cleans_it_up(cli, aws, iam, s3):
    seed(s3)
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--ends-in", "7d", "--yes", "--no-keychain", "--show-secret")
    # Time passes: the policy AWS holds now has an end in the past (what the account shows is what counts).
    doc = policy_of(iam, user="vendor")
    for st in doc["Statement"]:
        st["Condition"]["DateLessThan"]["aws:CurrentTime"] = "2026-01-01T00:00:00Z"
    iam.put_user_policy(UserName="vendor", PolicyName="vendor-s3-access", PolicyDocument=json.dumps(doc))

    listed = cli.json("access", "list")[0]
    assert listed["expired"] is True and listed["ends_at"] == "2026-01-01T00:00:00Z"
    text = cli.run("access", "list", check=0).stdout
    assert "EXPIRED on 2026-01-01 00:00 UTC" in text and f"s3aw access revoke {listed['id']}" in text
    explained = cli.json("access", "explain", listed["id"])
    assert explained["expired"] is True
    assert {line["code"]: line["answer"] for line in explained["can"]}["ends"] == "2026-01-01 00:00 UTC"

    cli.run("access", "revoke", listed["id"], "--yes", check=0)
    assert iam.list_users()["Users"] == []
    assert cli.json("access", "list") == []


@pytest.mark.parametrize("args, message", [
    (["--ends", "2020-01-01"], "not in the future"),
    (["--ends", "31/12/2030"], "YYYY-MM-DD"),
    (["--ends-in", "soon"], "7d, 30d"),
    (["--ends", "2099-01-01"], "five years"),
    (["--source-ip", "10.0.0.0/8"], "private address"),
    (["--source-ip", "203.0.113.0/40"], "over 32"),
])
def test_bad_limits_are_refused_before_any_change(cli, aws, iam, s3, args, message):
    seed(s3)
    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes", *args)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr and "panicked" not in proc.stderr
    assert account_state(iam, s3, cli) == before


LEVELS = ["read", "upload", "read-write", "full"]


@pytest.mark.parametrize("level", LEVELS)
def test_the_card_matches_what_the_key_can_do(cli, aws, iam, s3, level):
    """Every yes/no line the emulator can evaluate is tried with the key, with IAM enforcement on. Listing
    other folders is the one it cannot: moto does not evaluate the s3:prefix condition (StringLike), so that
    line is held by the unit tests (explain::tests) and the policy shape (policy::tests)."""
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", level, "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    card = {line["code"]: line["allowed"] for line in cli.json("access", "explain", entry)["can"]}
    assert card == {line["code"]: line["allowed"] for line in out["can"]}, "the grant's card and My access's agree"
    as_aws_evaluates(iam, user="vendor")
    key = client("s3", aws, key=out["access_key_id"], secret=out["secret_access_key"])
    aws.enforce_iam(True)
    try:
        tried = {
            "list_folder": allowed(lambda: key.list_objects_v2(Bucket="data", Prefix="in/")),
            "download": allowed(lambda: key.get_object(Bucket="data", Key="in/a.txt")["Body"].read()),
            "upload": allowed(lambda: key.put_object(Bucket="data", Key="in/new.txt", Body=b"new")),
            "replace": allowed(lambda: key.put_object(Bucket="data", Key="in/a.txt", Body=b"replaced")),
            "other_folders": any([
                allowed(lambda: key.get_object(Bucket="data", Key="out/c.txt")),
                allowed(lambda: key.put_object(Bucket="data", Key="out/new.txt", Body=b"x")),
                allowed(lambda: key.delete_object(Bucket="data", Key="out/c.txt")),
            ]),
            "bucket_settings": any([
                allowed(lambda: key.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})),
                allowed(lambda: key.delete_bucket_policy(Bucket="data")),
            ]),
            "other_buckets": any([
                allowed(lambda: key.get_object(Bucket="other", Key="x.txt")),
                allowed(lambda: key.list_objects_v2(Bucket="other")),
            ]),
            "delete": allowed(lambda: key.delete_object(Bucket="data", Key="in/sub/b.txt")),
        }
    finally:
        aws.enforce_iam(False)
    for code, did in tried.items():
        assert card[code] == did, f"{level}: the card says {code}={card[code]}, the key {'could' if did else 'could not'}"
    assert card["list_other_folders"] is False
    assert card["ends"] is None and card["source_ips"] is None


def test_explain_refuses_what_it_cannot_read(cli, aws, iam, s3):
    seed(s3)
    cli.json("grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    for k in iam.list_access_keys(UserName="vendor")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="vendor", AccessKeyId=k["AccessKeyId"])
    iam.delete_user_policy(UserName="vendor", PolicyName="vendor-s3-access")
    iam.delete_user(UserName="vendor")
    proc = cli.run("access", "explain", entry)
    assert proc.returncode != 0 and "no longer exists in AWS" in proc.stderr, proc.stderr
    proc = cli.run("access", "explain", "nobody")
    assert proc.returncode != 0 and "s3aw access list" in proc.stderr
