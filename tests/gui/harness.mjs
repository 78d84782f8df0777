// The harness for end-to-end tests through the real window: the moto emulator behind the fault-injecting
// proxy, tauri-driver (WebKitWebDriver) driving the debug build of the app under Xvfb, and a real GNOME
// Keyring (the run script starts the private D-Bus session). Tests drive the UI by visible text and roles.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, beforeEach } from "node:test";
import { remote } from "webdriverio";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, "target");
export const APP = path.join(TARGET, "debug", "s3-access-wizard");
const CLI = path.join(TARGET, "debug", "s3aw");
const PY = path.join(ROOT, ".venv", "bin", "python");
export const SHOTS = path.join(ROOT, "tests", ".artifacts", "screenshots");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${url} did not answer`);
}

async function waitForPort(port, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`nothing listens on ${port}`);
}

export class Env {
  children = [];

  /** `signIn`: also run the fake AWS Sign-In and Identity Center, and point the app (and its browser) at them. */
  constructor({ signIn = false } = {}) {
    this.signIn = signIn;
  }

  async start() {
    if (!existsSync(APP)) throw new Error(`${APP} is missing: build the test app first (make test does)`);
    this.dir = mkdtempSync(path.join(tmpdir(), "s3aw-gui-"));
    this.home = path.join(this.dir, "home");
    this.saveDir = path.join(this.dir, "downloads");
    mkdirSync(this.home);
    mkdirSync(this.saveDir);
    mkdirSync(SHOTS, { recursive: true });
    this.service = `s3aw-gui-test-${process.pid}`;
    const motoPort = await freePort();
    this.moto = `http://127.0.0.1:${motoPort}`;
    this.spawn(PY, [path.join(ROOT, "tests", "harness", "moto_server.py"), "-H", "127.0.0.1", "-p", String(motoPort)]);
    await waitFor(`${this.moto}/moto-api/`);
    const proxyPort = await freePort();
    this.proxy = `http://127.0.0.1:${proxyPort}`;
    this.spawn(PY, [path.join(ROOT, "tests", "harness", "fault_proxy.py"), "--upstream", this.moto, "--port", String(proxyPort)]);
    await waitFor(`${this.proxy}/__log`);
    let signInEnv = {};
    if (this.signIn) {
      const port = await freePort();
      this.fake = `http://127.0.0.1:${port}`;
      this.spawn(PY, [path.join(ROOT, "tests", "harness", "fake_signin.py"), "--moto", this.moto, "--port", String(port)]);
      await waitFor(`${this.fake}/_state`);
      signInEnv = {
        AWS_ENDPOINT_URL_SIGNIN: this.fake,
        AWS_ENDPOINT_URL_SSO_OIDC: this.fake,
        AWS_ENDPOINT_URL_SSO: this.fake,
        // Connections made with a signed-in profile go to the emulator.
        AWS_ENDPOINT_URL: this.proxy,
        S3AW_BROWSER: path.join(ROOT, "tests", "harness", "play-browser.sh"),
      };
    }
    this.driverPort = await freePort();
    const driver = process.env.TAURI_DRIVER || path.join(ROOT, ".tools", "bin", "tauri-driver");
    this.spawn(driver, ["--port", String(this.driverPort), "--native-port", String(await freePort()), "--native-driver", "/usr/bin/WebKitWebDriver"], {
      ...signInEnv,
      HOME: this.home,
      S3AW_SANDBOX_ENDPOINT: this.proxy,
      S3AW_KEYCHAIN_SERVICE: this.service,
      S3AW_CONFIG_DIR: path.join(this.home, "config"),
      S3AW_TEST_SAVE_DIR: this.saveDir,
      AWS_CONFIG_FILE: path.join(this.home, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.home, "no-aws-credentials"),
    });
    await waitForPort(this.driverPort);
  }

  spawn(cmd, args, extraEnv = {}) {
    const env = { ...process.env, ...extraEnv };
    for (const k of Object.keys(env)) if (k.startsWith("AWS_") && !(k in extraEnv)) delete env[k];
    // Output goes to a log file, not this process's stderr: an app that outlives its driver (after a
    // WebKit crash) must not keep the test runner waiting on an inherited pipe.
    this.log ??= openSync(path.join(ROOT, "tests", ".artifacts", `gui-${path.basename(this.dir)}.log`), "a");
    const child = spawn(cmd, args, { env, stdio: ["ignore", this.log, this.log] });
    this.children.push(child);
    return child;
  }

  async stop() {
    for (const c of this.children.reverse()) c.kill("SIGTERM");
    // Any app window left behind (its driver gone after a crash) is found by this run's keychain service.
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`S3AW_KEYCHAIN_SERVICE=${this.service}`)) process.kill(Number(pid), "SIGKILL");
      } catch {}
    }
    await sleep(300);
  }

  async reset() {
    await fetch(`${this.moto}/moto-api/reset`, { method: "POST" });
    await fetch(`${this.proxy}/__fault`, { method: "DELETE" });
  }

  /** Steer the fake sign-in services (what the person in the browser does next, token lifetimes). */
  async signInControl(body) {
    await fetch(`${this.fake}/_control`, { method: "POST", body: JSON.stringify(body) });
  }

  /** The fake sign-in services' counts and refusals. */
  async signInState() {
    return (await fetch(`${this.fake}/_state`)).json();
  }

  /** Make the next request for `operation` (e.g. "iam:CreateAccessKey") fail with AccessDenied. */
  async failNext(operation) {
    await fetch(`${this.proxy}/__fault`, { method: "POST", body: JSON.stringify({ operation }) });
  }

  /** Hold every request for `operation` unanswered until `release()`: a request known to be in flight. */
  async hold(operation) {
    await fetch(`${this.proxy}/__fault`, { method: "POST", body: JSON.stringify({ operation, hold: true }) });
  }

  async release() {
    await fetch(`${this.proxy}/__release`, { method: "POST" });
  }

  /** The AWS operations the proxy has seen (e.g. "sts:GetCallerIdentity"), in order. */
  async operations() {
    return (await fetch(`${this.proxy}/__log`)).json();
  }

  async clearOperations() {
    await fetch(`${this.proxy}/__log`, { method: "DELETE" });
  }

  async seedBuckets(spec) {
    for (const [bucket, keys] of Object.entries(spec)) {
      await fetch(`${this.moto}/${bucket}`, { method: "PUT" });
      for (const k of keys) await fetch(`${this.moto}/${bucket}/${k}`, { method: "PUT", body: `sample ${k}` });
    }
  }

  /** What the emulator holds, read with boto3 (a third-party client). */
  accountState() {
    return JSON.parse(this.boto("from conftest import account_state\nprint(json.dumps(account_state(iam, s3)))"));
  }

  /** The environment of a tool run as the user the app runs as: same HOME, keychain service and record. */
  toolEnv(extra) {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
    return Object.assign(env, { HOME: this.home, S3AW_KEYCHAIN_SERVICE: this.service, S3AW_CONFIG_DIR: path.join(this.home, "config") }, extra);
  }

  /** Run the `s3aw` CLI against the same emulator, keychain service and record as the app; parsed JSON out. */
  cli(...args) {
    const env = this.toolEnv({
      AWS_ACCESS_KEY_ID: "AKIAADMINEXAMPLE0001",
      AWS_SECRET_ACCESS_KEY: "admin-secret-not-checked-by-moto",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: this.proxy,
    });
    return JSON.parse(execFileSync(CLI, ["--json", ...args], { encoding: "utf8", env }));
  }

  /**
   * Run `s3aw ARGS` and kill it (SIGKILL) right after the emulator carried out `operation`, before its
   * answer arrives: a change interrupted at its most awkward moment, left in this user's journal.
   */
  async killedCli(operation, ...args) {
    await fetch(`${this.proxy}/__fault`, { method: "POST", body: JSON.stringify({ operation, withhold_answer: true }) });
    const env = this.toolEnv({ AWS_ACCESS_KEY_ID: "AKIAADMINEXAMPLE0001", AWS_SECRET_ACCESS_KEY: "admin-secret-not-checked-by-moto", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: this.proxy });
    const child = spawn(CLI, args, { env, stdio: "ignore" });
    let exited = false;
    child.on("exit", () => (exited = true));
    for (;;) {
      const withheld = await (await fetch(`${this.proxy}/__withheld`)).json();
      if (withheld.includes(operation)) break;
      if (exited) throw new Error(`s3aw ${args.join(" ")} ended before ${operation} was carried out`);
      await sleep(50);
    }
    const gone = new Promise((resolve) => (exited ? resolve() : child.on("exit", resolve)));
    child.kill("SIGKILL");
    await gone;
    await this.release();
  }

  /** Run Python with boto3 clients `s3` and `iam` on the emulator (a third-party client); returns stdout. */
  boto(code) {
    const prelude = `import sys, json; sys.path.insert(0, "${ROOT}/tests/e2e")
from conftest import client
class M: url = "${this.moto}"
s3 = client("s3", M); iam = client("iam", M)
`;
    return execFileSync(PY, ["-c", prelude + code], { encoding: "utf8" });
  }

  /** A role's trust policy and attached policies, read with boto3. */
  role(name) {
    return JSON.parse(
      this.boto(`r = iam.get_role(RoleName="${name}")["Role"]
print(json.dumps({"trust": r["AssumeRolePolicyDocument"], "attached": [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="${name}")["AttachedPolicies"]]}))`),
    );
  }

  /** Run awscli (PyPI) as the user the app runs as: same HOME, AWS config file, keychain service and record. */
  awscli(...args) {
    const env = this.toolEnv({
      AWS_CONFIG_FILE: path.join(this.home, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.home, "no-aws-credentials"),
      AWS_DEFAULT_REGION: "us-east-1",
    });
    return execFileSync(path.join(ROOT, ".venv", "bin", "aws"), [...args, "--endpoint-url", this.moto], { encoding: "utf8", env });
  }

  keychainSecret(entry) {
    try {
      return execFileSync("secret-tool", ["lookup", "service", this.service, "username", entry], { encoding: "utf8" });
    } catch {
      return null;
    }
  }

  /** Use the downloaded CSV with boto3: list and read the bucket as the new key. */
  useCsvWithBoto3(csvPath, bucket, prefix, key) {
    const code = `import csv, boto3
rows = list(csv.reader(open("${csvPath}", newline="")))
assert rows[0] == ["Access key ID", "Secret access key"], rows[0]
s3 = boto3.client("s3", endpoint_url="${this.moto}", region_name="us-east-1", aws_access_key_id=rows[1][0], aws_secret_access_key=rows[1][1])
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="${bucket}", Prefix="${prefix}")["Contents"]]
body = s3.get_object(Bucket="${bucket}", Key="${key}")["Body"].read().decode()
print(len(keys), body)`;
    return execFileSync(PY, ["-c", code], { encoding: "utf8" }).trim();
  }

  async enforceIam(on) {
    await fetch(`${this.moto}/moto-api/reset-auth`, { method: "POST", body: on ? "0" : "inf", headers: { "Content-Type": "text/plain" } });
  }

  async session() {
    const browser = await remote({
      hostname: "127.0.0.1",
      port: this.driverPort,
      logLevel: "error",
      connectionRetryTimeout: Number(process.env.WDIO_TIMEOUT || 120000),
      connectionRetryCount: 0,
      capabilities: { browserName: "wry", "tauri:options": { application: APP }, "wdio:enforceWebDriverClassic": true },
    });
    return new Ui(browser);
  }
}

/**
 * The usual lifecycle of a GUI test file: one environment for the file, and for each test a clean emulator,
 * `seed(env)`, and a fresh window. Returns the environment and a getter for the current window.
 */
export function useEnv(seed = async () => {}, options = {}) {
  const env = new Env(options);
  let ui;
  before(async () => env.start());
  after(async () => env.stop());
  beforeEach(async () => {
    await env.reset();
    await seed(env);
    ui = await env.session();
  });
  afterEach(async () => ui?.close());
  return { env, ui: () => ui };
}

/** The app's window, driven as a person would: by visible text, labels and the keyboard. */
export class Ui {
  constructor(browser) {
    this.b = browser;
  }

  async close() {
    await this.b.deleteSession().catch(() => {});
  }

  /** Connect to the local sandbox from the first screen. */
  async connectSandbox() {
    await this.heading("Connect to your AWS account");
    await this.choose("Local sandbox (no AWS account)");
    await this.click("Connect");
    await this.waitForText("main", "Connected to the local sandbox (not AWS).");
  }

  /** The same, with the keyboard alone (Tab to the choice, Space, Tab to Connect, Enter). */
  async connectSandboxByKeyboard() {
    await this.heading("Connect to your AWS account");
    await this.tabTo("Local sandbox");
    await this.keys(" ");
    await this.tabTo("Connect");
    await this.keys("Enter");
    await this.waitForText("main", "Connected to the local sandbox");
  }

  async heading(text, ms = 20000) {
    await this.b.$(`h1*=${text}`).waitForDisplayed({ timeout: ms });
  }

  /** A radio or checkbox, by the text of its label. */
  async choose(labelText) {
    const label = await this.b.$(`label*=${labelText}`);
    await label.waitForDisplayed({ timeout: 20000 });
    await this.clickElement(label, labelText);
  }

  async button(text) {
    const el = await this.b.$(`button=${text}`);
    await el.waitForExist({ timeout: 20000 });
    return el;
  }

  async click(text) {
    await this.clickElement(await this.button(text), text);
  }

  /**
   * Click an element as a person would, once it can be clicked: scrolled into the middle of the window
   * (clear of the fixed navigation bar), displayed, enabled, and the topmost element at its centre, so
   * nothing covers it. Every wait is for that state, never for a time. Should the page re-render between
   * the check and the click (WebDriver then reports "element click intercepted"), the check runs again; should
   * it replace the element (WebDriver then reports a stale element, or a node not found), the element is found again by the same
   * selector and checked again.
   */
  async clickElement(el, name) {
    // WebKitWebDriver says a replaced element's node "was not found"; other drivers say "stale element".
    const stale = (e) => /stale element|click intercepted|not connected|no longer attached|Node with identifier .* was not found/i.test(String(e?.message));
    const refind = async () => {
      el = await this.b.$(el.selector);
      await el.waitForExist({ timeout: 20000 });
    };
    const check = async () => {
      try {
        last = await clickable();
        if (last === "gone") await refind();
        return last;
      } catch (e) {
        if (!stale(e)) throw e;
        await refind();
        return (last = "re-rendered");
      }
    };
    const clickable = () =>
      this.b.execute((e) => {
        if (!e.isConnected) return "gone";
        e.scrollIntoView({ block: "center", inline: "center" });
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return "not displayed";
        if (e.disabled || e.getAttribute("aria-disabled") === "true" && e.tagName !== "BUTTON") return "disabled";
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!top) return "off screen";
        const label = e.tagName === "LABEL" ? e : null;
        return top === e || e.contains(top) || (label && top.closest("label") === label) ? "ok" : `covered by <${top.tagName.toLowerCase()}${top.id ? "#" + top.id : ""}>`;
      }, el);
    let last = "";
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.b.waitUntil(async () => (await check()) === "ok", { timeout: 20000, interval: 50 });
        await el.click();
        return;
      } catch (e) {
        if (stale(e) && attempt < 4) {
          await refind();
          continue;
        }
        await this.b.saveScreenshot(path.join(SHOTS, "failed-click.png")).catch(() => {});
        throw new Error(`clicking "${name}": ${last && last !== "ok" ? `${last}; ` : ""}${e?.name ?? ""} ${e?.message ?? e} (see failed-click.png)`);
      }
    }
  }

  /** Wait until the element is there and no longer busy (`aria-busy`, set while the screen reads it again). */
  async notBusy(selector, ms = 60000) {
    await this.b.waitUntil(() => this.b.execute((sel) => { const el = document.querySelector(sel); return !!el && !el.hasAttribute("aria-busy"); }, selector), { timeout: ms, interval: 50 });
  }

  /**
   * Choose an option of a <select> by value, as the keyboard does: focus it and change its value, with the
   * change event a person's choice fires. WebDriver's own option click opens GTK's native popup menu, which
   * under Xvfb sometimes hangs the page (seen in CI), like the native save dialog it cannot drive.
   */
  async selectOption(selector, value) {
    const el = await this.b.$(selector);
    const has = () => this.b.execute((e, v) => [...e.options].some((o) => o.value === v), el, value);
    await this.b.waitUntil(has, { timeout: 20000, timeoutMsg: `${selector} never offered "${value}"` });
    const ok = await this.b.execute(
      (e, v) => {
        if (![...e.options].some((o) => o.value === v)) return false;
        e.focus();
        e.value = v;
        e.dispatchEvent(new Event("change", { bubbles: true }));
        return true;
      },
      el,
      value,
    );
    if (!ok) throw new Error(`${selector} has no option "${value}"`);
  }

  /** A text field, by its label. */
  async fieldByLabel(labelText) {
    const label = await this.b.$(`label*=${labelText}`);
    await label.waitForDisplayed({ timeout: 20000 });
    return this.b.$(`#${await label.getAttribute("for")}`);
  }

  async type(labelText, value) {
    const input = await this.fieldByLabel(labelText);
    await input.clearValue();
    await input.setValue(value);
  }

  async text(selector, ms = 30000) {
    const el = await this.b.$(selector);
    await el.waitForDisplayed({ timeout: ms });
    return el.getText();
  }

  async waitForText(selector, needle, ms = 60000) {
    try {
      await this.b.waitUntil(async () => (await this.b.$(selector).getText().catch(() => "")).includes(needle), { timeout: ms });
    } catch {
      const seen = await this.b.$(selector).getText().catch(() => "(nothing)");
      await this.b.saveScreenshot(path.join(SHOTS, "failed-wait.png")).catch(() => {});
      throw new Error(`"${needle}" never appeared in ${selector}; it shows: ${seen.slice(0, 400)} (see failed-wait.png)`);
    }
  }

  async shot(name) {
    await sleep(250); // let the frame paint
    await this.b.saveScreenshot(path.join(SHOTS, `${name}.png`));
  }

  // ---- keyboard only ----

  /** What has the keyboard focus: its label text (or own text) and its kind. */
  async focused() {
    return this.b.execute(() => {
      const a = document.activeElement;
      if (!a) return { text: "", tag: "", type: "", name: "" };
      const label = a.id ? document.querySelector(`label[for="${a.id}"]`) : null;
      return { text: (label?.textContent || a.getAttribute("aria-label") || a.textContent || "").trim(), tag: a.tagName, type: a.getAttribute("type") || "", name: a.getAttribute("name") || "" };
    });
  }

  async keys(...k) {
    await this.b.keys(k);
  }

  /**
   * Press Tab until the control labelled `text` has focus. Inside a radio group Tab stops once, so the
   * arrow keys move to the right option (which also selects it), as they would for a person.
   */
  async tabTo(text, maxTabs = 60) {
    for (let i = 0; i < maxTabs; i++) {
      const f = await this.focused();
      if (f.tag !== "BODY" && f.text.includes(text)) return f;
      if (f.type === "radio") {
        const group = await this.b.execute((name) => [...document.querySelectorAll(`input[name="${name}"]`)].map((r) => document.querySelector(`label[for="${r.id}"]`)?.textContent ?? ""), f.name);
        if (group.some((t) => t.includes(text))) {
          for (let j = 0; j < group.length + 1; j++) {
            if ((await this.focused()).text.includes(text)) return this.focused();
            await this.keys("ArrowDown");
          }
        }
      }
      await this.keys("Tab");
    }
    throw new Error(`could not reach "${text}" with the Tab key`);
  }
}
