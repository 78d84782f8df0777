"""An HTTP proxy in front of the AWS emulator that can make one chosen AWS call fail.

It forwards every request to the emulator unchanged and records the name of each AWS operation it saw
(`iam:CreateUser`, `s3:PutBucketCors`, ...). Tests arm a fault with `POST /__fault` and a JSON body
`{"operation": "iam:CreateAccessKey"}`: the next request for that operation gets an AccessDenied answer in
the service's own error format, as AWS would send it, and is not forwarded. With `"sticky": true` the fault
stays until cleared, and `"unless_key": "AKIA..."` spares requests signed with that access key (so a test can
break what a new key does while the admin's own calls go through).

For benchmarks, `POST /__synthetic {"bucket": B, "count": N}` makes ListObjectsV2 on bucket B answer with N
generated objects (`PREFIXphoto-000000.jpg` ..., under whatever prefix is asked), 1,000 per page, without storing them in the emulator (whose
own listing of 100,000 stored objects is far slower than S3's). The bucket itself must exist in the emulator. `GET /__log` returns the
operations seen; `DELETE /__log` clears it.

`POST /__fault {"operation": OP, "hold": true}` holds every request for OP (it waits, unanswered) until
`POST /__release`: a test can then act while a request is known to be in flight, and release it when it
chooses, without guessing at timings. `DELETE /__fault` releases held requests too.

`POST /__fault {"operation": OP, "withhold_answer": true}` forwards the next request for OP to the emulator
(which carries it out) and withholds the answer until `POST /__release`: the state of a client killed right
after AWS did what it asked, before it heard back. `GET /__withheld` lists the operations whose answer is
being withheld, so a test waits for that state. With `"after": OP2` only a request for OP made after one for
OP2 counts (a call a client also makes before the change, such as HeadBucket).
"""

import http.client
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

S3_SUBRESOURCES = {
    "cors": "BucketCors",
    "policy": "BucketPolicy",
    "publicAccessBlock": "PublicAccessBlock",
    "encryption": "BucketEncryption",
    "location": "BucketLocation",
    "logging": "BucketLogging",
    "tagging": "BucketTagging",
}


def s3_operation(method, path, query):
    parts = [p for p in path.split("/") if p]
    for key, name in S3_SUBRESOURCES.items():
        if key in query:
            verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}.get(method, method)
            return f"s3:{verb}{name}"
    if not parts:
        return "s3:ListBuckets"
    if len(parts) == 1:
        return {"PUT": "s3:CreateBucket", "DELETE": "s3:DeleteBucket", "HEAD": "s3:HeadBucket"}.get(method, "s3:ListObjects")
    return {"PUT": "s3:PutObject", "GET": "s3:GetObject", "DELETE": "s3:DeleteObject", "HEAD": "s3:HeadObject"}.get(method, "s3:Object")


def signing_key(authorization):
    """The access key id a SigV4 Authorization header was signed with."""
    marker = "Credential="
    if marker not in authorization:
        return None
    return authorization.split(marker, 1)[1].split("/", 1)[0]


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.sticky = []
        self.synthetic = {}
        self.log = []
        # Operation -> the event held requests for it wait on.
        self.holds = {}
        # Operation -> (the event a forwarded request's withheld answer waits on, the operation it must follow);
        # and the operations waiting now.
        self.withhold = {}
        self.withheld = []


def release(state):
    """Let every held request go on, and hold no more (call with the lock held)."""
    for event in list(state.holds.values()) + [e for e, _ in state.withhold.values()]:
        event.set()
    state.holds.clear()
    state.withhold.clear()
    state.withheld.clear()


def make_handler(upstream_host, upstream_port, state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _reply(self, status, body, content_type="application/xml", extra=None):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _synthetic_listing(self):
            url = urllib.parse.urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            if self.command != "GET" or len(parts) != 1 or query.get("list-type") != ["2"]:
                return None
            with state.lock:
                count = state.synthetic.get(parts[0])
            if count is None:
                return None
            prefix = query.get("prefix", [""])[0]
            start = int(query.get("continuation-token", ["0"])[0] or 0)
            size = min(int(query.get("max-keys", ["1000"])[0] or 1000), 1000)
            keys = [f"{prefix}photo-{i:06d}.jpg" for i in range(start, min(start + size, count))]
            end = start + len(keys)
            truncated = end < count
            contents = "".join(
                f"<Contents><Key>{k}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;0&quot;</ETag><Size>{1000 + i}</Size><StorageClass>STANDARD</StorageClass></Contents>"
                for i, k in enumerate(keys)
            )
            token = f"<NextContinuationToken>{end}</NextContinuationToken>" if truncated else ""
            return (
                '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                f"<Name>{parts[0]}</Name><Prefix>{prefix}</Prefix><KeyCount>{len(keys)}</KeyCount><MaxKeys>{size}</MaxKeys>"
                f"<Delimiter>/</Delimiter><IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{contents}{token}</ListBucketResult>"
            )

        def _operation(self, body):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            ctype = self.headers.get("Content-Type", "")
            if "x-www-form-urlencoded" in ctype and body:
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                action = form.get("Action", [""])[0]
                auth = self.headers.get("Authorization", "")
                service = "sts" if "/sts/" in auth else "iam"
                return f"{service}:{action}"
            if "Action" in query:
                return f"iam:{query['Action'][0]}"
            return s3_operation(self.command, url.path, query)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/__fault"):
                if self.command == "POST":
                    fault = json.loads(body or b"{}")
                    with state.lock:
                        if fault.get("withhold_answer"):
                            state.withhold.setdefault(fault["operation"], (threading.Event(), fault.get("after")))
                        elif fault.get("hold"):
                            state.holds.setdefault(fault["operation"], threading.Event())
                        elif fault.get("sticky"):
                            state.sticky.append(fault)
                        else:
                            state.faults.append(fault["operation"])
                else:
                    with state.lock:
                        state.faults.clear()
                        state.sticky.clear()
                        release(state)
                return self._reply(200, "{}", "application/json")
            if self.path.startswith("/__withheld"):
                with state.lock:
                    data = json.dumps(state.withheld)
                return self._reply(200, data, "application/json")
            if self.path.startswith("/__release"):
                with state.lock:
                    release(state)
                return self._reply(200, "{}", "application/json")
            if self.path.startswith("/__synthetic"):
                spec = json.loads(body or b"{}")
                with state.lock:
                    state.synthetic[spec["bucket"]] = int(spec["count"])
                return self._reply(200, "{}", "application/json")
            synthetic = self._synthetic_listing()
            if synthetic is not None:
                with state.lock:
                    state.log.append("s3:ListObjects")
                return self._reply(200, synthetic)
            if self.path.startswith("/__log"):
                with state.lock:
                    if self.command == "DELETE":
                        state.log.clear()
                    data = json.dumps(state.log)
                return self._reply(200, data, "application/json")

            op = self._operation(body)
            with state.lock:
                held = state.holds.get(op)
            if held is not None:
                held.wait(120)
            with state.lock:
                state.log.append(op)
                fail = op in state.faults
                if fail:
                    state.faults.remove(op)
                key = signing_key(self.headers.get("Authorization", ""))
                fail = fail or any(f["operation"] == op and f.get("unless_key") != key for f in state.sticky)
            if fail:
                action = op.split(":", 1)[1]
                msg = f"User: arn:aws:iam::123456789012:user/admin is not authorized to perform: {op} (failure injected by the test)"
                if op.startswith("s3:"):
                    xml = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>{msg}</Message><RequestId>injected</RequestId></Error>"
                else:
                    xml = (
                        f"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
                        f"<Code>AccessDenied</Code><Message>{msg}</Message></Error><RequestId>injected-{action}</RequestId></ErrorResponse>"
                    )
                return self._reply(403, xml)

            conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            with state.lock:
                # Once per arming: the emulator did it; the client waits for an answer that comes only on release.
                withhold = None
                armed = state.withhold.get(op)
                if armed is not None and (armed[1] is None or armed[1] in state.log[:-1]):
                    withhold = state.withhold.pop(op)[0]
                    state.withheld.append(op)
            if withhold is not None:
                withhold.wait(120)
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(k, v)
            # A HEAD response has no body but names the object's size: pass that on (clients such as rclone
            # compare it with what they uploaded).
            head_length = resp.getheader("Content-Length") if self.command == "HEAD" else None
            self.send_header("Content-Length", head_length or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


def start(upstream_url, port=0):
    """Start the proxy in a background thread; returns (server, state, url)."""
    u = urllib.parse.urlsplit(upstream_url)
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(u.hostname, u.port, state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state, f"http://127.0.0.1:{server.server_address[1]}"


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv, _, url = start(a.upstream, a.port)
    print(url, flush=True)
    threading.Event().wait()
