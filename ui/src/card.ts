// "What can this access do?": plain yes/no lines read from the policy by the engine (s3aw_core::explain),
// shown on Review, after a grant, and in My access.

import type { CardLineDto } from "./bindings";
import { h } from "./dom";

export function cardView(lines: CardLineDto[], title = "What this access can do"): HTMLElement | null {
  if (!lines.length) return null;
  const headingId = `card-${Math.random().toString(36).slice(2, 8)}`;
  return h(
    "section",
    { class: "can-card", "aria-labelledby": headingId },
    h("h3", { id: headingId }, title),
    h(
      "ul",
      {},
      lines.map((l) =>
        h(
          "li",
          { "data-code": l.code, class: l.allowed === null ? "limit" : l.allowed ? "yes" : "no" },
          l.allowed === null
            ? [h("span", { class: "q" }, `${l.question}: `), h("strong", {}, l.answer)]
            : [h("span", { class: "answer", "aria-hidden": "true" }, l.allowed ? "✓ Yes" : "✗ No"), h("span", { class: "visually-hidden" }, l.allowed ? "Yes: " : "No: "), h("span", { class: "q" }, l.question)],
        ),
      ),
    ),
  );
}
