import { cn } from "@/lib/cn";
import { useSignedUrls } from "@/lib/signed-urls";

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
  const url = useSignedUrls("avatars", avatarId ? [avatarId] : [])[avatarId ?? ""]?.url;
  return (
    <span className={cn("relative grid shrink-0 place-items-center overflow-hidden rounded-full bg-indigo-100 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300", SIZES[size], className)} aria-hidden>
      {avatarId && url ? <img src={url} alt="" className="h-full w-full object-cover" /> : initials(name)}
    </span>
  );
}
