import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { api } from "@/lib/api";
import { mergeHistory, oldestSeq } from "@/lib/chat-state";
import { getChat, updateChat } from "@/lib/store";
import type { Message } from "@/lib/types";

type Page = { items: Message[]; has_more: boolean };

/** A conversation's history as the view loads it: the newest page on opening,
 * older pages on scrolling up, back to the first unread on "Jump", and where the
 * list stays scrolled (at the bottom for new messages, in place for older ones).
 * `info` is the conversation as first fetched after opening (undefined until then). */
export function useHistory(conversationId: string, info: { unread_count: number; last_read_seq: number } | undefined, shownLength: number) {
  const [hasOlder, setHasOlder] = useState(false);
  const [firstUnread, setFirstUnread] = useState<number | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const keepFromBottom = useRef<number | null>(null);
  const stick = useRef(true);
  const loading = useRef(false);
  const [jump, setJump] = useState(0);
  const jumpTarget = useRef<() => Element | null>(() => null);
  const firstPage = useRef<Promise<boolean>>(Promise.resolve(false));
  // Whether older pages exist, as of the last page loaded (state lags a render).
  const hasOlderNow = useRef(false);
  const older = (more: boolean) => {
    hasOlderNow.current = more;
    setHasOlder(more);
  };

  // First page: the newest messages; remember where unread ones start.
  useEffect(() => {
    // A refusal (not a member, no such conversation) is shown from the summary.
    firstPage.current = api<Page>(`/conversations/${conversationId}/messages?limit=50`)
      .then((page) => {
        updateChat((s) => mergeHistory(s, conversationId, page.items));
        older(page.has_more);
        return page.has_more;
      })
      .catch(() => false);
  }, [conversationId]);
  // Where unread messages start is decided once, from the first fetch after the
  // chat opened: later refetches (a read marker moved) can land before this
  // client's own read marker and would put a divider into a chat being read.
  const unreadDecided = useRef(false);
  useEffect(() => {
    if (!info || unreadDecided.current) return;
    unreadDecided.current = true;
    if (info.unread_count > 0) setFirstUnread(info.last_read_seq + 1);
  }, [info]);

  /** One page of older messages; false when there is nothing older. */
  async function olderPage(): Promise<boolean> {
    const oldest = oldestSeq(getChat(), conversationId);
    if (!oldest || oldest <= 1) return false;
    const page = await api<Page>(`/conversations/${conversationId}/messages?limit=100&before_seq=${oldest}`);
    updateChat((s) => mergeHistory(s, conversationId, page.items));
    older(page.has_more);
    return page.has_more;
  }

  async function loadOlder() {
    if (!hasOlder || !list.current || loading.current) return;
    loading.current = true;
    keepFromBottom.current = list.current.scrollHeight - list.current.scrollTop;
    await olderPage().finally(() => (loading.current = false));
  }

  // A message may be older than what is loaded (the first unread, a search hit):
  // wait for the first page, load back to it, then show it (the layout effect
  // below scrolls once it is rendered).
  async function jumpTo(seq: number, target: () => Element | null) {
    if (loading.current) return;
    loading.current = true;
    try {
      await firstPage.current;
      for (let more = hasOlderNow.current; more && (oldestSeq(getChat(), conversationId) ?? 0) > seq; ) more = await olderPage();
    } finally {
      loading.current = false;
    }
    stick.current = false;
    jumpTarget.current = target;
    setJump((n) => n + 1);
  }
  const jumpToUnread = () => void (firstUnread !== null && jumpTo(firstUnread, () => document.getElementById("first-unread")));
  /** Shows message `seq`, marked for a moment (a search hit). */
  const jumpToMessage = (seq: number) =>
    void jumpTo(seq, () => {
      const el = list.current?.querySelector(`[data-seq="${seq}"] [data-status]`) ?? null;
      el?.classList.add("ring-2", "ring-amber-400");
      setTimeout(() => el?.classList.remove("ring-2", "ring-amber-400"), 2_500);
      return el;
    });

  // Keep the view where the reader is: at the bottom for new messages, in place
  // when older ones are added above.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [shownLength]);
  useLayoutEffect(() => {
    if (jump > 0) jumpTarget.current()?.scrollIntoView({ block: "center" });
  }, [jump]);

  return { list, stick, hasOlder, firstUnread, loadOlder, jumpToUnread, jumpToMessage };
}
