// "Bucket settings": what is on now, then the protections to add (Block Public Access, default encryption
// with S3-managed or KMS keys, TLS-only, access logging) and the CORS rules to add, edit or delete. The
// change is planned, reviewed and applied with rollback like a grant; rules the user did not touch stay.

import type { Backend } from "./backend";
import type { BucketDto, BucketSettingsDto, CorsRuleDto, EncryptionChoice, PlanDto } from "./bindings";
import { busy, codeOf, errorBox, message, newestOnly, progressList, remedyFor } from "./common";
import { field, h, uid } from "./dom";
import { failureView, planView, remergedNote } from "./planView";
import { originsCheck, splitList } from "./validate";

const METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"];

/** One line for a rule, in plain words. */
export function ruleSummary(r: CorsRuleDto): string {
  const what = r.allowedMethods.some((m) => m === "PUT" || m === "POST") ? (r.allowedMethods.includes("GET") ? "read and upload" : "upload") : "read";
  return `Pages on ${r.allowedOrigins.join(", ")} may ${what} (${r.allowedMethods.join(", ")})`;
}

/** Presets for the common needs. */
export function presetRule(kind: "uploads" | "downloads", origin: string): CorsRuleDto {
  return kind === "uploads"
    ? { id: null, allowedOrigins: [origin], allowedMethods: ["PUT", "POST"], allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 3000 }
    : { id: null, allowedOrigins: [origin], allowedMethods: ["GET", "HEAD"], allowedHeaders: [], exposeHeaders: ["ETag"], maxAgeSeconds: 3000 };
}

export function bucketSettingsScreen(main: HTMLElement, nav: HTMLElement, backend: Backend) {
  main.append(h("h1", { tabindex: "-1" }, "Bucket settings"), h("p", { class: "lead" }, "Protect a bucket and choose which web sites may use it from the browser. Nothing changes until you review and apply."));
  const select = h("select", { id: "settings-bucket" }, h("option", { value: "" }, "Choose a bucket…"));
  const body = h("div");
  main.append(h("div", { class: "field" }, h("label", { for: "settings-bucket" }, "Bucket"), select), body);
  nav.replaceChildren(h("span"));
  let buckets: BucketDto[] = [];
  // Only the newest read or plan counts: a slow answer for another bucket (or an earlier plan) is dropped.
  const reads = newestOnly();
  const plans = newestOnly();
  backend
    .listBuckets()
    .then((b) => {
      buckets = b;
      select.append(...b.map((x) => h("option", { value: x.name }, `${x.name} (${x.region ?? "region unknown"})`)));
    })
    .catch((e) => body.replaceChildren(errorBox(message(e))));
  select.addEventListener("change", () => (select.value ? load(select.value) : body.replaceChildren()));

  const load = (bucket: string) => {
    plans.cancel();
    body.replaceChildren(busy(`Reading the settings of ${bucket}…`));
    reads.run(
      backend.bucketSettings(bucket),
      (s) => {
        form(s);
        // A re-read replaces the form: keep the keyboard somewhere sensible rather than on the page itself.
        if (!document.activeElement || document.activeElement === document.body) main.querySelector<HTMLElement>("h1")?.focus();
      },
      (e) => body.replaceChildren(errorBox(message(e))),
    );
  };

  const now = (text: string, on: boolean) => h("span", { class: on ? "ok now" : "now" }, ` Now: ${text}.`);

  const form = (s: BucketSettingsDto) => {
    // Protection.
    const bpa = h("input", { type: "checkbox", id: "set-bpa", checked: s.blocksPublicAccess, disabled: s.blocksPublicAccess });
    const tls = h("input", { type: "checkbox", id: "set-tls", checked: s.tlsOnly, disabled: s.tlsOnly });
    const versioning = h("input", { type: "checkbox", id: "set-versioning", checked: s.versioning === "enabled", disabled: s.versioning === "enabled" });
    let encryption: EncryptionChoice = "keep";
    const kms = field("KMS key ARN", { value: s.kmsKeyId ?? "", placeholder: `arn:aws:kms:${s.region}:123456789012:key/…`, hint: `A key in ${s.region}, the bucket's region.`, onInput: (v) => (encryption === "sse-kms" && !/^arn:aws[a-z-]*:kms:/.test(v.trim()) ? "Paste the key's ARN (arn:aws:kms:…)." : null) });
    kms.wrap.hidden = true;
    const encChoice = (value: EncryptionChoice, label: string) => {
      const id = uid("enc");
      return h("span", { class: "check" }, h("input", { type: "radio", name: "encryption", id, value, checked: value === "keep", onchange: () => ((encryption = value), (kms.wrap.hidden = value !== "sse-kms")) }), h("label", { for: id }, label));
    };
    const logOn = h("input", { type: "checkbox", id: "set-logging", checked: s.logging !== null, disabled: s.logging !== null });
    const sameRegion = buckets.filter((b) => b.name !== s.bucket && (b.region ?? "") === s.region);
    const logTarget = h("select", { id: "log-target" }, sameRegion.map((b) => h("option", { value: b.name, selected: s.logging?.bucket === b.name }, b.name)));
    const logPrefix = field("Log file prefix", { value: s.logging?.prefix ?? `logs/${s.bucket}/`, onInput: () => null });
    const logDetails = h(
      "div",
      { class: "indent", hidden: true },
      sameRegion.length
        ? [h("div", { class: "field" }, h("label", { for: "log-target" }, `Write the logs to (a bucket in ${s.region})`), logTarget), logPrefix.wrap]
        : h("p", { class: "warning" }, `There is no other bucket in ${s.region} to hold the logs. Create one first.`),
    );
    logOn.addEventListener("change", () => (logDetails.hidden = !logOn.checked || s.logging !== null));

    // CORS rules: the list as loaded, edits applied to a copy.
    let rules: CorsRuleDto[] = s.cors.map((r) => ({ ...r }));
    const rulesList = h("ol", { class: "cors-rules", "aria-label": "CORS rules" });
    const after = h("pre", { class: "json", tabindex: "0", "aria-label": "The rules after this change" });
    const editor = h("div", { class: "panel", "aria-live": "polite" });
    const drawRules = () => {
      rulesList.replaceChildren(
        ...rules.map((r, i) =>
          h(
            "li",
            {},
            h("span", {}, ruleSummary(r)),
            " ",
            h("button", { type: "button", class: "link", "aria-label": `Edit rule ${i + 1}`, onclick: () => editRule(i) }, "Edit"),
            h("button", { type: "button", class: "link danger", "aria-label": `Delete rule ${i + 1}`, onclick: () => ((rules = rules.filter((_, j) => j !== i)), drawRules()) }, "Delete"),
          ),
        ),
      );
      if (!rules.length) rulesList.append(h("li", { class: "hint" }, "No rules: web pages on other sites cannot use this bucket from the browser."));
      after.textContent = JSON.stringify(rules, null, 2);
    };
    const editRule = (index: number | null, preset?: CorsRuleDto) => {
      const base = index === null ? (preset ?? presetRule("downloads", "")) : rules[index];
      const origins = field("Web sites allowed (one per line or comma-separated)", { value: base.allowedOrigins.join("\n"), placeholder: "https://app.example.com", onInput: (v) => originsCheck(v).error });
      const methodBoxes = METHODS.map((m) => {
        const id = uid("cm");
        return { m, box: h("input", { type: "checkbox", id, checked: base.allowedMethods.includes(m) }), id };
      });
      const headers = field("Allowed request headers", { value: base.allowedHeaders.join(", "), onInput: () => null });
      const save = h("button", { type: "button", class: "primary", id: "save-rule" }, index === null ? "Add this rule" : "Save the rule");
      const err = h("p", { class: "field-error", role: "alert" });
      save.addEventListener("click", () => {
        const check = originsCheck(origins.input.value);
        const methods = methodBoxes.filter((x) => x.box.checked).map((x) => x.m);
        if (check.error) return void (err.textContent = check.error);
        if (!methods.length) return void (err.textContent = "Choose at least one method.");
        const rule: CorsRuleDto = { ...base, allowedOrigins: splitList(origins.input.value), allowedMethods: methods, allowedHeaders: splitList(headers.input.value) };
        rules = index === null ? [...rules, rule] : rules.map((r, j) => (j === index ? rule : r));
        editor.replaceChildren();
        drawRules();
      });
      editor.replaceChildren(
        h("h3", { tabindex: "-1" }, index === null ? "New rule" : `Rule ${index + 1}`),
        origins.wrap,
        h("fieldset", {}, h("legend", {}, "What the page may do"), h("div", { class: "methods" }, methodBoxes.map((x) => h("span", { class: "check" }, x.box, h("label", { for: x.id }, x.m))))),
        headers.wrap,
        err,
        h("div", { class: "row" }, save, h("button", { type: "button", class: "secondary", onclick: () => editor.replaceChildren() }, "Cancel")),
      );
      editor.querySelector<HTMLElement>("h3")?.focus();
    };
    drawRules();

    const review = h("div", { "aria-live": "polite" });
    const reviewBtn = h("button", { type: "button", class: "primary", id: "review-settings" }, "Review changes");
    reviewBtn.addEventListener("click", () => {
      const rulesChanged = JSON.stringify(rules) !== JSON.stringify(s.cors);
      review.replaceChildren(busy("Checking the bucket and preparing the plan…"));
      plans.run(
        backend.planSettings({
          bucket: s.bucket,
          blockPublicAccess: bpa.checked && !s.blocksPublicAccess,
          encryption,
          kmsKeyArn: encryption === "sse-kms" ? kms.input.value.trim() : null,
          tlsOnly: tls.checked && !s.tlsOnly,
          versioning: versioning.checked && s.versioning !== "enabled",
          logging: logOn.checked && s.logging === null && logTarget.value ? { bucket: logTarget.value, prefix: logPrefix.input.value } : null,
          corsEdit: rulesChanged ? { basedOn: s.cors, rules } : null,
        }),
        showPlan,
        (e) => review.replaceChildren(errorBox(message(e))),
      );
    });

    const showPlan = (plan: PlanDto) => {
      // A plan in which IAM Access Analyzer found errors cannot be applied (the app refuses it too).
      const apply = h("button", { type: "button", class: "primary", id: "apply-settings", disabled: plan.checks.blocks }, "Apply changes");
      apply.addEventListener("click", async () => {
        const progress = progressList(plan.steps.map((x) => x.summary));
        const result = h("div");
        review.replaceChildren(h("h2", { tabindex: "-1" }, "Applying"), progress.element, result);
        const again = () => h("button", { type: "button", class: "primary", id: "review-again", onclick: () => load(s.bucket) }, "Load the settings again");
        try {
          const o = await backend.applyPlan(plan.id, progress.onEvent);
          if (o.ok) {
            result.replaceChildren(
              h("p", { class: "ok", id: "settings-done", role: "status" }, `Done: ${plan.steps.length} change(s) to ${s.bucket}.`),
              remergedNote(o.remerged) ?? "",
              h("button", { type: "button", class: "secondary", onclick: () => load(s.bucket) }, "Show the settings now"),
            );
          } else {
            const f = o.failure!;
            result.replaceChildren(failureView(f, remedyFor(f.code) ? again() : null));
            result.querySelector<HTMLElement>("h2")?.focus();
          }
        } catch (e) {
          result.replaceChildren(errorBox(message(e)), remedyFor(codeOf(e)) ? again() : "");
        }
      });
      review.replaceChildren(h("h2", { tabindex: "-1" }, plan.headline), planView(plan, "settings-plan"), plan.steps.length ? apply : "");
      review.querySelector<HTMLElement>("h2")?.focus();
    };

    const origin = field("Your web site", { value: "", placeholder: "https://app.example.com", onInput: (v) => (v ? originsCheck(v).error : null) });
    const preset = (kind: "uploads" | "downloads", label: string) =>
      h("button", { type: "button", class: "secondary small", onclick: () => editRule(null, presetRule(kind, origin.input.value.trim())) }, label);
    body.replaceChildren(
      h(
        "fieldset",
        {},
        h("legend", {}, "Protection"),
        h("div", { class: "check" }, bpa, h("label", { for: "set-bpa" }, "Block all public access"), now(s.blocksPublicAccess ? "already on" : "off", s.blocksPublicAccess)),
        h(
          "div",
          { class: "field" },
          h("p", {}, "Encrypt new files by default", now(s.encryption ? `on, with ${s.encryption}` : "off", s.encryption !== null)),
          h("div", { class: "methods", role: "radiogroup", "aria-label": "Default encryption" }, encChoice("keep", "Leave as it is"), encChoice("sse-s3", "S3-managed keys (SSE-S3)"), encChoice("sse-kms", "A KMS key (SSE-KMS)")),
          kms.wrap,
        ),
        h("div", { class: "check" }, tls, h("label", { for: "set-tls" }, "Refuse connections without encryption (HTTPS only)"), now(s.tlsOnly ? "already on" : "off", s.tlsOnly)),
        h(
          "div",
          { class: "check" },
          versioning,
          h("label", { for: "set-versioning" }, "Keep every version of every file, so an overwrite or a delete can be undone (versioning)"),
          now({ enabled: "already on", suspended: "suspended", off: "off" }[s.versioning], s.versioning === "enabled"),
        ),
        h("div", { class: "check" }, logOn, h("label", { for: "set-logging" }, "Record every request (server access logs)"), now(s.logging ? `on, into s3://${s.logging.bucket}/${s.logging.prefix}` : "off", s.logging !== null)),
        logDetails,
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Browser access (CORS rules)"),
        rulesList,
        h("div", { class: "row" }, origin.wrap, preset("uploads", "Add: browser uploads from this site"), preset("downloads", "Add: browser downloads from this site")),
        editor,
        h("details", { class: "json-details" }, h("summary", {}, "All rules after this change (JSON)"), after),
      ),
      h("div", { class: "row" }, reviewBtn),
      review,
    );
  };
}
