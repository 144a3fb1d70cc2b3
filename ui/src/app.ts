// What the views share: the navigation, the status bar and the app info.

import type { AppInfo } from './api';
import type { Shortcut } from './keys';

export type ViewName = 'inbox' | 'notes' | 'assistant' | 'models' | 'settings';

export type NavParams = {
  /** Inbox: a thread ("t5") or message ("m12") to open; Notes: a note ("n3" or path); Settings: a
   * card to bring into view ("sending"). */
  open?: string;
  /** Notes: the heading to scroll to in the opened note. */
  heading?: string;
  /** Assistant: ask about this thread / message / note. `message` is the message on screen (for a
   * thread, its newest), which "this email" means in the Assistant's Do mode. */
  about?: { id: string; label: string; message?: string | null };
  /** The view the user came from (a back button returns there). */
  from?: ViewName;
};

export interface View {
  readonly el: HTMLElement;
  /** Called each time the view is shown. */
  show(params: NavParams): void;
  /** A keyboard shortcut while this view is shown; true when handled. */
  shortcut?(s: Shortcut, e: KeyboardEvent): boolean;
  /** The mail or notes library changed on disk. */
  librarySynced?(): void;
}

export interface App {
  navigate(view: ViewName, params?: NavParams): void;
  /** Re-reads app_info and updates the status bar; returns the info (null when it failed). */
  refreshInfo(): Promise<AppInfo | null>;
  /** The last app_info. */
  info(): AppInfo | null;
  /** A short message in the status bar's notice area. */
  notice(text: string): void;
  /** The library changed (e.g. a source was added): every view's `librarySynced`, then app_info. */
  libraryChanged(): void;
}

export const VIEW_TITLES: Record<ViewName, string> = {
  inbox: 'Inbox',
  notes: 'Notes',
  assistant: 'Assistant',
  models: 'Models',
  settings: 'Settings',
};
