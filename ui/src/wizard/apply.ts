// 7. Apply, with live progress; on failure, the error in plain words, what was rolled back, and what the
// user can do about it (review again, connect again).

import { codeOf, errorBox, message, progressList, remedyFor, type Remedy } from "../common";
import { h } from "../dom";
import { failureView } from "../planView";
import { app, go, set } from "./context";
import { navButtons } from "./nav";
import { initialState, next } from "./state";

/** The button for what the user can do after a failure with this code, if anything. */
export function remedyButton(remedy: Remedy): HTMLElement | null {
  if (remedy === "review-again") {
    return h("button", { type: "button", class: "primary", id: "review-again", onclick: () => go({ ...app.state, step: "review", plan: null, outcome: null, applying: false }) }, "Review again");
  }
  if (remedy === "connect-again") {
    return h("button", { type: "button", class: "primary", id: "connect-again", onclick: () => go({ ...initialState() }) }, "Connect again");
  }
  return null;
}

export function applyScreen(main: HTMLElement, nav: HTMLElement) {
  const plan = app.state.plan!;
  set({ applying: true, outcome: null });
  const progress = progressList(plan.steps.map((s) => s.summary));
  const result = h("div");
  main.append(h("h1", { tabindex: "-1" }, "Applying the changes"), progress.element, result);
  navButtons(nav, { hideNext: true });
  app.backend
    .applyPlan(plan.id, progress.onEvent)
    .then((outcome) => {
      set({ outcome, applying: false });
      if (outcome.ok) {
        go(next(app.state));
        return;
      }
      const f = outcome.failure!;
      result.append(failureView(f, remedyButton(remedyFor(f.code))));
      navButtons(nav, { hideNext: true });
      result.querySelector<HTMLElement>("h2")?.focus();
    })
    .catch((e) => {
      set({ applying: false });
      result.append(errorBox(message(e)), remedyButton(remedyFor(codeOf(e))) ?? "");
      navButtons(nav, { hideNext: true });
      result.querySelector<HTMLElement>("button")?.focus();
    });
}
