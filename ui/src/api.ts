// The app's IPC surface: the types the Rust commands send and one typed wrapper per command.
// Argument keys are camelCase (Tauri maps them to the commands' snake_case parameters).

import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

// The types that cross IPC are generated from the Rust DTOs (src-tauri) into bindings.ts; a Rust
// test fails when that file and the Rust types drift apart.
export type * from './bindings';
import type {
  AppInfo,
  AskEvent,
  AuditEntry,
  BenchReport,
  ChatEvent,
  CloudCall,
  CloudPreview,
  CloudSettings,
  CloudSettingsInput,
  CommandError,
  DeliveryReport,
  DownloadProgress,
  Draft,
  ImapAccountInput,
  InboxThread,
  LibrarySynced,
  Model,
  Note,
  NoteItem,
  OutboxItem,
  Plan,
  PlannedRequest,
  Progress,
  Reminder,
  SampleInstalled,
  SearchHit,
  SendingAccount,
  SendingAccountInput,
  SmartReply,
  Source,
  StepOutcome,
  Summary,
  Thread,
} from './bindings';

export type SummaryKind = 'message' | 'thread' | 'note' | 'day';

/** What a source is read from, and where its text may go (`cloud` matters once a cloud model
 * exists and is on); the generated `Source` type spells both out. */
export type SourceKind = Source['kind'];
export type Privacy = Source['privacy'];
/** TLS, or (only to a server on this computer) no encryption. */
export type ImapSecurity = ImapAccountInput['security'];
/** How the sending account reaches its server: TLS (465), STARTTLS (587), or (only to a server on
 * this computer) no encryption. */
export type SmtpSecurity = SendingAccountInput['security'];
/** Where a message in the outbox is: queued (waiting), sending, sent, failed or cancelled. */
export type OutboxState = OutboxItem['state'];
/** What `add_source` can read: a folder or a file on this computer. */
export type AddSourceKind = 'maildir' | 'mbox' | 'notes';

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

/** Summarises a thread, message, note or day on this device. With `cloud`, the cloud model writes
 * it when the privacy router lets the text go; otherwise (or when the server cannot be reached) the
 * local model does, and the summary's `notice` says why. */
export const summarize = (kind: SummaryKind, id: string | null, cloud = false) =>
  call<Summary>('summarize', { request: { kind, id, cloud } });

/** What a cloud summary of the same target would send, where, and the placeholders that stand in
 * for personal details; sends nothing. `route` is `local` (with the reason) when it would stay. */
export const summaryCloudPreview = (kind: SummaryKind, id: string | null) =>
  call<CloudPreview>('summary_cloud_preview', { request: { kind, id } });

/** Suggested replies to a message. With `cloud`, the cloud model writes them when the privacy
 * router lets the message go; otherwise (or when the server cannot be reached) the local model
 * does, and the reply's `notice` says why. */
export const smartReply = (id: string, fresh: boolean, cloud = false) =>
  call<SmartReply>('smart_reply', { id, fresh, cloud });

/** What cloud replies to the message would send, where, and the placeholders; sends nothing.
 * Rejects with kind `invalid_request` when the message gets no suggestions at all. */
export const replyCloudPreview = (id: string) => call<CloudPreview>('reply_cloud_preview', { id });

export const pickReply = (id: string, index: number) => call<Draft>('pick_reply', { id, index });

export const saveDraft = (id: number, body: string) => call<Draft>('save_draft', { id, body });

export const drafts = () => call<Draft[]>('drafts');

/** Sends a draft: it moves into the outbox (it is no longer a draft) and is handed to the server
 * at once. The item's `state` says what happened: `sent`; `queued` (waiting, `lastError` says why;
 * retried every minute with backoff); `failed` (refused for good, `lastError` has the server's
 * words). Rejects with kind `invalid_request` when no sending account is set, `not_found` for a
 * missing draft. */
export const sendDraft = (id: number) => call<OutboxItem>('send_draft', { id });

/** The outbox, newest first. */
export const outboxList = () => call<OutboxItem[]>('outbox_list');

/** Hands every queued message to the server now. */
export const retryOutbox = () => call<DeliveryReport>('retry_outbox');

/** Takes back a queued message (state `cancelled`); rejects with kind `invalid_request` when it is
 * no longer queued. */
export const cancelOutgoing = (id: number) => call<OutboxItem>('cancel_outgoing', { id });

/** The account mail is sent through, or null when none is set (never the password). */
export const sendingAccount = () => call<SendingAccount | null>('sending_account');

/** Sets the sending account; an empty password keeps the saved one, a new one goes to the OS
 * keyring. Rejects for a bad sender address, or `plain` to a host other than this computer. */
export const setSendingAccount = (account: SendingAccountInput) =>
  call<SendingAccount>('set_sending_account', { account });

/** The cloud model, or null when none is set (then nothing leaves the device). Never the key. */
export const cloudSettings = () => call<CloudSettings | null>('cloud_settings');

/** Sets the cloud model and the features that may use it; an empty `apiKey` keeps the saved key, a
 * new one goes to the OS keyring. Rejects with kind `invalid_request` naming the field: a bad URL
 * (http(s)://host[:port]/v1), an unknown feature, an empty model. */
export const setCloud = (cloud: CloudSettingsInput) => call<CloudSettings>('set_cloud', { cloud });

/** Turns the cloud model off and removes its key from the keyring. */
export const cloudOff = () => call<void>('cloud_off');

/** Every request that went to the cloud model, newest first. */
export const cloudCalls = () => call<CloudCall[]>('cloud_calls');

/** Plans a request in words; nothing changes. `message` is the message the user has open ("m12" or a
 * Message-ID): what "this email" and "it" mean. Rejects with kind `unsupported` (not something the
 * assistant can do; the message says what it can), `ambiguous` (a name fits several people or
 * notes; the message lists them), `not_found`, or `invalid_request` (e.g. "this email" with no
 * message open). */
export const planRequest = (instruction: string, message: string | null) =>
  call<PlannedRequest>('plan_request', { instruction, message });

/** Runs the plan the user saw. `confirmed` is true only after the user pressed the button that
 * runs it (a plan that sends mail is refused without it). One outcome per step, in order. */
export const runPlan = (plan: Plan, instruction: string, confirmed: boolean) =>
  call<StepOutcome[]>('run_plan', { plan, instruction, confirmed });

/** Takes back a step (`null`: the newest one that can be). Rejects with kind `invalid_request` and
 * the reason: already undone, sent mail cannot be taken back, a note edited since. */
export const undoAction = (id: number | null) => call<AuditEntry>('undo_action', { id });

/** What the assistant did, newest first. */
export const actionLog = () => call<AuditEntry[]>('action_log');

/** Reminders not yet done, soonest first. */
export const remindersList = () => call<Reminder[]>('reminders_list');

/** Answers a question from the mail and notes, streaming. With `cloud`, the cloud model writes the
 * answer when the privacy router lets the passages go. Either way the router may switch models
 * midway (a `restart` event withdraws the text so far); `done` says which one wrote it. */
export const ask = (question: string, about: string | null, onEvent: (e: AskEvent) => void, cloud = false) =>
  call<void>('ask', { question, source: null, about, cloud, onEvent: channel(onEvent) });

/** What asking the cloud model would send (the question and the passages found), where, and the
 * placeholders; sends nothing. `route` is `local` (with the reason) when it would stay. */
export const askCloudPreview = (question: string, about: string | null) =>
  call<CloudPreview>('ask_cloud_preview', { question, source: null, about });

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

/** Measures the active model on this device (a few seconds; `onProgress` gets short lines such as
 * "prompt 512 tokens, run 1/1"). Rejects with kind `model_not_installed` when no model is active,
 * and with kind `cancelled` after `stopBench`. */
export const runBench = (onProgress: (line: string) => void) =>
  call<BenchReport>('run_bench', { onProgress: channel(onProgress) });

export const stopBench = () => call<void>('stop_bench');

export const sourcesList = () => call<Source[]>('sources_list');

/** Reads and indexes a folder or file; rejects with kind `cancelled` after `cancelIngest`. */
export const addSource = (kind: AddSourceKind, path: string, onProgress: (p: Progress) => void) =>
  call<Source>('add_source', { kind, path, onProgress: channel(onProgress) });

export const cancelIngest = () => call<void>('cancel_ingest');

export const setSourcePrivacy = (id: number, privacy: Privacy) => call<Source>('set_source_privacy', { id, privacy });

/** Connects, keeps the password in the OS keyring and reads the mail (progress as for
 * `addSource`, stage `imap`). Rejects with `{kind, message}`: a wrong password, an unreachable
 * host, `plain` to a host not on this computer, or kind `cancelled` after `cancelIngest`. */
export const addImapAccount = (account: ImapAccountInput, onProgress: (p: Progress) => void) =>
  call<Source>('add_imap_account', { account, onProgress: channel(onProgress) });

/** Re-reads a source now (an IMAP account with its saved password: kind `password_missing` when
 * the keyring has none); kind `cancelled` after `cancelIngest`. */
export const syncSource = (id: number, onProgress: (p: Progress) => void) =>
  call<Source>('sync_source', { id, onProgress: channel(onProgress) });

/** `library-synced`: a mail or notes source was re-read; the lists should refresh. */
export function onLibrarySynced(handler: (e: LibrarySynced) => void): Promise<UnlistenFn> {
  return listen<LibrarySynced>('library-synced', (event) => handler(event.payload));
}
