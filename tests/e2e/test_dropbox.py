"""Drop-box upload links (issue 14, item 3): `s3aw presign s3://B/FOLDER/ --post --max-size ...`.

An upload through the form's fields works against the emulator, from Python (as a browser posts the page)
and with the curl command the CLI prints. moto does not check POST policies (moto/s3/responses.py,
_bucket_response_post: no signature, no conditions) and does not put the file's name into `${filename}`,
so a key outside the folder and a file over the limit are refused only on AWS: these tests check the
signed policy's conditions and recompute the signature with an independent SigV4 implementation, so the
form S3 receives is the one AWS enforces (ARCHITECTURE.md, "What the emulator does not prove")."""

import base64
import datetime
import hashlib
import hmac
import html.parser
import json
import os
import stat
import subprocess

import urllib3

from conftest import ADMIN
from test_grant import seed


def signing_key(secret, date, region, service="s3"):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def fields_of(form):
    return {f["name"]: f["value"] for f in form["fields"]}


def post(form, key, body, content_type=None):
    fields = [(f["name"], f["value"]) for f in form["fields"]]
    fields = [(n, key if n == "key" else v) for n, v in fields]
    if content_type:
        fields.append(("Content-Type", content_type))
    fields.append(("file", ("upload.bin", body)))
    data, ctype = urllib3.encode_multipart_formdata(fields)
    r = urllib3.PoolManager().request("POST", form["url"], body=data, headers={"Content-Type": ctype})
    return r.status, r.data.decode()


def test_a_drop_box_form_uploads_into_its_folder_and_is_signed_for_exactly_that(cli, aws, s3, tmp_path):
    seed(s3)
    page = tmp_path / "upload.html"
    form = cli.json("presign", "s3://data/drop", "--post", "--max-size", "1MB", "--expires", "2h", "--html", str(page))
    f = fields_of(form)
    assert form["folder"] == "drop/" and form["max_size"] == 1_000_000
    assert f["key"] == "drop/${filename}" and f["success_action_status"] == "201"
    assert [x["name"] for x in form["fields"]][-2:] == ["policy", "x-amz-signature"]

    # The policy AWS checks every upload against.
    policy = json.loads(base64.b64decode(f["policy"]))
    conditions = policy["conditions"]
    assert {"bucket": "data"} in conditions
    assert ["starts-with", "$key", "drop/"] in conditions
    assert ["content-length-range", 1, 1_000_000] in conditions
    assert {"x-amz-credential": f["x-amz-credential"]} in conditions and {"x-amz-date": f["x-amz-date"]} in conditions
    expiration = datetime.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert datetime.timedelta(hours=1, minutes=58) < expiration - datetime.datetime.now(datetime.timezone.utc) <= datetime.timedelta(hours=2)
    assert form["expires_at"][:16] == policy["expiration"][:16]

    # The signature, recomputed from the secret with SigV4's own steps (not the app's code).
    key_id, date, region, service, term = f["x-amz-credential"].split("/")
    assert (key_id, region, service, term) == (ADMIN["AWS_ACCESS_KEY_ID"], "us-east-1", "s3", "aws4_request")
    assert f["x-amz-date"].startswith(date)
    want = hmac.new(signing_key(ADMIN["AWS_SECRET_ACCESS_KEY"], date, region), f["policy"].encode(), hashlib.sha256).hexdigest()
    assert f["x-amz-signature"] == want

    # An upload through the fields works (the key is set within the folder, as S3 would from ${filename}).
    status, body = post(form, "drop/report.csv", b"a,b\n1,2\n")
    assert status == 201, body
    assert s3.get_object(Bucket="data", Key="drop/report.csv")["Body"].read() == b"a,b\n1,2\n"

    # The page: a plain form posting to the bucket with every field hidden, the file last, and no script.
    assert stat.S_IMODE(os.stat(page).st_mode) == 0o600
    parsed = FormPage()
    parsed.feed(page.read_text())
    assert parsed.action == form["url"] and parsed.method == "post" and parsed.enctype == "multipart/form-data"
    assert parsed.hidden == [(x["name"], x["value"]) for x in form["fields"]]
    assert parsed.inputs[-1] == "file" and not parsed.scripts
    assert "files up to 1 MB" in page.read_text()


def test_the_curl_command_uploads(cli, aws, s3, tmp_path):
    seed(s3)
    form = cli.json("presign", "s3://data/in/drop/", "--post", "--max-size", "10KB", "--content-type", "text/csv")
    assert {"Content-Type": "text/csv"} in json.loads(base64.b64decode(fields_of(form)["policy"]))["conditions"]
    src = tmp_path / "numbers.csv"
    src.write_text("1,2,3\n")
    cmd = form["curl"].replace("FILE_NAME", "numbers.csv").replace("@FILE", f"@{src}")
    proc = subprocess.run(["bash", "-c", cmd + " -s -o /dev/null -w '%{http_code}'"], capture_output=True, text=True, timeout=60)
    assert proc.stdout == "201", proc
    obj = s3.get_object(Bucket="data", Key="in/drop/numbers.csv")
    assert obj["Body"].read() == b"1,2,3\n" and obj["ContentType"] == "text/csv"


def test_a_type_family_and_a_saved_signing_key(cli, aws, s3, tmp_path):
    seed(s3)
    granted = cli.json("grant", "iam-user", "--bucket", "data", "--prefix", "drop", "--access", "upload", "--user", "dropper", "--yes")
    form = cli.json("presign", "s3://data/drop/", "--post", "--max-size", "5MiB", "--content-type", "image/*", "--signer", granted["access_key_id"])
    f = fields_of(form)
    assert f["x-amz-credential"].startswith(granted["access_key_id"] + "/"), "signed by the upload-only key, not the admin"
    conditions = json.loads(base64.b64decode(f["policy"]))["conditions"]
    assert ["starts-with", "$Content-Type", "image/"] in conditions and ["content-length-range", 1, 5 * 1024 * 1024] in conditions
    assert "Content-Type" not in f, "the uploader's browser sends the file's own image type"
    status, body = post(form, "drop/cat.png", b"\x89PNG", content_type="image/png")
    assert status == 201, body


def test_temporary_signing_credentials_are_said_to_end_the_page_sooner(cli, aws, s3):
    """Signed in through the browser or Identity Center, the credentials carry a session token: the page
    stops working when that session ends, and the CLI (and the app, through the same note) says so."""
    seed(s3)
    long_term = cli.json("presign", "s3://data/drop/", "--post", "--max-size", "1MB")
    assert long_term["note"] is None
    temporary = cli.json("presign", "s3://data/drop/", "--post", "--max-size", "1MB",
                         AWS_ACCESS_KEY_ID="ASIATEMPORARY0000003", AWS_SESSION_TOKEN="token")
    assert "upload page stops working when that session ends" in temporary["note"]
    assert {"name": "x-amz-security-token", "value": "token"} in temporary["fields"]
    text = cli.run("presign", "s3://data/drop/", "--post", "--max-size", "1MB",
                   AWS_ACCESS_KEY_ID="ASIATEMPORARY0000003", AWS_SESSION_TOKEN="token")
    assert "session ends" in text.stderr and "--signer" in text.stderr


def test_bad_drop_box_input_is_refused_plainly(cli, aws, s3):
    seed(s3)
    for args, message in [
        (["s3://data/", "--post", "--max-size", "1MB"], "name the folder"),
        (["s3://data/drop/", "--post", "--max-size", "6GB"], "over 5 GiB"),
        (["s3://data/drop/", "--post", "--max-size", "lots"], "100MB"),
        (["s3://data/drop/", "--post", "--max-size", "1MB", "--content-type", "pdf"], "application/pdf"),
        (["s3://data/drop/", "--post", "--max-size", "1MB", "--expires", "8d"], "at most 7 days"),
        (["s3://data/drop/", "--content-type", "text/csv"], "--put or --post"),
    ]:
        proc = cli.run("presign", *args)
        assert proc.returncode != 0 and message in proc.stderr and "panicked" not in proc.stderr, (args, proc.stderr)
    proc = cli.run("presign", "s3://data/drop/", "--post")
    assert proc.returncode == 2 and "--max-size" in proc.stderr


class FormPage(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = self.method = self.enctype = None
        self.hidden, self.inputs, self.scripts = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action, self.method, self.enctype = a.get("action"), a.get("method"), a.get("enctype")
        elif tag == "input":
            self.inputs.append(a.get("name"))
            if a.get("type") == "hidden":
                self.hidden.append((a["name"], a["value"]))
        elif tag == "script":
            self.scripts.append(a)
