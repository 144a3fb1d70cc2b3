// Small pure helpers about mail; unit-tested in mail.test.ts.

import type { Message } from './api';

/** The message replies go to: the newest by date (the later one on a tie or without dates). */
export function latestMessage(messages: Message[]): Message | null {
  let best: Message | null = null;
  for (const m of messages) {
    if (!best || (m.date ?? -Infinity) >= (best.date ?? -Infinity)) best = m;
  }
  return best;
}
