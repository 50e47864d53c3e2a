import { plainText } from "@/lib/markdown";
import { around, highlight } from "@/lib/search";

/** A found message's words around the first hit, the searched words marked. */
export function Highlighted({ body, words }: { body: string | null; words: string[] }) {
  return (
    <>
      {highlight(around(plainText(body ?? ""), words), words).map((p, i) =>
        p.hit ? (
          <mark key={i} className="rounded bg-amber-200 text-amber-950">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
