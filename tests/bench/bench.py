"""`make bench`: s3aw against the tools people use today, on the same moto server, in the same run.

Each comparison runs both sides several times and reports medians and the ratio. AWS API calls are counted
by the proxy in front of the emulator (tests/harness/fault_proxy.py logs every operation). Figures are
printed and written to tests/.artifacts/bench-results.md. Not part of `make test`: numbers are reported,
not asserted.

Covered here (6. the vendor-guide reader on hostile 1 MB guides): 1. grant (calls and wall time), 2. inventory of 500 buckets, 3. presign (one link, and a
prefix of many objects to CSV), 4. the release app: start-up to the first drawn screen under Xvfb, idle
memory (PSS of the app and its WebKit processes), stripped binary and .deb size, 5. the object browser
with 100,000 objects in the real window (tests/bench/browser.mjs): first rows, all rows, and how fast a jump
anywhere in the list is drawn.
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "harness"))
import fault_proxy  # noqa: E402

TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
S3AW = str(TARGET / "release" / "s3aw") if (TARGET / "release" / "s3aw").exists() else str(TARGET / "debug" / "s3aw")
VENV = Path(sys.executable).parent
CREDS = {"AWS_ACCESS_KEY_ID": "AKIABENCHEXAMPLE0001", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}


def post(url, body=b""):
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"}), timeout=30).read()


class Emulator:
    def __init__(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen([str(VENV / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        self.server, self.state, self.proxy = fault_proxy.start(self.url)

    def reset(self):
        post(self.url + "/moto-api/reset")
        with self.state.lock:
            self.state.log.clear()

    def calls(self):
        with self.state.lock:
            return list(self.state.log)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")

    def stop(self):
        self.server.shutdown()
        self.proc.terminate()


def run(cmd, env_extra, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDS)
    env.update(env_extra)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {p.stderr[-600:]}")
    return dt, p.stdout


def median(xs):
    return statistics.median(xs)


def grant(emu, reps, home):
    ours, theirs, our_calls, their_calls = [], [], [], []
    for i in range(reps):
        for side in ("s3aw", "s3-credentials"):
            emu.reset()
            emu.client("s3").create_bucket(Bucket="bench-bucket")
            with emu.state.lock:
                emu.state.log.clear()
            env = {"AWS_ENDPOINT_URL": emu.proxy, "HOME": str(home), "S3AW_CONFIG_DIR": str(home / "cfg"), "S3AW_KEYCHAIN_SERVICE": "s3aw-bench"}
            if side == "s3aw":
                dt, _ = run([S3AW, "grant", "iam-user", "--bucket", "bench-bucket", "--access", "read", "--user", f"bench-{i}", "--yes", "--no-keychain", "--show-secret"], env)
                ours.append(dt)
                our_calls.append(len(emu.calls()))
            else:
                dt, _ = run([str(VENV / "s3-credentials"), "create", "bench-bucket", "--read-only", "--username", f"bench-{i}", "--silent"], env)
                theirs.append(dt)
                their_calls.append(len(emu.calls()))
    return ours, theirs, our_calls, their_calls, emu.calls()


def inventory(emu, reps, n):
    emu.reset()
    s3 = emu.client("s3")
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda i: s3.create_bucket(Bucket=f"inv-{i:04d}"), range(n)))
    env = {"AWS_ENDPOINT_URL": emu.url}
    ours = [run([S3AW, "--json", "buckets"], env)[0] for _ in range(reps)]
    theirs = [run([str(VENV / "s3-credentials"), "list-buckets", "--details"], env)[0] for _ in range(reps)]
    return ours, theirs


def presign(emu, reps, n, tmp):
    emu.reset()
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="links")
    s3.put_object(Bucket="links", Key="one.txt", Body=b"1")
    env = {"AWS_ENDPOINT_URL": emu.url}
    one_ours = [run([S3AW, "presign", "s3://links/one.txt"], env)[0] for _ in range(reps)]
    one_theirs = [run([str(VENV / "aws"), "s3", "presign", "s3://links/one.txt", "--endpoint-url", emu.url], env)[0] for _ in range(reps)]
    # The listing of `n` objects comes from the proxy (generated pages, as S3 serves them): storing 100,000
    # objects in moto takes many minutes and its listing is far slower than S3's, which would hide the
    # signing both sides do. Both sides list through the same proxy.
    with emu.state.lock:
        emu.state.synthetic["links"] = n
    env = {"AWS_ENDPOINT_URL": emu.proxy}
    script = tmp / "boto3_presign.py"
    script.write_text(
        "import boto3, csv, sys, os\n"
        "s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'])\n"
        "w = csv.writer(open(sys.argv[1], 'w', newline=''))\n"
        "w.writerow(['key', 'url'])\n"
        "for page in s3.get_paginator('list_objects_v2').paginate(Bucket='links', Prefix='bulk/'):\n"
        "    for o in page.get('Contents', []):\n"
        "        w.writerow([o['Key'], s3.generate_presigned_url('get_object', Params={'Bucket': 'links', 'Key': o['Key']}, ExpiresIn=3600)])\n"
    )
    bulk_ours, bulk_theirs = [], []
    for i in range(reps):
        out = tmp / f"ours-{i}.csv"
        bulk_ours.append(run([S3AW, "presign", "s3://links/bulk/", "--recursive", "--csv", str(out)], env)[0])
        bulk_theirs.append(run([sys.executable, str(script), str(tmp / f"theirs-{i}.csv")], env)[0])
        assert sum(1 for _ in open(out)) == n + 1
    with emu.state.lock:
        emu.state.synthetic.clear()
    return one_ours, one_theirs, bulk_ours, bulk_theirs


APP = TARGET / "release" / "s3-access-wizard"
# A bare Tauri window (tests/bench/bare-window): the same Tauri, window and bundle settings, no app code.
BARE = TARGET / "release" / "bare-window"
# What the app sets for WebKit before its window opens (src-tauri/src/platform.rs).
PAINT_AS_THE_APP = {"WEBKIT_SKIA_GPU_PAINTING_THREADS": "0"}
WINDOWS_INSTALLERS = TARGET / "x86_64-pc-windows-gnu" / "release" / "bundle" / "nsis"


def process_tree(pid):
    """`pid` and all its descendants (the app spawns WebKit's web and network processes)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_mib(pids):
    total_kib = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
        except OSError:
            pass
    return total_kib / 1024


def drop_caches():
    """A cold start reads the binary and WebKit from disk: drop the page cache when allowed (root, not in
    every container). Returns whether it worked."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def app_start(reps, tmp, app=APP, idle_seconds=5, env_extra=None):
    """Start a release app (ours or the bare window) `reps` times under a private Xvfb: seconds from spawn
    until the UI reports its first screen drawn, and PSS after `idle_seconds` idle."""
    import threading

    # As tests/harness/xvfb.sh: a free display Xvfb picks and reports once ready, no reset between apps.
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x900x24", "-nolisten", "tcp", "-noreset"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    display = ":" + xvfb.stdout.readline().strip()
    if display == ":":
        raise RuntimeError("Xvfb did not start")
    starts, pss, cold = [], [], []
    try:
        for i in range(reps):
            home = Path(tempfile.mkdtemp(prefix=f"app-home-{app.name}-", dir=tmp))
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(DISPLAY=display, HOME=str(home), S3AW_REPORT_READY="1", S3AW_CONFIG_DIR=str(home / "cfg"))
            env.update(env_extra or {})
            cold.append(drop_caches())
            t0 = time.perf_counter()
            proc = subprocess.Popen([str(app)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            ready = None
            for line in proc.stderr:
                if line.startswith("s3aw-ready"):
                    ready = time.perf_counter() - t0
                    break
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            if ready is None:
                raise RuntimeError("the app exited without reporting its first screen")
            starts.append(ready)
            time.sleep(idle_seconds)
            pss.append(pss_mib(process_tree(proc.pid)))
            for p in reversed(process_tree(proc.pid)):
                try:
                    os.kill(p, 15)
                except OSError:
                    pass
            proc.wait(10)
    finally:
        xvfb.terminate()
    return starts, pss, all(cold)


def sizes(tmp, app=APP, product="S3 Access Wizard"):
    stripped = tmp / f"{app.name}.stripped"
    subprocess.run(["strip", "-o", str(stripped), str(app)], check=True)
    debs = sorted((TARGET / "release" / "bundle" / "deb").glob(f"{product}_*.deb"), key=lambda p: p.stat().st_mtime)
    return stripped.stat().st_size / 2**20, (debs[-1].stat().st_size / 2**20 if debs else None)


def hostile_guides(tmp):
    """Guides of (just under) the 1 MB the reader accepts, each built to be slow for a naive reader."""
    mb = 999_000
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::YOUR-BUCKET-NAME/in/*"}]}\n'
    shapes = {
        "open braces": "{" * mb,
        "nested brackets": "[" * (mb // 2) + "]" * (mb // 2),
        "empty objects, one per line": "{}\n" * (mb // 3),
        "prose with quotes and braces": ('Click "Save" {then} [next] it\'s "done\n' * (mb // 40)),
        "a policy repeated": policy * (mb // len(policy)),
    }
    out = {}
    for name, text in shapes.items():
        path = tmp / f"guide-{len(out)}.txt"
        path.write_text(text[:mb])
        out[name] = path
    return out


def guide_reading(reps, tmp):
    """`s3aw guide read` on each hostile 1 MB guide: whole-process wall time (start-up included)."""
    results = {}
    for name, path in hostile_guides(tmp).items():
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            proc = subprocess.run([S3AW, "--json", "guide", "read", str(path), "--bucket", "data"], capture_output=True, text=True, timeout=120)
            times.append(time.perf_counter() - t)
            if proc.returncode != 0:
                raise RuntimeError(f"guide read failed on {name}: {proc.stderr[-500:]}")
        results[name] = times
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--buckets", type=int, default=500)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--only", choices=["cli", "app", "browser", "guide"], help="run only the CLI comparisons (1-3), the app's figures (4), the object browser (5) or the guide reader (6)")
    a = ap.parse_args()
    emu = Emulator()
    lines = [f"# Benchmark results\n", f"s3aw binary: `{S3AW}`; {a.reps} runs per side; medians. Machine: {os.cpu_count()} cores.\n"]

    def report(title, ours, theirs, unit="s", extra=""):
        mo, mt = median(ours), median(theirs)
        line = f"| {title} | {mo:.3f} {unit} | {mt:.3f} {unit} | {mt / mo:.1f}x |{extra}"
        print(line, flush=True)
        lines.append(line)

    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            home = tmp / "home"
            home.mkdir()
            if a.only in (None, "guide"):
                lines.append("\n## The vendor-guide reader on hostile 1 MB guides (`s3aw guide read`, whole process; goal: under 1 s)\n")
                lines.append("| guide | median | slowest |\n|---|---|---|")
                for name, times in guide_reading(a.reps, tmp).items():
                    lines.append(f"| {name} | {median(times):.3f} s | {max(times):.3f} s |")
                print("\n".join(lines[-7:]), flush=True)
            if a.only not in ("app", "browser", "guide"):
                lines.append("| comparison | s3aw | the other tool | s3aw is faster by |\n|---|---|---|---|")
                print(lines[-1])
                ours, theirs, oc, tc, _ = grant(emu, a.reps, home)
                report("grant read-only IAM user (vs `s3-credentials create --read-only`)", ours, theirs, extra=f" AWS calls: s3aw {median(oc):.0f}, s3-credentials {median(tc):.0f}")
                ours, theirs = inventory(emu, a.reps, a.buckets)
                report(f"list {a.buckets} buckets with regions (vs `s3-credentials list-buckets --details`)", ours, theirs)
                one_o, one_t, bulk_o, bulk_t = presign(emu, a.reps, a.objects, tmp)
                report("one presigned link (vs `aws s3 presign`)", one_o, one_t)
                report(f"links for {a.objects:,} objects to CSV (vs a boto3 script; listing served by the proxy)", bulk_o, bulk_t, extra=f" links/s: s3aw {a.objects / median(bulk_o):,.0f}, boto3 {a.objects / median(bulk_t):,.0f}")
            if a.only in (None, "app"):
                if not APP.exists():
                    raise SystemExit(f"{APP} is missing: `make bench` builds it with `make package`")
                if not BARE.exists():
                    raise SystemExit(f"{BARE} is missing: `make bench` builds it with `make bare-window`")
                # Alternate the two, so a busy moment of the machine does not land on one side only.
                # The app paints on WebKit's main painting thread (src-tauri/src/platform.rs); the bare window
                # is measured as Tauri leaves it, and once more painting as the app does, for a fair reading.
                starts, pss, bare_starts, bare_pss, same_starts, same_pss, cold = [], [], [], [], [], [], True
                for _ in range(a.reps):
                    s1, p1, c1 = app_start(1, tmp, APP)
                    s2, p2, c2 = app_start(1, tmp, BARE)
                    s3, p3, c3 = app_start(1, tmp, BARE, env_extra=PAINT_AS_THE_APP)
                    starts += s1
                    pss += p1
                    bare_starts += s2
                    bare_pss += p2
                    same_starts += s3
                    same_pss += p3
                    cold = cold and c1 and c2 and c3
                binary, deb = sizes(tmp)
                bare_binary, bare_deb = sizes(tmp, BARE, "Bare Window")
                ratio = lambda ours, bare: f"{ours / bare:.2f}x" if bare else "n/a"
                lines.append("\n## The desktop app against a bare Tauri window (release builds, under Xvfb)\n")
                lines.append("| figure | the app (median) | bare window (median) | ratio | target | app runs |\n|---|---|---|---|---|---|")
                lines.append(f"| start to first screen drawn{' (page cache dropped: cold)' if cold else ' (warm)'} | {median(starts):.2f} s | {median(bare_starts):.2f} s | {ratio(median(starts), median(bare_starts))} | 1.1x, and 1.0 s | {', '.join(f'{x:.2f}' for x in starts)} |")
                lines.append(f"| idle memory, PSS of the app and its WebKit processes | {median(pss):.0f} MiB | {median(bare_pss):.0f} MiB | {ratio(median(pss), median(bare_pss))} | 1.1x | {', '.join(f'{x:.0f}' for x in pss)} |")
                lines.append(f"| start, against the bare window painting as the app does | {median(starts):.2f} s | {median(same_starts):.2f} s | {ratio(median(starts), median(same_starts))} | | |")
                lines.append(f"| idle memory, against the bare window painting as the app does | {median(pss):.0f} MiB | {median(same_pss):.0f} MiB | {ratio(median(pss), median(same_pss))} | | |")
                lines.append(f"| stripped binary | {binary:.1f} MiB | {bare_binary:.1f} MiB | {ratio(binary, bare_binary)} | 20 MB | |")
                lines.append(f"| .deb package | {deb:.1f} MiB | {bare_deb:.1f} MiB | {ratio(deb, bare_deb)} | | |" if deb and bare_deb else "| .deb package | not built | | | | |")
                installers = sorted(WINDOWS_INSTALLERS.glob("S3 Access Wizard_*_x64-setup.exe"), key=lambda p: p.stat().st_mtime)
                lines.append(f"| Windows installer (NSIS, x64, `make windows`) | {installers[-1].stat().st_size / 2**20:.1f} MiB | | | | |" if installers else "| Windows installer | not built (`make windows`) | | | | |")
                print("\n".join(lines[-9:]), flush=True)
            if a.only in (None, "browser"):
                proc = subprocess.run(["bash", str(ROOT / "tests" / "bench" / "browser.sh")], capture_output=True, text=True, env={**os.environ, "BENCH_REPS": str(min(a.reps, 3))}, timeout=1800)
                result = next((json.loads(l) for l in reversed(proc.stdout.splitlines()) if l.startswith("{")), None)
                if result is None:
                    raise RuntimeError(f"the object-browser benchmark printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
                lines.append(f"\n## The object browser with {result['objects']:,} objects (test build, real window under Xvfb)\n")
                lines.append("| figure | median of runs |\n|---|---|")
                lines.append(f"| opening the folder to the first rows drawn | {result['firstRowsMs']:.0f} ms |")
                lines.append(f"| to all {result['objects']:,} rows listed (streamed, the list usable throughout) | {result['allRowsMs'] / 1000:.2f} s |")
                lines.append(f"| a jump anywhere in the list, until that row is drawn | {result['jumpMedianMs']:.0f} ms (slowest {result['jumpMaxMs']:.0f} ms) |")
                lines.append(f"| rows in the page at any time (virtualized) | {result['rowsInPage']} |")
                print("\n".join(lines[-6:]), flush=True)
    finally:
        emu.stop()
    out = ROOT / "tests" / ".artifacts" / "bench-results.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
