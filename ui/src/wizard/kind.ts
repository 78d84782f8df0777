// 2. What you need: links, keys for an app or vendor, or a role for another account.

import { h, uid } from "../dom";
import { app, set, show } from "./context";
import { guidePanel } from "./guide";
import { navButtons } from "./nav";
import type { Kind } from "./state";

const KINDS: { id: Kind; title: string; text: string }[] = [
  { id: "links", title: "Share files with links", text: "Make links that let anyone who has them download or upload one file, for a limited time. Nothing is created in your account." },
  { id: "iam-user", title: "Give an app or vendor its own keys", text: "Create a separate identity (an IAM user) with an access key that can only reach this bucket. Use this when a service asks for an access key ID and secret." },
  { id: "role", title: "Give another AWS account access", text: "Create a role that another AWS account can use with an external ID they give you. Use this when a vendor asks for a role ARN." },
];

export function kindScreen(main: HTMLElement, nav: HTMLElement) {
  // Links need no plan: choosing them opens the links screen.
  const refresh = navButtons(nav, { onNext: () => (app.state.kind === "links" ? (show("links"), false) : true) });
  main.append(h("h1", { tabindex: "-1" }, "What do you need?"));
  const group = h("div", { class: "choices", role: "radiogroup", "aria-label": "What do you need?" });
  for (const k of KINDS) {
    const id = uid("k");
    group.append(
      h(
        "label",
        { class: "choice", for: id },
        h("input", { type: "radio", name: "kind", id, value: k.id, checked: app.state.kind === k.id, onchange: () => (set({ kind: k.id }), refresh()) }),
        h("span", { class: "choice-text" }, h("strong", {}, k.title), h("span", {}, k.text)),
      ),
    );
  }
  main.append(h("fieldset", {}, h("legend", { class: "visually-hidden" }, "What do you need?"), group), guidePanel());
}

