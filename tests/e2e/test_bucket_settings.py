"""CORS and bucket hardening on the emulator: settings round-trip, merges keep what was there, and a
second run plans nothing for the bucket."""

import json
import urllib.request

from test_rollback import EXISTING_POLICY


def preflight(url, bucket, origin, method):
    req = urllib.request.Request(f"{url}/{bucket}/some/key", method="OPTIONS", headers={"Origin": origin, "Access-Control-Request-Method": method})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def test_cors_rule_answers_the_browser_preflight(cli, aws, s3):
    s3.create_bucket(Bucket="web")
    status, headers = preflight(aws.url, "web", "https://app.example.com", "PUT")
    # moto's web server answers any preflight with a blanket header set; the bucket's own rule is what
    # adds a max age and exposed headers, and narrows the methods.
    assert "Access-Control-Max-Age" not in headers
    cli.json("grant", "iam-user", "--bucket", "web", "--access", "upload", "--user", "browser", "--cors-origin", "https://app.example.com", "--yes", "--no-keychain", "--show-secret")
    status, headers = preflight(aws.url, "web", "https://app.example.com", "PUT")
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") == "https://app.example.com"
    assert headers.get("Access-Control-Allow-Methods") == "PUT, POST"
    assert headers.get("Access-Control-Max-Age") == "3000" and headers.get("Access-Control-Expose-Headers") == "ETag"
    # Another site is not let in by the rule.
    _, other = preflight(aws.url, "web", "https://evil.example.net", "PUT")
    assert other.get("Access-Control-Allow-Origin") != "https://evil.example.net" or "Access-Control-Max-Age" not in other


def test_an_origin_pasted_with_its_slash_still_matches_the_browser(cli, aws, s3):
    """A browser's Origin has no trailing slash, and S3 compares origins as text: the slash an address bar
    shows is dropped before the rule is written, so the preflight is answered for the site."""
    s3.create_bucket(Bucket="web")
    cli.json("bucket", "change", "web", "--cors-origin", "https://app.example.com/", "--yes")
    assert [r["AllowedOrigins"] for r in s3.get_bucket_cors(Bucket="web")["CORSRules"]] == [["https://app.example.com"]]
    status, headers = preflight(aws.url, "web", "https://app.example.com", "GET")
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == "https://app.example.com" and headers.get("Access-Control-Max-Age") == "3000", headers
    proc = cli.run("bucket", "change", "web", "--cors-origin", "https://app.example.com/upload", "--yes")
    assert proc.returncode == 1 and 'write "https://app.example.com"' in proc.stderr, proc.stderr
    assert len(s3.get_bucket_cors(Bucket="web")["CORSRules"]) == 1, "nothing changed"


def test_hardening_round_trips_and_reapplying_is_a_no_op(cli, s3):
    s3.create_bucket(Bucket="vault")
    s3.put_bucket_policy(Bucket="vault", Policy=json.dumps({**EXISTING_POLICY, "Statement": [{**EXISTING_POLICY["Statement"][0], "Resource": "arn:aws:s3:::vault/*"}]}))
    args = ["grant", "iam-user", "--bucket", "vault", "--access", "read", "--block-public-access", "--encrypt", "--tls-only", "--no-keychain", "--show-secret"]
    plan = cli.json(*args, "--user", "first", "--dry-run")
    bucket_calls = [s["call"] for s in plan["steps"] if s["call"].startswith("s3:")]
    assert bucket_calls == ["s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration", "s3:PutBucketPolicy"]
    cli.json(*args, "--user", "first", "--yes")
    pab = s3.get_public_access_block(Bucket="vault")["PublicAccessBlockConfiguration"]
    assert pab == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    rule = s3.get_bucket_encryption(Bucket="vault")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket="vault")["Policy"])
    assert [s.get("Sid") for s in policy["Statement"]] == ["Other", "DenyInsecureTransport"]
    assert policy["Statement"][1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The same settings again: the plan touches IAM only, and says why.
    again = cli.json(*args, "--user", "second", "--dry-run")
    assert not [s for s in again["steps"] if s["call"].startswith("s3:")]
    notes = " ".join(again["notes"])
    assert "Block Public Access: already on" in notes and "Default encryption: already on" in notes and "TLS-only" in notes


# ---- `s3aw bucket`: settings on their own, SSE-KMS, access logging, CORS edits ----------------------------

from conftest import account_state, client  # noqa: E402

OTHER_LOGS_STATEMENT = {"Sid": "KeepMe", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}


def test_sse_kms_round_trips_and_is_not_replanned(cli, aws, s3):
    s3.create_bucket(Bucket="data")
    key_arn = client("kms", aws).create_key(Description="bucket key")["KeyMetadata"]["Arn"]
    cli.json("bucket", "change", "data", "--encrypt", "--kms-key", key_arn, "--yes")
    default = s3.get_bucket_encryption(Bucket="data")["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert default == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    shown = cli.json("bucket", "show", "data")
    assert shown["encryption"] == {"algorithm": "aws:kms", "kms_key_id": key_arn}
    again = cli.json("bucket", "change", "data", "--encrypt", "--kms-key", key_arn, "--dry-run")
    assert again["steps"] == [] and "already on" in " ".join(again["notes"])
    # Asking for SSE-S3 on a KMS bucket does not weaken it.
    weaker = cli.json("bucket", "change", "data", "--encrypt", "--dry-run")
    assert weaker["steps"] == [] and "kept" in " ".join(weaker["notes"])
    wrong_region = key_arn.replace(":us-east-1:", ":eu-west-1:")
    proc = cli.run("bucket", "change", "data", "--encrypt", "--kms-key", wrong_region, "--yes")
    assert proc.returncode == 1 and "S3 needs a key in the bucket's region" in proc.stderr
    proc = cli.run("bucket", "change", "data", "--encrypt", "--kms-key", "alias/mine", "--yes")
    assert proc.returncode == 1 and "is not a KMS key ARN" in proc.stderr


def test_access_logging_grants_delivery_and_keeps_the_targets_policy(cli, s3):
    s3.create_bucket(Bucket="data")
    s3.create_bucket(Bucket="logs")
    s3.put_bucket_policy(Bucket="logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [OTHER_LOGS_STATEMENT]}))
    plan = cli.json("bucket", "change", "data", "--access-log-bucket", "logs", "--dry-run")
    assert [s["call"] for s in plan["steps"]] == ["s3:PutBucketPolicy", "s3:PutBucketLogging"]
    cli.json("bucket", "change", "data", "--access-log-bucket", "logs", "--yes")
    enabled = s3.get_bucket_logging(Bucket="data")["LoggingEnabled"]
    assert (enabled["TargetBucket"], enabled["TargetPrefix"]) == ("logs", "logs/data/")
    statements = json.loads(s3.get_bucket_policy(Bucket="logs")["Policy"])["Statement"]
    assert statements[0] == OTHER_LOGS_STATEMENT, "the target's own statement is kept as it was"
    delivery = statements[1]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"} and delivery["Resource"] == "arn:aws:s3:::logs/logs/data/*"
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:s3:::data"}
    assert cli.json("bucket", "show", "data")["logging"] == {"bucket": "logs", "prefix": "logs/data/"}
    again = cli.json("bucket", "change", "data", "--access-log-bucket", "logs", "--dry-run")
    assert again["steps"] == [] and "Access logging: already on" in " ".join(again["notes"])


def test_access_logging_refuses_bad_targets_and_rolls_back(cli, aws, s3):
    s3.create_bucket(Bucket="data")
    s3.create_bucket(Bucket="logs-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.create_bucket(Bucket="logs")
    for target, message in [("data", "logs into itself"), ("missing-bucket", "does not exist"), ("logs-eu", "S3 delivers logs only within one region")]:
        proc = cli.run("bucket", "change", "data", "--access-log-bucket", target, "--yes")
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    before = account_state(client("iam", aws), s3)
    aws.fail_next("s3:PutBucketLogging")
    proc = cli.run("bucket", "change", "data", "--access-log-bucket", "logs", "--yes")
    assert proc.returncode == 4 and "rolled back" in proc.stderr, proc.stderr
    assert account_state(client("iam", aws), s3) == before, "the log-delivery grant was taken back"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket="data")


def test_cors_rules_are_deleted_by_number_and_the_rest_kept(cli, aws, s3):
    s3.create_bucket(Bucket="web")
    rules = [
        {"AllowedOrigins": ["https://one.example.com"], "AllowedMethods": ["GET"]},
        {"AllowedOrigins": ["https://two.example.com"], "AllowedMethods": ["PUT"], "MaxAgeSeconds": 60},
        {"AllowedOrigins": ["https://three.example.com"], "AllowedMethods": ["GET", "HEAD"]},
    ]
    s3.put_bucket_cors(Bucket="web", CORSConfiguration={"CORSRules": rules})
    text = cli.run("bucket", "show", "web", check=0).stdout
    assert "2. PUT from https://two.example.com" in text
    cli.json("bucket", "change", "web", "--delete-cors-rule", "2", "--cors-origin", "https://four.example.com", "--yes")
    after = s3.get_bucket_cors(Bucket="web")["CORSRules"]
    assert [r["AllowedOrigins"] for r in after] == [["https://one.example.com"], ["https://three.example.com"], ["https://four.example.com"]]
    assert after[1]["AllowedMethods"] == ["GET", "HEAD"], "untouched rules are kept exactly"
    # (No preflight check here: moto refuses a preflight when any rule, not just the first matching one,
    # names another origin. The single-rule preflight test above covers what the browser sees.)
    proc = cli.run("bucket", "change", "web", "--delete-cors-rule", "9", "--yes")
    assert proc.returncode == 1 and "numbered from 1" in proc.stderr
    plan = cli.json("bucket", "change", "web", "--delete-cors-rule", "1", "--delete-cors-rule", "2", "--delete-cors-rule", "3", "--dry-run")
    assert [s["call"] for s in plan["steps"]] == ["s3:DeleteBucketCORS"]
    cli.json("bucket", "change", "web", "--delete-cors-rule", "1", "--delete-cors-rule", "2", "--delete-cors-rule", "3", "--yes")
    assert cli.json("bucket", "show", "web")["cors"] == []
