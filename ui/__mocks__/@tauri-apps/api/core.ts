// The Tauri IPC in the UI's unit tests (vitest loads this for `vi.mock('@tauri-apps/api/core')`):
// `invoke` is a mock each test file programs; a `Channel` only holds its handler.
import { vi } from 'vitest';

export const invoke = vi.fn();

export class Channel<T = unknown> {
  onmessage: ((message: T) => void) | null = null;
}
