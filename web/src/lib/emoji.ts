// The emoji the pickers offer (reactions and the composer), with names for
// screen readers and search. A short list people use in chat, not all of Unicode:
// the server takes any single emoji, so another client may add others.

export type EmojiEntry = { emoji: string; name: string };

const entries = (pairs: [string, string][]): EmojiEntry[] => pairs.map(([emoji, name]) => ({ emoji, name }));

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

export const EMOJI: { group: string; items: EmojiEntry[] }[] = [
  {
    group: "Smileys",
    items: entries([
      ["😀", "grinning"], ["😂", "tears of joy"], ["🙂", "slight smile"], ["😉", "wink"], ["😊", "smiling"], ["😍", "heart eyes"],
      ["😘", "kiss"], ["😎", "cool"], ["🤔", "thinking"], ["😮", "surprised"], ["😢", "crying"], ["😭", "sobbing"],
      ["😡", "angry"], ["😴", "sleeping"], ["🤒", "ill"], ["🤗", "hug"], ["🙄", "eye roll"], ["😬", "grimace"],
      ["😅", "relieved laugh"], ["🥳", "celebrating"],
    ]),
  },
  {
    group: "Hands",
    items: entries([
      ["👍", "thumbs up"], ["👎", "thumbs down"], ["👏", "clapping"], ["🙏", "thank you"], ["👋", "wave"], ["💪", "strong"],
      ["🤝", "handshake"], ["✌️", "victory"], ["👌", "ok"], ["🙌", "hooray"],
    ]),
  },
  {
    group: "Symbols",
    items: entries([
      ["❤️", "heart"], ["💙", "blue heart"], ["💚", "green heart"], ["💔", "broken heart"], ["✅", "done"], ["❌", "no"],
      ["❗", "important"], ["❓", "question"], ["💯", "hundred"], ["🔥", "fire"], ["⭐", "star"], ["🎉", "party"], ["✨", "sparkles"],
    ]),
  },
  {
    group: "Things",
    items: entries([
      ["☕", "coffee"], ["🍕", "pizza"], ["🎂", "birthday cake"], ["💊", "medicine"], ["🩺", "stethoscope"], ["🏥", "hospital"],
      ["📅", "calendar"], ["⏰", "alarm clock"], ["📎", "paperclip"], ["📷", "camera"],
    ]),
  },
];

const NAMES = new Map(EMOJI.flatMap((g) => g.items.map((e) => [e.emoji, e.name] as const)));

/** A name for a screen reader: the picker's, or the emoji itself. */
export const emojiName = (emoji: string) => NAMES.get(emoji) ?? emoji;

/** Entries whose name contains `q` (all when empty). */
export function findEmoji(q: string): EmojiEntry[] {
  const all = EMOJI.flatMap((g) => g.items);
  const needle = q.trim().toLowerCase();
  return needle ? all.filter((e) => e.name.includes(needle)) : all;
}

/** Inserts `emoji` into `text` at the selection, returning the text and the caret after it. */
export function insertAt(text: string, start: number, end: number, emoji: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + emoji + text.slice(end), caret: start + emoji.length };
}

/** Who reacted, in words ("You and Ben Baker"). */
export function reactedBy(userIds: string[], me: string, names: Record<string, string>): string {
  const who = userIds.map((id) => (id === me ? "You" : (names[id] ?? "someone")));
  if (who.length <= 1) return who.join("");
  return `${who.slice(0, -1).join(", ")} and ${who[who.length - 1]}`;
}
