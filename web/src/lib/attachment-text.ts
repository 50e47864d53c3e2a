import type { Attachment } from "./types";

/** Words for a message that is only files, where its text would go (the
 * conversation list, a reply quote, a notification): "Photo", "3 photos",
 * "report.pdf", "2 files". */
export function attachmentsText(a: Attachment[] | undefined): string {
  if (!a || a.length === 0) return "";
  const images = a.filter((x) => x.kind === "image").length;
  if (images === a.length) return images === 1 ? "Photo" : `${images} photos`;
  return a.length === 1 ? (a[0]?.name ?? "File") : `${a.length} files`;
}
