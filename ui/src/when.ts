// Times in the person's words and time zone: "today at 14:23", "3 months ago", never raw ISO text.

const DAY = 86_400_000;

function clock(d: Date): string {
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"} ago`;
}

/** An instant (RFC 3339) as a person says it, relative to `now`: today, yesterday or tomorrow with the
 * time; further back, days, weeks, months, years ago; further ahead, its date and time. Text that is not a
 * time is given back as it is. */
export function when(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const days = Math.round((startOfDay(now) - startOfDay(t)) / DAY);
  if (days === 0) return `today at ${clock(t)}`;
  if (days === -1) return `tomorrow at ${clock(t)}`;
  if (days < 0) return `on ${t.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" })} at ${clock(t)}`;
  if (days === 1) return `yesterday at ${clock(t)}`;
  if (days < 14) return plural(days, "day");
  if (days < 60) return plural(Math.floor(days / 7), "week");
  if (days < 365) return plural(Math.floor(days / 30), "month");
  return plural(Math.floor(days / 365), "year");
}

/** The full local date and time, for a tooltip and screen readers beside [`when`]. */
export function exactly(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString([], { dateStyle: "long", timeStyle: "short" });
}
