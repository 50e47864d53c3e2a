import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import { cn } from "@/lib/cn";

type Url = { id: string; url: string };

// Avatars come many at a time (a list of conversations, a member list): the ids
// asked for within a few milliseconds go out as one request.
let waiting: { id: string; resolve: (u: string | null) => void; reject: (e: unknown) => void }[] = [];
function avatarUrl(id: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    waiting.push({ id, resolve, reject });
    if (waiting.length > 1) return;
    setTimeout(() => {
      const batch = waiting.splice(0, 100);
      const rest = waiting;
      waiting = [];
      for (const w of rest) void avatarUrl(w.id).then(w.resolve, w.reject);
      api<Url[]>("/avatars/urls", { method: "POST", body: { ids: [...new Set(batch.map((w) => w.id))] } }).then(
        (urls) => {
          const by = new Map(urls.map((u) => [u.id, u.url]));
          for (const w of batch) w.resolve(by.get(w.id) ?? null);
        },
        (e) => batch.forEach((w) => w.reject(e)),
      );
    }, 10);
  });
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((w) => w[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
}

const SIZES = { sm: "h-7 w-7 text-[10px]", md: "h-10 w-10 text-sm", lg: "h-20 w-20 text-2xl" };

/** A person's (or group's) picture, or their initials while there is none. */
export function Avatar({ name, avatarId, size = "md", className }: { name: string; avatarId?: string | null; size?: keyof typeof SIZES; className?: string }) {
  const { data: url } = useQuery({
    queryKey: ["avatar-url", avatarId],
    queryFn: () => avatarUrl(avatarId!),
    enabled: !!avatarId,
    staleTime: 45 * 60_000,
    gcTime: 50 * 60_000,
  });
  return (
    <span className={cn("relative grid shrink-0 place-items-center overflow-hidden rounded-full bg-indigo-100 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300", SIZES[size], className)} aria-hidden>
      {avatarId && url ? <img src={url} alt="" className="h-full w-full object-cover" /> : initials(name)}
    </span>
  );
}
