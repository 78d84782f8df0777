// "Export for your team": what the app designed, as CloudFormation or Terraform for the team's own engine.
// The app writes the file where the native save dialog says; nothing changes in the account.

import type { IacFormatDto } from "./bindings";
import { message } from "./common";
import { h } from "./dom";

export function teamExport(save: (format: IacFormatDto) => Promise<string[] | null>, what: string): HTMLElement {
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const button = (format: IacFormatDto, label: string) => {
    const b = h("button", { type: "button", class: "secondary small", "data-format": format }, label);
    b.addEventListener("click", async () => {
      try {
        const files = await save(format);
        if (!files || files.length === 0) return;
        const steps =
          files.length > 1
            ? ` Some of it exists already, so CloudFormation takes it in first and then makes the changes: two steps, with ${files.slice(1).join(" and ")}, as the template's first lines say.`
            : "";
        status.textContent = `Saved ${what} to ${files[0]}.${steps} It declares no access key (a template would expose its secret): after the stack is applied, create the key in the IAM console and add it here (My access, "Add an existing access key").`;
      } catch (e) {
        status.textContent = message(e);
      }
    });
    return b;
  };
  return h(
    "div",
    { class: "team-export", role: "group", "aria-label": "Export for your team" },
    h("p", { class: "hint" }, "Export for your team: the same access for CloudFormation or Terraform, to review and apply with your own tools. Nothing changes in your account."),
    h("div", { class: "row" }, button("cloudformation-yaml", "CloudFormation (YAML)…"), button("cloudformation-json", "CloudFormation (JSON)…"), button("terraform", "Terraform…")),
    status,
  );
}
