import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { setTheme, storedTheme, type Theme } from "@/lib/theme";

const CHOICES: [Theme, string][] = [
  ["system", "System"],
  ["light", "Light"],
  ["dark", "Dark"],
];

/** Light, dark or the system's, on this device. */
export function ThemeCard() {
  const [theme, choose] = useState<Theme>(storedTheme);
  return (
    <Card aria-label="Appearance">
      <h2 className="mb-1 font-medium">Appearance</h2>
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">On this device. System follows the light or dark setting of your computer or phone.</p>
      <div className="flex flex-wrap gap-2" role="group" aria-label="Theme">
        {CHOICES.map(([value, label]) => (
          <Button
            key={value}
            size="sm"
            variant={theme === value ? "default" : "outline"}
            aria-pressed={theme === value}
            onClick={() => {
              setTheme(value);
              choose(value);
            }}
          >
            {label}
          </Button>
        ))}
      </div>
    </Card>
  );
}
