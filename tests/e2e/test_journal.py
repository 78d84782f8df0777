"""Loses nothing: grants at once in one home folder, a damaged record, and changes killed (SIGKILL) right
after AWS did what they asked, then `s3aw recover` — against the emulator and a real GNOME Keyring."""

import json
import os
import signal
import subprocess
import time

from conftest import account_state

GRANT = ["grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--no-wait", "--yes"]


def seed(iam, s3):
    s3.create_bucket(Bucket="data")
    iam.create_user(UserName="someone-else")
    iam.create_access_key(UserName="someone-else")


def record(cli):
    path = cli.config_dir / "created.json"
    return json.loads(path.read_text())["entries"] if path.exists() else []


def start(cli, *args):
    return subprocess.Popen([str(cli.exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env())


def wait_for(condition, what, proc=None, timeout=60):
    """Wait for a state (polling it), failing with what was awaited."""
    deadline = time.time() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {proc.communicate()}")
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def killed_after(cli, aws, operation, *args, after=None):
    """Run `s3aw ARGS`, let the emulator carry out `operation` (the first after `after`), and kill the process
    before the answer arrives."""
    aws.withhold_answer(operation, after)
    proc = start(cli, *args)
    wait_for(lambda: operation in aws.withheld(), f"{operation} to be done by the emulator", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    aws.release()
    assert proc.returncode == -signal.SIGKILL


def keys_of(iam, user):
    return sorted(k["AccessKeyId"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"])


def test_six_grants_at_once_all_succeed_and_are_all_recorded(cli, iam, s3):
    seed(iam, s3)
    # A fresh test keyring makes its collection on the first write (a one-off a user's keyring is long past).
    subprocess.run(["secret-tool", "store", "--label=warm-up", "service", cli.service, "username", "warm-up"], input="x", text=True, check=True)
    subprocess.run(["secret-tool", "clear", "service", cli.service, "username", "warm-up"], check=True)
    procs = [start(cli, "--json", *GRANT, "--user", f"vendor-{i}") for i in range(6)]
    outs = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, rc in outs:
        assert rc == 0, err
    granted = sorted(json.loads(out)["access_key_id"] for out, _, _ in outs)
    account = json.loads(outs[0][0])["account"]
    assert sorted(k for e in record(cli) for k in e["access_key_ids"]) == granted, "every grant is in the record"
    assert sorted(e["user_name"] for e in record(cli)) == [f"vendor-{i}" for i in range(6)]
    expected = sorted(f"{account}/vendor-{i}/{k}" for i in range(6) for k in keys_of(iam, f"vendor-{i}"))
    assert cli.keychain_entries() == expected and len(expected) == 6, "every secret is in the keychain, and no probe is left"
    assert not list((cli.config_dir / "journal").glob("*.jsonl")) or all("close" in p.read_text().splitlines()[-1] for p in (cli.config_dir / "journal").glob("*.jsonl"))


def test_a_damaged_record_stops_every_change_before_any_aws_call_and_is_kept(cli, aws, iam, s3):
    seed(iam, s3)
    cli.json(*GRANT, "--user", "vendor")
    path = cli.config_dir / "created.json"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    before = account_state(iam, s3, cli)
    for args in (GRANT + ["--user", "vendor-two"], ["access", "rotate", "vendor", "--yes"], ["access", "revoke", "vendor", "--yes"]):
        aws.clear_operations()
        proc = cli.run(*args)
        assert proc.returncode == 1, proc.stderr
        assert f"The record of what this app created, {path}, cannot be read" in proc.stderr, proc.stderr
        assert "nothing was changed in the account" in proc.stderr and "move it aside to start a new record" in proc.stderr
        assert aws.operations() == [], "no AWS call was made"
    copies = list(cli.config_dir.glob("created.json.damaged-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == whole[: len(whole) // 2], "one copy, byte for byte"
    assert copies[0].name in proc.stderr
    assert path.read_bytes() == whole[: len(whole) // 2], "the damaged file itself is left as it was"
    assert account_state(iam, s3, cli) == before
    # Moved aside, a new record starts and the grant goes ahead.
    path.rename(cli.config_dir / "moved-aside.json")
    cli.json(*GRANT, "--user", "vendor-two")
    assert [e["user_name"] for e in record(cli)] == ["vendor-two"]


def test_a_symlinked_aws_config_stays_a_link(cli, iam, s3):
    seed(iam, s3)
    key = cli.json(*GRANT, "--user", "vendor")["access_key_id"]
    aws_dir = cli.home / ".aws"
    dotfiles = cli.home / "dotfiles"
    aws_dir.mkdir()
    dotfiles.mkdir()
    (dotfiles / "aws-config").write_text("[default]\nregion = eu-west-1\n")
    (aws_dir / "config").symlink_to(dotfiles / "aws-config")
    cli.run("use-from-aws", "--access", key, "--aws-profile", "vendor", check=0)
    assert (aws_dir / "config").is_symlink()
    text = (dotfiles / "aws-config").read_text()
    assert text.startswith("[default]\nregion = eu-west-1\n") and "[profile vendor]" in text and "credential_process" in text


def test_a_grant_killed_after_aws_made_its_key_is_undone_by_recover(cli, aws, iam, s3):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    killed_after(cli, aws, "iam:CreateAccessKey", *GRANT, "--user", "vendor")
    # What the issue found: a user with an active key nobody can see.
    assert len(keys_of(iam, "vendor")) == 1
    assert record(cli) == []
    # The next change says so, and names the way out.
    warned = cli.run(*GRANT, "--user", "vendor-two", "--dry-run", check=0)
    assert "A change was interrupted on" in warned.stderr and "s3aw recover --dry-run" in warned.stderr, warned.stderr
    assert 'Create an access key for "vendor"' in warned.stderr and "may have happened" in warned.stderr
    looked = cli.json("recover", "--dry-run")
    [change] = looked["interrupted"]
    assert change["finishes"] is False
    assert any("secret never reached this computer" in s for s in change["steps"]), change
    assert len(keys_of(iam, "vendor")) == 1, "--dry-run changes nothing"
    done = cli.run("recover", "--yes", check=0)
    assert "Undone: nothing of the change is left." in done.stdout, done.stdout + done.stderr
    assert account_state(iam, s3, cli) == before
    assert cli.json("recover")["interrupted"] == [], "the entry is closed"
    assert "interrupted" not in cli.run(*GRANT, "--user", "vendor-two", "--dry-run", check=0).stderr


def test_a_grant_killed_after_its_secret_was_saved_is_finished_by_recover(cli, aws, iam, s3, tmp_path):
    seed(iam, s3)
    # After the apply (the key made and saved in the keychain), the connect kit asks S3 for the bucket's
    # region: killed there, the access exists and its secret is saved, but nothing is recorded yet.
    killed_after(cli, aws, "s3:GetBucketLocation", *GRANT, "--user", "vendor", "--rclone", str(tmp_path / "rclone.conf"), after="iam:CreateAccessKey")
    [key] = keys_of(iam, "vendor")
    account = iam.get_user(UserName="vendor")["User"]["Arn"].split(":")[4]
    assert cli.keychain_secret(f"{account}/vendor/{key}")
    assert record(cli) == []
    looked = cli.json("recover", "--dry-run")
    assert looked["interrupted"][0]["finishes"] is True
    cli.run("recover", "--yes", check=0)
    [entry] = record(cli)
    assert entry["user_name"] == "vendor" and entry["access_key_ids"] == [key] and entry["account"] == account
    listed = cli.json("access", "list")
    assert [k["access_key_id"] for k in listed[0]["keys"]] == [key] and listed[0]["keys"][0]["in_keychain"]
    assert keys_of(iam, "vendor") == [key], "nothing was undone"


def test_a_rotation_killed_after_aws_made_the_new_key_is_undone_by_recover(cli, aws, iam, s3):
    seed(iam, s3)
    old = cli.json(*GRANT, "--user", "vendor")["access_key_id"]
    killed_after(cli, aws, "iam:CreateAccessKey", "access", "rotate", "vendor", "--yes")
    assert len(keys_of(iam, "vendor")) == 2, "the new key exists, its secret nowhere"
    looked = cli.json("recover", "--dry-run")
    assert looked["interrupted"][0]["finishes"] is False
    cli.run("recover", "--yes", check=0)
    assert keys_of(iam, "vendor") == [old], "the key whose secret never reached us is deleted; the old one kept"
    assert [e["access_key_ids"] for e in record(cli)] == [[old]]
    # The next rotation works (it failed with "already has two active keys" before).
    new = cli.json("access", "rotate", "vendor", "--yes")["new_access_key_id"]
    assert sorted(keys_of(iam, "vendor")) == sorted([old, new])


def test_a_change_in_progress_elsewhere_is_not_recovered(cli, aws, iam, s3):
    seed(iam, s3)
    aws.withhold_answer("iam:CreateAccessKey")
    proc = start(cli, *GRANT, "--user", "vendor")
    try:
        wait_for(lambda: "iam:CreateAccessKey" in aws.withheld(), "the grant to be in flight", proc)
        # The grant is alive (its journal entry locked): recover leaves it alone, and the next change does not warn.
        assert cli.json("recover", "--dry-run")["interrupted"] == []
        assert "interrupted" not in cli.run(*GRANT, "--user", "vendor-two", "--dry-run", check=0).stderr
    finally:
        aws.release()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [e["user_name"] for e in record(cli)] == ["vendor"]
    assert os.path.isdir(cli.config_dir / "journal")


def test_a_revoke_killed_midway_is_finished_by_recover(cli, aws, iam, s3):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    cli.json(*GRANT, "--user", "vendor")
    killed_after(cli, aws, "iam:DeleteAccessKey", "access", "revoke", "vendor", "--yes")
    assert keys_of(iam, "vendor") == [] and [e["user_name"] for e in record(cli)] == ["vendor"], "half done"
    looked = cli.json("recover", "--dry-run")
    assert looked["interrupted"][0]["finishes"] is True
    cli.run("recover", "--yes", check=0)
    assert account_state(iam, s3, cli) == before
    assert record(cli) == []


def test_what_the_app_made_elsewhere_is_listed_adopted_and_revoked(cli, aws, iam, s3, tmp_path):
    from conftest import Cli

    seed(iam, s3)
    before = account_state(iam, s3, cli)
    other_home = tmp_path / "other-home"
    other_home.mkdir()
    other = Cli(cli.exe, aws, other_home, cli.service)
    key = other.json(*GRANT, "--user", "vendor")["access_key_id"]
    assert cli.json("access", "list") == [], "this computer's list does not have it"
    listed = cli.json("access", "list", "--all")
    assert listed == [{"made_elsewhere": True, "kind": "iam-user", "created_at": listed[0]["created_at"], "user_name": "vendor", "role_name": None,
                       "keys": [{"access_key_id": key, "status": "Active", "in_keychain": False, "recorded": False}]}], listed
    text = cli.run("access", "list", "--all", check=0).stdout
    assert 'IAM user "vendor" — made by the app elsewhere' in text and "someone-else" not in text, "an untagged user is not the app's"
    adopted = cli.json("access", "adopt", "vendor")
    assert adopted["access_key_ids"] == [key]
    [entry] = cli.json("access", "list")
    assert entry["user_name"] == "vendor" and entry["bucket"] == "data" and entry["prefix"] == "in/"
    assert [e.get("made_elsewhere", False) for e in cli.json("access", "list", "--all")] == [False], "adopted: listed once, as this computer's"
    cli.run("access", "revoke", "vendor", "--yes", check=0)
    after = account_state(iam, s3)
    assert after == {k: v for k, v in before.items() if k != "keychain"}


def test_a_bucket_settings_change_killed_after_aws_changed_the_cors_is_undone_by_recover(cli, aws, iam, s3):
    """A settings change replaces whole documents (CORS, the bucket policy): killed after AWS wrote the new
    CORS rules, recovery puts back what the bucket held, with someone else's rule and statement."""
    seed(iam, s3)
    s3.put_bucket_cors(Bucket="data", CORSConfiguration={"CORSRules": [{"ID": "theirs", "AllowedOrigins": ["https://theirs.example"], "AllowedMethods": ["GET"]}]})
    theirs = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/public/*"}
    s3.put_bucket_policy(Bucket="data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))
    before = account_state(iam, s3, cli)
    killed_after(cli, aws, "s3:PutBucketCors", "bucket", "change", "data", "--tls-only", "--cors-origin", "https://app.example.com", "--yes")
    assert len(account_state(iam, s3)["buckets"]["data"]["cors"]) == 2, "AWS wrote the new rules; the answer never came"
    looked = cli.json("recover", "--dry-run")
    assert [i["finishes"] for i in looked["interrupted"]] == [False]
    cli.run("recover", "--yes", check=0)
    assert account_state(iam, s3, cli) == before, "the bucket holds what it held: nothing of the change is left"
    assert cli.json("recover", "--dry-run")["interrupted"] == []


def test_a_share_stop_killed_after_its_key_was_deleted_is_finished_by_recover(cli, aws, iam, s3):
    seed(iam, s3)
    s3.put_object(Bucket="data", Key="in/report.pdf", Body=b"x")
    before = account_state(iam, s3, cli)
    share = cli.json("share", "create", "s3://data/in/", "--keys", "report.pdf", "--expires", "1d", "--yes")
    user = [e for e in record(cli) if e["id"] == share["id"]][0]["user_name"]
    killed_after(cli, aws, "iam:DeleteAccessKey", "share", "stop", share["id"], "--yes")
    assert keys_of(iam, user) == [], "the links are dead: AWS deleted the key"
    assert [e["id"] for e in record(cli)] == [share["id"]], "the record still lists the share"
    looked = cli.json("recover", "--dry-run")
    assert [i["finishes"] for i in looked["interrupted"]] == [True]
    cli.run("recover", "--yes", check=0)
    assert account_state(iam, s3, cli) == before and record(cli) == []
