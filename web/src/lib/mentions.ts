// @mention autocomplete in the composer: the name being typed at the caret, the
// members it may mean, and the text with the chosen username put in.

export type MentionAt = { start: number; query: string };
export type Candidate = { user_id: string; username: string; full_name: string };

/** The `@name` being typed right before the caret, or null. The rule is the
 * server's: `@` not after a name character, then letters, digits, `_ . -`. */
export function mentionAt(text: string, caret: number): MentionAt | null {
  const m = text.slice(0, caret).match(/(?:^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]{0,32})$/);
  if (!m) return null;
  const query = m[1] ?? "";
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/** Up to six members whose username or a word of whose name starts with the
 * query: username matches first, each kind in username order; never yourself. */
export function suggestions(members: Candidate[], query: string, me: string): Candidate[] {
  const byName = (c: Candidate) => c.username.toLowerCase().startsWith(query);
  const byWord = (c: Candidate) => c.full_name.toLowerCase().split(/\s+/).some((w) => w.startsWith(query));
  const others = members.filter((c) => c.user_id !== me && c.username).sort((a, b) => a.username.localeCompare(b.username));
  return [...others.filter(byName), ...others.filter((c) => !byName(c) && byWord(c))].slice(0, 6);
}

/** The text with the mention being typed replaced by `@username `. */
export function complete(text: string, caret: number, at: MentionAt, username: string): { text: string; caret: number } {
  const put = `@${username} `;
  const after = text.slice(caret).replace(/^ /, "");
  return { text: text.slice(0, at.start) + put + after, caret: at.start + put.length };
}
