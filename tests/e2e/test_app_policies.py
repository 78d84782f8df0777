"""What the app's own policies promise, decided by the independent IAM evaluator (tests/oracle), on the policy
exactly as the app writes it.

moto runs the grants (and the other suites prove the key exists and the calls are made), but it counts every
condition except StringEquals as met: the folder's `s3:prefix` on listings, the end date, the source addresses,
the SSE-C Deny, `kms:ViaService` and the TLS-only bucket policy are decided here instead. Every level x folder or
whole bucket x listing or not x end date x source addresses x the bucket's KMS key x a TLS-only bucket policy is
planned (`grant --dry-run --json`: the identity policy and the merged bucket policy the apply would send), and
each is held to its promise with requests inside it (allowed) and outside it (refused). A covering subset is
then granted for real and its policies read back from the account, so what AWS stores is what was judged."""

import concurrent.futures
import itertools

import pytest

from oracle import ACCOUNT, Policies, decide, policies_of, req

BUCKET = "data"
B = f"arn:aws:s3:::{BUCKET}"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000abcd-12ab-34cd-56ef-000000000000"
END = "2031-01-01"
RANGE, INSIDE_IP, OUTSIDE_IP = "203.0.113.0/24", "203.0.113.9", "198.51.100.7"
# S3 calls KMS for the user from S3's own address, not the user's.
S3_SERVICE_IP = "52.94.133.131"
SSE_C = {"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}
LEVELS = ("read", "upload", "read-write", "full")
READS = {"read", "read-write", "full"}


class Spec:
    def __init__(self, level, folder, listing, ends, ips, kms, tls):
        self.level, self.folder, self.listing, self.ends, self.ips, self.kms, self.tls = level, folder, listing, ends, ips, kms, tls

    def __repr__(self):
        return (f"{self.level} on {'in/' if self.folder else 'the whole bucket'}{'' if self.listing else ', no listing'}"
                f"{', ends ' + END if self.ends else ''}{', from ' + RANGE if self.ips else ''}{', KMS key' if self.kms else ''}"
                f"{', TLS-only bucket' if self.tls else ''}")

    def args(self):
        a = ["grant", "iam-user", "--bucket", BUCKET, "--access", self.level, "--user", "vendor"]
        a += ["--prefix", "in"] if self.folder else []
        a += [] if self.listing else ["--no-list"]
        a += ["--ends", END] if self.ends else []
        a += ["--source-ip", RANGE] if self.ips else []
        a += ["--encrypt", "--kms-key", KMS_KEY] if self.kms else []
        a += ["--tls-only"] if self.tls else []
        return a


def all_specs():
    for level, folder, listing, ends, ips, kms, tls in itertools.product(LEVELS, *[(True, False)] * 6):
        if listing is False and level not in READS:
            continue  # "no listing" only changes levels that read
        yield Spec(level, folder, listing, ends, ips, kms, tls)


def promises(spec, policies):
    """(request, what AWS must decide) pairs: "Allowed", or "refused" (either kind of deny), or an exact decision."""
    reads, writes, deletes = spec.level in READS, spec.level != "read", spec.level == "full"
    lists = reads and spec.listing
    folder = "in/" if spec.folder else ""
    here = dict(source_ip=INSIDE_IP if spec.ips else OUTSIDE_IP)
    obj = f"{B}/{folder}reports/2026.csv"
    inside = [
        ("s3:GetBucketLocation", B, {}, True),
        ("s3:ListBucket", B, {"s3:prefix": folder}, lists),
        ("s3:ListBucket", B, {"s3:prefix": f"{folder}reports/"}, lists),
        ("s3:GetObject", obj, {}, reads),
        ("s3:GetObjectVersion", obj, {}, reads),
        ("s3:PutObject", obj, {}, writes),
        ("s3:AbortMultipartUpload", obj, {}, writes),
        ("s3:DeleteObject", obj, {}, deletes),
    ]
    out = []
    for action, resource, ctx, want in inside:
        out.append((req(policies, action, resource, context=ctx, **here), "Allowed" if want else "refused"))
        if want:
            # After the end: refused. From another address: refused. Over plain HTTP on a TLS-only bucket: refused.
            if spec.ends:
                out.append((req(policies, action, resource, context=ctx, now="2031-01-01T00:00:01Z", **here), "refused"))
                out.append((req(policies, action, resource, context=ctx, now="2030-12-31T23:59:59Z", **here), "Allowed"))
            else:
                out.append((req(policies, action, resource, context=ctx, now="2035-06-01T00:00:00Z", **here), "Allowed"))
            if spec.ips:
                out.append((req(policies, action, resource, context=ctx, source_ip=OUTSIDE_IP), "refused"))
            out.append((req(policies, action, resource, context=ctx, secure=False, **here), "ExplicitlyDenied" if spec.tls else "Allowed"))
    # Uploads with a key only the uploader holds are refused by an explicit Deny on every level that writes.
    out.append((req(policies, "s3:PutObject", obj, context=SSE_C, **here), "ExplicitlyDenied" if writes else "refused"))
    # Never, on any level: outside the folder, another bucket, the bucket's settings, ACLs and locks, other services.
    never = [
        ("s3:ListBucket", f"arn:aws:s3:::{BUCKET}-backups", {"s3:prefix": folder}),
        ("s3:GetBucketLocation", "arn:aws:s3:::elsewhere", {}),
        ("s3:GetObject", f"arn:aws:s3:::elsewhere/{folder}reports/2026.csv", {}),
        ("s3:PutObject", f"arn:aws:s3:::{BUCKET}-backups/{folder}x", {}),
        ("s3:PutBucketPolicy", B, {}),
        ("s3:PutBucketCORS", B, {}),
        ("s3:PutBucketPublicAccessBlock", B, {}),
        ("s3:PutEncryptionConfiguration", B, {}),
        ("s3:DeleteBucket", B, {}),
        ("s3:PutObjectAcl", obj, {}),
        ("s3:PutObjectRetention", obj, {}),
        ("s3:PutObjectLegalHold", obj, {}),
        ("s3:BypassGovernanceRetention", obj, {}),
        ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/vendor", {}),
        ("iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/vendor", {}),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/admin", {}),
        ("kms:Decrypt", KMS_KEY, {}),  # directly, not through S3
        ("kms:Decrypt", OTHER_KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com"}),
    ]
    if spec.folder:
        never += [
            ("s3:ListBucket", B, {"s3:prefix": ""}),
            ("s3:ListBucket", B, {}),
            ("s3:ListBucket", B, {"s3:prefix": "inbox/"}),
            ("s3:ListBucket", B, {"s3:prefix": "out/"}),
            ("s3:GetObject", f"{B}/out/report.csv", {}),
            ("s3:GetObject", f"{B}/inbox/report.csv", {}),
            ("s3:PutObject", f"{B}/out/report.csv", {}),
            ("s3:DeleteObject", f"{B}/report.csv", {}),
        ]
    out += [(req(policies, a, r, context=c, **here), "refused") for a, r, c in never]
    if spec.kms:
        via = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
        out.append((req(policies, "kms:Decrypt", KMS_KEY, context=via, source_ip=S3_SERVICE_IP), "Allowed"))
        out.append((req(policies, "kms:GenerateDataKey", KMS_KEY, context=via, source_ip=S3_SERVICE_IP), "Allowed" if writes else "refused"))
        if spec.ends:
            out.append((req(policies, "kms:Decrypt", KMS_KEY, context=via, source_ip=S3_SERVICE_IP, now="2031-01-01T00:00:01Z"), "refused"))
        out.append((req(policies, "kms:Decrypt", KMS_KEY, context={"kms:ViaService": "ec2.us-east-1.amazonaws.com"}, source_ip=S3_SERVICE_IP), "refused"))
    return out


def misjudged(cases, decided):
    wrong = []
    for (case, want), got in zip(cases, decided, strict=True):
        ok = got != "Allowed" if want == "refused" else got == want
        if not ok:
            wrong.append(f"  {case['action']} on {case['resource']} {case['context']}: AWS decides {got}, the promise is {want}")
    return wrong


def held_to_promises(spec, policies):
    cases = promises(spec, policies)
    return misjudged(cases, decide([c for c, _ in cases]))


def planned_policies(plan):
    identity = plan["policy"]
    bucket_policy = next((s["document"] for s in plan["steps"] if s["call"].startswith("s3:PutBucketPolicy")), None)
    p = Policies([identity]).with_key_policy(KMS_KEY).with_key_policy(OTHER_KEY)
    return p.with_bucket_policy(BUCKET, bucket_policy) if bucket_policy else p


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="in/report.txt", Body=b"report")


def test_every_combination_the_app_plans_keeps_its_promises(cli, bucket):
    """The TLS-only statement is the bucket's, whatever the grant: it is planned once and judged with every
    identity policy, so 112 plans give the 224 combinations."""
    specs = list(all_specs())
    assert len(specs) == 224
    tls_plan = cli.json(*Spec("read", True, True, False, False, False, True).args(), "--dry-run")
    tls_policy = next(s["document"] for s in tls_plan["steps"] if s["call"] == "s3:PutBucketPolicy")
    plan_args = {tuple(spec.args()) for spec in specs if not spec.tls}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        plans = dict(zip(plan_args, pool.map(lambda a: cli.json(*a, "--dry-run"), plan_args)))
    judged = []
    for spec in specs:
        plan = plans[tuple(Spec(spec.level, spec.folder, spec.listing, spec.ends, spec.ips, spec.kms, False).args())]
        assert plan["policy"] is not None, spec
        policies = planned_policies(plan)
        judged.append((spec, promises(spec, policies.with_bucket_policy(BUCKET, tls_policy) if spec.tls else policies)))
    decided = iter(decide([case for _, cases in judged for case, _ in cases]))
    failures = []
    for spec, cases in judged:
        wrong = misjudged(cases, [next(decided) for _ in cases])
        if wrong:
            failures.append(f"{spec}:\n" + "\n".join(wrong))
    print(f"{len(plans) + 1} plans, {len(specs)} combinations, {sum(len(c) for _, c in judged)} requests decided")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("spec", [
    Spec("read", True, True, False, False, False, False),
    Spec("upload", True, True, True, True, False, False),
    Spec("read-write", False, True, False, True, True, True),
    Spec("full", True, True, True, False, True, False),
    Spec("read", False, False, True, True, True, True),
], ids=repr)
def test_what_the_account_holds_after_a_grant_keeps_its_promises(cli, iam, s3, bucket, spec):
    """The same judgement on the policies read back from the account after a real grant."""
    cli.json(*spec.args(), "--yes", "--no-keychain", "--show-secret")
    held = policies_of(iam, user="vendor", s3=s3, buckets=[BUCKET]).with_key_policy(KMS_KEY).with_key_policy(OTHER_KEY)
    if spec.tls:
        assert BUCKET in held.bucket_policies, "the TLS-only statement is in the bucket policy"
    wrong = held_to_promises(spec, held)
    assert not wrong, f"{spec}:\n" + "\n".join(wrong)


def test_the_judgement_can_fail():
    """A policy broader than its promise is caught: read on the folder, but listing the whole bucket."""
    spec = Spec("read", True, True, False, False, False, False)
    broad = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": B},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": f"{B}/in/*"},
    ]}
    wrong = held_to_promises(spec, Policies([broad]).with_key_policy(KMS_KEY))
    assert any("s3:ListBucket" in w and "'s3:prefix': ''" in w for w in wrong), wrong
