"""A fake AWS Sign-In and a fake IAM Identity Center (SSO OIDC and the access portal) on one local port,
for the sign-in tests. AWS cannot be reached from a test, so these speak the documented wire protocols
strictly, and refuse what the real services refuse:

AWS Sign-In (what `aws login` and aws-config's `credentials-login` use)
  GET  /v1/authorize             the browser: checks every parameter, then redirects to the loopback (or,
                                 for the cross-device client, to /v1/sessions/confirmation) with code+state
  GET  /v1/sessions/confirmation shows the code to paste: base64("state=…&code=…")
  POST /v1/token                 CreateOAuth2Token: a DPoP proof (ES256, verified with the JWK it carries,
                                 htm/htu/iat/jti checked), the PKCE verifier checked against the challenge,
                                 single-use codes that expire; refresh tokens bound to the DPoP key
IAM Identity Center
  POST /client/register, GET /authorize, POST /token     (SSO OIDC, authorization code with PKCE S256)
  GET  /assignment/accounts, /assignment/roles, /federation/credentials   (the portal, bearer token)
  POST /logout                                                           (the portal: sso:Logout)

Credentials come from the emulator's STS (AssumeRole) when `--moto URL` is given, so they are ones the
emulator knows. The test plays the person in the browser: it follows the authorization URL (a GET that
answers with a redirect), and steers what that person does with POST /_control {"browser": "approve" |
"cancel" | "wrong_state" | "away"}, {"expires_in": N}, {"revoke_refresh": true}; GET /_state
shows counts and what was checked.

Run: python fake_signin.py [--moto URL] [--port N]; prints "READY <port>" when it listens."""

import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SAME_DEVICE = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device"
ACCOUNT = "123456789012"
CONSOLE_IDENTITY = f"arn:aws:iam::{ACCOUNT}:user/console-admin"
PORTAL_ACCOUNTS = [
    {"accountId": ACCOUNT, "accountName": "Production", "emailAddress": "prod@example.com"},
    {"accountId": "210987654321", "accountName": "Sandbox", "emailAddress": "sandbox@example.com"},
]
PORTAL_ROLES = {ACCOUNT: ["AdministratorAccess", "S3Admin"], "210987654321": ["ReadOnly"]}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Refused(Exception):
    def __init__(self, status, error_type, error, message):
        super().__init__(message)
        self.status, self.error_type, self.error, self.message = status, error_type, error, message


class State:
    def __init__(self, moto_url):
        self.lock = threading.Lock()
        self.moto_url = moto_url
        self.browser = ["approve"]  # what the next authorizations do; the last one stays
        self.expires_in = 900
        self.revoke_refresh = False
        self.codes = {}  # code -> grant
        self.refresh = {}  # refresh token -> {client_id, thumbprint, identity}
        self.jtis = set()
        self.clients = {}  # SSO OIDC client_id -> registration
        self.tokens = {}  # SSO access token -> expiry
        self.counts = {"authorize": 0, "token": 0, "refresh": 0, "refused": 0, "register": 0, "sso_authorize": 0, "sso_token": 0, "sso_refresh": 0, "role_credentials": 0, "sso_logout": 0}
        self.refusals = []
        self.last_console_credentials = None

    def next_browser(self):
        with self.lock:
            return self.browser.pop(0) if len(self.browser) > 1 else self.browser[0]

    def credentials(self, session_name):
        """Temporary credentials the emulator knows (AssumeRole there), or made-up ones without it."""
        if self.moto_url:
            import boto3  # only the test venv has it; the fake runs there

            sts = boto3.client("sts", endpoint_url=self.moto_url, region_name="us-east-1", aws_access_key_id="AKIAFAKESIGNIN000001", aws_secret_access_key="x")
            c = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/signin-test", RoleSessionName=session_name[:64])["Credentials"]
            return c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]
        return "ASIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30), secrets.token_urlsafe(60)


def thumbprint(jwk):
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def verify_dpop(state, proof, url):
    """RFC 9449: a JWT signed with the key in its own header, for this method and URL, fresh, used once."""
    if not proof:
        raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP header is missing")
    try:
        h64, p64, s64 = proof.split(".")
        header, payload, sig = json.loads(b64url_decode(h64)), json.loads(b64url_decode(p64)), b64url_decode(s64)
    except Exception:
        raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP proof is not a JWT")
    jwk = header.get("jwk") or {}
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256" or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise Refused(400, "ValidationException", "INVALID_REQUEST", f"the DPoP header is wrong: {header}")
    if len(sig) != 64:
        raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP signature is not a raw ES256 signature")
    try:
        key = ec.EllipticCurvePublicNumbers(int.from_bytes(b64url_decode(jwk["x"]), "big"), int.from_bytes(b64url_decode(jwk["y"]), "big"), ec.SECP256R1()).public_key()
        key.verify(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), f"{h64}.{p64}".encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, KeyError):
        raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP signature does not verify")
    if payload.get("htm") != "POST" or payload.get("htu") != url:
        raise Refused(400, "ValidationException", "INVALID_REQUEST", f"the DPoP proof is for {payload.get('htm')} {payload.get('htu')}, not POST {url}")
    if abs(time.time() - int(payload.get("iat", 0))) > 300:
        raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP proof is stale")
    with state.lock:
        if not payload.get("jti") or payload["jti"] in state.jtis:
            raise Refused(400, "ValidationException", "INVALID_REQUEST", "the DPoP proof was used before")
        state.jtis.add(payload["jti"])
    return thumbprint(jwk)


def pkce_ok(verifier, challenge):
    return bool(verifier) and 43 <= len(verifier) <= 128 and b64url(hashlib.sha256(verifier.encode()).digest()) == challenge


def id_token(sub):
    header = b64url(json.dumps({"alg": "ES256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": sub, "iss": "https://signin.aws.amazon.com", "iat": int(time.time())}).encode())
    return f"{header}.{claims}.{b64url(secrets.token_bytes(64))}"


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeAwsSignIn/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-signin: " + (fmt % args) + "\n")

    @property
    def state(self) -> State:
        return self.server.state

    def base(self):
        return f"http://{self.headers.get('Host')}"

    def reply(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, r: Refused):
        with self.state.lock:
            self.state.counts["refused"] += 1
            self.state.refusals.append(r.message)
        self.reply(r.status, {"error": r.error, "message": r.message}, [("x-amzn-ErrorType", r.error_type)])

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def page(self, html):
        data = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            raise Refused(400, "ValidationException", "INVALID_REQUEST", "the body is not JSON")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        try:
            route = {
                "/v1/authorize": self.console_authorize,
                "/v1/sessions/confirmation": self.console_confirmation,
                "/authorize": self.sso_authorize,
                "/assignment/accounts": self.portal_accounts,
                "/assignment/roles": self.portal_roles,
                "/federation/credentials": self.portal_credentials,
                "/_state": lambda q: self.reply(200, {"counts": self.state.counts, "refusals": self.state.refusals}),
            }.get(url.path)
            if route is None:
                return self.reply(404, {"message": f"no such path {url.path}"})
            route(q)
        except Refused as r:
            self.refuse(r)

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        try:
            body = self.body()
            route = {"/v1/token": self.console_token, "/client/register": self.sso_register, "/token": self.sso_token, "/logout": self.portal_logout, "/_control": self.control}.get(path)
            if route is None:
                return self.reply(404, {"message": f"no such path {path}"})
            route(body)
        except Refused as r:
            self.refuse(r)

    def control(self, body):
        with self.state.lock:
            if "browser" in body:
                self.state.browser = body["browser"] if isinstance(body["browser"], list) else [body["browser"]]
            if "expires_in" in body:
                self.state.expires_in = int(body["expires_in"])
            if "revoke_refresh" in body:
                self.state.revoke_refresh = bool(body["revoke_refresh"])
        self.reply(200, {})

    # --- the browser's side -------------------------------------------------------------------------------

    def finish_authorization(self, redirect_uri, state_value, grant):
        """What the person in the browser does: sign in and approve, cancel, or come back from elsewhere."""
        mode = self.state.next_browser()
        if mode == "away":
            # The person has not signed in (yet): the page just waits.
            return self.page("<p>Sign in to continue.</p>")
        if mode == "cancel":
            return self.redirect(f"{redirect_uri}?{urllib.parse.urlencode({'error': 'access_denied', 'error_description': 'The sign-in was cancelled.', 'state': state_value})}")
        if mode == "wrong_state":
            # A page elsewhere sends the loopback a callback of another sign-in first (its own code, another
            # state); the client must refuse and ignore it, and go on waiting for the person's own redirect.
            stranger = secrets.token_urlsafe(24)
            with self.state.lock:
                self.state.codes[stranger] = dict(grant, expires=time.time() + 300, used=False, stranger=True)
            try:
                urllib.request.urlopen(f"{redirect_uri}?{urllib.parse.urlencode({'code': stranger, 'state': 'not-' + state_value})}", timeout=10).read()
            except Exception:
                pass
        code = secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.codes[code] = dict(grant, expires=time.time() + 300, used=False)
        self.redirect(f"{redirect_uri}?{urllib.parse.urlencode({'code': code, 'state': state_value})}")

    def console_authorize(self, q):
        with self.state.lock:
            self.state.counts["authorize"] += 1
        expect = {"response_type": "code", "code_challenge_method": "SHA-256", "scope": "openid"}
        for k, v in expect.items():
            if q.get(k) != v:
                raise Refused(400, "ValidationException", "INVALID_REQUEST", f"{k} must be {v}, not {q.get(k)!r}")
        client, redirect_uri = q.get("client_id"), q.get("redirect_uri", "")
        if client == SAME_DEVICE:
            u = urllib.parse.urlsplit(redirect_uri)
            if u.scheme != "http" or u.hostname != "127.0.0.1" or u.path != "/oauth/callback" or not u.port:
                raise Refused(400, "ValidationException", "INVALID_REQUEST", f"a same-device redirect must be a 127.0.0.1 loopback, not {redirect_uri}")
        elif client == CROSS_DEVICE:
            if redirect_uri != self.base() + "/v1/sessions/confirmation":
                raise Refused(400, "ValidationException", "INVALID_REQUEST", f"a cross-device redirect must be this service's confirmation page, not {redirect_uri}")
        else:
            raise Refused(400, "ValidationException", "INVALID_REQUEST", f"unknown client {client!r}")
        if not q.get("state") or len(q.get("code_challenge", "")) != 43:
            raise Refused(400, "ValidationException", "INVALID_REQUEST", "state and an S256 code_challenge are required")
        self.finish_authorization(redirect_uri, q["state"], {"kind": "console", "client_id": client, "redirect_uri": redirect_uri, "challenge": q["code_challenge"]})

    def console_confirmation(self, q):
        if "code" not in q:
            return self.page("<p id='error'>The sign-in was not completed.</p>")
        shown = base64.b64encode(urllib.parse.urlencode({"state": q.get("state", ""), "code": q["code"]}).encode()).decode()
        self.page(f"<p>Paste this code into the application:</p><pre id='code'>{shown}</pre>")

    # --- AWS Sign-In: CreateOAuth2Token ---------------------------------------------------------------------

    def console_token(self, body):
        thumb = verify_dpop(self.state, self.headers.get("DPoP"), self.base() + "/v1/token")
        grant_type, client = body.get("grantType"), body.get("clientId")
        if grant_type == "authorization_code":
            with self.state.lock:
                self.state.counts["token"] += 1
                grant = self.state.codes.get(body.get("code", ""))
                if not grant or grant["kind"] != "console" or grant["used"]:
                    raise Refused(400, "AccessDeniedException", "invalid_grant", "the authorization code is unknown or was used already")
                grant["used"] = True
            if time.time() > grant["expires"]:
                raise Refused(400, "AccessDeniedException", "AUTHCODE_EXPIRED", "the authorization code expired")
            if client != grant["client_id"] or body.get("redirectUri") != grant["redirect_uri"]:
                raise Refused(400, "AccessDeniedException", "invalid_grant", "the client or redirect URI differs from the authorization's")
            if not pkce_ok(body.get("codeVerifier", ""), grant["challenge"]):
                raise Refused(400, "AccessDeniedException", "invalid_grant", "the PKCE code verifier does not match the challenge")
            refresh = secrets.token_urlsafe(40)
            with self.state.lock:
                self.state.refresh[refresh] = {"client_id": client, "thumbprint": thumb, "identity": CONSOLE_IDENTITY}
            return self.reply(200, self.console_tokens(CONSOLE_IDENTITY, refresh, with_id_token=True))
        if grant_type == "refresh_token":
            with self.state.lock:
                self.state.counts["refresh"] += 1
                bound = self.state.refresh.get(body.get("refreshToken", ""))
                revoked = self.state.revoke_refresh
            if revoked:
                raise Refused(400, "AccessDeniedException", "TOKEN_EXPIRED", "the session has expired")
            if not bound or bound["client_id"] != client:
                raise Refused(400, "AccessDeniedException", "invalid_grant", "the refresh token is unknown")
            if bound["thumbprint"] != thumb:
                raise Refused(400, "AccessDeniedException", "invalid_grant", "the refresh token is bound to another DPoP key")
            return self.reply(200, self.console_tokens(bound["identity"], body["refreshToken"], with_id_token=False))
        raise Refused(400, "ValidationException", "INVALID_REQUEST", f"unsupported grantType {grant_type!r}")

    def console_tokens(self, identity, refresh, with_id_token):
        key, secret, token = self.state.credentials("console-admin")
        self.state.last_console_credentials = key
        out = {"accessToken": {"accessKeyId": key, "secretAccessKey": secret, "sessionToken": token}, "tokenType": "aws_sigv4", "expiresIn": self.state.expires_in, "refreshToken": refresh}
        if with_id_token:
            out["idToken"] = id_token(identity)
        return out

    # --- IAM Identity Center: SSO OIDC ----------------------------------------------------------------------

    def sso_register(self, body):
        if body.get("clientType") != "public" or "authorization_code" not in (body.get("grantTypes") or []):
            raise Refused(400, "InvalidClientMetadataException", "invalid_client_metadata", "a public client for the authorization_code grant is expected")
        uris = body.get("redirectUris") or []
        if not uris or any(urllib.parse.urlsplit(u).hostname != "127.0.0.1" for u in uris):
            raise Refused(400, "InvalidRedirectUriException", "invalid_redirect_uri", "redirect URIs must be loopback addresses")
        if not (body.get("issuerUrl") or "").startswith("https://"):
            raise Refused(400, "InvalidRequestException", "invalid_request", "issuerUrl must be the start URL")
        client_id, client_secret = "client-" + uuid.uuid4().hex, secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.counts["register"] += 1
            self.state.clients[client_id] = {"secret": client_secret, "redirect_uris": uris, "scopes": body.get("scopes") or []}
        now = int(time.time())
        self.reply(200, {"clientId": client_id, "clientSecret": client_secret, "clientIdIssuedAt": now, "clientSecretExpiresAt": now + 90 * 86400})

    def sso_authorize(self, q):
        with self.state.lock:
            self.state.counts["sso_authorize"] += 1
            client = self.state.clients.get(q.get("client_id", ""))
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("state"):
            raise Refused(400, "InvalidRequestException", "invalid_request", "response_type=code, code_challenge_method=S256 and state are required")
        if not client or q.get("redirect_uri") not in client["redirect_uris"]:
            raise Refused(400, "InvalidClientException", "invalid_client", "unknown client or unregistered redirect URI")
        if q.get("scopes") not in client["scopes"]:
            raise Refused(400, "InvalidScopeException", "invalid_scope", f"scope {q.get('scopes')!r} was not registered")
        self.finish_authorization(q["redirect_uri"], q["state"], {"kind": "sso", "client_id": q["client_id"], "redirect_uri": q["redirect_uri"], "challenge": q.get("code_challenge", "")})

    def sso_token(self, body):
        with self.state.lock:
            client = self.state.clients.get(body.get("clientId", ""))
        if not client or client["secret"] != body.get("clientSecret"):
            raise Refused(400, "InvalidClientException", "invalid_client", "unknown client or wrong client secret")
        grant_type = body.get("grantType")
        if grant_type == "authorization_code":
            with self.state.lock:
                self.state.counts["sso_token"] += 1
                grant = self.state.codes.get(body.get("code", ""))
                if not grant or grant["kind"] != "sso" or grant["used"] or grant["client_id"] != body.get("clientId"):
                    raise Refused(400, "InvalidGrantException", "invalid_grant", "the authorization code is unknown or was used already")
                grant["used"] = True
            if body.get("redirectUri") != grant["redirect_uri"] or not pkce_ok(body.get("codeVerifier", ""), grant["challenge"]):
                raise Refused(400, "InvalidGrantException", "invalid_grant", "the redirect URI or the PKCE code verifier does not match")
            refresh = secrets.token_urlsafe(40)
            with self.state.lock:
                self.state.refresh[refresh] = {"client_id": body["clientId"], "thumbprint": None, "identity": "sso"}
        elif grant_type == "refresh_token":
            with self.state.lock:
                self.state.counts["sso_refresh"] += 1
                bound = self.state.refresh.get(body.get("refreshToken", ""))
                revoked = self.state.revoke_refresh
            if revoked or not bound or bound["client_id"] != body.get("clientId"):
                raise Refused(400, "InvalidGrantException", "invalid_grant", "the refresh token is unknown or expired")
            refresh = body["refreshToken"]
        else:
            raise Refused(400, "UnsupportedGrantTypeException", "unsupported_grant_type", f"unsupported grantType {grant_type!r}")
        token = "sso-" + secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.tokens[token] = time.time() + self.state.expires_in
        self.reply(200, {"accessToken": token, "tokenType": "Bearer", "expiresIn": self.state.expires_in, "refreshToken": refresh})

    # --- IAM Identity Center: the access portal -------------------------------------------------------------

    def bearer(self):
        token = self.headers.get("x-amz-sso_bearer_token", "")
        with self.state.lock:
            expiry = self.state.tokens.get(token)
        if expiry is None or time.time() > expiry:
            raise Refused(401, "UnauthorizedException", "unauthorized", "Session token not found or invalid")

    def portal_logout(self, body):
        """sso:Logout: the bearer token stops working, everywhere."""
        self.bearer()
        with self.state.lock:
            self.state.tokens.pop(self.headers.get("x-amz-sso_bearer_token", ""), None)
            self.state.counts["sso_logout"] += 1
        self.reply(200, {})

    def portal_accounts(self, q):
        self.bearer()
        self.reply(200, {"accountList": PORTAL_ACCOUNTS})

    def portal_roles(self, q):
        self.bearer()
        account = q.get("account_id", "")
        self.reply(200, {"roleList": [{"roleName": r, "accountId": account} for r in PORTAL_ROLES.get(account, [])]})

    def portal_credentials(self, q):
        self.bearer()
        if q.get("role_name") not in PORTAL_ROLES.get(q.get("account_id", ""), []):
            raise Refused(403, "ForbiddenException", "forbidden", "No access")
        with self.state.lock:
            self.state.counts["role_credentials"] += 1
        key, secret, token = self.state.credentials(f"sso-{q['role_name']}")
        self.reply(200, {"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret, "sessionToken": token, "expiration": int((time.time() + 3600) * 1000)}})


def start(moto_url=None, port=0):
    """Start in a thread; returns (server, state, url)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.state = State(moto_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.state, f"http://127.0.0.1:{server.server_address[1]}"


def play_browser(url, follow_to_loopback=True):
    """Be the person in the browser: open the authorization URL, sign in, and (same device) follow the
    redirect back to the app's loopback. Returns the last response's status and body."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        r = opener.open(url, timeout=30)
        return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        if e.code != 302:
            return e.code, e.read().decode()
        location = e.headers["Location"]
    if not follow_to_loopback:
        return 302, location
    try:
        with urllib.request.urlopen(location, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--moto")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--browse", help="play the browser for this URL and exit (used as S3AW_BROWSER)")
    args = ap.parse_args()
    if args.browse:
        status, _ = play_browser(args.browse)
        sys.exit(0 if status < 500 else 1)
    server, state, url = start(args.moto, args.port)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
