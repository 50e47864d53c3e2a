import * as Dialog from "@radix-ui/react-dialog";
import { Users } from "lucide-react";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { DialogFrame } from "@/components/ui/dialog-frame";
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
      <DialogFrame title="New group" description="Name it and list usernames, separated by commas." showDescription className="w-[min(26rem,calc(100vw-2rem))]">
        <form onSubmit={(e) => void submit(e)} className="mt-3 space-y-3">
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
      </DialogFrame>
    </Dialog.Root>
  );
}
