// Every screen but the first: app.ts fetches this module once the first screen (Connect) is drawn, so
// start-up parses only what that screen needs.

import type { WizardState } from "./wizard/state";
import { accessScreen } from "./wizard/access";
import { applyScreen } from "./wizard/apply";
import { bucketScreen } from "./wizard/bucket";
import { corsScreen } from "./wizard/cors";
import { doneScreen } from "./wizard/done";
import { kindScreen } from "./wizard/kind";
import { reviewScreen } from "./wizard/review";

export { bucketSettingsScreen } from "./bucketSettings";
export { linksScreen } from "./links";
export { myAccessScreen } from "./myAccess";
export { cancelPlanRequests } from "./wizard/review";

/** The wizard's screens after Connect, by step. */
export const WIZARD_SCREENS: Record<Exclude<WizardState["step"], "connect">, (main: HTMLElement, nav: HTMLElement) => void> = {
  kind: kindScreen,
  bucket: bucketScreen,
  access: accessScreen,
  cors: corsScreen,
  review: reviewScreen,
  apply: applyScreen,
  done: doneScreen,
};
