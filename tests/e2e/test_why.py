""""Why is it denied?" (issue 27): the errors the other side sees — collected here from real runs of the AWS CLI
and boto3 against moto with IAM enforcement on — read back by `s3aw access why`, and each answered with its
cause. The policies are decided by the core's evaluator on the access's live state (set up with boto3), so the
answer holds what moto cannot show (end dates, addresses)."""

import os
import subprocess

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, as_aws_evaluates

AWS_CLI = str(ROOT / ".venv" / "bin" / "aws")


def grant(cli, s3, *extra, user="vendor"):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.pdf", Body=b"x")
    return cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--user", user, "--no-wait", "--yes", "--no-keychain", "--show-secret", *extra)


def aws_cli(aws, key, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=key["access_key_id"], AWS_SECRET_ACCESS_KEY=key["secret_access_key"], AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    proc = subprocess.run([AWS_CLI, "--endpoint-url", aws.url, *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode != 0, f"expected a refusal: {proc.stdout}"
    return proc.stderr


def why(cli, access, text, *flags):
    return cli.json("access", "why", access, "--error-text", "-", *flags, input=text)


def test_an_upload_outside_the_folder_seen_by_the_aws_cli(cli, aws, iam, s3, tmp_path):
    key = grant(cli, s3, "--access", "upload")
    as_aws_evaluates(iam, user="vendor")
    aws.enforce_iam()
    f = tmp_path / "report.pdf"
    f.write_text("x")
    text = aws_cli(aws, key, "s3", "cp", str(f), "s3://data/out/report.pdf")
    aws.enforce_iam(False)
    assert "AccessDenied" in text, text
    out = why(cli, "vendor", text)
    assert (out["cause"], out["action"], out["resource"]) == ("outside_places", "s3:PutObject", "arn:aws:s3:::data/out/report.pdf"), out
    assert "the folder in/" in out["message"] and "s3://data/out/report.pdf" in out["message"], out["message"]


def test_listing_without_the_slash_and_every_bucket_seen_by_the_aws_cli(cli, aws, iam, s3):
    key = grant(cli, s3, "--access", "read")
    as_aws_evaluates(iam, user="vendor")
    aws.enforce_iam()
    everything = aws_cli(aws, key, "s3", "ls")
    aws.enforce_iam(False)
    assert why(cli, "vendor", everything)["cause"] == "list_all_buckets"
    # moto ignores s3:prefix conditions (it would allow the listing): the evaluator decides it on the policy.
    out = why(cli, "vendor", "", "--action", "s3:ListBucket", "--key", "in")
    assert out["cause"] == "list_without_slash" and "s3://data/in/" in out["fix"], out
    assert why(cli, "vendor", "", "--action", "s3:ListBucket", "--key", "in/")["cause"] == "allowed"


def test_a_wrong_secret_and_a_deactivated_key_seen_by_boto3(cli, aws, iam, s3):
    key = grant(cli, s3, "--access", "read")
    aws.enforce_iam()
    wrong = boto3.client("s3", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id=key["access_key_id"], aws_secret_access_key="x" * 40)
    with pytest.raises(ClientError) as e:
        wrong.get_object(Bucket="data", Key="in/report.pdf")
    aws.enforce_iam(False)
    text = f"botocore.exceptions.ClientError: {e.value}"
    assert why(cli, "vendor", text)["cause"] == "signature", text
    iam.update_access_key(UserName="vendor", AccessKeyId=key["access_key_id"], Status="Inactive")
    out = why(cli, "vendor", f"Failed to copy: AccessDenied: Access Denied {key['access_key_id']}\n\tstatus code: 403", "--action", "s3:GetObject", "--key", "in/report.pdf")
    assert out["cause"] == "key_inactive", out


def test_an_ended_access_and_addresses_decided_by_the_evaluator(cli, aws, iam, s3):
    grant(cli, s3, "--access", "read", "--source-ip", "203.0.113.0/24")
    out = why(cli, "vendor", "", "--action", "s3:GetObject", "--key", "in/report.pdf")
    assert out["cause"] == "source_ip" and "203.0.113.0/24" in out["message"], out
    # An end date passed: the policy as it is in the account now (changed with boto3) decides.
    doc = iam.get_user_policy(UserName="vendor", PolicyName="vendor-s3-access")["PolicyDocument"]
    for st in doc["Statement"]:
        if st["Effect"] == "Allow":
            st["Condition"] = {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    import json

    iam.put_user_policy(UserName="vendor", PolicyName="vendor-s3-access", PolicyDocument=json.dumps(doc))
    assert why(cli, "vendor", "", "--action", "s3:GetObject", "--key", "in/report.pdf")["cause"] == "ended"


def test_a_bucket_policy_deny_is_named_and_a_question_without_an_action_says_what_to_give(cli, aws, iam, s3):
    grant(cli, s3, "--access", "read-write")
    import json

    s3.put_bucket_policy(Bucket="data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "NoUploadsOnFridays", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*"}]}))
    out = why(cli, "vendor", "", "--action", "s3:PutObject", "--key", "in/new.csv")
    assert out["cause"] == "bucket_policy_deny" and "NoUploadsOnFridays" in out["message"], out
    proc = cli.run("access", "why", "vendor")
    assert proc.returncode != 0 and "--action" in proc.stderr and "panicked" not in proc.stderr, proc.stderr


def test_an_sse_c_upload_refused_by_design_and_a_deleted_key_seen_by_boto3(cli, aws, iam, s3, tmp_path):
    key = grant(cli, s3, "--access", "read-write")
    # An upload with the uploader's own key (SSE-C): the AWS CLI's command and its error, as pasted. moto
    # does not evaluate the access's Deny of SSE-C (a Null condition), so the evaluator decides, on the
    # policy as it is in the account.
    pasted = (
        "$ aws s3 cp report.pdf s3://data/in/report.pdf --sse-c AES256 --sse-c-key fileb://key.bin\n"
        "upload failed: ./report.pdf to s3://data/in/report.pdf An error occurred (AccessDenied) when calling the PutObject operation: Access Denied\n"
    )
    out = why(cli, "vendor", pasted)
    assert out["cause"] == "sse_c" and "DenyCustomerProvidedKeys" in " ".join(out["decided_by"]), out
    assert why(cli, "vendor", "", "--action", "s3:PutObject", "--key", "in/new.csv", "--sse-c")["cause"] == "sse_c"
    assert why(cli, "vendor", "", "--action", "s3:PutObject", "--key", "in/new.csv")["cause"] == "allowed"

    # The key was deleted: boto3's own error, under enforcement, names a key AWS does not know.
    iam.delete_access_key(UserName="vendor", AccessKeyId=key["access_key_id"])
    iam.create_access_key(UserName="vendor")  # the access has a key again, just not this one
    aws.enforce_iam()
    gone = boto3.client("s3", endpoint_url=aws.url, region_name="us-east-1", aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"])
    with pytest.raises(ClientError) as e:
        gone.get_object(Bucket="data", Key="in/report.pdf")
    aws.enforce_iam(False)
    text = f"botocore.exceptions.ClientError: {e.value}"
    assert why(cli, "vendor", text)["cause"] == "key_unknown", text
    assert "InvalidAccessKeyId" in text
