// A safe subset of Markdown for messages: **bold**, *italic*, ~~strike~~, `code`,
// ``` code blocks ```, > quotes, - and 1. lists, [links](https://...), bare URLs
// and @mentions. It parses text into a small tree that features/chat/Markdown.tsx
// turns into React elements: nothing is ever read as HTML, links only go to
// http(s) and mailto, and there are no images (a remote image would tell its
// server who read the message).

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "b" | "i" | "s"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "mention"; name: string }
  | { t: "br" };

export type Block =
  | { type: "p"; c: Inline[] }
  | { type: "code"; v: string }
  | { type: "quote"; c: Block[] }
  | { type: "ul" | "ol"; items: Inline[][] };

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBER = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

/** Blocks of a message body. */
export function parseMarkdown(text: string): Block[] {
  const lines = text.split("\n");
  const at = (k: number) => lines[k] ?? "";
  const blocks: Block[] = [];
  let i = 0;
  const starts = (l: string) => FENCE.test(l) || QUOTE.test(l) || BULLET.test(l) || NUMBER.test(l);
  while (i < lines.length) {
    const line = at(i);
    if (line.trim() === "") {
      i++;
    } else if (FENCE.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !FENCE.test(at(i)); i++) body.push(at(i));
      i++; // the closing fence (or the end)
      blocks.push({ type: "code", v: body.join("\n") });
    } else if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; i < lines.length && QUOTE.test(at(i)); i++) inner.push((at(i).match(QUOTE)?.[1] ?? ""));
      blocks.push({ type: "quote", c: parseMarkdown(inner.join("\n")) });
    } else if (BULLET.test(line) || NUMBER.test(line)) {
      const re = BULLET.test(line) ? BULLET : NUMBER;
      const items: Inline[][] = [];
      for (; i < lines.length && re.test(at(i)); i++) items.push(parseInline((at(i).match(re)?.[1] ?? "")));
      blocks.push({ type: re === BULLET ? "ul" : "ol", items });
    } else {
      const para: string[] = [];
      for (; i < lines.length && at(i).trim() !== "" && (para.length === 0 || !starts(at(i))); i++) para.push(at(i));
      blocks.push({ type: "p", c: parseInline(para.join("\n")) });
    }
  }
  return blocks;
}

const NAME = /[A-Za-z0-9_.-]/;
const URL_AT = /^https?:\/\/[^\s<>"']+/;
const LINK_AT = /^\[([^\]\n]+)\]\(([^)\s]+)\)/;

/** A link target the client will follow: the web and mail, nothing else. */
export function safeHref(href: string): string | null {
  try {
    const u = new URL(href);
    return u.protocol === "https:" || u.protocol === "http:" || u.protocol === "mailto:" ? u.href : null;
  } catch {
    return null;
  }
}

/** Where `mark` closes `from` on: the next occurrence with something inside. */
function closing(s: string, from: number, mark: string): number {
  const at = s.indexOf(mark, from + 1);
  return at > from ? at : -1;
}

/** Inline spans of one paragraph or list item. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", v: text });
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const c = s.charAt(i);
    const rest = s.slice(i);
    const prev = i > 0 ? s.charAt(i - 1) : " ";
    if (c === "`") {
      const end = s.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: "code", v: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    const pair = rest.startsWith("**") ? "**" : rest.startsWith("__") ? "__" : rest.startsWith("~~") ? "~~" : null;
    if (pair && s.charAt(i + 2) && s.charAt(i + 2) !== " ") {
      const end = closing(s, i + 1, pair);
      if (end > i + 2 && s.charAt(end - 1) !== " ") {
        flush();
        out.push({ t: pair === "~~" ? "s" : "b", c: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    // One * or _ is italic when it opens a word and closes one; `snake_case`
    // and 2*3*4 stay as they are.
    if ((c === "*" || c === "_") && s.charAt(i + 1) && s.charAt(i + 1) !== " " && s.charAt(i + 1) !== c && !/[A-Za-z0-9]/.test(prev)) {
      const end = closing(s, i, c);
      if (end > i + 1 && s.charAt(end - 1) !== " " && !/[A-Za-z0-9]/.test(s.charAt(end + 1) || " ")) {
        flush();
        out.push({ t: "i", c: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    const link = c === "[" ? rest.match(LINK_AT) : null;
    if (link) {
      const href = safeHref(link[2] ?? "");
      flush();
      if (href) out.push({ t: "link", href, c: parseInline(link[1] ?? "") });
      else out.push({ t: "text", v: link[0] });
      i += link[0].length;
      continue;
    }
    const url = c === "h" && !NAME.test(prev) ? rest.match(URL_AT) : null;
    if (url) {
      // Trailing punctuation ends a sentence, not the address.
      const bare = url[0].replace(/[.,;:!?)]+$/, "");
      const href = safeHref(bare);
      if (href) {
        flush();
        out.push({ t: "link", href, c: [{ t: "text", v: bare }] });
        i += bare.length;
        continue;
      }
    }
    if (c === "@" && !NAME.test(prev)) {
      let end = i + 1;
      while (end < s.length && NAME.test(s.charAt(end))) end++;
      const name = s.slice(i + 1, end).replace(/[.-]+$/, "");
      if (name.length >= 3 && name.length <= 32) {
        flush();
        out.push({ t: "mention", name: name.toLowerCase() });
        i += 1 + name.length;
        continue;
      }
    }
    if (c === "\n") {
      flush();
      out.push({ t: "br" });
      i++;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/** The words of a message without its marks, on one line: for previews (the
 * conversation list, notifications), where `**` and `>` would be noise. */
export function plainText(text: string): string {
  const inline = (items: Inline[]): string =>
    items.map((x) => (x.t === "text" || x.t === "code" ? x.v : x.t === "mention" ? `@${x.name}` : x.t === "br" ? " " : "c" in x ? inline(x.c) : "")).join("");
  const block = (b: Block): string => (b.type === "p" ? inline(b.c) : b.type === "code" ? b.v : b.type === "quote" ? b.c.map(block).join(" ") : b.items.map(inline).join(", "));
  return parseMarkdown(text).map(block).join(" ").replace(/\s+/g, " ").trim();
}
