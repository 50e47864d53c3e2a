import { describe, expect, it } from "vitest";

import { attachmentsText } from "./attachment-text";
import type { Attachment } from "./types";

const file = (kind: "image" | "file", name = "x"): Attachment => ({ id: name, kind, mime: "", name, size: 1 });

describe("attachmentsText", () => {
  it("names what a message of files carries", () => {
    expect(attachmentsText(undefined)).toBe("");
    expect(attachmentsText([file("image")])).toBe("Photo");
    expect(attachmentsText([file("image"), file("image")])).toBe("2 photos");
    expect(attachmentsText([file("file", "report.pdf")])).toBe("report.pdf");
    expect(attachmentsText([file("image"), file("file")])).toBe("2 files");
  });
});
