// Delivery states of your own messages, as WhatsApp shows them: sending (no seq
// yet), sent (stored: the ack), delivered (reached one of the recipient's
// devices: their delivery receipt), seen (their read marker). And the receipts
// this device owes: the highest seq from others it has received, per direct
// conversation, sent at most a few times a second.

export type Receipt = "sent" | "delivered" | "seen";

/** A member's markers as this client knows them: what the conversation said
 * when fetched, and what events said since; a read implies delivery. */
export function markers(fetched: { read: number; delivered: number }, live: { read?: number; delivered?: number }) {
  const read = Math.max(fetched.read, live.read ?? 0);
  return { read, delivered: Math.max(read, fetched.delivered, live.delivered ?? 0) };
}

/** The state of your message `seq` for one recipient. */
export function receiptFor(seq: number, other: { read: number; delivered: number }): Receipt {
  if (other.read >= seq) return "seen";
  if (other.delivered >= seq) return "delivered";
  return "sent";
}

/** What this device still has to acknowledge: per conversation, the highest seq
 * received from others above what it already said. */
export class DeliveryReceipts {
  private owed = new Map<string, number>();
  private told = new Map<string, number>();

  received(conversationId: string, seq: number): void {
    if (seq > (this.told.get(conversationId) ?? 0) && seq > (this.owed.get(conversationId) ?? 0)) this.owed.set(conversationId, seq);
  }

  /** Takes what is owed for the conversations `include` accepts; those it does
   * not know yet (undefined) stay owed and are returned, for the caller to look
   * up; `send` returning false (no connection) keeps them for the next flush. */
  flush(include: (conversationId: string) => boolean | undefined, send: (conversationId: string, seq: number) => boolean): string[] {
    const unknown: string[] = [];
    for (const [id, seq] of [...this.owed]) {
      const wanted = include(id);
      if (wanted === undefined) {
        unknown.push(id);
        continue;
      }
      this.owed.delete(id);
      if (!wanted) continue;
      if (send(id, seq)) this.told.set(id, seq);
      else this.owed.set(id, seq);
    }
    return unknown;
  }

  /** Owes nothing for a conversation that cannot be looked up (left, gone). */
  forget(conversationId: string): void {
    this.owed.delete(conversationId);
  }
}
