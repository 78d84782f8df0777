// Validation as you type. The same rules are enforced again by the engine (crates/core/src/validate.rs)
// before any AWS call; these give instant, specific feedback.

import type { LevelDto } from "./bindings";

const IAM_CHARS = /^[A-Za-z0-9+=,.@_-]*$/;

function iamName(what: string, value: string, max: number): string | null {
  if (value.length === 0) return `Type a ${what} name.`;
  if (value.length > max) return `The ${what} name is ${value.length} characters long; the most is ${max}.`;
  if (!IAM_CHARS.test(value)) {
    const bad = [...value].filter((c) => !/[A-Za-z0-9+=,.@_-]/.test(c));
    return `The ${what} name may use only letters, digits and + = , . @ _ - (not ${JSON.stringify(bad.slice(0, 3).join(""))}).`;
  }
  return null;
}

export const userNameError = (v: string) => iamName("user", v, 64);
export const policyNameError = (v: string) => iamName("policy", v, 128);
export const roleNameError = (v: string) => iamName("role", v, 64);

/** The other party: a 12-digit account ID, or one IAM user's or role's ARN. */
export function trustedPrincipalError(v: string): string | null {
  const t = v.trim();
  if (t === "") return "Type the other party's 12-digit AWS account ID (or the ARN they gave you).";
  if (!t.startsWith("arn:")) return /^\d{12}$/.test(t) ? null : `An AWS account ID is exactly 12 digits (this has ${t.replace(/\D/g, "").length}).`;
  if (/[*?]|\$\{/.test(t)) return "Wildcards and policy variables are not allowed: name exactly one user or role, or give the 12-digit account ID.";
  const root = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):root$/.exec(t);
  if (root) return `That is the whole account: give its 12-digit account ID (${root[2]}) instead.`;
  return /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(user|role)\/([^\s/]+\/)*[A-Za-z0-9+=,.@_-]+$/.test(t) ? null : "This is not an IAM user or role ARN (arn:aws:iam::123456789012:role/NAME).";
}

export function externalIdError(v: string): string | null {
  if (v.length < 2 || v.length > 1224) return `An external ID has 2 to 1,224 characters (this has ${v.length}).`;
  const bad = [...v].find((c) => !/[A-Za-z0-9_+=,.@:\/-]/.test(c));
  return bad === undefined ? null : `${JSON.stringify(bad)} is not allowed: use letters, digits and _ + = , . @ : / -`;
}

export function sessionHoursError(v: string): string | null {
  return /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 12 ? null : "Choose 1 to 12 hours.";
}

export function bucketNameError(v: string): string | null {
  if (v.length < 3 || v.length > 63) return `A bucket name has 3 to 63 characters (this has ${v.length}).`;
  const bad = [...v].find((c) => !/[a-z0-9.-]/.test(c));
  if (bad !== undefined) {
    return /[A-Z]/.test(bad)
      ? "Use lowercase letters only."
      : `"${bad}" is not allowed: use lowercase letters, digits, dots and hyphens.`;
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(v)) return "Start and end with a letter or digit.";
  if (v.includes("..")) return "Two dots in a row are not allowed.";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return "A bucket name cannot look like an IP address.";
  for (const p of ["xn--", "sthree-", "amzn-s3-demo-"]) if (v.startsWith(p)) return `Names starting with "${p}" are reserved by AWS.`;
  for (const s of ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]) if (v.endsWith(s)) return `Names ending with "${s}" are reserved by AWS.`;
  return null;
}

export function folderError(v: string): string | null {
  if (/[*?]/.test(v)) return "A folder name cannot contain * or ? (in a policy they are wildcards).";
  if (v.includes("${")) return 'A folder name cannot contain "${".';
  if (v.replace(/^\/+/, "").includes("//")) return "The folder has an empty part (//).";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) return "The folder contains a control character; remove it.";
  if (v.trim().split("/").some((p) => p === "." || p === "..")) return 'A folder cannot have a "." or ".." part: name the folder itself.';
  return null;
}

/** Normalise a folder the way the engine does: no leading slash, one trailing slash, empty = whole bucket. */
export function normaliseFolder(v: string): string {
  const t = v.trim().replace(/^\/+/, "");
  if (t === "") return "";
  return t.endsWith("/") ? t : `${t}/`;
}

export interface OriginCheck {
  error: string | null;
  warning: string | null;
}

export function originsCheck(text: string): OriginCheck {
  const origins = splitList(text);
  if (origins.length === 0) return { error: "Add at least one web address, such as https://app.example.com.", warning: null };
  for (const raw of origins) {
    if (raw === "*") continue;
    // As the engine does (`CorsRule::normalised`): one trailing slash is dropped, and a browser's Origin is
    // the site alone, so anything after the host would never match.
    const o = raw.endsWith("/") ? raw.slice(0, -1) : raw;
    const site = /^https?:\/\/[^\s/?#]+/.exec(o)?.[0];
    if (!site) return { error: `"${raw}" is not a web address: write it as https://host.`, warning: null };
    if (site !== o) return { error: `"${raw}" has a path, query or fragment; a browser sends only the site, so it would never match: write "${site}".`, warning: null };
    if ((o.match(/\*/g) ?? []).length > 1) return { error: `"${raw}" has more than one *.`, warning: null };
  }
  return { error: null, warning: originWarning(origins) };
}

/** The engine's warnings about allowed but risky origins (`CorsRule::warnings`), first one shown. */
function originWarning(origins: string[]): string | null {
  for (const o of origins) {
    if (o === "*") return "* lets any web site use this bucket from a browser. Name the exact site when you can.";
    const m = /^(https?):\/\/([^/]*)/.exec(o);
    const host = (m?.[2] ?? "").split(":")[0];
    if (host.includes("*")) {
      const rest = host.startsWith("*.") ? host.slice(2) : null;
      const narrow = rest !== null && !rest.includes("*") && rest.split(".").filter(Boolean).length >= 2;
      if (!narrow) return `"${o}" matches far more sites than yours; use the exact site, or *.yourdomain.com for its subdomains.`;
    }
    if (m?.[1] === "http" && !["localhost", "127.0.0.1", "[::1]"].includes(host)) return `"${o}" is unencrypted http://; use https:// unless this is only for development.`;
  }
  return null;
}

export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export type Level = LevelDto;

/** The names the engine would suggest: s3aw-BUCKET-LEVEL, and USER-s3-access. */
export function suggestedUserName(bucket: string, level: Level): string {
  const suffix = `-${level}`;
  const max = 64 - "s3aw-".length - suffix.length;
  const b = bucket.slice(0, max).replace(/[.-]+$/, "");
  return `s3aw-${b}${suffix}`;
}

export const suggestedPolicyName = (user: string) => `${user}-s3-access`;

/** An AWS Region name (us-east-1, eu-central-2, us-gov-west-1, cn-north-1), as the engine checks it. */
export function validateRegion(v: string): string | null {
  const r = v.trim();
  if (!r) return "Enter a region, for example us-east-1";
  return /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(r) ? null : `"${r}" is not an AWS Region name; it looks like us-east-1 or eu-west-2`;
}

/** An end date (YYYY-MM-DD, access ends at the start of that day, UTC): after today, within five years. */
export function endDateError(v: string, now: Date): string | null {
  if (!v) return "Choose the date the access ends.";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) return "Write the date as YYYY-MM-DD.";
  const end = Date.parse(`${v}T00:00:00Z`);
  if (end <= now.getTime()) return "The end date must be in the future.";
  if (end > now.getTime() + 5 * 366 * 86_400_000) return "The end date is more than five years away; pick a nearer date, or no end.";
  return null;
}
