"""`s3aw access`: the list joined with live state, rotation (and a failure at each of its steps), deletion of
one key, revocation, import and re-export, against the emulator and a real GNOME Keyring."""

import json
import os
import stat

import boto3
import pytest

from conftest import account_state, client

NO_DBUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/s3aw-no-bus"}


def seed(iam, s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/report.txt", Body=b"quarterly numbers")
    # Already in the account, and not the app's business.
    iam.create_user(UserName="someone-else")
    iam.create_access_key(UserName="someone-else")
    iam.create_policy(PolicyName="theirs", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))


def grant(cli, user="vendor", *extra):
    return cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "in", "--access", "read", "--user", user, "--yes", *extra)


def entry_of(cli, user="vendor"):
    items = [e for e in cli.json("access", "list") if e["user_name"] == user]
    assert len(items) == 1, items
    return items[0]


def keys_of(iam, user):
    return {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}


def works(aws, key_id, secret):
    """Whether AWS (the emulator with enforcement on) accepts the key: it must exist, be active and sign right."""
    aws.enforce_iam(True)
    try:
        client("sts", aws, key=key_id, secret=secret).get_caller_identity()
        return True
    except Exception:
        return False
    finally:
        aws.enforce_iam(False)


def a_working_saved_key(cli, aws, iam, user="vendor"):
    """The promise rotation keeps: some active key of the user has its secret in the keychain and works."""
    account = iam.get_user(UserName=user)["User"]["Arn"].split(":")[4]
    for key_id, status in keys_of(iam, user).items():
        secret = cli.keychain_secret(f"{account}/{user}/{key_id}")
        if status == "Active" and secret and works(aws, key_id, secret):
            return key_id
    return None


def test_list_after_create_shows_live_state(cli, iam, s3):
    seed(iam, s3)
    out = grant(cli)
    e = entry_of(cli)
    assert e["state"] == "exists" and e["kind"] == "iam-user"
    assert (e["bucket"], e["prefix"], e["level"]) == ("data", "in/", "read")
    assert [(k["access_key_id"], k["status"], k["in_keychain"]) for k in e["keys"]] == [(out["access_key_id"], "Active", True)]
    assert e["policy"]["Statement"][0]["Action"], "the policy as it is in the account"
    # Deleted elsewhere: shown as such, not hidden.
    iam.delete_access_key(UserName="vendor", AccessKeyId=out["access_key_id"])
    for name in iam.list_user_policies(UserName="vendor")["PolicyNames"]:
        iam.delete_user_policy(UserName="vendor", PolicyName=name)
    iam.delete_user(UserName="vendor")
    e = entry_of(cli)
    assert e["state"] == "deleted"
    assert [(k["status"], k["in_keychain"]) for k in e["keys"]] == [(None, True)]
    text = cli.run("access", "list", check=0).stdout
    assert "deleted outside this app" in text and "gone from AWS" in text


def test_rotation_end_state(cli, aws, iam, s3):
    seed(iam, s3)
    old = grant(cli)["access_key_id"]
    account = cli.json("whoami")["account"]
    out = cli.json("access", "rotate", "vendor", "--delete-old", "--yes")
    new = out["new_access_key_id"]
    assert new != old and out["old_key"] == "deleted"
    assert keys_of(iam, "vendor") == {new: "Active"}
    assert cli.keychain_entries() == [f"{account}/vendor/{new}"]
    assert works(aws, new, cli.keychain_secret(f"{account}/vendor/{new}"))
    assert not works(aws, new, "a-wrong-secret"), "the check can fail"
    assert [k["access_key_id"] for k in entry_of(cli)["keys"]] == [new]
    # The new key is what credential_process hands out now.
    printed = json.loads(cli.run("credential-process", "--access", new, check=0).stdout)
    assert printed["AccessKeyId"] == new


def test_rotation_keeps_the_old_key_inactive_until_deleted(cli, iam, s3):
    seed(iam, s3)
    old = grant(cli)["access_key_id"]
    new = cli.json("access", "rotate", "vendor", "--yes")["new_access_key_id"]
    assert keys_of(iam, "vendor") == {old: "Inactive", new: "Active"}
    # Two keys is AWS's limit: the next rotation asks before deleting the inactive one.
    proc = cli.run("access", "rotate", "vendor", "--yes")
    assert proc.returncode == 1 and "--delete-inactive" in proc.stderr, proc.stderr
    newest = cli.json("access", "rotate", "vendor", "--delete-inactive", "--yes")["new_access_key_id"]
    assert keys_of(iam, "vendor") == {new: "Inactive", newest: "Active"}
    cli.json("access", "delete-key", "vendor", "--key", new, "--yes")
    assert keys_of(iam, "vendor") == {newest: "Active"}
    assert [e.split("/")[-1] for e in cli.keychain_entries()] == [newest]


ROTATION_STEPS = ["iam:CreateAccessKey", "keychain", "wait", "iam:UpdateAccessKey", "iam:DeleteAccessKey"]


@pytest.mark.parametrize("step", ROTATION_STEPS)
def test_failure_at_each_rotation_step_leaves_a_working_saved_key(cli, aws, iam, s3, step):
    seed(iam, s3)
    old = grant(cli)["access_key_id"]
    before = account_state(iam, s3, cli)
    args = ["access", "rotate", "vendor", "--delete-old", "--yes", "--wait-timeout", "2"]
    env = {}
    if step == "keychain":
        env = NO_DBUS
    elif step == "wait":
        aws.fail_always("sts:GetCallerIdentity")  # every call not signed by the admin: the new key is never accepted
    else:
        aws.fail_next(step)
    proc = cli.run(*args, **env)
    assert proc.returncode in (4, 5), proc.stderr
    assert "Rotation stopped at" in proc.stderr
    aws.reset_faults()
    working = a_working_saved_key(cli, aws, iam)
    assert working is not None, f"no working key with a saved secret after a failure at {step}:\n{proc.stderr}"
    if step in ("iam:CreateAccessKey", "keychain", "wait"):
        # Before the new key works, a failure takes it away again: the account is as it was.
        assert proc.returncode == 4, proc.stderr
        assert working == old
        assert account_state(iam, s3, cli) == before
        assert [k["access_key_id"] for k in entry_of(cli)["keys"]] == [old]
    else:
        assert proc.returncode == 5 and "Left to do" in proc.stderr, proc.stderr
        # The new key works and is saved; the old one is left for the user to finish, as the message says.
        (new,) = set(keys_of(iam, "vendor")) - {old}
        account = cli.json("whoami")["account"]
        assert works(aws, new, cli.keychain_secret(f"{account}/vendor/{new}"))
        assert keys_of(iam, "vendor")[old] == ("Active" if step == "iam:UpdateAccessKey" else "Inactive")


@pytest.mark.parametrize("flags,policy_calls", [([], ["iam:DeleteUserPolicy", "iam:DeleteUser"]), (["--managed-policy"], ["iam:DetachUserPolicy", "iam:DeleteUser", "iam:DeletePolicy"])])
def test_revoke_removes_everything_it_made_and_nothing_else(cli, iam, s3, flags, policy_calls):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    grant(cli, "vendor", *flags)
    cli.json("access", "rotate", "vendor", "--yes")  # two keys now, one inactive
    # Without the session cut-off, exactly the deletions.
    plan = cli.json("access", "revoke", "vendor", "--dry-run", "--keep-sessions")
    calls = [s["call"] for s in plan["steps"]]
    assert calls == ["iam:DeleteAccessKey", "iam:DeleteAccessKey", *policy_calls, "keychain:Delete", "keychain:Delete", "record:Remove"]
    # By default, sessions made before now are cut off first, and that inline policy goes with the user.
    plan = cli.json("access", "revoke", "vendor", "--dry-run")
    steps = plan["steps"]
    assert steps[0]["call"] == "iam:PutUserPolicy" and "Cut off all temporary sessions" in steps[0]["summary"] and "within minutes" in steps[0]["summary"]
    assert [s["call"] for s in steps[1:3]] == ["iam:DeleteAccessKey", "iam:DeleteAccessKey"]
    assert any(s["call"] == "iam:DeleteUserPolicy" and "AWSRevokeOlderSessions" in s["summary"] for s in steps)
    proc = cli.run("access", "revoke", "vendor")
    assert proc.returncode == 6, "asks first"
    cli.json("access", "revoke", "vendor", "--yes")
    assert account_state(iam, s3, cli) == before
    assert cli.json("access", "list") == []


def test_revoke_leaves_a_reused_user_and_its_own_key(cli, iam, s3):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    grant(cli, "someone-else", "--reuse-user")
    plan = cli.json("access", "revoke", "someone-else", "--dry-run")
    assert "iam:DeleteUser" not in [s["call"] for s in plan["steps"]]
    assert any("was there before this app" in k for k in plan["kept"])
    cli.json("access", "revoke", "someone-else", "--yes")
    assert account_state(iam, s3, cli) == before


def test_revoke_refuses_an_entity_without_the_tag_unless_adopted(cli, iam, s3):
    seed(iam, s3)
    grant(cli)
    iam.untag_user(UserName="vendor", TagKeys=["created-by"])
    plan = cli.json("access", "revoke", "vendor", "--dry-run")
    assert "iam:DeleteUser" not in [s["call"] for s in plan["steps"]]
    assert any("no longer carries this app's tag" in k for k in plan["kept"])
    adopted = cli.json("access", "revoke", "vendor", "--dry-run", "--adopt")
    assert "iam:DeleteUser" in [s["call"] for s in adopted["steps"]]


def test_revoke_that_fails_midway_can_be_finished(cli, aws, iam, s3):
    seed(iam, s3)
    before = account_state(iam, s3, cli)
    grant(cli)
    aws.fail_next("iam:DeleteUser")
    proc = cli.run("access", "revoke", "vendor", "--yes")
    assert proc.returncode == 5 and "Not done yet: Delete the IAM user" in proc.stderr, proc.stderr
    assert entry_of(cli)["state"] == "exists", "the entry stays until everything is gone"
    cli.json("access", "revoke", "vendor", "--yes")
    assert account_state(iam, s3, cli) == before


def test_import_from_a_console_csv_then_export_and_forget(cli, aws, iam, s3, tmp_path):
    seed(iam, s3)
    key = iam.create_access_key(UserName="someone-else")["AccessKey"]
    src = tmp_path / "someone-else_accessKeys.csv"
    src.write_text(f"Access key ID,Secret access key\r\n{key['AccessKeyId']},{key['SecretAccessKey']}\r\n")
    out = cli.json("access", "import", "--csv", str(src))
    assert out["user_name"] == "someone-else" and out["access_key_id"] == key["AccessKeyId"]
    assert cli.keychain_secret(f"{out['account']}/someone-else/{key['AccessKeyId']}") == key["SecretAccessKey"]
    e = entry_of(cli, "someone-else")
    assert e["kind"] == "imported" and [k["in_keychain"] for k in e["keys"]] == [True]
    # Importing it twice is refused.
    assert "already in the list" in cli.run("access", "import", "--csv", str(src)).stderr
    # Re-export on demand, owner-only.
    dest = tmp_path / "again.csv"
    cli.json("access", "export", "someone-else", "--csv", str(dest))
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert key["SecretAccessKey"] in dest.read_text()
    # Revoking an imported key forgets it here but leaves it working in AWS.
    plan = cli.json("access", "revoke", "someone-else", "--dry-run")
    assert [s["call"] for s in plan["steps"]] == ["keychain:Delete", "record:Remove"]
    cli.json("access", "revoke", "someone-else", "--yes")
    assert key["AccessKeyId"] in keys_of(iam, "someone-else")
    assert cli.keychain_entries() == [] and cli.json("access", "list") == []


def test_import_from_stdin_checks_the_key_first(cli, iam, s3):
    seed(iam, s3)
    key = iam.create_access_key(UserName="someone-else")["AccessKey"]
    proc = cli.run("access", "import", "--access-key-id", "ASIAIOSFODNN7EXAMPLE", input="x\n")
    assert proc.returncode == 1 and "temporary key" in proc.stderr
    out = cli.json("access", "import", "--access-key-id", key["AccessKeyId"], input=key["SecretAccessKey"] + "\n")
    assert out["user_name"] == "someone-else"
    assert key["SecretAccessKey"] not in json.dumps(out)
