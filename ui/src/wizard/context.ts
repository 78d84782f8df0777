// What every screen of the app shares: the backend, the app's info, the wizard's state, the section
// shown, and the way to draw it again. `app.ts` fills it in at start-up.

import type { Backend } from "../backend";
import type { AppInfo } from "../bindings";
import { initialState, type WizardState } from "./state";

/** The wizard, the links screen, "My access", or the bucket settings. */
export type View = "wizard" | "links" | "access" | "settings";

export const app = {
  backend: undefined as unknown as Backend,
  info: undefined as unknown as AppInfo,
  state: initialState(),
  view: "wizard" as View,
  /** Draw the current view again (set by app.ts). */
  render: () => {},
  /** Draw the header again (the connection badge and the sections), keeping the screen. */
  redrawHeader: () => {},
};

export function set(patch: Partial<WizardState>) {
  app.state = { ...app.state, ...patch };
}

/** Replace the state and draw, discarding a plan that is no longer on screen. */
export function go(next: WizardState) {
  const left = app.state.plan && app.state.step === "review" && next.step !== "apply" ? app.state.plan : null;
  if (left) app.backend.discardPlan(left.id).catch(() => {});
  app.state = next;
  app.render();
}

/** Switch to another section (leaving the review forgets its plan). */
export function show(view: View) {
  if (app.view === "wizard" && app.state.step === "review" && app.state.plan) {
    app.backend.discardPlan(app.state.plan.id).catch(() => {});
    set({ plan: null });
  }
  app.view = view;
  app.render();
}

/** Start over at "What do you need?", keeping the connection. */
export function startOver() {
  app.view = "wizard";
  go({ ...initialState(), connection: app.state.connection, step: "kind" });
}
