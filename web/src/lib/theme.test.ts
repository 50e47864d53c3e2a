import { describe, expect, it } from "vitest";

import { isDark, storedTheme } from "./theme";

describe("theme", () => {
  it("follows the system only when the choice is system", () => {
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
    expect(isDark("dark", false)).toBe(true);
    expect(isDark("light", true)).toBe(false);
  });
  it("reads a stored choice and treats anything else as system", () => {
    const store = (v: string | null) => ({ getItem: () => v });
    expect(storedTheme(store("dark"))).toBe("dark");
    expect(storedTheme(store("light"))).toBe("light");
    expect(storedTheme(store("purple"))).toBe("system");
    expect(storedTheme(store(null))).toBe("system");
    expect(storedTheme({ getItem: () => { throw new Error("denied"); } })).toBe("system");
  });
});
