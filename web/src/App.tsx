import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { AuthScreen } from "@/features/auth/AuthScreen";
import { ChatView } from "@/features/chat/ChatView";
import { Sidebar } from "@/features/conversations/Sidebar";
import { logout, refresh, type Me } from "@/lib/api";
import { onStatus, startLive, stopLive } from "@/lib/live";
import type { Status } from "@/lib/realtime";
import { resetChat } from "@/lib/store";

export function App() {
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [status, setStatus] = useState<Status>("connecting");
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    void refresh().then((u) => setMe(u));
  }, []);

  useEffect(() => {
    if (!me) return;
    resetChat(me.id);
    onStatus(setStatus);
    startLive(queries);
    return () => stopLive();
  }, [me, queries]);

  if (me === undefined) return <div className="grid h-dvh place-items-center text-zinc-500">Loading…</div>;
  if (me === null) return <AuthScreen onSignedIn={setMe} />;

  return (
    <div className="flex h-dvh flex-col">
      {status !== "online" && (
        <div role="status" className="bg-amber-100 px-4 py-1 text-center text-sm text-amber-900 dark:bg-amber-900 dark:text-amber-100">
          {status === "connecting" ? "Connecting…" : "Offline — reconnecting. Messages you send will go out when the connection returns."}
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <Sidebar me={me} open={open} onOpen={setOpen} onSignOut={() => void logout().then(() => setMe(null))} />
        <main className="flex min-w-0 flex-1 flex-col">
          {open ? (
            <ChatView key={open} me={me} conversationId={open} />
          ) : (
            <div className="grid flex-1 place-items-center text-zinc-500">Choose a conversation, or start one.</div>
          )}
        </main>
      </div>
    </div>
  );
}
