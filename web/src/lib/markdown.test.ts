import { describe, expect, it } from "vitest";

import { parseInline, parseMarkdown, plainText, safeHref } from "./markdown";

const text = (v: string) => ({ t: "text", v });

describe("inline Markdown", () => {
  it("bold, italic, strike and code", () => {
    expect(parseInline("a **b** *c* _d_ ~~e~~ `f *g*`")).toEqual([
      text("a "),
      { t: "b", c: [text("b")] },
      text(" "),
      { t: "i", c: [text("c")] },
      text(" "),
      { t: "i", c: [text("d")] },
      text(" "),
      { t: "s", c: [text("e")] },
      text(" "),
      { t: "code", v: "f *g*" },
    ]);
    expect(parseInline("**bold _and italic_**")).toEqual([{ t: "b", c: [text("bold "), { t: "i", c: [text("and italic")] }] }]);
  });

  it("leaves what is not formatting alone", () => {
    for (const s of ["snake_case_name", "2*3*4", "a * b * c", "** not bold **", "price: 5*", "`", "<b>hi</b> & <script>x</script>"]) expect(parseInline(s)).toEqual([text(s)]);
  });

  it("links go to the web or mail only; bare URLs too, without the sentence's full stop", () => {
    expect(parseInline("[docs](https://example.org/a?b=1)")).toEqual([{ t: "link", href: "https://example.org/a?b=1", c: [text("docs")] }]);
    expect(parseInline("[x](javascript:alert(1))")).toEqual([text("[x](javascript:alert(1)"), text(")")]);
    expect(parseInline("[x](data:text/html,hi)")).toEqual([text("[x](data:text/html,hi)")]);
    expect(parseInline("see https://example.org/x.")).toEqual([text("see "), { t: "link", href: "https://example.org/x", c: [text("https://example.org/x")] }, text(".")]);
    expect(safeHref("mailto:a@example.org")).toBe("mailto:a@example.org");
    expect(safeHref("vbscript:x")).toBeNull();
  });

  it("mentions, as the server finds them", () => {
    expect(parseInline("hi @Ann.Archer, and @bo and me@example.org @ben.")).toEqual([
      text("hi "),
      { t: "mention", name: "ann.archer" },
      text(", and @bo and me@example.org "),
      { t: "mention", name: "ben" },
      text("."),
    ]);
  });

  it("line breaks", () => {
    expect(parseInline("one\ntwo")).toEqual([text("one"), { t: "br" }, text("two")]);
  });
});

describe("blocks", () => {
  it("code blocks keep everything as text; quotes and lists", () => {
    expect(parseMarkdown("intro\n```\nlet *x* = 1;\n<b>\n```\n> quoted **bold**\n> more\n\n- one\n- two\n1. first\n2) second")).toEqual([
      { type: "p", c: [text("intro")] },
      { type: "code", v: "let *x* = 1;\n<b>" },
      { type: "quote", c: [{ type: "p", c: [text("quoted "), { t: "b", c: [text("bold")] }, { t: "br" }, text("more")] }] },
      { type: "ul", items: [[text("one")], [text("two")]] },
      { type: "ol", items: [[text("first")], [text("second")]] },
    ]);
  });

  it("an unclosed fence runs to the end; plain text is one paragraph per blank-line run", () => {
    expect(parseMarkdown("```\ncode")).toEqual([{ type: "code", v: "code" }]);
    expect(parseMarkdown("a\nb\n\nc")).toEqual([
      { type: "p", c: [text("a"), { t: "br" }, text("b")] },
      { type: "p", c: [text("c")] },
    ]);
  });
});

describe("previews", () => {
  it("keep the words and drop the marks", () => {
    expect(plainText("**bold** *it* ~~gone~~ `x<y`\n> quoted\n- one\n- two\n[site](https://example.org) @Ann")).toBe("bold it gone x<y quoted one, two site @ann");
  });
});
