// The app's IPC surface: the types the Rust commands send and one typed wrapper per command.
// Argument keys are camelCase (Tauri maps them to the commands' snake_case parameters).

import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type CommandError = { kind: string; message: string };

export type AppInfo = {
  dataDir: string;
  activeModel: string | null;
  firstRun: boolean;
  counts: { messages: number; threads: number; notes: number };
};
export type Progress = { stage: string; done: number; total: number | null };
export type SampleInstalled = { messages: number; notes: number };

export type InboxThread = {
  id: string; // "t5"
  subject: string;
  participants: string[];
  lastDate: number | null; // unix seconds
  messageCount: number;
  unreadCount: number;
  summaryLine: string;
};
export type Mailbox = { name: string; address: string };
export type Attachment = { filename: string; size: number };
export type Message = {
  id: string; // "m12"
  messageId: string | null;
  subject: string;
  from: Mailbox;
  to: Mailbox[];
  cc: Mailbox[];
  date: number | null;
  unread: boolean;
  body: string;
  attachments: Attachment[];
};
export type Thread = {
  id: string;
  subject: string;
  messages: Message[];
  focus: string | null; // the message id asked for, when opened by message
};

export type NoteItem = { id: string; path: string; title: string; tags: string[]; modified: number };
export type NoteLink = { target: string; id: string | null };
export type Note = {
  id: string;
  path: string;
  title: string;
  tags: string[];
  body: string; // markdown
  links: NoteLink[];
  backlinks: { id: string; title: string }[];
};

export type SearchHit = {
  id: string; // m12 | n3
  kind: 'message' | 'note';
  title: string;
  snippet: string;
  threadId: string | null;
  date: number | null;
};

export type SummaryKind = 'message' | 'thread' | 'note' | 'day';
export type Summary = {
  target: string;
  title: string;
  gist: string;
  gistFrom: string;
  points: string[];
  sources: string[];
  model: string;
  machineWritten: boolean;
  pointsRemoved: number;
  unsupported: string[];
  elapsedMs: number;
};
export type SmartReply = {
  message: string;
  suggestions: string[];
  reason: string | null; // why none, in words
  elapsedMs: number;
  cached: boolean;
};
export type Draft = {
  id: number;
  message: string | null; // "m12"
  to: string[];
  subject: string;
  body: string;
  updatedAt: number;
};

export type Citation = {
  n: number;
  id: string;
  messageId: string | null;
  path: string | null;
  title: string;
  from: string | null;
  date: number | null;
  passage: string;
};
export type AskEvent =
  | { type: 'passages'; passages: Citation[] }
  | { type: 'token'; text: string }
  | { type: 'done'; answer: string; found: boolean; cited: number[]; unsupported: string[]; elapsedMs: number };
export type ChatEvent =
  | { type: 'token'; text: string }
  | { type: 'done'; promptTokens: number; completionTokens: number; ttftMs: number; decodeTokensPerSec: number };

export type Model = {
  id: string;
  name: string;
  sizeMb: number;
  installed: boolean;
  active: boolean;
  description: string;
};
export type DownloadProgress = { downloaded: number; total: number | null };

export type LibrarySynced = {
  source: string;
  added: number;
  updated: number;
  removed: number;
  error: string | null;
};

/** Whatever a command rejected with, as `{kind, message}`. */
export function toCommandError(e: unknown): CommandError {
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as { kind?: unknown; message?: unknown };
    return {
      kind: typeof o.kind === 'string' ? o.kind : 'error',
      message: String(o.message ?? 'Something went wrong.'),
    };
  }
  if (typeof e === 'string' && e.length > 0) return { kind: 'error', message: e };
  return { kind: 'error', message: 'Something went wrong.' };
}

/** Calls a command; rejections always carry a `CommandError`. */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

function channel<T>(handler: (message: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = handler;
  return ch;
}

export const appInfo = () => call<AppInfo>('app_info');

export const installSampleData = (onProgress: (p: Progress) => void) =>
  call<SampleInstalled>('install_sample_data', { onProgress: channel(onProgress) });

export const inbox = (a: { query: string | null; unreadOnly: boolean; limit: number; offset: number }) =>
  call<InboxThread[]>('inbox', a);

export const openThread = (id: string) => call<Thread>('open_thread', { id });

export const notesList = (query: string | null) => call<NoteItem[]>('notes_list', { query });

export const openNote = (id: string) => call<Note>('open_note', { id });

export const search = (query: string, limit: number) => call<SearchHit[]>('search', { query, limit });

export const summarize = (kind: SummaryKind, id: string | null) =>
  call<Summary>('summarize', { request: { kind, id } });

export const smartReply = (id: string, fresh: boolean) => call<SmartReply>('smart_reply', { id, fresh });

export const pickReply = (id: string, index: number) => call<Draft>('pick_reply', { id, index });

export const saveDraft = (id: number, body: string) => call<Draft>('save_draft', { id, body });

export const drafts = () => call<Draft[]>('drafts');

export const ask = (question: string, about: string | null, onEvent: (e: AskEvent) => void) =>
  call<void>('ask', { question, source: null, about, onEvent: channel(onEvent) });

export const chat = (prompt: string, onEvent: (e: ChatEvent) => void) =>
  call<void>('chat', { prompt, onEvent: channel(onEvent) });

export const stopGeneration = () => call<void>('stop_generation');

export const modelsList = () => call<Model[]>('models_list');

export const chooseModel = (id: string) => call<Model>('choose_model', { id });

export const importModel = (path: string) => call<Model>('import_model', { path });

export const downloadModel = (id: string, onProgress: (p: DownloadProgress) => void) =>
  call<Model>('download_model', { id, onProgress: channel(onProgress) });

export const cancelDownload = (id: string) => call<void>('cancel_download', { id });

export const removeModel = (id: string) => call<void>('remove_model', { id });

/** `library-synced`: a mail or notes source was re-read; the lists should refresh. */
export function onLibrarySynced(handler: (e: LibrarySynced) => void): Promise<UnlistenFn> {
  return listen<LibrarySynced>('library-synced', (event) => handler(event.payload));
}
