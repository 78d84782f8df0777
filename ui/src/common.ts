// Small pieces shared by the wizard and "My access": error and busy lines, and a live step list.

import { BackendError } from "./backend";
import type { LevelDto, ProgressDto } from "./bindings";
import { h } from "./dom";

export function message(e: unknown): string {
  return e instanceof BackendError ? e.message : String(e);
}

export function errorBox(text: string) {
  return h("div", { class: "error", role: "alert" }, text);
}

export function busy(text: string) {
  return h("p", { class: "busy", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/** A list of steps with a progress bar, updated from progress events; screen readers hear each step. */
export function progressList(summaries: string[]) {
  const total = summaries.length;
  const bar = h("progress", { max: String(total), value: "0", "aria-label": "Progress" });
  const items = summaries.map((s) => h("li", { class: "pending" }, h("span", { class: "state", "aria-hidden": "true" }), h("span", {}, s), h("span", { class: "visually-hidden status-word" }, " — waiting")));
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const mark = (i: number, cls: string, word: string) => {
    if (!items[i]) return;
    items[i].className = cls;
    items[i].querySelector(".status-word")!.textContent = ` — ${word}`;
  };
  let done = 0;
  const onEvent = (p: ProgressDto) => {
    switch (p.type) {
      case "started":
        mark(p.index, "running", "in progress");
        live.textContent = `Step ${p.index + 1} of ${p.total}: ${p.summary}`;
        break;
      case "succeeded":
        mark(p.index, "ok", "done");
        bar.value = ++done;
        break;
      case "failed":
        mark(p.index, "failed", "failed");
        break;
      case "rollbackStarted":
        live.textContent = `Undoing ${p.steps} completed step(s)…`;
        break;
      case "undone":
        mark(p.index, "undone", "undone");
        break;
      case "undoFailed":
        mark(p.index, "failed", "could not be undone");
        break;
    }
  };
  return { element: h("div", {}, bar, h("ol", { class: "progress-list" }, items), live), onEvent };
}

/**
 * Only the newest answer counts. Each screen that asks the app for something it shows (a plan, a list)
 * runs the request through one of these: when the user asked again, or left, meanwhile, an older answer
 * that arrives late is dropped instead of replacing the newer one (or reviving a plan no longer shown).
 */
export function newestOnly() {
  let current = 0;
  return {
    /** Start a request; `done` or `failed` runs only if no newer request was started, or `cancel` called. */
    run<T>(work: Promise<T>, done: (value: T) => void, failed: (e: unknown) => void = () => {}): void {
      const mine = ++current;
      work.then(
        (v) => mine === current && done(v),
        (e) => mine === current && failed(e),
      );
    },
    /** Drop whatever answer is still on its way. */
    cancel(): void {
      current++;
    },
  };
}

/** Error codes the user can act on, and what to offer. */
export type Remedy = "review-again" | "connect-again" | null;

export function remedyFor(code: string | null | undefined): Remedy {
  switch (code) {
    case "stale_plan":
    case "changed_since_review":
      return "review-again";
    case "not_connected":
    case "expired_credentials":
    case "sso_expired":
    case "login_expired":
    case "invalid_credentials":
    case "no_credentials":
      return "connect-again";
    default:
      return null;
  }
}

export function codeOf(e: unknown): string | null {
  return e instanceof BackendError ? e.code : null;
}

/** An access level in plain words, the same wherever it is shown (My access, a vendor's guide). */
export const LEVEL_WORDS: Record<LevelDto, string> = { read: "Read-only", upload: "Upload-only", "read-write": "Read and write", full: "Full (with delete)" };
