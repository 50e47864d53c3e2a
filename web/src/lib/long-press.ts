// Long press for touch screens: a finger held still opens what a mouse reaches
// by hover or right click (the message actions, as in WhatsApp and Signal).

/** How long a finger must stay down; Android's own long press is 400-500 ms. */
export const LONG_PRESS_MS = 500;
/** A finger that moves further is scrolling, not pressing. */
const SLOP_PX = 10;

type Point = { clientX: number; clientY: number; pointerType?: string; currentTarget: unknown };

export type LongPressHandlers = {
  onPointerDown: (e: Point) => void;
  onPointerMove: (e: Point) => void;
  onPointerUp: () => void;
  onPointerCancel: () => void;
  /** Android turns a long press into a context menu event: open the same menu
   * instead of the browser's. A mouse's right click keeps the browser's menu. */
  onContextMenu: (e: { preventDefault: () => void; currentTarget: unknown }) => void;
};

/** Handlers that call `onLong` with the pressed element once per touch held `ms`
 * without moving. One set serves a whole list (one finger presses one thing at
 * a time), so a re-render during a press does not lose the timer. */
export function longPress(onLong: (target: unknown) => void, ms = LONG_PRESS_MS): LongPressHandlers {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let start: Point | null = null;
  let fired = false;
  let touching = false;
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    start = null;
  };
  return {
    onPointerDown: (e) => {
      stop();
      fired = false;
      touching = e.pointerType === "touch";
      if (!touching) return;
      start = e;
      const target = e.currentTarget;
      timer = setTimeout(() => {
        fired = true;
        stop();
        onLong(target);
      }, ms);
    },
    onPointerMove: (e) => {
      if (start && Math.hypot(e.clientX - start.clientX, e.clientY - start.clientY) > SLOP_PX) stop();
    },
    onPointerUp: stop,
    onPointerCancel: stop,
    onContextMenu: (e) => {
      if (!touching) return;
      e.preventDefault();
      stop();
      // The timer already opened it: a second call would toggle it shut.
      if (!fired) onLong(e.currentTarget);
      fired = false;
    },
  };
}
