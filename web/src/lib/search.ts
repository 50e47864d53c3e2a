// Message search in the client: the words the server will look for (its rule:
// letters and digits, 3 or more, each a word prefix) and the found text cut into
// plain and highlighted pieces around them.

export const MIN_WORD = 3;

/** The words of a query as the server reads them. */
export function searchWords(q: string): string[] {
  const words: string[] = [];
  for (const w of q.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if ([...w].length >= MIN_WORD && !words.includes(w) && words.length < 8) words.push(w);
  return words;
}

export type Piece = { text: string; hit: boolean };

/** `text` in pieces, the starts of words that begin with a searched word marked. */
export function highlight(text: string, words: string[]): Piece[] {
  if (words.length === 0) return [{ text, hit: false }];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join("|")})`, "giu");
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), hit: false });
    out.push({ text: m[0], hit: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}

/** A window of `text` around its first hit, so a long message shows the match. */
export function around(text: string, words: string[], width = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  const at = Math.min(...words.map((w) => lower.indexOf(w)).filter((i) => i >= 0), flat.length);
  const start = Math.max(0, Math.min(at - 30, flat.length - width));
  return `${start > 0 ? "…" : ""}${flat.slice(start, start + width)}${start + width < flat.length ? "…" : ""}`;
}
