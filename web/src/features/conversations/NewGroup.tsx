import * as Dialog from "@radix-ui/react-dialog";
import { Users, X } from "lucide-react";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

/** Create a group from a name and usernames; shows the server's refusal (the
 * messaging policy) in its own words. */
export function NewGroup({ onCreated }: { onCreated: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const names = String(data.get("members") ?? "").split(/[\s,]+/).map((n) => n.replace(/^@/, "").toLowerCase()).filter(Boolean);
    try {
      const ids: string[] = [];
      for (const n of names) {
        const hit = (await api<{ items: { id: string; username: string }[] }>(`/users?q=${encodeURIComponent(n)}&limit=20`)).items.find((u) => u.username.toLowerCase() === n);
        if (!hit) throw { message: `No user @${n}` };
        ids.push(hit.id);
      }
      const c = await api<{ id: string }>("/conversations", { method: "POST", body: { name: String(data.get("name") ?? ""), member_ids: ids } });
      setOpen(false);
      setError(null);
      onCreated(c.id);
    } catch (err) {
      setError((err as ApiError).message);
    }
  }

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button variant="ghost" size="icon" aria-label="New group">
          <Users className="h-4 w-4" />
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content className="fixed top-1/2 left-1/2 w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-5 shadow-xl dark:bg-zinc-900">
          <form onSubmit={(e) => void submit(e)} className="space-y-3">
            <div className="flex items-center justify-between">
              <Dialog.Title className="font-semibold">New group</Dialog.Title>
              <Dialog.Close asChild>
                <Button variant="ghost" size="icon" aria-label="Close">
                  <X className="h-4 w-4" />
                </Button>
              </Dialog.Close>
            </div>
            <Dialog.Description className="text-sm text-zinc-500">Name it and list usernames, separated by commas.</Dialog.Description>
            <Input name="name" aria-label="Group name" placeholder="Group name" required maxLength={100} />
            <Input name="members" aria-label="Members" placeholder="ann, ben, cat" />
            {error && (
              <p role="alert" className="text-sm text-red-600 dark:text-red-400">
                {error}
              </p>
            )}
            <Button type="submit" className="w-full">
              Create group
            </Button>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
