import { Fragment, type ReactNode } from "react";

import { cn } from "@/lib/cn";
import { parseMarkdown, type Block, type Inline } from "@/lib/markdown";

type Ctx = { me: string; mine: boolean };

/** A message body in the safe Markdown subset of lib/markdown.ts, as React
 * elements (never HTML). A mention of you stands out. */
export function Markdown({ text, me, mine }: { text: string; me: string; mine: boolean }) {
  const ctx = { me: me.toLowerCase(), mine };
  return <>{parseMarkdown(text).map((b, i) => block(b, i, ctx))}</>;
}

function block(b: Block, key: number, ctx: Ctx): ReactNode {
  switch (b.type) {
    case "p":
      return (
        <p key={key} className="[&:not(:first-child)]:mt-1">
          {inline(b.c, ctx)}
        </p>
      );
    case "code":
      return (
        <pre key={key} className={cn("my-1 overflow-x-auto rounded-md px-2 py-1 font-mono text-xs whitespace-pre", ctx.mine ? "bg-indigo-800" : "bg-zinc-200 dark:bg-zinc-900")}>
          <code>{b.v}</code>
        </pre>
      );
    case "quote":
      return (
        <blockquote key={key} className="my-1 border-l-2 border-current pl-2 opacity-90">
          {b.c.map((x, i) => block(x, i, ctx))}
        </blockquote>
      );
    case "ul":
    case "ol": {
      const List = b.type;
      return (
        <List key={key} className={cn("my-1 pl-5", b.type === "ul" ? "list-disc" : "list-decimal")}>
          {b.items.map((item, i) => (
            <li key={i}>{inline(item, ctx)}</li>
          ))}
        </List>
      );
    }
  }
}

function inline(items: Inline[], ctx: Ctx): ReactNode {
  return items.map((x, i) => {
    switch (x.t) {
      case "text":
        return <Fragment key={i}>{x.v}</Fragment>;
      case "br":
        return <br key={i} />;
      case "code":
        return (
          <code key={i} className={cn("rounded px-1 font-mono text-[0.85em]", ctx.mine ? "bg-indigo-800" : "bg-zinc-200 dark:bg-zinc-900")}>
            {x.v}
          </code>
        );
      case "b":
        return <strong key={i}>{inline(x.c, ctx)}</strong>;
      case "i":
        return <em key={i}>{inline(x.c, ctx)}</em>;
      case "s":
        return <s key={i}>{inline(x.c, ctx)}</s>;
      case "link":
        return (
          <a key={i} href={x.href} target="_blank" rel="noopener noreferrer" className="underline">
            {inline(x.c, ctx)}
          </a>
        );
      case "mention": {
        const you = x.name === ctx.me;
        return (
          <span
            key={i}
            data-mention={x.name}
            data-you={you || undefined}
            className={cn(
              "rounded px-0.5 font-semibold",
              you ? "bg-amber-200 text-amber-950 dark:bg-amber-300" : ctx.mine ? "bg-white/20" : "text-indigo-700 dark:text-indigo-300",
            )}
          >
            @{x.name}
          </span>
        );
      }
    }
  });
}
