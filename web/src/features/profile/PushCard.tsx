import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { api, type ApiError } from "@/lib/api";
import { disablePush, enablePush, pushState, type Device, type PushState } from "@/lib/push";

const SAYS: Record<PushState, string> = {
  unsupported: "This browser cannot receive notifications while Confab is closed.",
  denied: "Notifications are blocked for this site in the browser's settings.",
  off: "Get a notification when someone writes to you directly, mentions you, asks to be friends or adds you to a group, while no Confab tab is open.",
  on: "This device gets notifications while no Confab tab is open.",
};

/** Web push on this device, and the devices that get it. */
export function PushCard() {
  const queries = useQueryClient();
  const devices = useQuery({ queryKey: ["push-devices"], queryFn: () => api<Device[]>("/push/subscriptions") });
  const [state, setState] = useState<PushState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void pushState().then(setState);
  }, []);
  const current = devices.data?.find((d) => d.current);

  async function act(f: () => Promise<PushState>) {
    setError(null);
    try {
      setState(await f());
    } catch (e) {
      const err = e as ApiError & Error;
      setError(err.message || String(e));
    }
    void queries.invalidateQueries({ queryKey: ["push-devices"] });
  }

  return (
    <Card aria-label="Notifications on devices">
      <h2 className="mb-1 font-medium">Notifications on devices</h2>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">{state ? SAYS[state] : "…"}</p>
      {state === "off" && <Button onClick={() => void act(enablePush)}>Turn on for this device</Button>}
      {state === "on" && (
        <Button variant="outline" onClick={() => void act(() => disablePush(current?.id))}>
          Turn off for this device
        </Button>
      )}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
          Could not turn notifications on: {error}
        </p>
      )}
      {(devices.data ?? []).length > 0 && (
        <ul className="mt-3 space-y-1 text-sm" aria-label="Devices that get notifications">
          {devices.data!.map((d) => (
            <li key={d.id} className="flex items-center justify-between gap-2">
              <span className="truncate">
                {d.user_agent || "Unknown browser"} {d.current && <strong>(this device)</strong>}
              </span>
              <Button size="sm" variant="ghost" onClick={() => void act(async () => (d.current ? disablePush(d.id) : (await api(`/push/subscriptions/${d.id}`, { method: "DELETE" }), state ?? "off")))}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
