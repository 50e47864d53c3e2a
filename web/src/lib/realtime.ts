// The real-time stream (docs/protocol.md): authenticates, resumes from the
// client's positions, reconnects with exponential backoff and jitter, and asks
// for the outbox to be flushed once resumed. A new access token is handed to the
// open socket (`reauth`) before the old one expires; a socket the server closed
// for its token (4001, 4003) reconnects with a renewed one.

const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_SESSION_ENDED = 4003;
const AUTH_REF = "auth";

export type Status = "connecting" | "online" | "offline";
export type Frame = { type: string; [key: string]: unknown };

export type RealtimeOptions = {
  /** An access token; `renewed`: the server refused the last one, get a new one. */
  token: (renewed: boolean) => Promise<string | null>;
  positions: () => Record<string, number>;
  onFrame: (f: Frame) => void;
  onStatus: (s: Status) => void;
  onResumed: () => void;
};

export class Realtime {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private connecting = false;
  private renew = false;

  constructor(private readonly opts: RealtimeOptions) {}

  // The browser knows about a lost network before a socket times out: drop the
  // socket at once, and reconnect the moment the network is back.
  private readonly goneOffline = () => {
    this.ws?.close(1000);
    this.opts.onStatus("offline");
  };
  private readonly backOnline = () => {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.attempt = 0;
    // A handshake started while offline may never finish: start afresh.
    if (this.ws && this.ws.readyState !== WebSocket.OPEN) {
      const stale = this.ws;
      this.ws = null;
      stale.close();
    }
    void this.connect();
  };

  start(): void {
    this.stopped = false;
    window.addEventListener("offline", this.goneOffline);
    window.addEventListener("online", this.backOnline);
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("offline", this.goneOffline);
    window.removeEventListener("online", this.backOnline);
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Sends a frame if the stream is up; false otherwise (the caller keeps it queued). */
  send(frame: Frame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Hands a new access token to the open socket, so it outlives the old one. */
  reauth(token: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "auth", ref: AUTH_REF, token }));
  }

  /** 0.5 s doubling to 30 s, each wait randomised by ±50 % so clients spread out. */
  static backoff(attempt: number, random: () => number = Math.random): number {
    const base = Math.min(30_000, 500 * 2 ** attempt);
    return Math.round(base * (0.5 + random()));
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.ws || this.connecting) return;
    this.connecting = true;
    this.opts.onStatus("connecting");
    const renewed = this.renew;
    const token = await this.opts.token(renewed).finally(() => (this.connecting = false));
    if (this.stopped || this.ws) return;
    if (!token) return this.retry();
    if (renewed) this.renew = false;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/ws`);
    this.ws = ws;
    // A connection that is not resumed within 10 s is dropped and retried.
    const handshake = setTimeout(() => {
      if (this.ws === ws) ws.close();
    }, 10_000);
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token }));
    ws.onmessage = (m) => {
      const f = JSON.parse(String(m.data)) as Frame;
      if (f.type === "ready") {
        ws.send(JSON.stringify({ type: "resume", positions: this.opts.positions() }));
      } else if (f.type === "error" && f.ref === AUTH_REF) {
        // The new token was refused: start over with a renewed one.
        this.renew = true;
        ws.close();
      } else if (f.type === "resumed") {
        clearTimeout(handshake);
        this.attempt = 0;
        this.opts.onStatus("online");
        this.opts.onResumed();
      } else {
        this.opts.onFrame(f);
      }
    };
    ws.onclose = (e) => {
      clearTimeout(handshake);
      if (e.code === CLOSE_UNAUTHORIZED || e.code === CLOSE_SESSION_ENDED) this.renew = true;
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.stopped) this.retry();
    };
  }

  private retry(): void {
    this.opts.onStatus("offline");
    if (this.timer) clearTimeout(this.timer);
    const wait = Realtime.backoff(this.attempt++);
    this.timer = setTimeout(() => void this.connect(), wait);
  }
}
