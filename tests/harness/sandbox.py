"""The local sandbox: a moto server seeded with sample buckets, so the app can be explored without an AWS
account. It is clearly not AWS: nothing made here exists anywhere else, and it is gone when it stops.

    python tests/harness/sandbox.py --port 4599 [--env-file F]

Prints the endpoint URL once it is ready, then serves until interrupted."""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

SAMPLE = {
    "sample-photos": ["2026/beach.jpg", "2026/city.jpg", "archive/old.jpg"],
    "sample-reports": ["q1/summary.pdf", "q2/summary.pdf", "public/readme.txt"],
    "sample-uploads": [],
}
CREDS = {"AWS_ACCESS_KEY_ID": "AKIASANDBOXEXAMPLE01", "AWS_SECRET_ACCESS_KEY": "sandbox-secret-not-a-real-key", "AWS_REGION": "us-east-1"}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=4599)
    ap.add_argument("--env-file", help="write shell exports for the sandbox here")
    a = ap.parse_args()
    url = f"http://127.0.0.1:{a.port}"
    exe = Path(sys.executable).parent / "moto_server"
    proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(a.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
            break
        except Exception:
            if proc.poll() is not None:
                sys.exit(f"the sandbox could not start on port {a.port} (is it in use?)")
            time.sleep(0.2)
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"], aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"])
    for bucket, keys in SAMPLE.items():
        s3.create_bucket(Bucket=bucket)
        for k in keys:
            s3.put_object(Bucket=bucket, Key=k, Body=f"sample file {k}".encode())
    if a.env_file:
        with open(a.env_file, "w") as f:
            for k, v in {**CREDS, "AWS_ENDPOINT_URL": url}.items():
                f.write(f"export {k}={v}\n")
    print(url, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (proc.terminate(), sys.exit(0)))
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()


if __name__ == "__main__":
    main()
