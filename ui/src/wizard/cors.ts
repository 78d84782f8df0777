// 5. Browser access (CORS), optional: existing rules are kept and the merged result shown.

import { message } from "../common";
import { field, h, uid } from "../dom";
import { originsCheck, splitList } from "../validate";
import { app, set } from "./context";
import { navButtons } from "./nav";
import { corsMethodsFor } from "./state";

export function corsScreen(main: HTMLElement, nav: HTMLElement) {
  const refresh = navButtons(nav);
  main.append(
    h("h1", { tabindex: "-1" }, "Browser access (optional)"),
    h("p", { class: "lead" }, "Only needed when a web page uploads to or downloads from the bucket directly in the browser. Existing rules are kept."),
  );
  const enable = h("input", { type: "checkbox", id: "cors-on", checked: app.state.corsEnabled });
  const body = h("div", { hidden: !app.state.corsEnabled });
  enable.addEventListener("change", () => {
    set({ corsEnabled: enable.checked });
    body.hidden = !enable.checked;
    refresh();
    merged();
  });
  const warn = h("p", { class: "warning", role: "status", "aria-live": "polite" });
  const origins = field("Web sites allowed (one per line or comma-separated)", {
    value: app.state.corsOrigins,
    placeholder: "https://app.example.com",
    onInput: (v) => {
      set({ corsOrigins: v });
      const c = originsCheck(v);
      warn.textContent = c.warning ?? "";
      refresh();
      merged();
      return v ? c.error : null;
    },
  });
  const methods = h(
    "div",
    { class: "methods", role: "group", "aria-label": "Methods" },
    ["GET", "HEAD", "PUT", "POST", "DELETE"].map((m) => {
      const id = uid("m");
      return h(
        "span",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id,
          checked: (app.state.corsMethods.length ? app.state.corsMethods : corsMethodsFor(app.state.level)).includes(m),
          onchange: (e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            set({ corsMethods: on ? [...app.state.corsMethods, m] : app.state.corsMethods.filter((x) => x !== m) });
            refresh();
            merged();
          },
        }),
        h("label", { for: id }, m),
      );
    }),
  );
  const headers = field("Allowed request headers", { value: app.state.corsHeaders, onInput: (v) => (set({ corsHeaders: v }), merged(), null) });
  const maxAge = field("Cache the browser's check for (seconds)", { value: app.state.corsMaxAge, onInput: (v) => (set({ corsMaxAge: v }), merged(), /^\d*$/.test(v) ? null : "Use a whole number of seconds.") });
  const existing = h("pre", { class: "json", tabindex: "0", "aria-label": "Rules already on the bucket" }, "Loading…");
  const result = h("pre", { class: "json", tabindex: "0", "aria-label": "The rules after this change" });
  let current: unknown[] = [];
  const merged = () => {
    const rule = app.state.corsEnabled ? [corsRule()] : [];
    result.textContent = JSON.stringify([...current, ...rule], null, 2);
  };
  if (app.state.createBucketRegion === null) {
    app.backend
      .bucketCors(app.state.bucket)
      .then((r) => {
        current = r;
        existing.textContent = r.length ? JSON.stringify(r, null, 2) : "No rules yet.";
        merged();
      })
      .catch((e) => (existing.textContent = message(e)));
  } else existing.textContent = "A new bucket has no rules.";
  body.append(
    origins.wrap,
    warn,
    h("fieldset", {}, h("legend", {}, "What the page may do"), methods),
    h("details", {}, h("summary", {}, "Headers and caching"), headers.wrap, maxAge.wrap),
    h("details", { class: "json-details" }, h("summary", {}, "Rules already on the bucket"), existing),
    h("details", { class: "json-details" }, h("summary", {}, "All rules after this change"), result),
  );
  main.append(h("div", { class: "check big" }, enable, h("label", { for: "cors-on" }, "Let web pages use this bucket from the browser (CORS)")), body);
  if (app.state.corsMethods.length === 0) set({ corsMethods: corsMethodsFor(app.state.level) });
  merged();
}

export function corsRule() {
  return {
    id: null,
    allowedOrigins: splitList(app.state.corsOrigins),
    allowedMethods: app.state.corsMethods,
    allowedHeaders: splitList(app.state.corsHeaders),
    exposeHeaders: ["ETag"],
    maxAgeSeconds: app.state.corsMaxAge ? Number(app.state.corsMaxAge) : null,
  };
}

