// A tiny helper for building DOM nodes without a framework.

type Attrs = Record<string, string | boolean | number | null | undefined | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, "").toLowerCase(), v);
    else if (k === "value" && "value" in el) (el as HTMLInputElement).value = String(v);
    else if (k === "checked" && "checked" in el) (el as HTMLInputElement).checked = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

let ids = 0;
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/**
 * A labelled text field with a live error line wired to aria-invalid/aria-describedby. `onInput` runs on
 * each edit by the user and returns the error to show; `check()` re-validates without counting as an edit
 * (using `validate` when given).
 */
export function field(
  label: string,
  opts: { value: string; hint?: string; placeholder?: string; type?: string; autocomplete?: string; onInput: (v: string) => string | null; validate?: (v: string) => string | null },
) {
  const id = uid("f");
  const err = h("p", { class: "field-error", id: `${id}-err`, role: "status", "aria-live": "polite" });
  const hint = opts.hint ? h("p", { class: "hint", id: `${id}-hint` }, opts.hint) : null;
  const input = h("input", {
    id,
    type: opts.type ?? "text",
    value: opts.value,
    placeholder: opts.placeholder,
    autocomplete: opts.autocomplete ?? "off",
    spellcheck: "false",
    "aria-describedby": [hint ? `${id}-hint` : "", `${id}-err`].join(" ").trim(),
  });
  const show = (msg: string | null) => {
    err.textContent = msg ?? "";
    input.setAttribute("aria-invalid", msg ? "true" : "false");
  };
  const check = () => show((opts.validate ?? opts.onInput)(input.value));
  input.addEventListener("input", () => show(opts.onInput(input.value)));
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hint, input, err);
  return { wrap, input, check };
}

/**
 * The platform the page runs on, from the web view's user agent: WebKitGTK on Linux, WebView2 on Windows,
 * WKWebView on macOS. Set on <html data-os> before the first screen is built, so the stylesheet names the
 * platform's own font and no other: on Linux every family the font stack names that is not installed costs
 * WebKitGTK a font-configuration lookup before the first frame (about 100 ms for a stack of five).
 */
export type Os = "linux" | "windows" | "mac";
export function osOf(userAgent: string): Os {
  if (/Windows NT/.test(userAgent)) return "windows";
  if (/Macintosh|Mac OS X/.test(userAgent)) return "mac";
  return "linux";
}
