// 6. Review: every AWS call in order, with its JSON. Nothing has changed yet. The plan shown is the only
// one Apply can run: it carries the id the app gave it, and a late answer to an earlier request is dropped.

import { busy, errorBox, message, newestOnly } from "../common";
import { h } from "../dom";
import { planView } from "../planView";
import { teamExport } from "../teamExport";
import { normaliseFolder } from "../validate";
import { app, set } from "./context";
import { corsRule } from "./cors";
import { navButtons } from "./nav";
import { limitsArgs } from "./state";

const planRequests = newestOnly();

export function reviewScreen(main: HTMLElement, nav: HTMLElement) {
  // A plan from an earlier visit is not this one: Apply waits for the new plan.
  set({ plan: null });
  const refresh = navButtons(nav, { nextLabel: "Apply changes" });
  main.append(h("h1", { tabindex: "-1" }, "Review the plan"));
  const body = h("div", { "aria-busy": "true" }, busy("Checking your account and preparing the plan…"));
  main.append(h("p", { class: "banner", role: "note" }, "Nothing has changed yet. These are the exact AWS calls that will run, in this order."), body);
  const s = app.state;
  planRequests.run(
    app.backend.planGrant({
      kind: s.kind === "role" ? "role" : "iam-user",
      otherAccount: s.kind === "role" ? s.otherAccount.trim() : null,
      externalId: s.kind === "role" ? s.externalId : null,
      maxSessionHours: s.kind === "role" ? Number(s.maxSessionHours) : null,
      bucket: s.bucket,
      prefix: normaliseFolder(s.folder) || null,
      level: s.level,
      allowList: s.allowList,
      userName: s.userName,
      policyName: s.policyName,
      managedPolicy: s.managedPolicy,
      cors: s.corsEnabled ? corsRule() : null,
      createBucketRegion: s.createBucketRegion,
      limits: limitsArgs(s),
      pastedPolicy: s.pastedPolicy,
    }),
    (plan) => {
      // The user may have left the review while the plan was prepared.
      if (app.view !== "wizard" || app.state.step !== "review") {
        app.backend.discardPlan(plan.id).catch(() => {});
        return;
      }
      set({ plan });
      body.removeAttribute("aria-busy");
      body.replaceChildren(
        h("h2", {}, plan.headline),
        plan.keychainProblem
          ? h("div", { class: "warning box", role: "alert" }, `Your keychain cannot be used: ${plan.keychainProblem} You will see the secret once at the end; save it or download it then.`)
          : "",
        planView(plan),
        teamExport((format) => app.backend.exportPlanIac(plan.id, format), "the plan"),
      );
      refresh();
    },
    (e) => {
      if (app.view !== "wizard" || app.state.step !== "review") return;
      body.removeAttribute("aria-busy");
      body.replaceChildren(errorBox(message(e)), h("p", { class: "hint" }, "Go back to change your choices."));
      refresh();
    },
  );
}

/** Leaving the wizard for good (another section, a new connection): late plans are dropped. */
export function cancelPlanRequests() {
  planRequests.cancel();
}
