// The wizard's state and its transitions: which step comes next, and what must be true to move on.
// Pure: no DOM, no backend, so it is unit tested directly.

import type { ApplyOutcomeDto, ConnectionDto, GuideProposalDto, LevelDto, LimitsArgs, PlanDto } from "../bindings";
import {
  bucketNameError,
  endDateError,
  externalIdError,
  folderError,
  originsCheck,
  policyNameError,
  roleNameError,
  sessionHoursError,
  suggestedPolicyName,
  suggestedUserName,
  trustedPrincipalError,
  userNameError,
} from "../validate";

type Level = LevelDto;

export type StepId = "connect" | "kind" | "bucket" | "access" | "cors" | "review" | "apply" | "done";
export type Kind = "links" | "iam-user" | "role";
export type EndsChoice = "never" | "7" | "30" | "90" | "date";

export const STEPS: { id: StepId; title: string }[] = [
  { id: "connect", title: "Connect" },
  { id: "kind", title: "What you need" },
  { id: "bucket", title: "Bucket" },
  { id: "access", title: "Access" },
  { id: "cors", title: "Browser access" },
  { id: "review", title: "Review" },
  { id: "apply", title: "Apply" },
  { id: "done", title: "Hand over" },
];

export interface WizardState {
  step: StepId;
  connection: ConnectionDto | null;
  kind: Kind | null;
  bucket: string;
  /** Region to create the bucket in, when the user chose "create a new bucket". */
  createBucketRegion: string | null;
  folder: string;
  level: Level;
  allowList: boolean;
  userName: string;
  policyName: string;
  /** Once the user edits a name, it is no longer re-suggested. */
  namesEdited: boolean;
  managedPolicy: boolean;
  /** For a role: the other party (account ID or principal ARN), the external ID, the longest session. */
  otherAccount: string;
  externalId: string;
  /** The vendor's guide speaks of an external ID without giving it: ask for theirs, do not make one up. */
  externalIdAsked: boolean;
  maxSessionHours: string;
  /** When the access ends: never, a preset number of days, or on a date (`endsOn`, YYYY-MM-DD). */
  endsChoice: EndsChoice;
  endsOn: string;
  /** Addresses it may be used from, one per line (empty: any). */
  sourceIps: string;
  /** A vendor's policy to create exactly as pasted (the user chose so after a warning); the app puts the
   * chosen bucket in place of its placeholders. */
  pastedPolicy: string | null;
  /** Where the choices came from: "the guide you pasted", "Example's recipe". */
  guidedBy: string | null;
  corsEnabled: boolean;
  corsOrigins: string;
  corsMethods: string[];
  corsHeaders: string;
  corsMaxAge: string;
  plan: PlanDto | null;
  outcome: ApplyOutcomeDto | null;
  applying: boolean;
}

export function initialState(): WizardState {
  return {
    step: "connect",
    connection: null,
    kind: null,
    bucket: "",
    createBucketRegion: null,
    folder: "",
    level: "read",
    allowList: true,
    userName: "",
    policyName: "",
    namesEdited: false,
    managedPolicy: false,
    otherAccount: "",
    externalId: "",
    externalIdAsked: false,
    maxSessionHours: "1",
    endsChoice: "never",
    endsOn: "",
    sourceIps: "",
    pastedPolicy: null,
    guidedBy: null,
    corsEnabled: false,
    corsOrigins: "",
    corsMethods: [],
    corsHeaders: "*",
    corsMaxAge: "3000",
    plan: null,
    outcome: null,
    applying: false,
  };
}

/** Methods a browser needs for a level. */
export function corsMethodsFor(level: Level): string[] {
  const m: string[] = [];
  if (level !== "upload") m.push("GET", "HEAD");
  if (level !== "read") m.push("PUT", "POST");
  if (level === "full") m.push("DELETE");
  return m;
}

/** Choose a bucket or a level: names and CORS methods follow unless the user changed them. */
export function withTarget(s: WizardState, bucket: string, level: Level): WizardState {
  const next = { ...s, bucket, level, plan: null };
  if (!s.namesEdited) {
    next.userName = bucket ? suggestedUserName(bucket, level) : "";
    next.policyName = next.userName ? suggestedPolicyName(next.userName) : "";
  }
  if (level !== s.level || next.corsMethods.length === 0) next.corsMethods = corsMethodsFor(level);
  return next;
}

/** Why the user cannot go on from this step, or null when they can. */
export function blocker(s: WizardState): string | null {
  switch (s.step) {
    case "connect":
      return s.connection ? null : "Connect to an AWS account first.";
    case "kind":
      if (!s.kind) return "Choose what you need.";
      return null;
    case "bucket":
      if (!s.bucket) return "Choose a bucket, or create a new one.";
      if (s.createBucketRegion !== null) {
        const e = bucketNameError(s.bucket);
        if (e) return e;
      }
      return folderError(s.folder);
    case "access": {
      const ends = s.endsChoice === "date" ? endDateError(s.endsOn, new Date()) : null;
      if (s.kind === "role")
        return trustedPrincipalError(s.otherAccount) ?? externalIdError(s.externalId) ?? roleNameError(s.userName) ?? policyNameError(s.policyName) ?? sessionHoursError(s.maxSessionHours) ?? ends;
      return userNameError(s.userName) ?? policyNameError(s.policyName) ?? ends;
    }
    case "cors":
      if (!s.corsEnabled) return null;
      if (s.corsMethods.length === 0) return "Choose at least one method.";
      return originsCheck(s.corsOrigins).error;
    case "review":
      if (!s.plan) return "The plan is still being prepared.";
      return s.plan.checks.blocks ? "IAM Access Analyzer found errors in a policy this plan would write. Go back and change your choices." : null;
    case "apply":
      return s.outcome?.ok ? null : "The change has not finished.";
    case "done":
      return "This is the last step.";
  }
}

const order = STEPS.map((x) => x.id);

export function next(s: WizardState): WizardState {
  if (blocker(s) !== null) return s;
  const i = order.indexOf(s.step);
  return { ...s, step: order[Math.min(i + 1, order.length - 1)] };
}

/** Back is not possible while applying or after the change was made (start over instead). */
export function canGoBack(s: WizardState): boolean {
  return s.step !== "connect" && s.step !== "done" && !s.applying && !(s.step === "apply" && s.outcome?.ok);
}

export function back(s: WizardState): WizardState {
  if (!canGoBack(s)) return s;
  const i = order.indexOf(s.step);
  const step = order[i - 1];
  // Leaving the review forgets its plan (it can no longer be applied), and coming back to it after a
  // failed apply needs a fresh one: the account may have changed.
  return { ...s, step, plan: step === "review" || s.step === "review" ? null : s.plan, outcome: null };
}

/** The plan a screen leaving the review must discard (the app refuses to apply it afterwards). */
export function planLeftBehind(before: WizardState, after: WizardState): PlanDto | null {
  return before.plan && before.step === "review" && after.step !== "apply" ? before.plan : null;
}

/** The end date and addresses as the app takes them (the engine checks them again). */
export function limitsArgs(s: WizardState): LimitsArgs {
  return {
    endsInDays: s.endsChoice === "never" || s.endsChoice === "date" ? null : Number(s.endsChoice),
    endsOn: s.endsChoice === "date" ? s.endsOn : null,
    sourceIps: s.sourceIps.split(/[\s,]+/).filter((x) => x !== ""),
  };
}

/** Take a guide's or recipe's proposal: the kind, level, folder, listing, CORS and role values. */
export function fromProposal(s: WizardState, p: GuideProposalDto, guidedBy: string): WizardState {
  return {
    ...s,
    kind: p.kind,
    level: p.level,
    allowList: !p.noList,
    folder: p.prefix ?? "",
    corsEnabled: p.corsOrigins.length > 0,
    corsOrigins: p.corsOrigins.join("\n"),
    corsMethods: corsMethodsFor(p.level),
    otherAccount: p.account ?? s.otherAccount,
    externalId: p.externalId ?? (p.externalIdAsked ? "" : s.externalId),
    externalIdAsked: p.externalIdAsked,
    guidedBy,
    plan: null,
  };
}
