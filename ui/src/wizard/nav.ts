// The Back / Next bar of the wizard, and Escape for Back.

import { h } from "../dom";
import { app, go } from "./context";
import { back, blocker, canGoBack, next } from "./state";

/** The Back / Next bar. `onNext` may do work first (and refuse by returning false). */
export function navButtons(nav: HTMLElement, opts: { nextLabel?: string; onNext?: () => Promise<boolean> | boolean; hideNext?: boolean } = {}) {
  const why = h("p", { class: "why", id: "next-why", role: "status", "aria-live": "polite" });
  const backBtn = h("button", { type: "button", class: "secondary", disabled: !canGoBack(app.state), onclick: goBack }, "Back");
  const nextBtn = h("button", { type: "button", class: "primary", id: "next" }, opts.nextLabel ?? "Next");
  const refresh = () => {
    const b = blocker(app.state);
    nextBtn.setAttribute("aria-disabled", b ? "true" : "false");
    nextBtn.setAttribute("aria-describedby", "next-why");
    why.textContent = opts.hideNext ? "" : (b ?? "");
  };
  nextBtn.addEventListener("click", async () => {
    if (blocker(app.state)) {
      refresh();
      return;
    }
    if (opts.onNext && !(await opts.onNext())) return;
    go(next(app.state));
  });
  nav.replaceChildren(backBtn, why, opts.hideNext ? h("span") : nextBtn);
  refresh();
  return refresh;
}

export function goBack() {
  if (app.view !== "wizard" || !canGoBack(app.state)) return;
  go(back(app.state));
}

document.addEventListener("keydown", (e) => {
  // Escape goes back a step, unless it is closing something inside the page first.
  if (e.key === "Escape" && !(e.target instanceof HTMLElement && e.target.closest("details[open]"))) goBack();
});
