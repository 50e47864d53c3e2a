import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { Avatar } from "@/components/Avatar";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { api, type ApiError } from "@/lib/api";

import { EmailCard } from "./EmailCard";
import { PushCard } from "./PushCard";
import { SoundCard } from "./SoundCard";
import { ThemeCard } from "./ThemeCard";

type Profile = { email?: string | null; email_verified: boolean; email_notify: string; username: string; full_name: string; bio: string; status_text: string; role: string; presence_mode: string; group_invites: string; avatar_id?: string };

const ADDERS: [string, string][] = [
  ["everyone", "Everyone"],
  ["friends", "Friends"],
  ["nobody", "Nobody"],
];
const DIGESTS: [string, string][] = [
  ["mentions", "Direct messages and mentions"],
  ["all", "Every message"],
  ["off", "Nothing"],
];
type Session = { id: string; user_agent: string; ip: string; last_used_at: string; current: boolean };

export function ProfilePage() {
  const queries = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: () => api<Profile>("/users/me") });
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: () => api<Session[]>("/auth/sessions") });
  const [note, setNote] = useState<string | null>(null);

  async function run(call: Promise<unknown>, done: string) {
    try {
      await call;
      setNote(done);
    } catch (e) {
      setNote((e as ApiError).message);
    }
    void queries.invalidateQueries({ queryKey: ["me"] });
    void queries.invalidateQueries({ queryKey: ["sessions"] });
    void queries.invalidateQueries({ queryKey: ["conversations"] });
  }

  function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    void run(api("/users/me", { method: "PATCH", body: Object.fromEntries(new FormData(e.currentTarget)) }), "Profile saved");
  }

  function password(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    void run(api("/auth/password", { method: "PUT", body: Object.fromEntries(new FormData(e.currentTarget)) }), "Password changed; your other sessions were signed out");
    e.currentTarget.reset();
  }

  if (!me.data) return null;
  return (
    <div className="mx-auto w-full max-w-2xl space-y-4 overflow-y-auto p-4">
      <h1 className="text-xl font-semibold">Profile</h1>
      {note && (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          {note}
        </p>
      )}
      <Card aria-label="Profile picture">
        <div className="flex items-center gap-4">
          <Avatar name={me.data.full_name || me.data.username} avatarId={me.data.avatar_id} size="lg" />
          <div className="space-y-2 text-sm">
            <p className="text-zinc-600 dark:text-zinc-400">A JPEG, PNG, WebP or GIF; its centre square is shown to people you chat with.</p>
            <div className="flex gap-2">
              <Button size="sm" variant="outline" asChild>
                <label>
                  {me.data.avatar_id ? "Change picture" : "Choose a picture"}
                  <input
                    type="file"
                    accept="image/jpeg,image/png,image/webp,image/gif"
                    className="sr-only"
                    onChange={(e) => {
                      const f = e.currentTarget.files?.[0];
                      e.currentTarget.value = "";
                      if (f) void run(api("/users/me/avatar", { method: "PUT", raw: f }), "Picture saved");
                    }}
                  />
                </label>
              </Button>
              {me.data.avatar_id && (
                <Button size="sm" variant="ghost" onClick={() => void run(api("/users/me/avatar", { method: "DELETE" }), "Picture removed")}>
                  Remove picture
                </Button>
              )}
            </div>
          </div>
        </div>
      </Card>
      <Card>
        <form onSubmit={save} className="space-y-3" key={me.dataUpdatedAt}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            @{me.data.username} · {me.data.role}
          </p>
          <label className="block space-y-1 text-sm">
            <span>Full name</span>
            <Input name="full_name" defaultValue={me.data.full_name} maxLength={100} />
          </label>
          <label className="block space-y-1 text-sm">
            <span>Status</span>
            <Input name="status_text" defaultValue={me.data.status_text} maxLength={100} placeholder="What are you up to?" />
          </label>
          <label className="block space-y-1 text-sm">
            <span>Bio</span>
            <textarea name="bio" defaultValue={me.data.bio} maxLength={500} className="min-h-20 w-full rounded-md border border-zinc-300 bg-transparent p-2 dark:border-zinc-700" />
          </label>
          <Button type="submit">Save profile</Button>
        </form>
      </Card>
      <Card>
        <h2 className="mb-2 font-medium">Presence</h2>
        <div className="flex flex-wrap gap-2" role="group" aria-label="Presence mode">
          {["available", "busy", "away", "invisible"].map((mode) => (
            <Button key={mode} size="sm" variant={me.data.presence_mode === mode ? "default" : "outline"} aria-pressed={me.data.presence_mode === mode} onClick={() => void run(api("/users/me/presence", { method: "PUT", body: { mode } }), `You are now ${mode}`)}>
              {mode}
            </Button>
          ))}
        </div>
      </Card>
      <Card>
        <h2 className="mb-1 font-medium">Who may add me to groups</h2>
        <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">Anyone else sends an invitation; the group sees nothing of you until you join.</p>
        <div className="flex flex-wrap gap-2" role="group" aria-label="Who may add me to groups">
          {ADDERS.map(([value, label]) => (
            <Button key={value} size="sm" variant={me.data.group_invites === value ? "default" : "outline"} aria-pressed={me.data.group_invites === value} onClick={() => void run(api("/users/me", { method: "PATCH", body: { group_invites: value } }), `${label} may add you to groups`)}>
              {label}
            </Button>
          ))}
        </div>
      </Card>
      <EmailCard
        email={me.data.email}
        verified={me.data.email_verified}
        onChanged={(done) => {
          setNote(done);
          void queries.invalidateQueries({ queryKey: ["me"] });
        }}
      />
      <PushCard />
      <ThemeCard />
      <SoundCard />
      <Card aria-label="Email notifications">
        <h2 className="mb-1 font-medium">Email notifications</h2>
        <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
          When you have been away for a while, one mail says who wrote and how many messages wait (at most one an hour; never the messages themselves unless the server allows it). Muted conversations never count. Needs a confirmed address.
        </p>
        <div className="flex flex-wrap gap-2" role="group" aria-label="What to mail me while I am away">
          {DIGESTS.map(([value, label]) => (
            <Button key={value} size="sm" variant={me.data.email_notify === value ? "default" : "outline"} aria-pressed={me.data.email_notify === value} onClick={() => void run(api("/users/me", { method: "PATCH", body: { email_notify: value } }), `Mail while away: ${label.toLowerCase()}`)}>
              {label}
            </Button>
          ))}
        </div>
      </Card>
      <Card>
        <form onSubmit={password} className="space-y-3">
          <h2 className="font-medium">Change password</h2>
          <Input name="current_password" type="password" aria-label="Current password" placeholder="Current password" autoComplete="current-password" />
          <Input name="new_password" type="password" aria-label="New password" placeholder="New password (8+ characters)" autoComplete="new-password" />
          <Button type="submit">Change password</Button>
        </form>
      </Card>
      <Card aria-label="Sessions">
        <h2 className="mb-2 font-medium">Signed-in devices</h2>
        {(sessions.data ?? []).map((s) => (
          <div key={s.id} className="flex items-center justify-between gap-2 py-1 text-sm">
            <span className="truncate">
              {s.user_agent || "Unknown device"} · {s.ip} {s.current && <strong>(this device)</strong>}
            </span>
            {!s.current && (
              <Button size="sm" variant="outline" onClick={() => void run(api(`/auth/sessions/${s.id}`, { method: "DELETE" }), "Device signed out")}>
                Sign out
              </Button>
            )}
          </div>
        ))}
      </Card>
    </div>
  );
}
