import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Keyboard, MessagesSquare, Shield, UserRound, Users } from "lucide-react";
import { useEffect, useRef, useState, type ReactNode } from "react";

import { ShortcutsSheet } from "@/components/ShortcutsSheet";
import { Button } from "@/components/ui/button";
import { AdminPage } from "@/features/admin/AdminPage";
import { linkToken, ResetPassword, VerifyEmail } from "@/features/auth/AccountLinks";
import { AuthScreen } from "@/features/auth/AuthScreen";
import { ChatView } from "@/features/chat/ChatView";
import { Sidebar } from "@/features/conversations/Sidebar";
import { FriendsPage } from "@/features/friends/FriendsPage";
import { Bell } from "@/features/notifications/Bell";
import { ProfilePage } from "@/features/profile/ProfilePage";
import { api, logout, onSessionEnded, refresh, setSession, type ApiError, type Me } from "@/lib/api";
import { cn } from "@/lib/cn";
import { onStatus, startLive, stopLive } from "@/lib/live";
import type { Status } from "@/lib/realtime";
import { readOnThisDevice, target } from "@/lib/push";
import { canonicalize, navigate, useRoute, type Page } from "@/lib/route";
import { resetChat } from "@/lib/store";
import { useTabBadge } from "@/lib/tab-badge";
import { startTypingFeed } from "@/lib/typing";
import { startBrowserNotifications } from "@/lib/browser-notifications";
import { typingIn } from "@/lib/shortcuts";

type View = "chats" | Page;

function NavButton({ view, current, label, icon, onClick, badge = 0 }: { view: View; current: View; label: string; icon: ReactNode; onClick: (v: View) => void; badge?: number }) {
  return (
    <Button variant="ghost" size="sm" aria-current={current === view ? "page" : undefined} className={cn("relative", current === view && "bg-zinc-100 dark:bg-zinc-800")} onClick={() => onClick(view)}>
      {icon}
      <span className="max-sm:sr-only">{label}</span>
      {badge > 0 && (
        <>
          <span className="rounded-full bg-red-600 px-1.5 text-[10px] leading-4 font-semibold text-white" aria-hidden>
            {badge > 99 ? "99+" : badge}
          </span>
          <span className="sr-only">{badge} unread</span>
        </>
      )}
    </Button>
  );
}

/** What to tell someone whose session the server ended. */
function endedNotice(why: ApiError): string {
  if (why.code === "account_deactivated") return "Your account has been deactivated. Ask an administrator if you think this is a mistake.";
  return "Your session has ended (signed out on another device, or expired). Please sign in again.";
}

export function App() {
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [status, setStatus] = useState<Status>("connecting");
  // The screen is the address (lib/route.ts): reload keeps it, back goes back.
  const route = useRoute();
  const view: View = route.view;
  const open = route.view === "chats" ? route.conversation : null;
  // Chats, from another tab, returns to the conversation that was open there.
  const lastOpen = useRef(open);
  if (open) lastOpen.current = open;
  const setOpen = (conversation: string | null) => navigate({ view: "chats", conversation });
  const setView = (v: View) => navigate(v === "chats" ? { view: "chats", conversation: lastOpen.current } : { view: v });
  const [ended, setEnded] = useState<string | null>(null);
  const [shortcuts, setShortcuts] = useState(false);
  // A mailed link (reset, confirmation) opens its own page, signed in or not.
  const [link, setLink] = useState(() => ({ page: location.pathname, token: linkToken(location.hash) }));
  const leaveLink = () => {
    navigate({ view: "chats", conversation: null }, { replace: true });
    setLink({ page: "/", token: "" });
  };
  // The same list the sidebar shows (one cached query): its unread counts, summed.
  const { data: conversations } = useQuery({
    queryKey: ["conversations"],
    queryFn: () => api<{ items: { unread_count: number; muted_until?: string }[] }>("/conversations?limit=100"),
    enabled: !!me,
  });
  // Muted conversations still show their count in the list, not in the tab.
  const unread = me ? (conversations?.items ?? []).reduce((n, c) => n + (c.muted_until ? 0 : c.unread_count), 0) : 0;
  useTabBadge(unread);

  // A notification's or mail's link (`/?conversation=ID`) becomes `/c/ID`.
  useEffect(() => {
    if (link.page !== "/reset-password" && link.page !== "/verify-email") canonicalize();
  }, [link.page]);

  // The admin page's address, for someone who is not (or no longer) an admin.
  useEffect(() => {
    if (me && view === "admin" && me.role !== "admin") navigate({ view: "chats", conversation: null }, { replace: true });
  }, [me, view]);

  // Opening a conversation clears its notifications on this device.
  useEffect(() => {
    if (open) readOnThisDevice(open);
  }, [open]);

  // A click on a notification while a tab is open: the service worker asks
  // this tab to go there.
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    const onMessage = (e: MessageEvent) => {
      const go = e.data?.type === "open" ? target(String(e.data.url)) : null;
      if (!go) return;
      if ("conversation" in go) {
        setOpen(go.conversation);
      } else setView(go.page);
    };
    navigator.serviceWorker.addEventListener("message", onMessage);
    return () => navigator.serviceWorker.removeEventListener("message", onMessage);
  }, []);

  // Ctrl/Cmd+K: to the conversation search; `?` (not while typing): the sheet.
  useEffect(() => {
    if (!me) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey) && !e.altKey) {
        e.preventDefault();
        // On a phone the list is hidden behind an open chat: show it.
        if (matchMedia("(max-width: 639px)").matches) setOpen(null);
        else setView("chats");
        requestAnimationFrame(() => document.querySelector<HTMLInputElement>("input[aria-label='Search conversations and people']")?.focus());
      } else if (e.key === "?" && !e.ctrlKey && !e.metaKey && !typingIn(e.target)) {
        e.preventDefault();
        setShortcuts(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [me]);

  useEffect(() => {
    void refresh().then((u) => setMe(u));
    onSessionEnded((why) => {
      setEnded(endedNotice(why));
      setMe(null);
    });
  }, []);

  useEffect(() => {
    if (!me) return;
    resetChat(me.id);
    onStatus(setStatus);
    startLive(queries);
    const stopTyping = startTypingFeed(me.id);
    const stopNotices = startBrowserNotifications(me.id, {
      nameOf: (conversationId, userId) => {
        const list = queries.getQueryData<{ items: { id: string; members: { user_id: string; full_name: string; username: string }[] }[] }>(["conversations"]);
        const m = list?.items.find((c) => c.id === conversationId)?.members.find((x) => x.user_id === userId);
        return m ? m.full_name || m.username : undefined;
      },
      muted: (conversationId) => {
        const list = queries.getQueryData<{ items: { id: string; muted_until?: string }[] }>(["conversations"]);
        const until = list?.items.find((c) => c.id === conversationId)?.muted_until;
        return !!until && new Date(until) > new Date();
      },
      open: (t) => {
        if ("conversation" in t) {
          setOpen(t.conversation);
        } else setView(t.page);
      },
    });
    return () => {
      stopNotices();
      stopTyping();
      stopLive();
    };
  }, [me, queries]);

  if (link.page === "/reset-password")
    return (
      <ResetPassword
        token={link.token}
        onDone={(notice) => {
          leaveLink();
          if (notice) {
            setSession(null);
            setEnded(notice);
            setMe(null);
          }
        }}
      />
    );
  if (link.page === "/verify-email") return <VerifyEmail token={link.token} onDone={leaveLink} />;
  if (me === undefined) return <div className="grid h-dvh place-items-center text-zinc-600 dark:text-zinc-400">Loading…</div>;
  if (me === null)
    return (
      <AuthScreen
        notice={ended}
        onSignedIn={(u) => {
          setEnded(null);
          setMe(u);
        }}
      />
    );

  const signOut = () => void logout().then(() => setMe(null));
  return (
    <div className="flex h-dvh flex-col">
      <nav className="flex items-center gap-1 border-b border-zinc-200 px-2 py-1 dark:border-zinc-800" aria-label="Main">
        <span className="mr-2 px-2 font-semibold text-indigo-600 dark:text-indigo-400">Confab</span>
        <NavButton view="chats" current={view} label="Chats" icon={<MessagesSquare className="h-4 w-4" />} onClick={setView} badge={unread} />
        <NavButton view="friends" current={view} label="Friends" icon={<Users className="h-4 w-4" />} onClick={setView} />
        <NavButton view="profile" current={view} label="Profile" icon={<UserRound className="h-4 w-4" />} onClick={setView} />
        {me.role === "admin" && <NavButton view="admin" current={view} label="Admin" icon={<Shield className="h-4 w-4" />} onClick={setView} />}
        <span className="ml-auto" />
        <Button variant="ghost" size="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => setShortcuts(true)}>
          <Keyboard className="h-4 w-4" />
        </Button>
        <ShortcutsSheet open={shortcuts} onOpenChange={setShortcuts} />
        <Bell
          onGo={(t) => {
            if ("conversation" in t) {
              setOpen(t.conversation);
            } else setView(t.page);
          }}
        />
      </nav>
      {status !== "online" && (
        <div role="status" className="bg-amber-100 px-4 py-1 text-center text-sm text-amber-900 dark:bg-amber-900 dark:text-amber-100">
          {status === "connecting" ? "Connecting…" : "Offline — reconnecting. Messages you send will go out when the connection returns."}
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        {view === "chats" && (
          <>
            <h1 className="sr-only">Chats</h1>
            <div className={cn("flex max-sm:flex-1", open && "max-sm:hidden")}>
              <Sidebar me={me} open={open} onOpen={setOpen} onSignOut={signOut} />
            </div>
            <main className={cn("flex min-w-0 flex-1 flex-col", !open && "max-sm:hidden")}>
              {open ? (
                <ChatView key={open} me={me} conversationId={open} onBack={() => setOpen(null)} />
              ) : (
                <div className="grid flex-1 place-items-center text-zinc-600 dark:text-zinc-400">Choose a conversation, or start one.</div>
              )}
            </main>
          </>
        )}
        {view === "friends" && <FriendsPage me={me.id} />}
        {view === "profile" && <ProfilePage />}
        {view === "admin" && me.role === "admin" && (
          <AdminPage
            me={me.id}
            onOwnRole={(role) => {
              setMe({ ...me, role });
              navigate({ view: "chats", conversation: lastOpen.current }, { replace: true });
            }}
          />
        )}
      </div>
    </div>
  );
}
