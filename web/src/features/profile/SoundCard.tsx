import { useState } from "react";

import { Card } from "@/components/ui/card";
import { setSound, soundWanted } from "@/lib/sound";

/** The new-message chime, on this device; off until chosen. */
export function SoundCard() {
  const [on, setOn] = useState(soundWanted);
  return (
    <Card aria-label="Sound">
      <h2 className="mb-1 font-medium">Sound</h2>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setSound(e.target.checked);
            setOn(e.target.checked);
          }}
        />
        Play a sound for new messages while Confab is in the background (on this device; muted chats stay quiet)
      </label>
    </Card>
  );
}
