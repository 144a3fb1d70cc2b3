// Tauri events in the UI's unit tests (vitest loads this for `vi.mock('@tauri-apps/api/event')`):
// listening succeeds and nothing is ever emitted.
import { vi } from 'vitest';

export const listen = vi.fn(async () => () => {});
