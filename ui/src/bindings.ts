// Generated from the Rust types in src-tauri (`assistant_app_lib::typescript_bindings`).
// Do not edit: run `UPDATE_BINDINGS=1 cargo test -p assistant-app --lib bindings`.

export type CommandError = { kind: string, message: string, };

export type AppInfo = { dataDir: string, activeModel: string | null, 
/**
 * Nothing added yet: the UI offers the guided first run.
 */
firstRun: boolean, counts: Counts, };

export type Counts = { messages: number, threads: number, notes: number, };

export type ChatEvent = { "type": "token", text: string, } | { "type": "done", promptTokens: number, completionTokens: number, ttftMs: number, decodeTokensPerSec: number, };

export type SummaryRequest = { kind: string, id: string | null, 
/**
 * Have the cloud model write it when the privacy router lets the text go.
 */
cloud?: boolean, };

export type Summary = { target: string, title: string, gist: string, 
/**
 * `model`, `subject`, `lead_sentence` or `counts`.
 */
gistFrom: string, points: Array<string>, sources: Array<string>, model: string, machineWritten: boolean, 
/**
 * Points left out for stating what the source does not.
 */
pointsRemoved: number, 
/**
 * What the fact check did not find in the source.
 */
unsupported: Array<string>, elapsedMs: number, 
/**
 * Where it was written: `local` or `cloud`.
 */
route: 'local' | 'cloud', 
/**
 * Why it stayed on the device, or fell back to it; or what went to the cloud.
 */
notice: string | null, };

export type CloudPreview = { 
/**
 * `cloud` or `local` (it stays here), and why.
 */
route: 'cloud' | 'local', reason: string, server: string, model: string, chars: number, sources: Array<string>, 
/**
 * [placeholder, the original that stays on the device]
 */
placeholders: Array<[string, string]>, 
/**
 * The text exactly as it would be sent.
 */
text: string, };

export type Citation = { n: number, id: string, messageId: string | null, path: string | null, title: string, from: string | null, date: number | null, passage: string, };

export type AskEvent = { "type": "passages", passages: Array<Citation>, } | { "type": "token", text: string, } | { "type": "restart", notice: string, } | { "type": "done", answer: string, found: boolean, cited: Array<number>, unsupported: Array<string>, elapsedMs: number, route: 'local' | 'cloud', 
/**
 * The cloud model wrote it (and what went out), or why it was written here after all.
 */
notice: string | null, };

export type LibrarySynced = { source: string, added: number, updated: number, removed: number, error: CommandError | null, };

export type InboxThread = { id: string, subject: string, participants: Array<string>, lastDate: number | null, messageCount: number, unreadCount: number, summaryLine: string, };

export type Mailbox = { name: string, address: string, };

export type Attachment = { filename: string, size: number, };

export type Message = { id: string, messageId: string | null, subject: string, from: Mailbox, to: Array<Mailbox>, cc: Array<Mailbox>, date: number | null, unread: boolean, 
/**
 * Where the user filed it: '' for the inbox, `Archive`, or a folder.
 */
filedIn: string, flagged: boolean, labels: Array<string>, body: string, attachments: Array<Attachment>, };

export type Thread = { id: string, subject: string, messages: Array<Message>, focus: string | null, };

export type NoteItem = { id: string, path: string, title: string, tags: Array<string>, modified: number, };

export type NoteLink = { target: string, id: string | null, };

export type Backlink = { id: string, title: string, };

export type Note = { id: string, path: string, title: string, tags: Array<string>, body: string, links: Array<NoteLink>, backlinks: Array<Backlink>, };

export type SearchHit = { id: string, kind: 'message' | 'note', title: string, snippet: string, threadId: string | null, date: number | null, };

export type SmartReply = { message: string, suggestions: Array<string>, 
/**
 * Why there are none, in words.
 */
reason: string | null, elapsedMs: number, cached: boolean, route: 'local' | 'cloud', 
/**
 * The cloud model wrote them (and what went out), or why they were written here after all.
 */
notice: string | null, };

export type Draft = { id: number, message: string | null, to: Array<string>, subject: string, body: string, updatedAt: number, };

export type Progress = { stage: string, done: number, total: number | null, };

export type SampleInstalled = { messages: number, notes: number, };

export type Source = { id: number, kind: 'maildir' | 'mbox' | 'eml' | 'imap' | 'notes', location: string, name: string, privacy: 'local' | 'private' | 'cloud', lastSync: number | null, messages: number, notes: number, 
/**
 * An IMAP account whose password is not in the keyring (it cannot be read until entered).
 */
needsPassword: boolean, };

export type ImapAccountInput = { host: string, port: number, user: string, password: string, security: 'tls' | 'plain', folders: Array<string>, };

export type OutboxItem = { id: number, messageId: string, to: Array<string>, subject: string, state: 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled', attempts: number, 
/**
 * Why the last attempt did not go (server down, refusal, the sending limit).
 */
lastError: string | null, 
/**
 * When the next attempt is due (unix seconds) while queued.
 */
nextAttempt: number, createdAt: number, sentAt: number | null, };

export type DeliveryReport = { sent: number, retrying: number, failed: number, };

export type SendingAccount = { from: string, name: string, host: string, port: number, user: string, security: 'tls' | 'starttls' | 'plain', maxPerHour: number, };

export type SendingAccountInput = { from: string, name: string, host: string, port: number, user: string, password: string, security: 'tls' | 'starttls' | 'plain', maxPerHour: number | null, };

export type PlanAction = { kind: 'search' | 'open' | 'summarize' | 'draft_reply' | 'reply' | 'forward' | 'archive' | 'move' | 'label' | 'flag' | 'mark_read' | 'create_note' | 'append_note' | 'remind' | 'compose', messageIds: Array<string>, note: string | null, query: string | null, to: Array<string>, folder: string | null, label: string | null, title: string | null, subject: string | null, text: string | null, 
/**
 * Local time, `YYYY-MM-DDTHH:MM`.
 */
when: string | null, };

export type Plan = { actions: Array<PlanAction>, 
/**
 * The plan sends mail: the user confirms it every time.
 */
needsConfirmation: boolean, };

export type PlanStep = { 
/**
 * The step in plain words.
 */
summary: string, 
/**
 * The exact messages it touches, one line each (date · sender · subject).
 */
items: Array<string>, };

export type PlannedRequest = { plan: Plan, steps: Array<PlanStep>, proposedBy: 'rules' | 'model' | 'cloud', elapsedMs: number, 
/**
 * The cloud model proposed it (and what went out), or why it was proposed here after all.
 */
notice: string | null, };

export type StepOutcome = { kind: string, summary: string, 
/**
 * What the step produced to read: search results, a summary, the message or note.
 */
output: string | null, auditId: number, undoable: boolean, };

export type AuditEntry = { id: number, 
/**
 * Unix seconds.
 */
at: number, action: string, 
/**
 * The request in words the step came from.
 */
instruction: string, undoState: 'none' | 'available' | 'undone', };

export type Reminder = { id: number, text: string, 
/**
 * Unix seconds.
 */
dueAt: number, 
/**
 * `m12`: the message it is about.
 */
message: string | null, };

export type CloudSettings = { baseUrl: string, model: string, 
/**
 * Features the privacy router may send: `reply`, `summarize`, `ask`, `actions`.
 */
allows: Array<string>, };

export type CloudSettingsInput = { baseUrl: string, model: string, apiKey: string, allows: Array<string>, };

export type CloudCall = { id: number, 
/**
 * Unix seconds.
 */
at: number, feature: string, server: string, model: string, 
/**
 * Characters that left the device.
 */
chars: number, sources: Array<string>, 
/**
 * Personal details sent as placeholders.
 */
placeholders: number, 
/**
 * `ok` or what failed.
 */
outcome: string, };

export type Model = { id: string, name: string, sizeMb: number, installed: boolean, active: boolean, 
/**
 * Whether this engine can run it (the catalog lists some it cannot yet, with the reason).
 */
loadable: boolean, description: string, };

export type DownloadProgress = { downloaded: number, total: number | null, };

export type BenchRow = { promptTokens: number, ttftMs: number, prefillTokensPerSec: number, decodeTokensPerSec: number, totalMs: number, };

export type BenchReport = { modelId: string, threads: number, loadMsWarm: number, rssAfterLoadMb: number, 
/**
 * The app process's peak so far (it includes whatever ran before the measurement).
 */
peakRssMb: number, rows: Array<BenchRow>, };
