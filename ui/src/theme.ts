// Light, dark or the system's choice; the choice is kept in localStorage.

export type ThemeSetting = 'system' | 'light' | 'dark';
export const THEME_KEY = 'assistant.theme';

export function parseTheme(raw: string | null | undefined): ThemeSetting {
  return raw === 'light' || raw === 'dark' ? raw : 'system';
}

export function resolveTheme(setting: ThemeSetting, systemPrefersDark: boolean): 'light' | 'dark' {
  if (setting === 'system') return systemPrefersDark ? 'dark' : 'light';
  return setting;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function loadTheme(): ThemeSetting {
  return parseTheme(storage()?.getItem(THEME_KEY));
}

const darkQuery = () => window.matchMedia?.('(prefers-color-scheme: dark)');

/** Sets `data-theme` on <html> to the resolved theme. */
export function applyTheme(setting: ThemeSetting): void {
  const dark = darkQuery()?.matches ?? false;
  const root = document.documentElement;
  root.dataset.theme = resolveTheme(setting, dark);
  root.dataset.themeSetting = setting;
}

export function saveTheme(setting: ThemeSetting): void {
  storage()?.setItem(THEME_KEY, setting);
  applyTheme(setting);
}

/** Applies the stored theme and follows the system while the setting is "system". */
export function initTheme(): void {
  applyTheme(loadTheme());
  darkQuery()?.addEventListener?.('change', () => applyTheme(loadTheme()));
}
