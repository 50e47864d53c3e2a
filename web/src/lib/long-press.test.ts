import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { longPress, LONG_PRESS_MS } from "./long-press";

const touch = (x = 0, y = 0) => ({ clientX: x, clientY: y, pointerType: "touch", currentTarget: "bubble" });

describe("long press", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires once a finger stays down long enough", () => {
    const fire = vi.fn();
    const h = longPress(fire);
    h.onPointerDown(touch());
    vi.advanceTimersByTime(LONG_PRESS_MS - 1);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledWith("bubble");
    // Android's context menu event that follows does not fire it again.
    h.onContextMenu({ preventDefault: () => undefined, currentTarget: "bubble" });
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it("a tap, a scroll or a mouse is not a long press", () => {
    const fire = vi.fn();
    const h = longPress(fire);
    h.onPointerDown(touch());
    h.onPointerUp();
    h.onPointerDown(touch(0, 0));
    h.onPointerMove(touch(0, 30));
    h.onPointerDown({ clientX: 0, clientY: 0, pointerType: "mouse", currentTarget: "bubble" });
    vi.advanceTimersByTime(LONG_PRESS_MS * 2);
    expect(fire).not.toHaveBeenCalled();
  });

  it("a long press the browser reports as a context menu opens it; a right click keeps the browser's menu", () => {
    const fire = vi.fn();
    const prevent = vi.fn();
    const h = longPress(fire);
    h.onPointerDown({ clientX: 0, clientY: 0, pointerType: "mouse", currentTarget: "bubble" });
    h.onContextMenu({ preventDefault: prevent, currentTarget: "bubble" });
    expect(prevent).not.toHaveBeenCalled();
    expect(fire).not.toHaveBeenCalled();
    h.onPointerDown(touch());
    h.onContextMenu({ preventDefault: prevent, currentTarget: "bubble" });
    expect(prevent).toHaveBeenCalled();
    expect(fire).toHaveBeenCalledTimes(1);
  });
});
