import * as Dialog from "@radix-ui/react-dialog";
import { useQueryClient } from "@tanstack/react-query";
import { Settings } from "lucide-react";
import { useState, type FormEvent } from "react";

import { Avatar } from "@/components/Avatar";
import { Button } from "@/components/ui/button";
import { DialogFrame } from "@/components/ui/dialog-frame";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

type Member = { user_id: string; username: string; full_name: string; role: string; deactivated?: boolean; avatar_id?: string };

/** Rename, add and remove members, leave: what the caller's role allows. */
export function GroupSettings({ conversationId, name, avatarId, members, me, onLeft }: { conversationId: string; name: string; avatarId?: string; members: Member[]; me: string; onLeft: () => void }) {
  const queries = useQueryClient();
  const [note, setNote] = useState<string | null>(null);
  const myRole = members.find((m) => m.user_id === me)?.role ?? "member";
  const manages = myRole === "owner" || myRole === "admin";

  async function run(call: Promise<unknown>, done: string) {
    try {
      await call;
      setNote(done);
    } catch (e) {
      setNote((e as ApiError).message);
    }
    void queries.invalidateQueries({ queryKey: ["conversation", conversationId] });
    void queries.invalidateQueries({ queryKey: ["conversations"] });
  }

  function rename(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get("name") ?? "");
    void run(api(`/conversations/${conversationId}`, { method: "PATCH", body: { name: value } }), "Renamed");
  }

  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const username = String(new FormData(e.currentTarget).get("username") ?? "").trim().toLowerCase();
    e.currentTarget.reset();
    const found = (await api<{ items: { id: string; username: string }[] }>(`/users?q=${encodeURIComponent(username)}&limit=20`)).items.find((u) => u.username.toLowerCase() === username);
    if (!found) return setNote(`No user @${username}`);
    void run(api(`/conversations/${conversationId}/members`, { method: "POST", body: { user_id: found.id } }), `@${found.username} added`);
  }

  return (
    <Dialog.Root>
      <Dialog.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label="Group settings">
          <Settings className="h-4 w-4" />
        </Button>
      </Dialog.Trigger>
      <DialogFrame title="Group settings" description="Rename the group, manage members, or leave." className="space-y-4">
        {manages && (
          <div className="flex items-center gap-3" aria-label="Group picture">
            <Avatar name={name} avatarId={avatarId} />
            <Button size="sm" variant="outline" asChild>
              <label>
                {avatarId ? "Change picture" : "Choose a group picture"}
                <input
                  type="file"
                  accept="image/jpeg,image/png,image/webp,image/gif"
                  className="sr-only"
                  onChange={(e) => {
                    const f = e.currentTarget.files?.[0];
                    e.currentTarget.value = "";
                    if (f) void run(api(`/conversations/${conversationId}/avatar`, { method: "PUT", raw: f }), "Group picture saved");
                  }}
                />
              </label>
            </Button>
            {avatarId && (
              <Button size="sm" variant="ghost" onClick={() => void run(api(`/conversations/${conversationId}/avatar`, { method: "DELETE" }), "Group picture removed")}>
                Remove
              </Button>
            )}
          </div>
        )}
        {manages && (
          <form onSubmit={rename} className="flex gap-2">
            <Input name="name" aria-label="Group name" defaultValue={name} maxLength={100} />
            <Button type="submit">Rename</Button>
          </form>
        )}
        <ul className="space-y-1" aria-label="Members">
          {members.map((m) => (
            <li key={m.user_id} className="flex items-center justify-between text-sm">
              <span className="flex items-center gap-2">
                <Avatar size="sm" name={m.full_name || m.username} avatarId={m.avatar_id} />
                {m.full_name} <span className="text-zinc-600 dark:text-zinc-400">{m.deactivated ? "" : `@${m.username} · `}{m.role}</span>
              </span>
              {manages && m.user_id !== me && m.role !== "owner" && (
                <Button size="sm" variant="outline" onClick={() => void run(api(`/conversations/${conversationId}/members/${m.user_id}`, { method: "DELETE" }), `${m.deactivated ? m.full_name : `@${m.username}`} removed`)}>
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
        {manages && (
          <form onSubmit={(e) => void add(e)} className="flex gap-2">
            <Input name="username" aria-label="Add member by username" placeholder="Add by username" />
            <Button type="submit">Add</Button>
          </form>
        )}
        {note && (
          <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
            {note}
          </p>
        )}
        <Button variant="outline" className="w-full" onClick={() => void api(`/conversations/${conversationId}/leave`, { method: "POST", body: {} }).then(onLeft, (e: ApiError) => setNote(e.message))}>
          Leave group
        </Button>
      </DialogFrame>
    </Dialog.Root>
  );
}
