"""The engine's IAM evaluator (`crates/core/src/evaluate`) agrees with the independent one (the test oracle,
`@cloud-copilot/iam-simulate`) on thousands of generated requests (a fixed seed) and on every policy the app
writes. Where the two legitimately differ, the case is named here (`KNOWN`) and ARCHITECTURE.md says which is
right and why; any other disagreement fails the test, listed case by case.

The engine's side is `crates/core/examples/evaluate_batch.rs`, which reads the oracle's own batch format."""

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from oracle import ACCOUNT, SCRIPT

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
OTHER = "210987654321"
USER = f"arn:aws:iam::{ACCOUNT}:user/vendor"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
PARTNER = f"arn:aws:iam::{OTHER}:user/partner"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SEED = 27
CASES = 4000


@pytest.fixture(scope="module")
def engine():
    """The engine's evaluator, built from this tree."""
    subprocess.run(["cargo", "build", "-q", "--workspace", "--example", "evaluate_batch"], cwd=ROOT, check=True, timeout=900)
    binary = TARGET / "debug" / "examples" / "evaluate_batch"

    def run(cases):
        proc = subprocess.run([str(binary)], input=json.dumps(cases), capture_output=True, text=True, timeout=120, check=True)
        return json.loads(proc.stdout)

    return run


def oracle(cases):
    proc = subprocess.run(["node", str(SCRIPT)], input=json.dumps(cases), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


# --- The generated corpus -------------------------------------------------------------------------------

TIMES = ["2026-01-01T00:00:00Z", "2026-06-15T12:30:00Z", "2026-12-31T23:59:59Z", "2027-03-01T08:00:00Z"]
IPS = ["203.0.113.7", "203.0.113.200", "198.51.100.7", "10.1.2.3", "2001:db8:1234:5678::1", "2001:db8:ffff::9"]
PREFIXES = ["", "in/", "in/sub/", "out/", "home/vendor/", "In/"]
OBJECTS = ["in/a.txt", "in/sub/b.pdf", "out/report.pdf", "In/c.txt", "home/vendor/x", "home/other/y", "a:b.txt"]
BUCKETS = ["vendor-data", "other-bucket"]
ACTIONS = {
    "s3:GetObject": "object",
    "s3:PutObject": "object",
    "s3:DeleteObject": "object",
    "s3:ListBucket": "bucket",
    "s3:GetBucketLocation": "bucket",
    "kms:Decrypt": "key",
    "kms:GenerateDataKey": "key",
}
ACTION_PATTERNS = ["s3:GetObject", "s3:Get*", "s3:*Object", "s3:?utObject", "S3:getobject", "s3:*", "*", "s3:ListBucket",
                   "s3:List*", "kms:Decrypt", "kms:*", "kms:GenerateDataKey*", "s3:Delete*", "s3:GetBucketLocation"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::vendor-data/*", "arn:aws:s3:::vendor-data/in/*", "arn:aws:s3:::vendor-data",
                     "arn:aws:s3:::vendor-*", "arn:aws:s3:::*/in/*", "arn:aws:s3:::vendor-data/home/${aws:username}/*",
                     "arn:aws:s3:::vendor-data/in/?.txt", "arn:aws:kms:*:123456789012:key/*", "arn:aws:s3:::vendor-data/In/*",
                     "arn:aws:s3:::other-bucket*", "arn:aws:s3:::vendor-data/a:*", KEY, "arn:aws:s3:::*"]


def pick(rng, items, k_max=2):
    k = rng.randint(1, k_max)
    chosen = rng.sample(items, k)
    return chosen[0] if k == 1 and rng.random() < 0.5 else chosen


def condition_for(rng):
    """One (operator, key, values) of the kinds S3 and KMS access uses."""
    family = rng.choice(["date", "ip", "bool", "prefix", "numeric", "null", "sse", "via", "arn", "username", "calledvia"])
    if family == "date":
        op = rng.choice(["DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "DateEquals", "DateNotEquals"])
        return op, "aws:CurrentTime", pick(rng, TIMES + ["2026-06-15"])
    if family == "ip":
        ranges = ["203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8", "2001:db8:1234:5678::/64", "2001:db8::/32", "0.0.0.0/0", "203.0.113.7"]
        return rng.choice(["IpAddress", "NotIpAddress"]), "aws:SourceIp", pick(rng, ranges)
    if family == "bool":
        return "Bool", "aws:SecureTransport", rng.choice(["true", "false"])
    if family == "prefix":
        op = rng.choice(["StringLike", "StringEquals", "StringNotLike", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"])
        return op, "s3:prefix", pick(rng, ["", "in/", "in/*", "IN/", "${aws:username}/*", "home/${aws:username}/*", "home/?????/", "out/*"])
    if family == "numeric":
        op = rng.choice(["NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericEquals", "NumericNotEquals"])
        return op, "s3:max-keys", pick(rng, ["10", "100", "1000", "50.5"])
    if family == "null":
        key = rng.choice(["s3:x-amz-server-side-encryption-customer-algorithm", "s3:prefix", "aws:TokenIssueTime", "kms:ViaService"])
        return "Null", key, rng.choice(["true", "false"])
    if family == "sse":
        return rng.choice(["StringEquals", "StringNotEquals"]), "s3:x-amz-server-side-encryption", pick(rng, ["AES256", "aws:kms"])
    if family == "via":
        return rng.choice(["StringEquals", "StringLike", "StringNotEquals"]), "kms:ViaService", pick(rng, ["s3.eu-west-1.amazonaws.com", "s3.*.amazonaws.com"])
    if family == "arn":
        op = rng.choice(["ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals"])
        return op, "aws:PrincipalArn", pick(rng, ["arn:aws:iam::*:user/vendor", f"arn:aws:iam::{ACCOUNT}:*", "arn:aws:sts::*:assumed-role/reader/*", PARTNER])
    if family == "username":
        return rng.choice(["StringEqualsIgnoreCase", "StringLike", "StringNotLike"]), "aws:username", pick(rng, ["VENDOR", "vend*", "partner"])
    op = rng.choice(["ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike", "ForAllValues:StringNotEquals", "ForAnyValue:StringNotLike"])
    return op, "aws:CalledVia", pick(rng, ["athena.amazonaws.com", "cloudformation.amazonaws.com", "*.amazonaws.com"])


def statement(rng, resource_policy=False, sid=None):
    st = {"Effect": "Allow" if rng.random() < 0.7 else "Deny"}
    if sid:
        st["Sid"] = sid
    if resource_policy:
        if st["Effect"] == "Deny" and rng.random() < 0.15:
            st["NotPrincipal"] = {"AWS": rng.choice([USER, ROLE, f"arn:aws:iam::{ACCOUNT}:root"])}
        else:
            st["Principal"] = rng.choice(["*", {"AWS": USER}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"AWS": ROLE},
                                          {"AWS": SESSION}, {"AWS": PARTNER}, {"AWS": OTHER}, {"AWS": [USER, PARTNER]}])
    st["NotAction" if rng.random() < 0.15 else "Action"] = pick(rng, ACTION_PATTERNS, 3)
    st["NotResource" if rng.random() < 0.15 else "Resource"] = pick(rng, RESOURCE_PATTERNS, 3)
    if rng.random() < 0.6:
        cond = {}
        for _ in range(rng.randint(1, 2)):
            op, key, values = condition_for(rng)
            if op not in ("Null",) and not op.startswith("For") and rng.random() < 0.2:
                op += "IfExists"
            cond.setdefault(op, {})[key] = values
        st["Condition"] = cond
    return st


def policy(rng, resource_policy=False):
    n = rng.randint(1, 3)
    return {"Version": "2012-10-17", "Statement": [statement(rng, resource_policy, sid=f"S{i}" if rng.random() < 0.5 else None) for i in range(n)]}


def request(rng):
    principal = rng.choices([USER, SESSION, PARTNER], weights=[6, 2, 2])[0]
    action = rng.choice(list(ACTIONS))
    kind = ACTIONS[action]
    bucket = rng.choice(BUCKETS)
    resource = {"object": f"arn:aws:s3:::{bucket}/{rng.choice(OBJECTS)}", "bucket": f"arn:aws:s3:::{bucket}", "key": KEY}[kind]
    ctx = {
        "aws:CurrentTime": rng.choice(TIMES),
        "aws:SecureTransport": rng.choice(["true", "false"]),
        "aws:SourceIp": rng.choice(IPS),
        "aws:PrincipalArn": ROLE if principal == SESSION else principal,
    }
    if principal != SESSION:
        ctx["aws:username"] = principal.rsplit("/", 1)[1]
    else:
        ctx["aws:TokenIssueTime"] = "2026-01-01T00:00:00Z"
    if rng.random() < 0.3:
        ctx["aws:CalledVia"] = rng.sample(["athena.amazonaws.com", "cloudformation.amazonaws.com"], rng.randint(1, 2))
    if action == "s3:ListBucket":
        if rng.random() < 0.8:
            ctx["s3:prefix"] = rng.choice(PREFIXES)
        if rng.random() < 0.5:
            ctx["s3:delimiter"] = "/"
        ctx["s3:max-keys"] = rng.choice(["10", "50", "1000"])
    if action == "s3:PutObject":
        if rng.random() < 0.3:
            ctx["s3:x-amz-server-side-encryption"] = rng.choice(["AES256", "aws:kms"])
        if rng.random() < 0.2:
            ctx["s3:x-amz-server-side-encryption-customer-algorithm"] = "AES256"
    if kind == "key" and rng.random() < 0.7:
        ctx["kms:ViaService"] = rng.choice(["s3.eu-west-1.amazonaws.com", "s3.us-east-1.amazonaws.com"])
    return principal, action, resource, ctx


def corpus():
    rng = random.Random(SEED)
    cases = []
    for _ in range(CASES):
        principal, action, resource, ctx = request(rng)
        cases.append({
            "identityPolicies": [policy(rng) for _ in range(rng.randint(0, 2))],
            "boundaryPolicies": [policy(rng)] if rng.random() < 0.25 else [],
            "resourcePolicy": policy(rng, resource_policy=True) if rng.random() < 0.6 else None,
            "principal": principal,
            "action": action,
            "resource": resource,
            "accountId": OTHER if rng.random() < 0.1 else ACCOUNT,
            "context": ctx,
        })
    return cases


# --- Where the two legitimately differ (ARCHITECTURE.md, "The IAM evaluator and its oracle") -------------

def _conditions(case):
    docs = list(case["identityPolicies"]) + list(case["boundaryPolicies"]) + ([case["resourcePolicy"]] if case["resourcePolicy"] else [])
    for d in docs:
        for st in d["Statement"]:
            for op, keys in (st.get("Condition") or {}).items():
                for key, values in keys.items():
                    yield op, key, values if isinstance(values, list) else [values]


KNOWN = {}


def known(name):
    def register(predicate):
        KNOWN[name] = predicate
        return predicate
    return register


@known("an IP range of /0 (the oracle's IPv4 mask shifts by 32)")
def _zero_prefix(case):
    return any(op.endswith(("IpAddress", "IpAddressIfExists")) and "0.0.0.0/0" in v for op, _, v in _conditions(case))


@known("a bare IPv4 address against an IPv6 caller under NotIpAddress (the oracle calls it a match failure)")
def _bare_v4_v6_caller(case):
    ip = case["context"].get("aws:SourceIp", "")
    return ":" in ip and any(op.startswith("NotIpAddress") and any("/" not in x and ":" not in x for x in v) for op, _, v in _conditions(case))


def explain(case):
    return [name for name, predicate in KNOWN.items() if predicate(case)]


def describe(case, ours, theirs):
    short = {k: case[k] for k in ("principal", "action", "resource", "accountId", "context")}
    return (f"ours={ours} oracle={theirs}\n  request={json.dumps(short)}\n  identity={json.dumps(case['identityPolicies'])}\n"
            f"  boundary={json.dumps(case['boundaryPolicies'])}\n  resource={json.dumps(case['resourcePolicy'])}")


def compare(engine, cases):
    ours, theirs = engine(cases), oracle(cases)
    unexplained, explained = [], {}
    for case, a, b in zip(cases, ours, theirs, strict=True):
        assert "error" not in b, f"the oracle could not decide a generated case: {b['error'][:500]}\n{describe(case, a, b)}"
        assert not b["ignoredContextKeys"], f"the generator set keys that do not apply: {b['ignoredContextKeys']}"
        assert "error" not in a, f"the engine could not decide a case the oracle decided: {a['error']}\n{describe(case, a, b)}"
        if a["decision"] == b["decision"]:
            continue
        names = explain(case)
        if names:
            explained.setdefault(names[0], []).append(case)
        else:
            unexplained.append(describe(case, a["decision"], b["decision"]))
    return unexplained, explained, ours


def test_the_evaluators_agree_on_a_generated_corpus(engine):
    cases = corpus()
    unexplained, explained, ours = compare(engine, cases)
    assert not unexplained, f"{len(unexplained)} of {len(cases)} requests decided differently:\n" + "\n".join(unexplained[:15])
    decisions = {d: sum(1 for a in ours if a["decision"] == d) for d in ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied")}
    # The corpus means something only if it reaches every outcome often.
    assert min(decisions.values()) > CASES // 20, decisions
    print(f"agreed on {len(cases) - sum(map(len, explained.values()))} of {len(cases)}; named differences: "
          + ", ".join(f"{k} ({len(v)})" for k, v in explained.items()), decisions)


def app_policy_cases(policies):
    """Each policy the app writes, probed with the requests its promises are about: every action it grants
    and some it does not, in and out of the folder, before and after its end, inside and outside its
    addresses, with and without TLS, an SSE-C header, the KMS key through S3 or not."""
    objects = ["arn:aws:s3:::vendor-data/in/a.txt", "arn:aws:s3:::vendor-data/in/sub/b", "arn:aws:s3:::vendor-data/out/c", "arn:aws:s3:::other-bucket/in/a.txt"]
    contexts = [
        {"aws:CurrentTime": "2026-06-01T00:00:00Z", "aws:SourceIp": "203.0.113.9", "aws:SecureTransport": "true"},
        {"aws:CurrentTime": "2026-09-01T00:00:00Z", "aws:SourceIp": "203.0.113.9", "aws:SecureTransport": "true"},
        {"aws:CurrentTime": "2026-06-01T00:00:00Z", "aws:SourceIp": "2001:db8:1::5", "aws:SecureTransport": "false"},
        {"aws:CurrentTime": "2026-06-01T00:00:00Z", "aws:SourceIp": "198.51.100.7", "aws:SecureTransport": "true"},
    ]
    probes = []
    for resource in objects:
        for action in ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"):
            probes.append((action, resource, {}))
        probes.append(("s3:PutObject", resource, {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}))
    for bucket in ("arn:aws:s3:::vendor-data", "arn:aws:s3:::other-bucket"):
        probes.append(("s3:GetBucketLocation", bucket, {}))
        probes.append(("s3:PutBucketPolicy", bucket, {}))
        for prefix in ("in/", "in/sub/", "", "out/", None):
            probes.append(("s3:ListBucket", bucket, {} if prefix is None else {"s3:prefix": prefix}))
    for via in ("s3.eu-west-1.amazonaws.com", "s3.us-east-1.amazonaws.com", None):
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            extra = {} if via is None else {"kms:ViaService": via}
            probes.append((action, KEY, extra))
            probes.append((action, KEY, {**extra, "kms:ResourceAliases": ["alias/data-key"]}))
    key_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                                          "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
    everyone = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    cases = []
    for pi, p in enumerate(policies):
        # Sessions matter to the session cut-off; the other policies are probed as the user.
        principals = (USER, SESSION) if p["name"] == "revoke-older-sessions" else (USER,)
        for principal in principals:
            for qi, (action, resource, extra) in enumerate(probes):
                # Each probe in one of the contexts, in turn: every policy meets each of them many times.
                context = {**contexts[(pi + qi) % len(contexts)], **extra, "aws:PrincipalArn": ROLE if principal == SESSION else principal}
                if principal == SESSION:
                    context["aws:TokenIssueTime"] = "2026-05-01T00:00:00Z"
                else:
                    context["aws:username"] = "vendor"
                if p["kind"] == "identity":
                    identity, resource_policy = [p["document"]], key_policy if action.startswith("kms:") else None
                else:
                    identity, resource_policy = [everyone], p["document"] if resource.startswith("arn:aws:s3:::vendor-data") else None
                cases.append({"identityPolicies": identity, "boundaryPolicies": [], "resourcePolicy": resource_policy, "principal": principal,
                              "action": action, "resource": resource, "accountId": ACCOUNT, "context": context})
    return cases


def test_the_evaluators_agree_on_every_policy_the_app_writes(engine):
    binary = TARGET / "debug" / "examples" / "evaluate_batch"
    policies = json.loads(subprocess.run([str(binary), "--app-policies"], capture_output=True, text=True, check=True, timeout=60).stdout)
    assert len(policies) > 90 and {p["kind"] for p in policies} == {"identity", "bucket"}
    cases = app_policy_cases(policies)
    unexplained, explained, ours = compare(engine, cases)
    assert not unexplained, f"{len(unexplained)} of {len(cases)} requests decided differently:\n" + "\n".join(unexplained[:15])
    assert not explained, f"a named difference reached a policy the app writes: {list(explained)}"
    assert {a["decision"] for a in ours} == {"Allowed", "ExplicitlyDenied", "ImplicitlyDenied"}


# The named differences themselves, one case each: the engine decides as documented, the oracle otherwise.
# If the oracle is fixed, this says so (and the row in ARCHITECTURE.md can go).
def _case(statement, context, principal=USER, resource="arn:aws:s3:::vendor-data/in/a.txt", version="2012-10-17"):
    return {"identityPolicies": [{"Version": version, "Statement": [statement]}], "boundaryPolicies": [], "resourcePolicy": None,
            "principal": principal, "action": "s3:GetObject", "resource": resource, "accountId": ACCOUNT,
            "context": {"aws:CurrentTime": "2026-06-01T00:00:00Z", **context}}


ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
DOCUMENTED = [
    ("epoch seconds", _case({**ALLOW, "Condition": {"DateLessThan": {"aws:CurrentTime": "1798675200"}}}, {}), "Allowed", "ImplicitlyDenied"),
    ("ForAnyValue IfExists on a missing key", _case({**ALLOW, "Condition": {"ForAnyValue:StringEqualsIfExists": {"aws:CalledVia": "athena.amazonaws.com"}}}, {}), "Allowed", "ImplicitlyDenied"),
    ("bare IPv6 address", _case({**ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": "2001:db8::1"}}}, {"aws:SourceIp": "2001:db8:0:0::1"}), "Allowed", "ImplicitlyDenied"),
    ("variables before 2012-10-17", _case({**ALLOW, "Resource": "arn:aws:s3:::vendor-data/${aws:username}"}, {"aws:username": "vendor"},
                                          resource="arn:aws:s3:::vendor-data/vendor", version="2008-10-17"), "ImplicitlyDenied", "Allowed"),
]


def test_the_named_differences_are_as_documented(engine):
    cases = [c for _, c, _, _ in DOCUMENTED]
    ours, theirs = engine(cases), oracle(cases)
    got = [(name, a.get("decision", a.get("error")), b.get("decision", b.get("error"))) for (name, *_), a, b in zip(DOCUMENTED, ours, theirs, strict=True)]
    assert got == [(name, want_ours, want_theirs) for name, _, want_ours, want_theirs in DOCUMENTED]
    unknown_operator = _case({**ALLOW, "Condition": {"StringEqualz": {"aws:username": "vendor"}}}, {"aws:username": "vendor"})
    [a], [b] = engine([unknown_operator]), oracle([unknown_operator])
    assert "StringEqualz is not a condition operator IAM knows" in a["error"] and b.get("decision") == "ImplicitlyDenied", (a, b)
