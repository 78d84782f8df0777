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
