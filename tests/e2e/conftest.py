"""Fixtures for the end-to-end suites: a real moto server, the fault-injecting proxy in front of it, the
`s3aw` binary, a private HOME and config folder per test, and boto3 clients that see what the emulator holds.

Run through `make test`, which starts a private D-Bus session with an unlocked GNOME Keyring first."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
ARTIFACTS = ROOT / "tests" / ".artifacts"
sys.path.insert(0, str(ROOT / "tests" / "harness"))
import fault_proxy  # noqa: E402
from oracle import decide, policies_of, req  # noqa: E402

ADMIN = {"AWS_ACCESS_KEY_ID": "AKIAADMINEXAMPLE0001", "AWS_SECRET_ACCESS_KEY": "admin-secret-not-checked-by-moto"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, data=b""):
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


class Moto:
    def __init__(self, url, proxy_url, proxy_state):
        self.url = url
        self.proxy_url = proxy_url
        self.proxy = proxy_state

    def reset(self):
        post(self.url + "/moto-api/reset-auth", b"inf")
        post(self.url + "/moto-api/reset")
        with self.proxy.lock:
            self.proxy.faults.clear()
            self.proxy.sticky.clear()
            self.proxy.log.clear()
            fault_proxy.release(self.proxy)

    def enforce_iam(self, on=True):
        """Turn moto's IAM policy enforcement on (every later request is checked) or off."""
        post(self.url + "/moto-api/reset-auth", b"0" if on else b"inf")

    def fail_next(self, operation):
        with self.proxy.lock:
            self.proxy.faults.append(operation)

    def fail_always(self, operation, unless_key=ADMIN["AWS_ACCESS_KEY_ID"]):
        """Fail every request for `operation` not signed with `unless_key`, until the next reset."""
        with self.proxy.lock:
            self.proxy.sticky.append({"operation": operation, "sticky": True, "unless_key": unless_key})

    def withhold_answer(self, operation, after=None):
        """Forward the next `operation` (made after one for `after`, when given) to the emulator and keep its
        answer from the client until `release`."""
        with self.proxy.lock:
            self.proxy.withhold.setdefault(operation, (fault_proxy.threading.Event(), after))

    def withheld(self):
        """The operations done by the emulator whose answer is being withheld now."""
        with self.proxy.lock:
            return list(self.proxy.withheld)

    def release(self):
        with self.proxy.lock:
            fault_proxy.release(self.proxy)

    def reset_faults(self):
        with self.proxy.lock:
            self.proxy.faults.clear()
            self.proxy.sticky.clear()

    def operations(self):
        with self.proxy.lock:
            return list(self.proxy.log)

    def clear_operations(self):
        with self.proxy.lock:
            self.proxy.log.clear()


@pytest.fixture(scope="session")
def moto():
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "moto-e2e.log", "w")
    # moto_server, with its IAM signature check fixed for the Rust SDK's form encoding (see the file).
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "harness" / "moto_server.py"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
            break
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("moto server did not start; see tests/.artifacts/moto-e2e.log")
            time.sleep(0.2)
    server, state, proxy_url = fault_proxy.start(url)
    yield Moto(url, proxy_url, state)
    server.shutdown()
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def aws(moto):
    """A clean emulator for each test."""
    moto.reset()
    yield moto
    moto.enforce_iam(False)


def client(service, moto, **creds):
    return boto3.client(
        service,
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id=creds.get("key", ADMIN["AWS_ACCESS_KEY_ID"]),
        aws_secret_access_key=creds.get("secret", ADMIN["AWS_SECRET_ACCESS_KEY"]),
    )


@pytest.fixture
def iam(aws):
    return client("iam", aws)


@pytest.fixture
def s3(aws):
    return client("s3", aws)


@pytest.fixture(scope="session")
def s3aw_bin():
    # `make wine-test` points this at the Windows build under Wine (tests/harness/wine-s3aw.sh).
    if os.environ.get("S3AW_BIN"):
        return Path(os.environ["S3AW_BIN"])
    exe = TARGET / "debug" / "s3aw"
    if not exe.exists():
        subprocess.run(["cargo", "build", "-p", "s3aw"], cwd=ROOT, check=True)
    return exe


class Cli:
    def __init__(self, exe, moto, home, service):
        self.exe = exe
        self.moto = moto
        self.home = home
        self.service = service
        self.config_dir = home / "s3aw-config"

    def env(self, via_proxy=True, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(ADMIN)
        env.update(
            HOME=str(self.home),
            AWS_REGION="us-east-1",
            AWS_ENDPOINT_URL=self.moto.proxy_url if via_proxy else self.moto.url,
            S3AW_KEYCHAIN_SERVICE=self.service,
            S3AW_CONFIG_DIR=str(self.config_dir),
        )
        env.update(extra)
        return env

    def run(self, *args, check=None, input=None, env=None, via_proxy=True, **extra_env):
        proc = subprocess.run(
            [str(self.exe), *args], capture_output=True, text=True, input=input, env=env or self.env(via_proxy, **extra_env), timeout=120
        )
        if check is not None and proc.returncode != check:
            raise AssertionError(f"s3aw {' '.join(args)} exited {proc.returncode}, expected {check}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def json(self, *args, **kw):
        proc = self.run("--json", *args, check=kw.pop("check", 0), **kw)
        return json.loads(proc.stdout)

    def keychain_secret(self, entry):
        """Read an entry straight from the Secret Service with libsecret's own tool."""
        proc = subprocess.run(["secret-tool", "lookup", "service", self.service, "username", entry], capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None

    def keychain_entries(self):
        proc = subprocess.run(["secret-tool", "search", "--all", "service", self.service], capture_output=True, text=True)
        return sorted(line.split("=", 1)[1].strip() for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("attribute.username"))


@pytest.fixture
def cli(aws, s3aw_bin, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    c = Cli(s3aw_bin, aws, home, f"s3aw-test-{uuid.uuid4().hex[:8]}")
    yield c
    for entry in c.keychain_entries():
        subprocess.run(["secret-tool", "clear", "service", c.service, "username", entry])


def account_state(iam, s3, service_cli=None):
    """Everything a grant could touch, for before/after comparisons."""
    users = {}
    for u in iam.list_users()["Users"]:
        name = u["UserName"]
        users[name] = {
            "keys": sorted(k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]),
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]),
            "inline": sorted(iam.list_user_policies(UserName=name)["PolicyNames"]),
        }
    policies = sorted(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"])
    roles = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    buckets = {}
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]
        try:
            cors = s3.get_bucket_cors(Bucket=name)["CORSRules"]
        except s3.exceptions.ClientError:
            cors = None
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        except s3.exceptions.ClientError:
            policy = None
        buckets[name] = {"cors": cors, "policy": policy}
    state = {"users": users, "policies": policies, "roles": roles, "buckets": buckets}
    if service_cli is not None:
        state["keychain"] = service_cli.keychain_entries()
    return state


SSE_C_HEADER_KEY = "s3:x-amz-server-side-encryption-customer-algorithm"
SSE_C_DENY = {
    "Sid": "DenyCustomerProvidedKeys",
    "Effect": "Deny",
    "Action": ["s3:PutObject"],
    "Condition": {"Null": {SSE_C_HEADER_KEY: "false"}},
}


def _doc(d):
    return json.loads(urllib.parse.unquote(d)) if isinstance(d, str) else d


def _without_sse_c_deny(doc):
    kept = [st for st in doc["Statement"] if st.get("Sid") != SSE_C_DENY["Sid"]]
    deny = [st for st in doc["Statement"] if st.get("Sid") == SSE_C_DENY["Sid"]]
    return {**doc, "Statement": kept}, deny


def as_aws_evaluates(iam, user=None, role=None):
    """Make the emulator evaluate a grant's policy as AWS does, for the enforcement probes that follow.

    moto evaluates only StringEquals conditions and counts any other as met (moto/iam/policy_conditions.py),
    so the Deny of uploads carrying a customer-provided key (SSE-C; `Null` on its header = false) would refuse
    every upload there. AWS applies it only to uploads that carry such a key. First the independent evaluator
    (tests/oracle) decides, on every policy of the user or role exactly as the app wrote it, that the
    statement refuses an upload with such a key and does not refuse one without; only then is it taken out of
    the emulator's copy, so moto's probes test the rest of the policy. Returns the removed statements (one for
    levels that write, none for read)."""
    _oracle_proves_the_sse_c_deny(iam, user=user, role=role)
    removed = []
    if user:
        for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
            doc, deny = _without_sse_c_deny(_doc(iam.get_user_policy(UserName=user, PolicyName=name)["PolicyDocument"]))
            if deny:
                iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(doc))
            removed += deny
        attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    else:
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    for p in attached:
        arn = p["PolicyArn"]
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc, deny = _without_sse_c_deny(_doc(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]))
        if deny:
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=True)
        removed += deny
    for st in removed:
        assert {k: st[k] for k in ("Effect", "Action", "Condition")} == {k: SSE_C_DENY[k] for k in ("Effect", "Action", "Condition")}, st
    return removed


def _oracle_proves_the_sse_c_deny(iam, user=None, role=None):
    policies = policies_of(iam, user=user, role=role)
    denies = [st for doc in policies.identity for st in doc["Statement"] if st.get("Sid") == SSE_C_DENY["Sid"]]
    for st in denies:
        for resource in st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]:
            obj = resource.rstrip("*") + "oracle-probe.bin"
            with_key = {SSE_C_HEADER_KEY: "AES256"}
            plain, sse_c = decide([req(policies, "s3:PutObject", obj), req(policies, "s3:PutObject", obj, context=with_key)])
            assert sse_c == "ExplicitlyDenied", f"AWS would not refuse an SSE-C upload to {obj}: {sse_c}"
            assert plain != "ExplicitlyDenied", f"the SSE-C Deny would refuse every upload to {obj}"
