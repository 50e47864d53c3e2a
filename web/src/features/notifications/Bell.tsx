import * as Popover from "@radix-ui/react-dropdown-menu";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Bell as BellIcon } from "lucide-react";

import { Button } from "@/components/ui/button";
import { api } from "@/lib/api";
import { enableBrowserNotifications, notificationsWanted } from "@/lib/browser-notifications";

type Notification = { id: string; kind: string; actor: { username: string } | null; conversation_id: string | null; read_at: string | null };

/** Where a notification leads: its conversation, or the friends page. */
export type Target = { conversation: string } | { page: "friends" | "chats" };

function targetOf(n: Notification): Target {
  if (n.kind.startsWith("friend_")) return { page: "friends" };
  if (n.conversation_id && n.kind !== "group_invited") return { conversation: n.conversation_id };
  return { page: "chats" };
}

const TEXT: Record<string, string> = {
  friend_request: "sent you a friend request",
  friend_accepted: "accepted your friend request",
  friend_rejected: "declined your friend request",
  group_added: "added you to a group",
  group_invited: "invited you to a group",
  mention: "mentioned you",
};

export function Bell({ onGo }: { onGo: (t: Target) => void }) {
  const queries = useQueryClient();
  const { data } = useQuery({ queryKey: ["notifications"], queryFn: () => api<{ items: Notification[]; unread_count: number }>("/notifications?limit=20") });
  const unread = data?.unread_count ?? 0;
  return (
    <Popover.Root
      onOpenChange={(open) => {
        if (!open && unread > 0) void api("/notifications/read-all", { method: "POST", body: {} }).then(() => queries.invalidateQueries({ queryKey: ["notifications"] }));
      }}
    >
      <Popover.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Notifications, ${unread} unread`} className="relative">
          <BellIcon className="h-4 w-4" />
          {unread > 0 && <span className="absolute top-1 right-1 rounded-full bg-red-600 px-1 text-[10px] leading-4 text-white">{unread}</span>}
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content align="end" className="z-10 w-72 rounded-lg border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
          {!notificationsWanted() && typeof Notification !== "undefined" && (
            <Popover.Item onSelect={() => void enableBrowserNotifications()} className="rounded px-3 py-2 text-sm text-indigo-600 outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800">
              Notify me in this browser when the tab is in the background
            </Popover.Item>
          )}
          {(data?.items ?? []).length === 0 && <p className="p-3 text-sm text-zinc-600 dark:text-zinc-400">Nothing new.</p>}
          {(data?.items ?? []).map((n) => (
            <Popover.Item key={n.id} onSelect={() => onGo(targetOf(n))} className="cursor-pointer rounded px-3 py-2 text-sm outline-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800">
              <strong>@{n.actor?.username ?? "someone"}</strong> {TEXT[n.kind] ?? n.kind}
              {!n.read_at && <span className="ml-1 text-indigo-600">•</span>}
            </Popover.Item>
          ))}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
