"""The card "what can this key do" over everything a user holds (issue 23, part B), held to an independent IAM
evaluator (tests/e2e/oracle.py).

Each case is a set of policies written by others (vendors' guides, hurried admins, AWS's own managed policies):
set up in moto with boto3 on a user of its own, the user's key imported (`s3aw access import`), its card read
with `s3aw --json access explain`. Every line is then held to the oracle over concrete requests drawn from the
policies' own patterns (each `*` filled in several ways) and from names inside and outside the place asked
about, under each context the policies' conditions can meet (HTTPS or not, from each named address or
another): a "No" line must have no request the oracle allows (zero false "No"). On the app's own policies
every "Yes" line must also have one (no false "Yes"). A generated set (fixed seed) does the same for random
combinations of actions, wildcards, resources and Deny statements."""

import ipaddress
import json
import random
import re

import pytest

from oracle import CALLER_IP, decide, policies_of, req

ACCOUNT = "123456789012"
B = "acme-data"
BA = f"arn:aws:s3:::{B}"
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources, condition=None, not_resource=False, not_action=False):
    st = {"Effect": "Allow", ("NotAction" if not_action else "Action"): actions, ("NotResource" if not_resource else "Resource"): resources}
    if condition:
        st["Condition"] = condition
    return st


def deny(actions, resources, condition=None):
    st = {"Effect": "Deny", "Action": actions, "Resource": resources}
    if condition:
        st["Condition"] = condition
    return st


ADMIN = doc(allow("*", "*"))
APP_LIKE = doc(  # what `grant --access read --prefix in` writes, as a vendor might copy it
    allow("s3:GetBucketLocation", BA),
    allow("s3:ListBucket", BA, {"StringLike": {"s3:prefix": ["in/*"]}}),
    allow(["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"], f"{BA}/in/*"),
)

# name: (the policies, the folder asked about, the lines the case is about and what they must say)
CORPUS = {
    "bucket name with a wildcard": ({"inline": [doc(allow("s3:*", [f"{BA}*", f"{BA}*/*"]))]}, None, {"other_buckets": True}),
    "a second named bucket": ({"inline": [doc(allow(["s3:GetObject"], [f"{BA}/*", "arn:aws:s3:::acme-logs/*"]))]}, None, {"other_buckets": True, "download": True}),
    "folder without its slash": (
        {"inline": [doc(allow(["s3:GetObject", "s3:PutObject"], f"{BA}/in*"), allow("s3:ListBucket", BA, {"StringLike": {"s3:prefix": "in*"}}))]},
        "in",
        {"other_folders": True, "list_other_folders": True, "download": True},
    ),
    "a second named folder": ({"inline": [doc(allow("s3:GetObject", [f"{BA}/in/*", f"{BA}/out/*"]))]}, "in", {"other_folders": True, "upload": False}),
    "s3:*Object": ({"inline": [doc(allow("s3:*Object", f"{BA}/in/*"))]}, "in", {"download": True, "upload": True, "delete": True, "public_or_lock": False}),
    "lower-case actions": ({"inline": [doc(allow(["s3:getobject", "s3:putobject"], f"{BA}/*"))]}, None, {"download": True, "upload": True, "delete": False}),
    "notifications, inventory, Object Lock, tags": (
        {"inline": [doc(allow(["s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketTagging"], BA))]},
        None,
        {"bucket_settings": True, "other_buckets": False},
    ),
    "a prefix condition on object actions": (
        {"inline": [doc(allow(["s3:ListBucket", "s3:GetObject"], [BA, f"{BA}/*"], {"StringLike": {"s3:prefix": "in/*"}}))]},
        "in",
        {"download": False, "list_folder": True, "list_other_folders": False},
    ),
    "NotResource": ({"inline": [doc(allow("s3:*", [f"{BA}/secret/*"], not_resource=True))]}, "in", {"other_buckets": True, "download": True, "bucket_settings": True}),
    "NotAction": ({"inline": [doc(allow("iam:*", "*", not_action=True))]}, None, {"other_services": True, "other_buckets": True}),
    "sts:AssumeRole on *": ({"inline": [APP_LIKE, doc(allow("sts:AssumeRole", "*"))]}, "in", {"other_services": True, "download": True, "other_buckets": False}),
    "a Deny only without TLS": (
        {"inline": [doc(allow("s3:GetObject", f"{BA}/in/*"), deny("s3:*", "*", {"Bool": {"aws:SecureTransport": "false"}}))]},
        "in",
        {"download": True, "upload": False},
    ),
    "AdministratorAccess attached": ({"inline": [APP_LIKE], "managed": [("AdministratorAccess", ADMIN)]}, "in", {"other_buckets": True, "other_services": True, "bucket_settings": True}),
    "group policies": (
        {"group_inline": [doc(allow("s3:DeleteObject", f"{BA}/*"))], "group_managed": [("keys-for-all", doc(allow("iam:CreateAccessKey", "*")))]},
        "in",
        {"delete": True, "other_folders": True, "other_services": True, "download": False},
    ),
    "a Deny of PutBucket* leaves other settings": (
        {"inline": [doc(allow("s3:*", "*"), deny(["s3:PutBucket*", "s3:DeleteBucket*"], "*"))]},
        None,
        {"bucket_settings": True},
    ),
    "a Deny of listing outside the folder": (
        {"inline": [doc(allow("s3:ListBucket", BA), deny("s3:ListBucket", BA, {"StringNotLike": {"s3:prefix": "in/*"}}))]},
        "in",
        {"list_folder": True, "list_other_folders": False},
    ),
    "ends, addresses and HTTPS": (
        {"inline": [doc(allow("s3:GetObject", f"{BA}/in/*", {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "Bool": {"aws:SecureTransport": "true"}}))]},
        "in",
        {"download": True},
    ),
    "the bucket's KMS key through S3, and KMS directly": (
        {"inline": [doc(allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))], "group_inline": [doc(allow("kms:Decrypt", "*"))]},
        None,
        {"other_services": True},
    ),
    "a policy variable in the folder": ({"inline": [doc(allow(["s3:GetObject", "s3:PutObject"], f"{BA}/home/${{aws:username}}/*"))]}, "in", {"other_folders": True, "download": False}),
}

# On a role (moto keeps permissions boundaries only on roles): the app's own read grant on the folder,
# and what the case adds.
BOUNDARY_CASES = {
    "a permissions boundary": (
        {"managed": [("AdministratorAccess", ADMIN)], "boundary": doc(allow(["s3:GetObject", "s3:ListBucket"], [BA, f"{BA}/in/*"]))},
        {"download": True, "list_folder": True, "upload": False, "other_buckets": False, "other_services": False, "bucket_settings": False},
    ),
    "a Deny in the boundary": (
        {"inline": [doc(allow("s3:*", "*"))], "boundary": doc(allow("s3:*", "*"), deny("s3:*", f"{BA}/in/*"))},
        {"download": False, "other_folders": True, "other_buckets": True},
    ),
}

LIST = ["s3:ListBucket", "s3:ListBucketVersions"]
SETTINGS = [
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketCORS", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning", "s3:PutBucketLogging", "s3:PutLifecycleConfiguration", "s3:PutBucketOwnershipControls", "s3:PutBucketWebsite",
    "s3:PutReplicationConfiguration", "s3:DeleteBucket", "s3:PutBucketNotification", "s3:PutInventoryConfiguration", "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketTagging", "s3:PutAnalyticsConfiguration", "s3:PutMetricsConfiguration", "s3:PutAccelerateConfiguration", "s3:PutBucketRequestPayment",
    "s3:PutIntelligentTieringConfiguration",
]
PUBLIC_OR_LOCK = ["s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectRetention", "s3:PutObjectLegalHold"]
SERVICES = [
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"), ("iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/x"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/admin"), ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin"),
    ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/admin"), ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"),
    ("kms:GenerateDataKey", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"), ("dynamodb:Scan", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t"),
    ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"),
]
FILLERS = ["", "x", "-backups", "/x", "box/a.txt", "x/y.txt", "/in/a.txt", "/out/a.txt", "in/a.txt"]


def walk(d, key):
    """Every string under `key` in the documents (and in their statements' conditions)."""
    for st in (d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]]):
        for k in key:
            v = st.get(k, [])
            yield from ([v] if isinstance(v, str) else v)


def instances(pattern, user):
    """Concrete strings a pattern matches, each wildcard filled in a few ways."""
    pattern = pattern.replace("${aws:username}", user)
    for f in FILLERS:
        yield pattern.replace("*", f).replace("?", "x")
        # One wildcard filled, the others left as little as possible.
        for i, c in enumerate(pattern):
            if c == "*":
                yield (pattern[:i] + f + pattern[i + 1:]).replace("*", "").replace("?", "x")


def prefix_values(docs):
    for d in docs:
        for st in (d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]]):
            for clause in st.get("Condition", {}).values():
                for k, v in clause.items():
                    if k.lower() == "s3:prefix":
                        yield from ([v] if isinstance(v, str) else v)


def addresses(docs):
    """The caller's own address, and one inside each range a policy names."""
    out = [CALLER_IP]
    for d in docs:
        for st in (d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]]):
            for op, clause in st.get("Condition", {}).items():
                if op.startswith("IpAddress"):
                    for k, v in clause.items():
                        for cidr in [v] if isinstance(v, str) else v:
                            out.append(str(next(ipaddress.ip_network(cidr, strict=False).hosts(), ipaddress.ip_network(cidr, strict=False).network_address)))
    return sorted(set(out))


def resource_kind(text):
    """What kind of resource an action (by its entry in SERVICES) or an ARN is."""
    if ":" in text and not text.startswith("arn:"):
        text = dict(SERVICES)[text]
    m = re.match(r"^arn:aws:(\w+):[^:]*:[^:]*:(\w+)", text)
    return m and m.groups()


def families(docs, folder, user):
    """The concrete requests (action, resource, s3:prefix or None) each line stands for."""
    f = folder or ""
    resources = {r for d in docs for p in walk(d, ["Resource", "NotResource"]) for r in instances(p, user)}
    resources |= {f"{BA}/{f}a.txt", f"{BA}/{f}sub/b.txt", f"{BA}/out/c.txt", f"{BA}/inbox/a.txt", f"{BA}/i.txt", f"{BA}/home/{user}/a.txt",
                  "arn:aws:s3:::other-bucket", "arn:aws:s3:::other-bucket/a.txt", "arn:aws:s3:::acme-data-backups", "arn:aws:s3:::acme-data-backups/a.txt",
                  "arn:aws:s3:::acme-logs/a.txt"}
    # An object's key is never empty (`bucket/` names no resource).
    resources = {r for r in resources if not (r.startswith("arn:aws:s3:::") and r.endswith("/") and r[13:].count("/") == 1)}
    objects = sorted(r for r in resources if r.startswith(BA + "/") and len(r) > len(BA) + 1)
    in_place = [r for r in objects if r.startswith(f"{BA}/{f}")]
    elsewhere = [r for r in objects if not r.startswith(f"{BA}/{f}")]

    def other_bucket(r):
        name = r[len("arn:aws:s3:::"):].split("/", 1)[0] if r.startswith("arn:aws:s3:::") else ""
        return bool(BUCKET_NAME.match(name)) and name != B

    others = sorted(r for r in resources if other_bucket(r))
    # Other services' resources the policies name (a whole resource, of the action's own service).
    services_resources = sorted(r for r in resources if re.match(r"^arn:aws:(iam|kms|dynamodb|lambda):", r) and not r.endswith(("/", ":")) and "//" not in r)
    prefixes = {None, "", f, f + "x/", "out/", "inbox/", "i", "in"} | {p for v in prefix_values(docs) for p in instances(v, user)}
    comparable = [p for p in prefixes if p is None or p.startswith(f) or f.startswith(p)]
    outside = [p for p in prefixes if p is None or not p.startswith(f)]
    fam = {
        "list_folder": [(a, BA, p) for a in LIST for p in comparable],
        "download": [(a, r, None) for a in ["s3:GetObject", "s3:GetObjectVersion"] for r in in_place],
        "upload": [("s3:PutObject", r, None) for r in in_place],
        "replace": [("s3:PutObject", r, None) for r in in_place],
        "delete": [(a, r, None) for a in ["s3:DeleteObject", "s3:DeleteObjectVersion"] for r in in_place],
        "public_or_lock": [(a, r, None) for a in PUBLIC_OR_LOCK for r in objects],
        "bucket_settings": [(a, BA, None) for a in SETTINGS],
        "other_buckets": [(a, r, None) for r in others for a in (["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] if "/" in r[13:] else ["s3:ListBucket", "s3:PutBucketPolicy", "s3:GetBucketLocation"])],
        "other_services": SERVICES + [(a, r) for r in services_resources for a, _ in SERVICES if resource_kind(a) == resource_kind(r)],
    }
    fam["other_services"] = [(a, r, None) for a, r in fam["other_services"]]
    if folder:
        fam["list_other_folders"] = [(a, BA, p) for a in LIST for p in outside]
        fam["other_folders"] = [(a, r, None) for a in ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] for r in elsewhere]
    return fam


def hold_to_oracle(*checks, most=None):
    """Every yes/no line of each card against the oracle, in one batch. A check is (policies, card, folder,
    user, own, label). `most`: at most that many requests a line (a fixed sample), to bound a large set.
    Returns, per check, the requests the oracle allowed by line."""
    cases, index = [], []
    for n, (policies, card, folder, user, _own, _label) in enumerate(checks):
        docs = policies.identity + policies.boundary
        for code, requests in families(docs, folder, user).items():
            assert code in card, f"the card has no line {code}: {card}"
            requests = sorted(set(requests), key=str)
            if most and len(requests) > most:
                requests = random.Random(n).sample(requests, most)
            for action, resource, prefix in requests:
                for secure in (True, False):
                    for ip in addresses(docs):
                        context = {"s3:prefix": prefix} if prefix is not None else None
                        cases.append(req(policies, action, resource, context=context, secure=secure, source_ip=ip))
                        index.append((n, code, (action, resource, prefix, secure, ip)))
    allowed = [{} for _ in checks]
    asked = [set() for _ in checks]
    for (n, code, request), decision in zip(index, decide(cases), strict=True):
        asked[n].add(code)
        if decision == "Allowed":
            allowed[n].setdefault(code, []).append(request)
    for n, (_policies, card, _folder, _user, own, label) in enumerate(checks):
        false_no = {code: found[:3] for code, found in allowed[n].items() if card[code] is False}
        assert not false_no, f"{label}: the card says No where AWS allows: {false_no}\ncard: {card}"
        if own:
            false_yes = [code for code, yes in card.items() if yes and code in asked[n] and code not in allowed[n]]
            assert not false_yes, f"{label}: the card says Yes where AWS allows none of the requests: {false_yes}"
    return allowed


def set_up(iam, user, case):
    iam.create_user(UserName=user)
    for i, d in enumerate(case.get("inline", [])):
        iam.put_user_policy(UserName=user, PolicyName=f"inline-{i}", PolicyDocument=json.dumps(d))
    for name, d in case.get("managed", []):
        arn = iam.create_policy(PolicyName=f"{user}-{name}", PolicyDocument=json.dumps(d))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    if case.get("group_inline") or case.get("group_managed"):
        group = f"{user}-team"
        iam.create_group(GroupName=group)
        iam.add_user_to_group(GroupName=group, UserName=user)
        for i, d in enumerate(case.get("group_inline", [])):
            iam.put_group_policy(GroupName=group, PolicyName=f"group-{i}", PolicyDocument=json.dumps(d))
        for name, d in case.get("group_managed", []):
            arn = iam.create_policy(PolicyName=f"{user}-{name}", PolicyDocument=json.dumps(d))["Policy"]["Arn"]
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)


def imported_card(cli, iam, user, folder):
    key = iam.create_access_key(UserName=user)["AccessKey"]
    entry = cli.json("access", "import", "--access-key-id", key["AccessKeyId"], input=key["SecretAccessKey"] + "\n")["id"]
    args = ["access", "explain", entry, "--bucket", B] + (["--prefix", folder] if folder else [])
    return cli.json(*args)["can"]


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_card_of_an_imported_key_is_sound(cli, aws, iam, s3, name):
    case, folder, expect = CORPUS[name]
    s3.create_bucket(Bucket=B)
    user = "vendor"
    set_up(iam, user, case)
    lines = imported_card(cli, iam, user, folder)
    card = {line["code"]: line["allowed"] for line in lines}
    for code, want in expect.items():
        assert card[code] is want, f"{code}: {card}"
    hold_to_oracle((policies_of(iam, user=user), card, folder and folder + "/", user, False, name))
    answers = {line["code"]: line["answer"] for line in lines}
    if name == "sts:AssumeRole on *":
        assert answers["other_services"] == "Yes: STS"
    if name == "AdministratorAccess attached":
        assert answers["other_services"] == "Yes: any service"
    if name == "the bucket's KMS key through S3, and KMS directly":
        assert answers["other_services"] == "Yes: KMS"
    if name == "ends, addresses and HTTPS":
        assert answers["ends"].startswith("2099-01-01") and answers["source_ips"] == "203.0.113.0/24" and answers["conditions"] == "only over HTTPS"


@pytest.mark.parametrize("name", list(BOUNDARY_CASES))
def test_a_permissions_boundary_narrows_the_card(cli, aws, iam, s3, name):
    case, expect = BOUNDARY_CASES[name]
    s3.create_bucket(Bucket=B)
    cli.json("grant", "role", "--bucket", B, "--prefix", "in", "--access", "read", "--role", "partner", "--account", "210987654321", "--yes")
    for i, d in enumerate(case.get("inline", [])):
        iam.put_role_policy(RoleName="partner", PolicyName=f"inline-{i}", PolicyDocument=json.dumps(d))
    for pname, d in case.get("managed", []):
        iam.attach_role_policy(RoleName="partner", PolicyArn=iam.create_policy(PolicyName=pname, PolicyDocument=json.dumps(d))["Policy"]["Arn"])
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(case["boundary"]))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="partner", PermissionsBoundary=boundary)
    entry = cli.json("access", "list")[0]["id"]
    card = {line["code"]: line["allowed"] for line in cli.json("access", "explain", entry)["can"]}
    for code, want in expect.items():
        assert card[code] is want, f"{code}: {card}"
    hold_to_oracle((policies_of(iam, role="partner"), card, "in/", "partner", False, name))


def test_the_bucket_key_through_s3_alone_is_not_another_service(cli, aws, iam, s3):
    s3.create_bucket(Bucket=B)
    set_up(iam, "vendor", {"inline": [APP_LIKE, doc(allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))]})
    card = {line["code"]: line["answer"] for line in imported_card(cli, iam, "vendor", "in")}
    assert card["other_services"] == "No"


def test_an_admin_attached_to_the_apps_own_user_can_use_other_buckets(cli, aws, iam, s3):
    s3.create_bucket(Bucket=B)
    cli.json("grant", "iam-user", "--bucket", B, "--prefix", "in", "--access", "read", "--user", "vendor", "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    before = {line["code"]: line["allowed"] for line in cli.json("access", "explain", entry)["can"]}
    assert before["other_buckets"] is False and before["other_services"] is False
    arn = iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=json.dumps(ADMIN))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="vendor", PolicyArn=arn)
    after = {line["code"]: line["allowed"] for line in cli.json("access", "explain", entry)["can"]}
    assert after["other_buckets"] is True and after["other_services"] is True and after["bucket_settings"] is True
    hold_to_oracle((policies_of(iam, user="vendor"), after, "in/", "vendor", False, "admin attached"))


GRANTS = [
    ["--access", "read", "--prefix", "in"],
    ["--access", "upload", "--prefix", "in"],
    ["--access", "read-write", "--prefix", "in"],
    ["--access", "full", "--prefix", "in"],
    ["--access", "read"],
    ["--access", "full"],
    ["--access", "read", "--prefix", "in", "--no-list"],
    ["--access", "read-write", "--prefix", "in", "--ends-in", "30d", "--source-ip", "203.0.113.0/24"],
]


@pytest.mark.parametrize("args", GRANTS, ids=[" ".join(a) for a in GRANTS])
def test_the_card_of_the_apps_own_grants_says_exactly_what_aws_allows(cli, aws, iam, s3, args):
    s3.create_bucket(Bucket=B)
    cli.json("grant", "iam-user", "--bucket", B, "--user", "vendor", *args, "--yes", "--no-keychain", "--show-secret")
    entry = cli.json("access", "list")[0]["id"]
    card = {line["code"]: line["allowed"] for line in cli.json("access", "explain", entry)["can"]}
    folder = "in/" if "--prefix" in args else None
    [allowed] = hold_to_oracle((policies_of(iam, user="vendor"), card, folder, "vendor", True, " ".join(args)))
    assert "other_buckets" not in allowed and "other_services" not in allowed and "bucket_settings" not in allowed


ACTIONS = ["s3:*", "s3:Get*", "s3:GetObject", "s3:getobject", "s3:PutObject", "s3:*Object", "s3:Delete*", "s3:List*", "s3:ListBucket",
           "s3:PutBucket*", "s3:PutInventoryConfiguration", "s3:PutObjectAcl", "iam:*", "sts:AssumeRole", "kms:Decrypt", "*"]
RESOURCES = ["*", "arn:aws:s3:::*", BA, f"{BA}*", f"{BA}/*", f"{BA}/in/*", f"{BA}/in*", f"{BA}/out/*", f"{BA}/i?/*", "arn:aws:s3:::acme-*/*",
             "arn:aws:s3:::other-bucket/*", "arn:aws:s3:::*/in/*", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"]
CONDITIONS = [None, None, None, {"StringLike": {"s3:prefix": ["in/*"]}}, {"StringNotLike": {"s3:prefix": ["in/*"]}}, {"StringEquals": {"s3:prefix": ["", "in/"]}},
              {"Bool": {"aws:SecureTransport": "true"}}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}]


def random_statement(rng, effect):
    pick = lambda options, n: rng.sample(options, rng.randint(1, n))  # noqa: E731
    st = {"Effect": effect, rng.choice(["Action"] * 5 + ["NotAction"]): pick(ACTIONS, 3), rng.choice(["Resource"] * 5 + ["NotResource"]): pick(RESOURCES, 3)}
    condition = rng.choice(CONDITIONS)
    if condition:
        st["Condition"] = condition
    return st


def test_generated_policies_never_get_a_false_no(cli, aws, iam, s3):
    """Random combinations (fixed seed), each through the CLI and the oracle; bounded by their number and a
    fixed sample of each line's requests."""
    rng = random.Random(20231)
    s3.create_bucket(Bucket=B)
    set_up(iam, "vendor", {"inline": [doc(allow("s3:GetBucketLocation", BA))]})
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    entry = cli.json("access", "import", "--access-key-id", key["AccessKeyId"], input=key["SecretAccessKey"] + "\n")["id"]
    checks = []
    for n in range(12):
        statements = [random_statement(rng, "Allow") for _ in range(rng.randint(1, 3))] + [random_statement(rng, "Deny") for _ in range(rng.randint(0, 2))]
        iam.put_user_policy(UserName="vendor", PolicyName="inline-0", PolicyDocument=json.dumps(doc(*statements)))
        folder = rng.choice([None, "in"])
        args = ["access", "explain", entry, "--bucket", B] + (["--prefix", folder] if folder else [])
        card = {line["code"]: line["allowed"] for line in cli.json(*args)["can"]}
        checks.append((policies_of(iam, user="vendor"), card, folder and folder + "/", "vendor", False, f"generated policy {n}: {json.dumps(statements)} (folder {folder})"))
    hold_to_oracle(*checks, most=8)
