/** What the server sends as `muted_until` for a conversation muted for good. */
export const FOREVER = "9999-12-31T23:59:59.000Z";

/** The mute menu: value (minutes, "forever", "off") and words. */
export const MUTE_CHOICES: [string, string][] = [
  ["60", "Mute for 1 hour"],
  ["480", "Mute for 8 hours"],
  ["10080", "Mute for 1 week"],
  ["forever", "Mute until I unmute"],
  ["off", "Unmute"],
];

/** "Muted until 14:30", "Muted until Fri 9 Jan", "Muted", or null when not muted at `now`. */
export function muteLabel(until: string | null | undefined, now: Date): string | null {
  if (!until) return null;
  if (until.startsWith("9999-")) return "Muted";
  const t = new Date(until);
  if (t <= now) return null;
  const sameDay = t.toDateString() === now.toDateString();
  const when = sameDay ? t.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : t.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });
  return `Muted until ${when}`;
}
