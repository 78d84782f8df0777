// "I have instructions from a vendor": paste the guide (or open it, or a vendor's recipe), see in plain
// words what it asks for and what is broader than the job needs, then take the least-privilege proposal
// (the wizard continues as usual), or after a warning create exactly what was pasted.

import type { GuideProposalDto, GuideReadingDto } from "../bindings";
import { busy, errorBox, LEVEL_WORDS, message } from "../common";
import { h, uid } from "../dom";
import { app, go } from "./context";
import { fromProposal } from "./state";

export function proposalWords(p: GuideProposalDto): string {
  const id = p.externalId ? ` with the external ID ${p.externalId}` : p.externalIdAsked ? " with the external ID the vendor gives you (their instructions do not say it)" : "";
  const who = p.kind === "role" ? `a role for the AWS account ${p.account ?? "(add their account ID)"}${id}` : "an IAM user with its own key";
  const where = p.prefix ? `the folder ${p.prefix} of your bucket` : "your bucket";
  const extras = [p.noList ? "without listing the files" : "", p.corsOrigins.length ? `browser access from ${p.corsOrigins.join(", ")}` : ""].filter(Boolean);
  return `${who}, ${LEVEL_WORDS[p.level].toLowerCase()} access to ${where}${extras.length ? `, ${extras.join(", ")}` : ""}.`;
}

export function guidePanel(): HTMLElement {
  const textId = uid("guide");
  const text = h("textarea", { id: textId, rows: "8", spellcheck: "false", "aria-describedby": `${textId}-hint` });
  const fileId = uid("guide-file");
  const file = h("input", { type: "file", id: fileId, accept: ".txt,.md,.json,text/plain,application/json" });
  const out = h("div", { class: "guide-result", "aria-live": "polite" });
  const readBtn = h("button", { type: "button", class: "secondary", id: "read-guide" }, "Read the instructions");

  const take = (p: GuideProposalDto, from: string, pasted: string | null) => {
    app.state = { ...fromProposal(app.state, p, from), pastedPolicy: pasted };
    go({ ...app.state, step: "bucket" });
  };

  const showReading = (r: GuideReadingDto) => {
    const pastedId = uid("as-pasted");
    const blocking = r.findings.filter((f) => f.blocksAsPasted);
    const pastedBox = h("input", { type: "checkbox", id: pastedId, disabled: r.pastedPolicy === null || blocking.length > 0 });
    const use = h("button", { type: "button", class: "primary", id: "use-proposal" }, "Use this and continue");
    use.addEventListener("click", () => take(r.proposal, "the vendor's instructions", pastedBox.checked ? r.pastedPolicy : null));
    out.replaceChildren(
      ...[
      h("h2", { tabindex: "-1" }, "What the instructions ask for"),
      h("ul", {}, r.asks.map((a) => h("li", {}, a))),
      r.findings.length
        ? [
            h("h3", {}, "Broader than the job needs, or wrong"),
            h(
              "ul",
              { class: "guide-findings" },
              r.findings.map((f) => h("li", { "data-code": f.code }, h("span", {}, `Line ${f.line}: ${f.message}`), f.quote ? h("code", { class: "quote" }, f.quote) : null)),
            ),
          ]
        : h("p", { class: "ok" }, "Nothing in them is broader than the job needs."),
      h("h3", {}, "Proposed instead"),
      h("p", { id: "guide-proposal" }, proposalWords(r.proposal)),
      h("p", { class: "hint" }, "You choose the bucket next; every choice can still be changed, and you review the exact AWS calls before anything happens."),
      r.pastedPolicy
        ? h(
            "details",
            { class: "json-details" },
            h("summary", {}, "Their policy as pasted (JSON)"),
            h("pre", { class: "json", tabindex: "0" }, r.pastedPolicy),
            h(
              "div",
              { class: "check warning" },
              pastedBox,
              h("label", { for: pastedId }, "Create exactly this policy instead of the proposal (not recommended: everything listed above as too broad stays in it)"),
            ),
            blocking.length
              ? h("p", { class: "field-error", id: "as-pasted-refused" }, `The app will not create this policy as pasted: ${blocking.map((f) => `line ${f.line}`).join(", ")} ${blocking.length > 1 ? "give" : "gives"} the key more than files (other AWS services or the whole world). The proposal does the job without it.`)
              : null,
          )
        : null,
      use,
      ].flat().filter((x) => x !== null) as HTMLElement[],
    );
    out.querySelector<HTMLElement>("h2")?.focus();
  };

  const read = async (content: string) => {
    if (!content.trim()) return void out.replaceChildren(errorBox("Paste the vendor's instructions first, or open their file."));
    out.replaceChildren(busy("Reading the instructions…"));
    try {
      if (/"s3aw_recipe"\s*:/.test(content)) {
        const r = await app.backend.readRecipe(content);
        const use = h("button", { type: "button", class: "primary", id: "use-proposal" }, "Use this recipe and continue");
        use.addEventListener("click", () => take(r.proposal, `${r.vendor}'s recipe`, null));
        out.replaceChildren(
          h("h2", { tabindex: "-1" }, `A recipe from ${r.vendor}`),
          h("p", {}, r.purpose),
          h("p", { id: "guide-proposal" }, `It asks for ${proposalWords(r.proposal)}`),
          r.dashboardAsksFor.length ? h("p", { class: "hint" }, `Their dashboard will ask for: ${r.dashboardAsksFor.join(", ").replaceAll("_", " ")}.`) : "",
          use,
        );
        out.querySelector<HTMLElement>("h2")?.focus();
        return;
      }
      showReading(await app.backend.readGuide(content));
    } catch (e) {
      out.replaceChildren(errorBox(message(e)));
    }
  };
  readBtn.addEventListener("click", () => read(text.value));
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    if (f.size > 1_000_000) return void out.replaceChildren(errorBox("That file is over 1 MB; a guide or recipe is a short text file."));
    const content = await f.text();
    text.value = content;
    await read(content);
  });

  return h(
    "details",
    { class: "guide-panel", id: "guide-panel" },
    h("summary", {}, "I have instructions from a vendor"),
    h("div", { class: "field" }, h("label", { for: textId }, "Paste the vendor's instructions (their setup guide, its JSON, or a recipe)"), h("p", { class: "hint", id: `${textId}-hint` }, "Nothing is sent anywhere: the app reads the text on this computer."), text),
    h("div", { class: "row" }, readBtn, h("div", { class: "field" }, h("label", { for: fileId }, "Or open their file"), file)),
    out,
  );
}
