// One view of a plan (the wizard's review and Bucket settings both show it) and one view of a failed
// apply: plain words first, each call's JSON one click away.

import type { ChecksDto, FailureDto, PlanDto } from "./bindings";
import { cardView } from "./card";
import { h } from "./dom";

/** The steps in order, with their AWS calls and undo, and the notes. */
export function planView(plan: PlanDto, listId?: string): HTMLElement {
  return h(
    "div",
    { class: "plan-view", "data-plan-id": String(plan.id) },
    cardView(plan.can, "What the access will be able to do"),
    plan.steps.length
      ? h(
          "ol",
          { class: "plan", id: listId ?? null },
          plan.steps.map((s) =>
            h(
              "li",
              {},
              h("span", { class: "summary" }, s.summary),
              h("span", { class: "call" }, `${s.call} · undo: ${s.undo}`),
              s.document ? h("details", { class: "json-details" }, h("summary", {}, "Show the JSON"), h("pre", { class: "json", tabindex: "0" }, s.document)) : null,
            ),
          ),
        )
      : h("p", { id: listId ?? null }, "Nothing needs to change."),
    plan.notes.length ? h("ul", { class: "notes" }, plan.notes.map((n) => h("li", { class: n.startsWith("Warning:") ? "warning" : null }, n))) : null,
    checksView(plan.checks),
  );
}

const SEVERITY_WORDS: Record<string, string> = { error: "Error", "security-warning": "Security warning", warning: "Warning", suggestion: "Suggestion" };

/** IAM Access Analyzer's findings about the policies the plan writes: plain sentences, AWS's code and
 * documentation one click away. Errors block Apply. */
export function checksView(c: ChecksDto): HTMLElement {
  return h(
    "section",
    { class: `checks${c.blocks ? " blocks" : ""}`, "aria-label": "IAM Access Analyzer", id: "access-analyzer" },
    h("p", { class: c.blocks ? "error" : c.checked ? "ok" : "hint", role: c.blocks ? "alert" : null }, c.summary),
    c.findings.length
      ? h(
          "ul",
          {},
          c.findings.map((f) =>
            h(
              "li",
              { class: f.severity === "error" ? "error" : "warning", "data-severity": f.severity },
              h("strong", {}, `${SEVERITY_WORDS[f.severity] ?? f.severity} in ${f.policy}: `),
              f.message,
              h("details", { class: "json-details" }, h("summary", {}, "Details"), h("p", {}, `Access Analyzer's code: ${f.code}`), f.learnMore ? h("p", {}, `AWS's explanation: ${f.learnMore}`) : null),
            ),
          ),
        )
      : null,
  );
}

/** A failed apply: which step, why, what was rolled back and what (if anything) is left to remove. */
export function failureView(f: FailureDto, actions: HTMLElement | null = null): HTMLElement {
  const box = h(
    "div",
    { class: "error", role: "alert" },
    h("h2", { tabindex: "-1" }, `Step ${f.step + 1} failed: ${f.summary}`),
    h("p", {}, f.message),
    f.leftBehind.length
      ? [h("p", {}, h("strong", {}, "These could not be undone; please remove them in the AWS console:")), h("ul", { class: "left-behind" }, f.leftBehind.map((x) => h("li", {}, x)))]
      : h("p", {}, f.rolledBack.length ? "Everything was rolled back: your account is as it was." : "Nothing had been changed."),
    f.rolledBack.length ? [h("p", {}, "Rolled back:"), h("ul", { class: "rolled-back" }, f.rolledBack.map((x) => h("li", {}, x)))] : null,
    actions,
  );
  return box;
}

/** Steps that were merged into a document someone changed after the review, said plainly. */
export function remergedNote(remerged: string[]): HTMLElement | null {
  if (!remerged.length) return null;
  return h(
    "div",
    { class: "warning box", role: "note", id: "remerged" },
    h("p", {}, "Someone changed the bucket after you reviewed the plan. These changes were merged into what it holds now, and nothing they added was lost:"),
    h("ul", {}, remerged.map((r) => h("li", {}, r))),
  );
}
