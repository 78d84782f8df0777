"""The independent IAM evaluator the suites hold the app to (tests/oracle: @cloud-copilot/iam-simulate, pinned).

moto runs every call but ignores IAM conditions other than StringEquals (the end date, source addresses,
`s3:prefix`, TLS, the SSE-C header, token issue times). The oracle decides what AWS would, on the policies
exactly as the app wrote them (read back from the emulator with `policies_of`).

    from oracle import decide, req, policies_of
    p = policies_of(iam, user="vendor")
    assert decide([req(p, "s3:GetObject", "arn:aws:s3:::b/in/a.txt"),
                   req(p, "s3:PutObject", "arn:aws:s3:::b/out/x")]) == ["Allowed", "ImplicitlyDenied"]

Every request carries the global keys AWS always sets (`aws:CurrentTime`, `aws:SecureTransport`, `aws:SourceIp`,
`aws:PrincipalArn`, `aws:username` for users) unless the test sets them itself. Strict mode only. A request whose
context holds a key that does not apply to its action is a typo in the test: `decide` fails on it, as on any
policy the evaluator cannot read. Known gaps of the evaluator: dates as epoch seconds compare wrongly (the app
writes ISO 8601), and an unknown condition operator evaluates false instead of failing."""

import datetime
import json
import subprocess
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oracle" / "decide.mjs"
ACCOUNT = "123456789012"
# A public address from the documentation range: what AWS sees for a caller on the internet.
CALLER_IP = "198.51.100.7"
DECISIONS = ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied")


class OracleError(AssertionError):
    pass


def now_iso(delta=datetime.timedelta()):
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


class Policies:
    """Everything that decides what one principal may do: its identity policies, its permissions boundary,
    and the bucket policy (resource policy) of the bucket a request goes to."""

    def __init__(self, identity, boundary=None, bucket_policies=None, principal=f"arn:aws:iam::{ACCOUNT}:user/vendor", key_policies=None):
        self.identity = list(identity)
        self.boundary = list(boundary or [])
        self.bucket_policies = dict(bucket_policies or {})
        self.key_policies = dict(key_policies or {})
        self.principal = principal

    def with_bucket_policy(self, bucket, doc):
        return Policies(self.identity, self.boundary, {**self.bucket_policies, bucket: doc}, self.principal, self.key_policies)

    def with_key_policy(self, key_arn, doc=None):
        """A KMS key and its key policy (by default the one AWS gives a new key: IAM policies of the account
        decide). KMS, unlike S3, refuses a key whose key policy does not let IAM policies decide."""
        doc = doc or default_key_policy(key_arn.split(":")[4])
        return Policies(self.identity, self.boundary, self.bucket_policies, self.principal, {**self.key_policies, key_arn: doc})


def default_key_policy(account=ACCOUNT):
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]}


def req(policies, action, resource, *, context=None, now=None, secure=True, source_ip=CALLER_IP, account=ACCOUNT, resource_policy=None):
    """One request as AWS would see it from `policies.principal`. `context` adds or overrides keys. The
    resource's own policy is the bucket's or the KMS key's held in `policies`, or `resource_policy` (a role's
    trust policy for sts:AssumeRole). `account` owns the resource."""
    if not isinstance(policies, Policies):
        policies = Policies(policies)
    ctx = {
        "aws:CurrentTime": now or now_iso(),
        "aws:SecureTransport": "true" if secure else "false",
        "aws:SourceIp": source_ip,
        "aws:PrincipalArn": policies.principal,
    }
    if ":user/" in policies.principal:
        ctx["aws:username"] = policies.principal.rsplit("/", 1)[1]
    ctx.update(context or {})
    ctx = {k: v for k, v in ctx.items() if v is not None}
    resource_policy = resource_policy or policies.key_policies.get(resource)
    if resource_policy is None and resource.startswith("arn:aws:s3:::"):
        bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
        resource_policy = policies.bucket_policies.get(bucket)
    return {
        "identityPolicies": policies.identity,
        "boundaryPolicies": policies.boundary,
        "resourcePolicy": resource_policy,
        "principal": policies.principal,
        "action": action,
        "resource": resource,
        "accountId": account,
        "context": ctx,
    }


def decide(cases):
    """The evaluator's decision for each case, in order. Fails on anything the evaluator could not read and on
    context keys it ignored (a key that does not apply to the action: a mistake in the test)."""
    if not cases:
        return []
    proc = subprocess.run(["node", str(SCRIPT)], input=json.dumps(cases), capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise OracleError(f"the IAM evaluator failed (is `make setup` done?):\n{proc.stderr[-3000:]}")
    answers = json.loads(proc.stdout)
    out = []
    for case, answer in zip(cases, answers, strict=True):
        what = f"{case['action']} on {case['resource']} with {case['context']}"
        if "error" in answer:
            raise OracleError(f"the IAM evaluator could not decide {what}: {answer['error'][:2000]}")
        if answer["ignoredContextKeys"]:
            raise OracleError(f"context keys that do not apply to {case['action']}: {answer['ignoredContextKeys']} ({what})")
        assert answer["decision"] in DECISIONS, answer
        out.append(answer["decision"])
    return out


def allowed(policies, action, resource, **kw):
    return decide([req(policies, action, resource, **kw)])[0] == "Allowed"


def _doc(d):
    return json.loads(urllib.parse.unquote(d)) if isinstance(d, str) else d


def _managed(iam, arn):
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _doc(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def policies_of(iam, user=None, role=None, s3=None, buckets=()):
    """Every policy that decides what a user or role may do, read back from the account exactly as stored:
    inline, attached managed (default version), its groups' inline and attached policies, its permissions
    boundary, and (with `s3`) the bucket policies of `buckets`."""
    identity = []
    if user:
        entity = iam.get_user(UserName=user)["User"]
        for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
            identity.append(_doc(iam.get_user_policy(UserName=user, PolicyName=name)["PolicyDocument"]))
        attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
        for g in iam.list_groups_for_user(UserName=user)["Groups"]:
            group = g["GroupName"]
            for name in iam.list_group_policies(GroupName=group)["PolicyNames"]:
                identity.append(_doc(iam.get_group_policy(GroupName=group, PolicyName=name)["PolicyDocument"]))
            attached += iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]
    else:
        entity = iam.get_role(RoleName=role)["Role"]
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            identity.append(_doc(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]))
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    identity += [_managed(iam, p["PolicyArn"]) for p in attached]
    boundary_arn = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    boundary = [_managed(iam, boundary_arn)] if boundary_arn else []
    bucket_policies = {}
    for b in buckets:
        try:
            bucket_policies[b] = json.loads(s3.get_bucket_policy(Bucket=b)["Policy"])
        except s3.exceptions.ClientError:
            pass
    return Policies(identity, boundary, bucket_policies, entity["Arn"])
