// "What can this access do?": plain yes/no lines read by the engine (s3aw_core::explain) from every policy the
// access holds, shown on Review, after a grant, and in My access.

import type { CardLineDto } from "./bindings";
import { h } from "./dom";

/** What one line shows: a yes/no line's detail ("IAM, STS" for other services), or a limit's answer. */
export function lineWords(l: CardLineDto): { yes: boolean | null; question: string; detail: string } {
  if (l.allowed === null) return { yes: null, question: l.question, detail: l.answer };
  const detail = l.answer.replace(/^(Yes|No)(: )?/, "");
  return { yes: l.allowed, question: l.question, detail };
}

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
      lines.map((l) => {
        const w = lineWords(l);
        return h(
          "li",
          { "data-code": l.code, class: w.yes === null ? "limit" : w.yes ? "yes" : "no" },
          w.yes === null
            ? [h("span", { class: "q" }, `${w.question}: `), h("strong", {}, w.detail)]
            : [
                h("span", { class: "answer", "aria-hidden": "true" }, w.yes ? "✓ Yes" : "✗ No"),
                h("span", { class: "visually-hidden" }, w.yes ? "Yes: " : "No: "),
                h("span", { class: "q" }, w.question),
                ...(w.detail ? [h("span", { class: "detail" }, `: ${w.detail}`)] : []),
              ],
        );
      }),
    ),
  );
}
