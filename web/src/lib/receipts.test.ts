import { describe, expect, it } from "vitest";

import { DeliveryReceipts, markers, receiptFor } from "./receipts";

describe("delivery states", () => {
  it("sent, then delivered, then seen; a read implies delivery", () => {
    expect(receiptFor(5, markers({ read: 0, delivered: 0 }, {}))).toBe("sent");
    expect(receiptFor(5, markers({ read: 0, delivered: 5 }, {}))).toBe("delivered");
    expect(receiptFor(5, markers({ read: 0, delivered: 0 }, { delivered: 7 }))).toBe("delivered");
    expect(receiptFor(5, markers({ read: 3, delivered: 2 }, { read: 5 }))).toBe("seen");
    expect(markers({ read: 6, delivered: 2 }, {})).toEqual({ read: 6, delivered: 6 });
    expect(receiptFor(8, markers({ read: 6, delivered: 7 }, {}))).toBe("sent");
  });
});

describe("receipts this device owes", () => {
  it("says the highest seq once, for direct conversations only, and keeps what could not go out", () => {
    const r = new DeliveryReceipts();
    const sent: [string, number][] = [];
    const kinds: Record<string, boolean | undefined> = { direct: true, group: false, unknown: undefined };
    r.received("direct", 3);
    r.received("direct", 5);
    r.received("direct", 4);
    r.received("group", 9);
    r.received("unknown", 2);
    let online = false;
    const send = (id: string, seq: number) => (online ? (sent.push([id, seq]), true) : false);
    // Offline: the direct one stays owed; "unknown" is handed back to look up.
    expect(r.flush((id) => kinds[id], send)).toEqual(["unknown"]);
    expect(sent).toEqual([]);
    online = true;
    expect(r.flush((id) => kinds[id], send)).toEqual(["unknown"]);
    expect(sent).toEqual([["direct", 5]]);
    r.received("direct", 5); // already said
    kinds.unknown = true;
    expect(r.flush((id) => kinds[id], send)).toEqual([]);
    expect(sent).toEqual([
      ["direct", 5],
      ["unknown", 2],
    ]);
    // A conversation that cannot be looked up is forgotten, not asked for forever.
    r.received("gone", 4);
    expect(r.flush((id) => kinds[id], send)).toEqual(["gone"]);
    r.forget("gone");
    expect(r.flush((id) => kinds[id], send)).toEqual([]);
  });
});
