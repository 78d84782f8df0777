// The app's frame: the header with the sections, the wizard's step indicator, and start-up. Each wizard
// screen lives in wizard/; the other sections in links.ts, myAccess.ts and bucketSettings.ts. All calls
// to the app go through backend.ts; the wizard's state and transitions are in wizard/state.ts (pure).
//
// Start-up: only the first screen (Connect) is in this module's bundle. Every other screen is in
// screens.ts, fetched once the first screen is drawn; a render that needs it before then waits for it.

import { tauriBackend } from "./backend";
import { errorBox, message } from "./common";
import { h, osOf } from "./dom";
import { recoveryBanner, refreshRecovery } from "./recovery";
import { connectScreen } from "./wizard/connect";
import { app, show, startOver, type View } from "./wizard/context";
import { STEPS } from "./wizard/state";

const root = document.getElementById("app")!;

type Screens = typeof import("./screens");
let screens: Screens | null = null;
let loadingScreens: Promise<Screens> | null = null;
const loadScreens = () => (loadingScreens ??= import("./screens").then((m) => (screens = m)));

function header() {
  const canSwitch = app.state.connection !== null && !app.state.applying;
  const tab = (v: View, label: string, id: string) => h("button", { type: "button", class: "secondary small", id, "aria-current": app.view === v ? "page" : null, onclick: () => show(v) }, label);
  const views = canSwitch
    ? h("nav", { class: "views", "aria-label": "Sections" }, tab("wizard", "New access", "view-wizard"), tab("links", "Share links", "view-links"), tab("access", "My access", "my-access"), tab("settings", "Bucket settings", "view-settings"))
    : null;
  return h("header", {}, h("div", { class: "brand" }, "S3 Access Wizard"), views, connectionBadge());
}

function connectionBadge() {
  const c = app.state.connection;
  if (!c) return h("div", { class: "badge muted" }, "Not connected");
  return h("div", { class: c.isSandbox || c.endpoint ? "badge sandbox" : "badge" }, c.isSandbox ? "Local sandbox — not AWS" : c.endpoint ? `Custom endpoint ${c.endpoint}` : `AWS account ${c.account}`);
}

function render() {
  const first = app.view === "wizard" && app.state.step === "connect";
  if (!first && !screens) {
    // Drawn when the other screens are here, in whatever state the app is in by then.
    loadScreens().then(render, (e) => root.replaceChildren(errorBox(`The app could not load this screen: ${message(e)}`)));
    return;
  }
  if (app.view !== "wizard") {
    const { bucketSettingsScreen, cancelPlanRequests, linksScreen, myAccessScreen } = screens!;
    cancelPlanRequests();
    const main = h("main", { id: "screen" });
    const nav = h("nav", { class: "nav", "aria-label": { access: "My access", settings: "Bucket settings", links: "Share links" }[app.view] });
    root.replaceChildren(header(), recoveryBanner(), main, nav);
    if (app.view === "access") myAccessScreen(main, nav, { backend: app.backend, info: app.info, onNewAccess: startOver });
    else if (app.view === "links") linksScreen(main, nav, app.backend);
    else bucketSettingsScreen(main, nav, app.backend);
    main.querySelector<HTMLElement>("h1")?.focus();
    return;
  }
  const i = STEPS.findIndex((s) => s.id === app.state.step);
  const stepper = h(
    "ol",
    { class: "steps", "aria-label": "Steps" },
    STEPS.map((s, j) => h("li", { class: j < i ? "done" : j === i ? "current" : "", "aria-current": j === i ? "step" : null }, h("span", { class: "num" }, String(j + 1)), s.title)),
  );
  const main = h("main", { id: "screen" });
  const nav = h("nav", { class: "nav", "aria-label": "Wizard navigation" });
  root.replaceChildren(header(), recoveryBanner(), stepper, main, nav);
  const step = app.state.step;
  if (step === "connect") connectScreen(main, nav);
  else screens!.WIZARD_SCREENS[step](main, nav);
  main.querySelector<HTMLElement>("h1")?.focus();
}

async function start() {
  document.documentElement.dataset.os = osOf(navigator.userAgent);
  const inApp = "__TAURI_INTERNALS__" in window;
  app.backend = inApp ? tauriBackend() : (await import("./fakeBackend")).fakeBackend();
  app.info = await app.backend.appInfo();
  app.render = render;
  app.redrawHeader = () => root.querySelector("header")?.replaceWith(header());
  render();
  refreshRecovery().catch(() => {});
  requestAnimationFrame(() => {
    app.backend.uiReady(root.querySelector("h1")?.textContent ?? "").catch(() => {});
    loadScreens().catch(() => {}); // a failure shows when a screen needs them
  });
}

start().catch((e) => root.replaceChildren(errorBox(`The app could not start: ${message(e)}`)));
