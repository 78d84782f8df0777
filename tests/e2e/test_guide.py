"""Bring the vendor's guide (issue 16): `s3aw guide read` and `grant ... --from-guide / --recipe`.

A corpus of guide-like texts written for these tests (tests/e2e/guides/: a console click-through with JSON,
a bare policy, CORS only, a cross-account role handoff, a guide naming a managed policy, a public bucket
policy), each mapped to the proposal and findings it must give; every proposal is applied in the emulator
and proven with the usual enforcement probes."""

import json
import pathlib

import pytest

from conftest import account_state, as_aws_evaluates
from test_grant import seed
from test_iac import probes

GUIDES = pathlib.Path(__file__).parent / "guides"
RECIPES = pathlib.Path(__file__).parent.parent.parent / "docs" / "recipes"

EXPECTED = {
    "console-click-through.md": ({"method": "iam-user", "access": "full", "no_list": False, "prefix": None}, {"acl", "delete", "whole_bucket"}),
    "bare-policy.json": ({"method": "iam-user", "access": "read", "no_list": True, "prefix": "images/"}, set()),
    "cors-only.txt": ({"method": "iam-user", "access": "upload", "no_list": False, "prefix": "uploads/"}, {"any_origin", "unused_methods"}),
    "cross-account-role.md": ({"method": "role", "access": "read", "no_list": False, "prefix": "exports/", "account": "210987654321", "external_id": "exampleanalytics-4242"}, {"no_external_id"}),
    "managed-policy.txt": ({"method": "iam-user", "access": "read", "no_list": False, "prefix": None}, {"managed_policy"}),
    "public-bucket-policy.json": ({"method": "iam-user"}, {"wildcard_principal"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_guide_reads_as_expected(cli, name):
    out = cli.json("guide", "read", str(GUIDES / name), "--bucket", "data")
    want, codes = EXPECTED[name]
    assert {k: out["proposal"][k] for k in want} == want, out["proposal"]
    assert {f["code"] for f in out["findings"]} == codes, out["findings"]
    text = (GUIDES / name).read_text().splitlines()
    for f in out["findings"]:
        assert 1 <= f["line"] <= len(text) and (not f["quote"] or f["quote"] in text[f["line"] - 1]), f
    assert out["asks"], "it says what the guide asks for"


# Guides whose proposal the emulator can prove for an IAM user: the level's probes in the data bucket.
USER_GUIDES = {
    "console-click-through.md": {"list_in": True, "get_in": True, "put_in": True, "get_out": True, "put_out": True, "other_bucket": False, "delete_in": True},
    "bare-policy.json": None,  # images/ is not in the seeded bucket: checked by policy below
    "cors-only.txt": None,
    "managed-policy.txt": {"list_in": True, "get_in": True, "put_in": False, "get_out": True, "put_out": False, "other_bucket": False, "delete_in": False},
}


@pytest.mark.parametrize("name", sorted(USER_GUIDES))
def test_each_proposal_applies_and_grants_what_it_says(cli, aws, iam, s3, name):
    seed(s3)
    out = cli.json("grant", "iam-user", "--bucket", "data", "--from-guide", str(GUIDES / name), "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    doc = iam.get_user_policy(UserName="vendor", PolicyName="vendor-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    resources = {r for st in doc["Statement"] for r in st.get("Resource", [])}
    assert "*" not in resources and "arn:aws:s3:::*" not in resources, "never every bucket"
    expected = USER_GUIDES[name]
    proposal = EXPECTED[name][0]
    if proposal["prefix"]:
        assert f"arn:aws:s3:::data/{proposal['prefix']}*" in resources
    if expected is not None:
        as_aws_evaluates(iam, user="vendor")
        assert probes(aws, out["access_key_id"], out["secret_access_key"]) == expected
    if name == "cors-only.txt":
        # "*" was the guide's only origin: the proposal adds no CORS rule (name the site with --cors-origin).
        with pytest.raises(s3.exceptions.ClientError):
            s3.get_bucket_cors(Bucket="data")


def test_a_role_from_a_handoff_guide(cli, aws, iam, s3):
    seed(s3)
    cli.json("grant", "role", "--bucket", "data", "--from-guide", str(GUIDES / "cross-account-role.md"), "--role", "analytics", "--yes")
    role = iam.get_role(RoleName="analytics")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "exampleanalytics-4242"}}, "the guide forgot the external ID; the app sets it"


def test_as_pasted_creates_the_guides_policy_and_refuses_a_wildcard_principal(cli, aws, iam, s3):
    seed(s3)
    cli.json("grant", "iam-user", "--bucket", "data", "--from-guide", str(GUIDES / "console-click-through.md"), "--as-pasted", "--user", "pasted", "--yes", "--no-keychain", "--show-secret")
    doc = iam.get_user_policy(UserName="pasted", PolicyName="pasted-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert "s3:PutObjectAcl" in doc["Statement"][0]["Action"] and doc["Statement"][0]["Resource"] == ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]

    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--from-guide", str(GUIDES / "public-bucket-policy.json"), "--as-pasted", "--user", "public", "--yes")
    assert proc.returncode != 0 and "wildcard principal" in proc.stderr, proc.stderr
    assert account_state(iam, s3, cli) == before


@pytest.mark.parametrize("recipe", sorted(p.name for p in RECIPES.glob("*.json")))
def test_the_shipped_recipes_apply(cli, aws, iam, s3, recipe):
    seed(s3)
    spec = json.loads((RECIPES / recipe).read_text())
    if spec["method"] == "role":
        cli.json("grant", "role", "--bucket", "data", "--recipe", str(RECIPES / recipe), "--role", "vendor-role", "--yes")
        trust = iam.get_role(RoleName="vendor-role")["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == spec["role"]["external_id"]
        return
    cli.json("grant", "iam-user", "--bucket", "data", "--recipe", str(RECIPES / recipe), "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    doc = iam.get_user_policy(UserName="vendor", PolicyName="vendor-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    resources = {r for st in doc["Statement"] for r in st.get("Resource", [])}
    assert f"arn:aws:s3:::data/{spec['folder_suggestion']}*" in resources
    listing = [st for st in doc["Statement"] if "s3:ListBucket" in st["Action"]]
    assert bool(listing) == (not spec.get("no_list", False))
    if spec.get("cors"):
        rules = s3.get_bucket_cors(Bucket="data")["CORSRules"]
        assert rules[0]["AllowedOrigins"] == spec["cors"]["origins"]


def test_a_bad_guide_or_recipe_says_so(cli, aws, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("Please contact support.")
    out = cli.json("guide", "read", str(empty), "--bucket", "data")
    assert [f["code"] for f in out["findings"]] == ["unknown_json"]
    bad = tmp_path / "r.json"
    bad.write_text('{"s3aw_recipe": 1, "vendor": "x", "purpose": "y", "method": "iam-user", "access": "admin"}')
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--recipe", str(bad), "--yes")
    assert proc.returncode != 0 and "not an access level" in proc.stderr
    proc = cli.run("guide", "read", str(tmp_path / "missing.txt"), "--bucket", "data")
    assert proc.returncode != 0 and "missing.txt" in proc.stderr and "panicked" not in proc.stderr


@pytest.mark.parametrize("flags, level_action, lists", [
    ([], "s3:GetObject", False),
    (["--access", "read-write"], "s3:PutObject", False),
    (["--access", "read", "--list"], "s3:GetObject", True),
])
def test_the_guides_no_listing_stays_unless_listing_is_asked_for(cli, aws, iam, s3, flags, level_action, lists):
    """bare-policy.json's vendor fetches keys it knows: a level given with --access changes the level and
    keeps "no listing"; only --list brings listing back."""
    seed(s3)
    cli.json("grant", "iam-user", "--bucket", "data", "--from-guide", str(GUIDES / "bare-policy.json"), *flags, "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    doc = iam.get_user_policy(UserName="vendor", PolicyName="vendor-s3-access")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    actions = {a for st in doc["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert level_action in actions, doc
    assert ("s3:ListBucket" in actions) == lists, doc


def test_list_and_no_list_together_are_refused(cli, aws):
    proc = cli.run("grant", "iam-user", "--bucket", "data", "--access", "read", "--list", "--no-list", "--user", "vendor", "--yes")
    assert proc.returncode == 2 and "--no-list" in proc.stderr and "cannot be used with" in proc.stderr, proc.stderr


# Hostile guides (issue 23 C): each trick a guide can play on the reader, the findings it must give (exactly),
# and whether "create exactly as pasted" is refused.
HOSTILE = GUIDES / "hostile"
HOSTILE_EXPECTED = {
    "takeover.md": ({"access": "read-write", "prefix": "sync/"}, {"other_services"}, True),
    "assume-role-inside.json": ({"method": "iam-user", "access": "read", "prefix": "reports/"}, {"other_services"}, True),
    "wildcard-bucket-name.md": ({"access": "read", "prefix": None}, {"all_buckets"}, False),
    "lowercase-actions.json": ({"access": "full", "prefix": "media/"}, {"s3_wildcard", "delete"}, False),
    "any-origin-https.txt": ({"access": "upload", "prefix": "drop/", "cors_origins": []}, {"any_origin"}, False),
    "external-id-prose.md": ({"method": "role", "account": "444455556666", "external_id": None}, {"no_external_id"}, False),
    "terminal-escape.md": ({"access": "read", "prefix": "in/"}, {"delete"}, False),
    "managed-and-narrow.md": ({"access": "read", "no_list": True}, {"managed_policy", "whole_bucket"}, False),
    "not-understood.json": ({"prefix": "feed/"}, {"not_understood"}, False),
    "not-resource.json": ({"access": "read"}, {"all_buckets"}, False),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_EXPECTED))
def test_each_hostile_guide_is_read_for_what_it_is(cli, name):
    out = cli.json("guide", "read", str(HOSTILE / name), "--bucket", "data")
    want, codes, blocks = HOSTILE_EXPECTED[name]
    assert {k: out["proposal"][k] for k in want} == want, out["proposal"]
    assert {f["code"] for f in out["findings"]} == codes, out["findings"]
    assert any(f["blocks_as_pasted"] for f in out["findings"]) == blocks, out["findings"]
    text = (HOSTILE / name).read_text().splitlines()
    for f in out["findings"]:
        assert 1 <= f["line"] <= len(text) and f["quote"] in text[f["line"] - 1].strip(), f
    human = cli.run("guide", "read", str(HOSTILE / name), "--bucket", "data", check=0).stdout
    assert "\x1b" not in human, "a guide's control characters never reach the terminal raw"
    assert ("Nothing in it is broader" in human) == (not codes)


def test_a_guide_that_hands_over_more_than_s3_is_never_created_as_pasted(cli, aws, iam, s3):
    seed(s3)
    before = account_state(iam, s3, cli)
    for name in ("takeover.md", "assume-role-inside.json"):
        proc = cli.run("grant", "iam-user", "--bucket", "data", "--from-guide", str(HOSTILE / name), "--as-pasted", "--user", "pasted", "--yes")
        assert proc.returncode != 0 and "outside S3" in proc.stderr and "panicked" not in proc.stderr, proc.stderr
    assert account_state(iam, s3, cli) == before, "nothing was created"


def test_an_external_id_described_in_prose_is_asked_for(cli, aws, iam, s3):
    seed(s3)
    before = account_state(iam, s3, cli)
    proc = cli.run("grant", "role", "--bucket", "data", "--from-guide", str(HOSTILE / "external-id-prose.md"), "--role", "metrics", "--yes")
    assert proc.returncode != 0 and "--external-id" in proc.stderr, proc.stderr
    assert account_state(iam, s3, cli) == before
    cli.json("grant", "role", "--bucket", "data", "--from-guide", str(HOSTILE / "external-id-prose.md"), "--role", "metrics", "--external-id", "from-their-dashboard-1", "--yes")
    trust = iam.get_role(RoleName="metrics")["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == "from-their-dashboard-1"


# What each finding code stands for, as requests against the bucket "data": if the proposal's policy allows any
# of them, the guide's findings must have named it (the proposal never hands over more than the list says).
OTHER = "arn:aws:s3:::other-bucket"
DANGERS = {
    "delete": [("s3:DeleteObject", "arn:aws:s3:::data/{f}x.csv")],
    "all_buckets": [("s3:GetObject", f"{OTHER}/x.csv"), ("s3:PutObject", f"{OTHER}/x.csv"), ("s3:ListBucket", OTHER)],
    "other_services": [("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/vendor"), ("sts:AssumeRole", "arn:aws:iam::123456789012:role/admin"), ("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/1")],
    "bucket_admin": [("s3:PutBucketPolicy", "arn:aws:s3:::data"), ("s3:DeleteBucket", "arn:aws:s3:::data")],
    "acl": [("s3:PutObjectAcl", "arn:aws:s3:::data/{f}x.csv")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED) + [f"hostile/{n}" for n in sorted(HOSTILE_EXPECTED)])
def test_every_proposal_does_the_job_and_nothing_the_findings_did_not_name(cli, aws, s3, name):
    """The oracle decides the proposal's policy exactly as the plan would write it: the guide's job is
    allowed, and every dangerous request is refused unless the findings named it."""
    from oracle import Policies, decide, req

    seed(s3)
    reading = cli.json("guide", "read", str(GUIDES / name), "--bucket", "data")
    p = reading["proposal"]
    method = ["grant", "role", "--role", "vendor", "--external-id", "x-1234"] if p["method"] == "role" else ["grant", "iam-user", "--user", "vendor"]
    plan = cli.json(*method, "--bucket", "data", "--from-guide", str(GUIDES / name), "--dry-run")
    assert plan["policy"] is not None, plan
    policies = Policies([plan["policy"]])
    folder = p["prefix"] or ""
    job = {"read": [("s3:GetObject", f"arn:aws:s3:::data/{folder}x.csv")], "upload": [("s3:PutObject", f"arn:aws:s3:::data/{folder}x.csv")]}
    job["read-write"] = job["read"] + job["upload"]
    job["full"] = job["read-write"] + [("s3:DeleteObject", f"arn:aws:s3:::data/{folder}x.csv")]
    named = {f["code"] for f in reading["findings"]}
    cases, wants = [], []
    for action, resource in job[p["access"]]:
        cases.append(req(policies, action, resource))
        wants.append((action, resource, True))
    for code, requests in DANGERS.items():
        if code in named or (code == "delete" and p["access"] == "full"):
            continue
        for action, resource in requests:
            cases.append(req(policies, action, resource.format(f=folder)))
            wants.append((action, resource, False))
    for (action, resource, want), got in zip(wants, decide(cases)):
        assert (got == "Allowed") == want, f"{name}: {action} on {resource} is {got}, the proposal promised {'it' if want else 'no such thing'}"
