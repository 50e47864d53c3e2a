import { describe, expect, it } from "vitest";

import { around, highlight, searchWords } from "./search";

describe("message search in the client", () => {
  it("reads words as the server does", () => {
    expect(searchWords("Quarterly REPORT, report! ok a1")).toEqual(["quarterly", "report"]);
    expect(searchWords("café 2026")).toEqual(["café", "2026"]);
  });

  it("marks word starts that match, whatever the case, and nothing inside words", () => {
    expect(highlight("The Report: misreported reports", ["report"])).toEqual([
      { text: "The ", hit: false },
      { text: "Report", hit: true },
      { text: ": misreported ", hit: false },
      { text: "report", hit: true },
      { text: "s", hit: false },
    ]);
    // Regex characters are taken literally.
    expect(highlight("a.c abc", ["a.c"])).toEqual([
      { text: "a.c", hit: true },
      { text: " abc", hit: false },
    ]);
  });

  it("shows the part of a long message around the first hit", () => {
    const long = `${"x ".repeat(100)}the report is here ${"y ".repeat(100)}`;
    const cut = around(long, ["report"]);
    expect(cut).toContain("report");
    expect(cut.startsWith("…") && cut.endsWith("…")).toBe(true);
    expect(around("short one", ["one"])).toBe("short one");
  });
});
