/**
 * Light, dark, or whatever the system says: the person's choice, kept on this
 * device (localStorage), applied as a `dark` class on <html> so that Tailwind's
 * `dark:` variants follow it (index.css). Applied before the first render, so a
 * dark choice never flashes white.
 */

export type Theme = "system" | "light" | "dark";

const KEY = "confab.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

/** The stored choice; anything unknown (or no storage) is "system". */
export function storedTheme(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Theme {
  try {
    const t = storage?.getItem(KEY);
    return t === "light" || t === "dark" ? t : "system";
  } catch {
    return "system";
  }
}

/** Whether the page is dark under `theme` when the system prefers dark or not. */
export function isDark(theme: Theme, systemDark: boolean): boolean {
  return theme === "dark" || (theme === "system" && systemDark);
}

function systemDark(): boolean {
  return typeof matchMedia === "function" && matchMedia(DARK_QUERY).matches;
}

function apply(theme: Theme) {
  const dark = isDark(theme, systemDark());
  const root = document.documentElement;
  root.classList.toggle("dark", dark);
  // Form controls and scrollbars follow too.
  root.style.colorScheme = dark ? "dark" : "light";
}

/** Stores and applies a choice. */
export function setTheme(theme: Theme) {
  try {
    if (theme === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // No storage (private mode): the choice lasts this page only.
  }
  apply(theme);
}

/** Applies the stored choice now and follows the system while it is "system". */
export function startTheme() {
  apply(storedTheme());
  if (typeof matchMedia === "function") {
    matchMedia(DARK_QUERY).addEventListener("change", () => apply(storedTheme()));
  }
}
