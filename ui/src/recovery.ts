// "A change was interrupted": a banner above every screen while the intent journal holds a change that
// the app or a command did not finish (a crash, a closed lid, a killed terminal). It says what is known in
// plain words, and once connected offers the reviewed recovery: what finishing or undoing it takes, then
// only that, with its progress. The banner is one element kept across redraws, so a recovery in progress
// is never lost when the screen behind it changes.

import type { InterruptedDto, RecoveryPlanDto } from "./bindings";
import { busy, errorBox, message, progressList } from "./common";
import { h } from "./dom";
import { app } from "./wizard/context";

const banner = h("section", { id: "recovery", class: "warning box recovery", "aria-labelledby": "recovery-title", hidden: true });

/** The banner (empty and hidden when nothing was interrupted). */
export function recoveryBanner(): HTMLElement {
  return banner;
}

function descriptionOf(text: string) {
  const [first, ...steps] = text.split("\n");
  return [h("p", {}, first), steps.length ? h("ul", {}, steps.map((s) => h("li", {}, s.replace(/^\s*-\s*/, "")))) : null].filter((x) => x !== null) as HTMLElement[];
}

/** Read the journal again and draw the banner for the oldest interrupted change. */
export async function refreshRecovery(): Promise<void> {
  let list: InterruptedDto[];
  try {
    list = await app.backend.interruptedChanges();
  } catch (e) {
    // A damaged record or journal: nothing that changes the account can run until it is dealt with.
    banner.hidden = false;
    banner.replaceChildren(h("h2", { id: "recovery-title" }, "This computer's list of changes cannot be read"), errorBox(message(e)));
    return;
  }
  if (!list.length) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  const change = list[0];
  const status = h("div", { class: "recovery-status", "aria-live": "polite" });
  const review = h("button", { type: "button", class: "primary", id: "review-recovery" }, "Review how to finish or undo it…");
  review.addEventListener("click", () => planIt(change, status, review));
  banner.hidden = false;
  banner.replaceChildren(
    h("h2", { id: "recovery-title" }, list.length === 1 ? "A change was interrupted" : `${list.length} changes were interrupted; the oldest first`),
    ...descriptionOf(change.description),
    h("p", { class: "hint" }, "The app can check the account and then finish the change or undo what was done. Nothing happens until you review it."),
    review,
    status,
  );
}

async function planIt(change: InterruptedDto, status: HTMLElement, review: HTMLButtonElement) {
  if (!app.state.connection) {
    status.replaceChildren(h("p", { class: "field-error", role: "status" }, "Connect to the AWS account the change was made in first (below), then choose this again."));
    return;
  }
  review.disabled = true;
  status.replaceChildren(busy("Checking what the interrupted change left in the account…"));
  let plan: RecoveryPlanDto;
  try {
    plan = await app.backend.planRecovery(change.id);
  } catch (e) {
    review.disabled = false;
    status.replaceChildren(errorBox(message(e)));
    return;
  }
  const verb = plan.finishes ? "Finish it" : "Undo it";
  const go = h("button", { type: "button", class: "primary", id: "run-recovery" }, plan.steps.length ? verb : "Mark it as dealt with");
  const later = h("button", { type: "button", class: "secondary", id: "not-now" }, "Not now");
  later.addEventListener("click", () => refreshRecovery());
  go.addEventListener("click", () => runIt(plan, status));
  status.replaceChildren(
    h("h3", { tabindex: "-1" }, plan.steps.length ? (plan.finishes ? "Finishing it takes:" : "Undoing it takes:") : "Nothing needs doing in the account."),
    plan.steps.length ? h("ol", { class: "recovery-steps" }, plan.steps.map((s) => h("li", {}, s))) : h("span"),
    ...plan.notes.map((n) => h("p", { class: "hint" }, n)),
    h("div", { class: "row" }, go, later),
  );
  status.querySelector<HTMLElement>("h3")?.focus();
}

async function runIt(plan: RecoveryPlanDto, status: HTMLElement) {
  const progress = progressList(plan.steps);
  status.replaceChildren(busy(plan.finishes ? "Finishing the change…" : "Undoing the change…"), progress.element);
  try {
    const out = await app.backend.runRecovery(plan.id, progress.onEvent);
    if (out.left.length) {
      const again = h("button", { type: "button", class: "secondary", id: "recovery-again" }, "Try again");
      again.addEventListener("click", () => refreshRecovery());
      status.replaceChildren(errorBox("Not everything could be done; the change stays open so you can try again."), h("ul", {}, out.left.map((l) => h("li", {}, l))), again);
      return;
    }
    await refreshRecovery();
    if (banner.hidden) {
      banner.hidden = false;
      banner.className = "ok box recovery";
      banner.replaceChildren(h("h2", { id: "recovery-title", tabindex: "-1" }, out.finished ? "Finished: the interrupted change is complete." : "Undone: nothing of the interrupted change is left."));
      banner.querySelector<HTMLElement>("h2")?.focus();
    }
  } catch (e) {
    status.replaceChildren(errorBox(message(e)));
  }
}
