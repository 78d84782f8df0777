"""Signing in without the AWS CLI or long-term keys: `s3aw login` (console sign-in through AWS Sign-In, and
IAM Identity Center with --sso) and `s3aw logout`, against the protocol-strict fakes in
tests/harness/fake_signin.py, with the credentials they vend coming from the emulator's STS. The test plays
the person in the browser (S3AW_BROWSER=tests/harness/play-browser.sh follows the authorization URL).

Interop both ways: a session s3aw stores is used (and refreshed, with its DPoP key) by boto3, and one
written in the AWS CLI's format is used by s3aw."""

import base64
import configparser
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "harness"))
import fake_signin  # noqa: E402

BROWSER = str(ROOT / "tests" / "harness" / "play-browser.sh")
START_URL = "https://d-1234567890.awsapps.com/start"


@pytest.fixture(scope="session")
def fake_server(moto):
    server, state, url = fake_signin.start(moto.url)
    yield server, url
    server.shutdown()


@pytest.fixture
def fake(fake_server):
    server, url = fake_server
    server.state = fake_signin.State(server.state.moto_url)  # a clean service for each test
    return Fake(server, url)


class Fake:
    def __init__(self, server, url):
        self.server, self.url = server, url

    @property
    def state(self):
        return self.server.state

    def browser(self, *modes):
        self.state.browser = list(modes)

    def counts(self):
        return dict(self.state.counts)


def signin_env(cli, fake, **extra):
    env = cli.env(via_proxy=False, AWS_ENDPOINT_URL_SIGNIN=fake.url, AWS_ENDPOINT_URL_SSO_OIDC=fake.url, AWS_ENDPOINT_URL_SSO=fake.url, S3AW_BROWSER=BROWSER, **extra)
    # Signed-in profiles only: no keys in the environment to fall back on.
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    env.pop("AWS_REGION")
    return env


def config(cli):
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(cli.home / ".aws" / "config")
    return cp


def login_cache(cli, arn):
    return cli.home / ".aws" / "login" / "cache" / (hashlib.sha256(arn.encode()).hexdigest() + ".json")


def secrets_in(path):
    """Every secret a cache file holds."""
    data = json.loads(Path(path).read_text())
    out = [data.get("refreshToken"), data.get("dpopKey"), data.get("idToken"), data.get("clientSecret")]
    tok = data.get("accessToken")
    if isinstance(tok, dict):
        out += [tok.get("secretAccessKey"), tok.get("sessionToken")]
    else:
        out.append(tok)
    return [s for s in out if s]


def boto3_identity(cli, profile, env, moto):
    """What boto3 sees with `profile`, in its own process (botocore fixes some cache folders at import)."""
    code = "import boto3,json,sys; s=boto3.Session(profile_name=sys.argv[1]); print(json.dumps(s.client('sts', endpoint_url=sys.argv[2]).get_caller_identity()))"
    env = {k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}
    p = subprocess.run([sys.executable, "-c", code, profile, moto.url], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def assert_private(path):
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)


def test_console_sign_in_same_device_is_shared_with_every_tool(cli, fake, moto):
    env = signin_env(cli, fake)
    out = cli.run("--json", "login", "--aws-profile", "me", "--region", "eu-west-1", env=env, check=0)
    got = json.loads(out.stdout)
    assert got["identity"] == fake_signin.CONSOLE_IDENTITY and got["account"] == fake_signin.ACCOUNT and got["profile"] == "me" and got["kind"] == "login"
    assert fake.counts()["token"] == 1 and not fake.state.refusals, fake.state.refusals

    # Stored as the AWS CLI stores it: the profile points at the session; the cache is owner-only.
    section = config(cli)["profile me"]
    assert dict(section) == {"login_session": fake_signin.CONSOLE_IDENTITY, "region": "eu-west-1"}
    cache = login_cache(cli, fake_signin.CONSOLE_IDENTITY)
    assert Path(got["cache_file"]) == cache
    assert_private(cache)
    data = json.loads(cache.read_text())
    assert data["clientId"] == fake_signin.SAME_DEVICE and data["tokenType"] == "aws_sigv4"
    assert data["dpopKey"].startswith("-----BEGIN EC PRIVATE KEY-----") and data["accessToken"]["accountId"] == fake_signin.ACCOUNT
    secrets = secrets_in(cache)

    # Every command uses it (aws-config reads the cache), and `profiles` names its kind.
    who = cli.json("--profile", "me", "whoami", env=env)
    assert who["account"] == fake_signin.ACCOUNT and who["region"] == "eu-west-1"
    profiles = cli.json("profiles", env=env)
    assert {"name": "me", "kind": "login", "signed_in": True} == {k: p[k] for p in profiles if p["name"] == "me" for k in ("name", "kind", "signed_in")}

    # boto3 (botocore's login provider) uses the same session.
    assert boto3_identity(cli, "me", env, moto)["Account"] == fake_signin.ACCOUNT

    # No secret in anything the CLI printed.
    for text in (out.stdout, out.stderr, json.dumps(who), json.dumps(profiles)):
        for s in secrets:
            assert s not in text


def test_expiring_credentials_refresh_with_the_dpop_bound_token_in_s3aw_and_boto3(cli, fake, moto):
    env = signin_env(cli, fake)
    fake.state.expires_in = 60  # inside both SDKs' refresh window: the next use refreshes
    cli.run("login", "--aws-profile", "me", env=env, check=0)
    cache = login_cache(cli, fake_signin.CONSOLE_IDENTITY)
    first_key = json.loads(cache.read_text())["accessToken"]["accessKeyId"]

    cli.run("--profile", "me", "whoami", env=env, check=0)
    assert fake.counts()["refresh"] == 1, fake.state.refusals
    refreshed = json.loads(cache.read_text())
    assert refreshed["accessToken"]["accessKeyId"] != first_key, "aws-config wrote the refreshed credentials back"
    assert_private(cache)

    # botocore refreshes the same session with the same DPoP key (the fake checks the key's thumbprint).
    assert boto3_identity(cli, "me", env, moto)["Account"] == fake_signin.ACCOUNT
    assert fake.counts()["refresh"] == 2 and not fake.state.refusals, fake.state.refusals


def test_a_session_in_the_aws_cli_format_is_used_by_s3aw(cli, fake):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    arn = f"arn:aws:sts::{fake_signin.ACCOUNT}:assumed-role/Admin/alice"
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode()
    nums = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": fake_signin.b64url(nums.x.to_bytes(32, "big")), "y": fake_signin.b64url(nums.y.to_bytes(32, "big"))}
    fake.state.refresh["cli-refresh-token"] = {"client_id": fake_signin.SAME_DEVICE, "thumbprint": fake_signin.thumbprint(jwk), "identity": arn}
    access, secret, token = fake.state.credentials("alice")
    # As `aws login` writes it (expired already, so s3aw must refresh it with the CLI's key).
    cache = login_cache(cli, arn)
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({
        "accessToken": {"accessKeyId": access, "secretAccessKey": secret, "sessionToken": token, "accountId": fake_signin.ACCOUNT, "expiresAt": "2020-01-01T00:00:00Z"},
        "tokenType": "aws_sigv4", "refreshToken": "cli-refresh-token", "idToken": "x.y.z", "clientId": fake_signin.SAME_DEVICE, "dpopKey": pem,
    }))
    (cli.home / ".aws" / "config").write_text(f"[profile cli]\nlogin_session = {arn}\nregion = us-east-1\n")
    env = signin_env(cli, fake)
    assert cli.json("--profile", "cli", "whoami", env=env)["account"] == fake_signin.ACCOUNT
    assert fake.counts()["refresh"] == 1 and not fake.state.refusals, fake.state.refusals
    assert cli.json("profiles", env=env)[0]["kind"] == "login"


def test_a_strangers_callback_is_ignored_and_the_persons_own_redirect_signs_in(cli, fake):
    """A callback with another state (from a page elsewhere) neither ends nor steers the sign-in: it is refused,
    its code is never exchanged, and the person's own redirect still arrives."""
    env = signin_env(cli, fake)
    fake.browser("wrong_state")
    cli.run("login", "--aws-profile", "me", env=env, check=0)
    strangers = [g for g in fake.state.codes.values() if g.get("stranger")]
    assert len(strangers) == 1 and not strangers[0]["used"], "the stranger's code was never exchanged"
    assert fake.counts()["token"] == 1


def test_the_browser_cancelled_or_not_at_all_saves_nothing(cli, fake):
    env = signin_env(cli, fake)
    fake.browser("cancel")
    p = cli.run("login", "--aws-profile", "me", env=env, check=1)
    # AWS's error in the app's own words: the caller's description is never shown.
    assert "cancelled in the browser (AWS says access_denied: the sign-in was declined or closed)" in p.stderr and "The sign-in was cancelled." not in p.stderr, p.stderr
    p = cli.run("login", "--aws-profile", "me", "--timeout", "1", env=dict(env, S3AW_BROWSER="true"), check=1)
    assert "was not finished within 1 minute" in p.stderr, p.stderr
    assert fake.counts()["token"] == 0, "no code was exchanged"
    assert not (cli.home / ".aws" / "config").exists() and not (cli.home / ".aws" / "login").exists()


def test_a_code_from_another_attempt_or_a_tampered_verifier_is_refused(cli, fake):
    """The fake refuses a code exchanged twice or with the wrong PKCE verifier; s3aw says so plainly."""
    env = signin_env(cli, fake)
    # Sign in once so a used code exists; then replay the token call with a wrong verifier by hand.
    cli.run("login", "--aws-profile", "me", env=env, check=0)
    used = next(iter(fake.state.codes))
    grant = fake.state.codes[used]
    status, body = post_token(fake, {"clientId": grant["client_id"], "grantType": "authorization_code", "code": used, "redirectUri": grant["redirect_uri"], "codeVerifier": "x" * 64})
    assert status == 400 and "used already" in body["message"]
    fake.state.codes["fresh"] = dict(grant, used=False, expires=time.time() + 60)
    status, body = post_token(fake, {"clientId": grant["client_id"], "grantType": "authorization_code", "code": "fresh", "redirectUri": grant["redirect_uri"], "codeVerifier": "y" * 64})
    assert status == 400 and "PKCE" in body["message"]


def post_token(fake, body):
    """A CreateOAuth2Token call signed with a fresh DPoP key (what a thief holding a code could do)."""
    import urllib.request

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = ec.generate_private_key(ec.SECP256R1())
    n = key.public_key().public_numbers()
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": fake_signin.b64url(n.x.to_bytes(32, "big")), "y": fake_signin.b64url(n.y.to_bytes(32, "big"))}}
    payload = {"htm": "POST", "htu": fake.url + "/v1/token", "iat": int(time.time()), "jti": os.urandom(8).hex()}
    msg = f"{fake_signin.b64url(json.dumps(header).encode())}.{fake_signin.b64url(json.dumps(payload).encode())}"
    r, s = decode_dss_signature(key.sign(msg.encode(), ec.ECDSA(hashes.SHA256())))
    proof = msg + "." + fake_signin.b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    req = urllib.request.Request(fake.url + "/v1/token", data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json", "DPoP": proof})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_remote_sign_in_takes_the_pasted_code(cli, fake):
    env = signin_env(cli, fake)
    proc = subprocess.Popen([str(cli.exe), "--json", "login", "--remote", "--aws-profile", "far"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    for line in proc.stderr:
        if line.strip().startswith("http"):
            url = line.strip()
            break
    assert url and "client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fcross%2Ddevice" in url, url
    # The person opens it on another device, signs in, and reads the code off the confirmation page.
    status, page = fake_signin.play_browser(url)
    assert status == 200, page
    code = re.search(r"<pre id='code'>([^<]+)</pre>", page).group(1)
    out, err = proc.communicate(code + "\n", timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["identity"] == fake_signin.CONSOLE_IDENTITY
    assert json.loads(login_cache(cli, fake_signin.CONSOLE_IDENTITY).read_text())["clientId"] == fake_signin.CROSS_DEVICE

    # A code that is not one (or from another attempt) is refused before any call.
    p = cli.run("login", "--remote", "--aws-profile", "far", input="not-a-code\n", env=env, check=1)
    assert "not the code the browser showed" in p.stderr, p.stderr
    other = base64.b64encode(b"state=another&code=abc").decode()
    p = cli.run("login", "--remote", "--aws-profile", "far", input=other + "\n", env=env, check=1)
    assert "belongs to another sign-in" in p.stderr, p.stderr


def test_an_ended_session_says_how_to_sign_in_again_and_logout_removes_it(cli, fake):
    env = signin_env(cli, fake)
    fake.state.expires_in = 1
    cli.run("login", "--aws-profile", "me", env=env, check=0)
    fake.state.revoke_refresh = True  # AWS ended the session (12 hours, or signed out elsewhere)
    p = cli.run("--profile", "me", "buckets", env=env, check=3)
    assert "s3aw login --aws-profile me" in p.stderr and "aws login" not in p.stderr.replace("s3aw login", ""), p.stderr
    assert cli.json("--profile", "me", "buckets", env=env, check=3)["error"]["code"] == "login_expired"

    # The person's own setting in the profile, which sign-out must keep.
    (cli.home / ".aws" / "config").write_text((cli.home / ".aws" / "config").read_text().replace("[profile me]\n", "[profile me]\noutput = table\n"))
    out = cli.json("logout", "--aws-profile", "me", env=env)
    assert out["cache_removed"] is True and out["kept_for"] == []
    assert not login_cache(cli, fake_signin.CONSOLE_IDENTITY).exists()
    assert config(cli).has_section("profile me") and "login_session" not in config(cli)["profile me"], "only what sign-in added is removed"
    assert config(cli)["profile me"]["output"] == "table"
    p = cli.run("logout", "--aws-profile", "me", env=env, check=1)
    assert "is not a sign-in profile" in p.stderr, p.stderr


def test_signing_out_one_profile_keeps_the_session_another_profile_uses(cli, fake):
    env = signin_env(cli, fake)
    cli.run("login", "--aws-profile", "me", env=env, check=0)
    session = config(cli)["profile me"]["login_session"]
    with open(cli.home / ".aws" / "config", "a") as f:
        f.write(f"\n[profile me-too]\nlogin_session = {session}\nregion = eu-west-1\n")
    out = cli.json("logout", "--aws-profile", "me", env=env)
    assert out["kept_for"] == ["me-too"] and out["cache_removed"] is False
    assert login_cache(cli, fake_signin.CONSOLE_IDENTITY).exists(), "me-too still signs in with it"
    assert cli.json("--profile", "me-too", "whoami", env=env)["arn"]
    assert cli.json("logout", "--aws-profile", "me-too", env=env)["cache_removed"] is True
    assert not login_cache(cli, fake_signin.CONSOLE_IDENTITY).exists()


def test_a_profile_with_a_web_identity_token_is_not_given_a_sign_in(cli, fake):
    """botocore and the SDKs take web_identity_token_file before login_session: the sign-in would be
    silently ignored."""
    (cli.home / ".aws").mkdir()
    (cli.home / ".aws" / "config").write_text("[profile ci]\nweb_identity_token_file = /var/run/token\n")
    p = cli.run("login", "--aws-profile", "ci", env=signin_env(cli, fake), check=1)
    assert "web identity token" in p.stderr and "choose another name" in p.stderr, p.stderr
    assert fake.counts()["authorize"] == 0
    assert (cli.home / ".aws" / "config").read_text() == "[profile ci]\nweb_identity_token_file = /var/run/token\n"


def test_a_profile_that_gets_credentials_another_way_is_not_taken_over(cli, fake):
    (cli.home / ".aws").mkdir()
    (cli.home / ".aws" / "credentials").write_text("[work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n")
    p = cli.run("login", "--aws-profile", "work", env=signin_env(cli, fake), check=1)
    assert "already gets its credentials another way (keys)" in p.stderr, p.stderr
    assert fake.counts()["authorize"] == 0 and not (cli.home / ".aws" / "config").exists()


def test_identity_center_sign_in_picks_an_account_and_role_and_is_shared(cli, fake, moto):
    env = signin_env(cli, fake)
    p = cli.run("login", "--sso", "--start-url", START_URL, "--sso-region", "eu-central-1", env=env, check=2)
    assert "--account ID" in p.stderr and "123456789012 (Production)" in p.stderr and "210987654321 (Sandbox)" in p.stderr, p.stderr
    token_file = cli.home / ".aws" / "sso" / "cache" / (hashlib.sha1(b"d-1234567890").hexdigest() + ".json")
    assert_private(token_file)
    p = cli.run("login", "--sso", "--start-url", START_URL, "--sso-region", "eu-central-1", "--account", fake_signin.ACCOUNT, env=env, check=2)
    assert "--role NAME (one of: AdministratorAccess, S3Admin)" in p.stderr, p.stderr
    got = cli.json("login", "--sso", "--start-url", START_URL, "--sso-region", "eu-central-1", "--account", fake_signin.ACCOUNT, "--role", "S3Admin", "--region", "us-east-1", env=env)
    assert got["profile"] == "S3Admin-123456789012" and got["sso_session"] == "d-1234567890"
    assert fake.counts()["register"] == 1 and fake.counts()["sso_token"] == 1, "one browser sign-in, reused for the later runs"

    cp = config(cli)
    assert dict(cp["sso-session d-1234567890"]) == {"sso_start_url": START_URL, "sso_region": "eu-central-1", "sso_registration_scopes": "sso:account:access"}
    assert dict(cp["profile S3Admin-123456789012"]) == {"sso_session": "d-1234567890", "sso_account_id": fake_signin.ACCOUNT, "sso_role_name": "S3Admin", "region": "us-east-1"}
    cached = json.loads(token_file.read_text())
    assert cached["startUrl"] == START_URL and cached["clientId"].startswith("client-") and cached["refreshToken"]

    # s3aw (aws-config's SSO provider) and boto3 both use the profile: role credentials from the portal.
    assert cli.json("--profile", "S3Admin-123456789012", "whoami", env=env)["account"] == fake_signin.ACCOUNT
    assert boto3_identity(cli, "S3Admin-123456789012", env, moto)["Account"] == fake_signin.ACCOUNT
    assert fake.counts()["role_credentials"] == 2

    # An ended session: a plain message naming s3aw (never `aws sso login`), then one command renews it.
    cached["expiresAt"] = "2020-01-01T00:00:00Z"
    cached.pop("refreshToken")
    token_file.write_text(json.dumps(cached))
    p = cli.run("--profile", "S3Admin-123456789012", "whoami", env=env, check=3)
    assert "s3aw login --sso --aws-profile S3Admin-123456789012" in p.stderr and "aws sso login" not in p.stderr, p.stderr
    assert cli.json("profiles", env=env)[0]["signed_in"] is False
    again = cli.json("login", "--aws-profile", "S3Admin-123456789012", env=env)
    assert again["role"] == "S3Admin" and again["account"] == fake_signin.ACCOUNT
    assert cli.json("--profile", "S3Admin-123456789012", "whoami", env=env)["account"] == fake_signin.ACCOUNT
    for s in secrets_in(token_file):
        assert s not in p.stdout + p.stderr

    # Signing out ends the session at AWS first (sso:Logout), as `aws sso logout` does, then deletes the
    # cached token; the profile stays for signing in again.
    out = cli.json("logout", "--aws-profile", "S3Admin-123456789012", env=env)
    assert out["ended_at_aws"] is True and out["cache_removed"] is True and fake.counts()["sso_logout"] == 1
    assert not token_file.exists() and config(cli).has_section("profile S3Admin-123456789012")


def test_identity_center_sessions_never_share_a_name_or_get_repointed(cli, fake):
    env = signin_env(cli, fake)
    # Someone's own session already holds the name the instance id would give, for another start URL.
    (cli.home / ".aws").mkdir()
    theirs = "[sso-session d-1234567890]\nsso_start_url = https://d-1234567890.awsapps.com/other\nsso_region = us-east-1\n"
    (cli.home / ".aws" / "config").write_text(theirs)
    got = cli.json("login", "--sso", "--start-url", START_URL, "--sso-region", "eu-central-1", "--account", fake_signin.ACCOUNT, "--role", "S3Admin", env=env)
    assert got["sso_session"].startswith("d-1234567890-") and got["sso_session"] != "d-1234567890"
    cp = config(cli)
    assert cp["sso-session d-1234567890"]["sso_start_url"] == "https://d-1234567890.awsapps.com/other", "theirs is never repointed"
    assert cp[f"sso-session {got['sso_session']}"]["sso_start_url"] == START_URL

    # A cached sign-in is used only for a valid region: the bearer token never goes to a host built from
    # anything else.
    p = cli.run("login", "--sso", "--start-url", START_URL, "--sso-region", "eu-central-1.evil.example#", "--account", fake_signin.ACCOUNT, "--role", "S3Admin", env=env, check=1)
    assert "region" in p.stderr, p.stderr


def test_identity_center_refusals_are_plain(cli, fake):
    env = signin_env(cli, fake)
    p = cli.run("login", "--sso", "--start-url", "http://not-https.example", env=env, check=1)
    assert "is not an AWS access portal URL" in p.stderr
    p = cli.run("login", "--sso", env=env, check=2)
    assert "--sso needs --start-url" in p.stderr
    fake.browser("cancel")
    p = cli.run("login", "--sso", "--start-url", START_URL, env=env, check=1)
    assert "cancelled in the browser" in p.stderr, p.stderr
    fake.browser("approve")
    p = cli.run("login", "--sso", "--start-url", START_URL, "--account", "999999999999", env=env, check=1)
    assert "you may not use account 999999999999" in p.stderr, p.stderr
