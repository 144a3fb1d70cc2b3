// "Speed on this device": the pure parts of the Models screen's measurement card (number
// formatting, the figures line, the chart's layout and summary, and the saved result per model in
// localStorage); unit-tested in bench.test.ts. The card itself is in models.ts.

import type { BenchReport, BenchRow } from './api';
import { formatMegabytes } from './format';

/** A number the measurement could not produce arrives as null (serde writes NaN as null). */
function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/** Tokens per second, short enough for a bar label: "2140", "85", "7.4"; "–" when missing. */
export function formatRate(perSec: number | null | undefined): string {
  if (!finite(perSec) || perSec < 0) return '–';
  if (perSec >= 10) return String(Math.round(perSec));
  return perSec.toFixed(1).replace(/\.0$/, '');
}

/** A duration: "180 ms", "1.25 s" (under ten seconds with two decimals), "12.5 s", "140 s";
 * `preferSeconds` switches to seconds from 100 ms on ("0.42 s"). */
export function formatMs(ms: number | null | undefined, preferSeconds = false): string {
  if (!finite(ms) || ms < 0) return '';
  if (ms < (preferSeconds ? 100 : 1000)) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 100) return `${s.toFixed(1).replace(/\.0$/, '')} s`;
  return `${Math.round(s)} s`;
}

/** Megabytes of memory: "165 MB", "1.2 GB". */
export function formatMemory(mb: number | null | undefined): string {
  if (!finite(mb) || mb < 0) return '';
  return formatMegabytes(mb);
}

/** The row with the shortest prompt (its first token is the one a short request waits for). */
function shortestRow(rows: BenchRow[]): BenchRow | null {
  let best: BenchRow | null = null;
  for (const r of rows) if (finite(r.ttftMs) && (best === null || r.promptTokens < best.promptTokens)) best = r;
  return best;
}

/** "Load 0.42 s · memory after load 165 MB · peak 230 MB · first token 180 ms at 128 tokens",
 * leaving out whatever the measurement could not give. */
export function figuresLine(r: BenchReport): string {
  const parts: string[] = [];
  const load = formatMs(r.loadMsWarm, true);
  if (load) parts.push(`Load ${load}`);
  const after = formatMemory(r.rssAfterLoadMb);
  if (after) parts.push(`memory after load ${after}`);
  const peak = formatMemory(r.peakRssMb);
  if (peak) parts.push(`peak ${peak}`);
  const first = shortestRow(r.rows);
  if (first) parts.push(`first token ${formatMs(first.ttftMs)} at ${first.promptTokens} tokens`);
  const line = parts.join(' · ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}

/** "Measured 1 Dec 2026". */
export function measuredText(atMs: number, locale?: string): string {
  if (!finite(atMs)) return 'Measured earlier';
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(atMs));
  return `Measured ${date}`;
}

/** The status line when a measurement finished. */
export function doneText(r: BenchReport): string {
  return `Measured ${r.modelId} on ${r.threads} ${r.threads === 1 ? 'thread' : 'threads'}.`;
}

/** What the chart shows, in words (its aria-label). */
export function chartSummary(r: BenchReport): string {
  if (r.rows.length === 0) return `Speed of ${r.modelId}: no results.`;
  const rows = r.rows.map(
    (row) =>
      `at ${row.promptTokens} prompt tokens, prefill ${formatRate(row.prefillTokensPerSec)} and decode ${formatRate(row.decodeTokensPerSec)} tokens per second`,
  );
  return `Speed of ${r.modelId} in tokens per second: ${rows.join('; ')}.`;
}

// ---------- the chart's layout ----------

export type Series = 'prefill' | 'decode';
export const SERIES: { key: Series; label: string }[] = [
  { key: 'prefill', label: 'Prefill (reading the prompt)' },
  { key: 'decode', label: 'Decode (writing the answer)' },
];

export type Bar = { series: Series; x: number; y: number; width: number; height: number; value: number | null; label: string };
export type Group = { promptTokens: number; x: number; label: string; bars: Bar[] };
export type ChartLayout = { width: number; height: number; baseline: number; groups: Group[] };

/** The chart's coordinate space (the SVG's viewBox; it scales with the card). */
export const CHART = { width: 360, height: 190, top: 22, bottom: 26, side: 10 };

/** The largest finite value among the rows' speeds (0 when there is none). */
export function maxRate(rows: BenchRow[]): number {
  let max = 0;
  for (const r of rows) {
    for (const v of [r.prefillTokensPerSec, r.decodeTokensPerSec]) if (finite(v) && v > max) max = v;
  }
  return max;
}

/** A bar's height for `value` when `max` fills `full`: visible (at least 1) for any positive
 * value, 0 for nothing or nonsense. */
export function scale(value: number | null | undefined, max: number, full: number): number {
  if (!finite(value) || value <= 0 || !finite(max) || max <= 0) return 0;
  return Math.max(1, Math.min(full, (value / max) * full));
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Grouped bars, one group per prompt length (shortest first), two bars each, scaled to the
 * largest value. */
export function chartLayout(rows: BenchRow[], c = CHART): ChartLayout {
  const sorted = [...rows].sort((a, b) => a.promptTokens - b.promptTokens);
  const baseline = c.height - c.bottom;
  const full = baseline - c.top;
  const max = maxRate(sorted);
  const slot = (c.width - 2 * c.side) / Math.max(1, sorted.length);
  const gap = 6;
  const barWidth = Math.min(56, (slot * 0.7 - gap) / 2);
  const groups = sorted.map((row, i) => {
    const center = c.side + slot * (i + 0.5);
    const values: [Series, number | null][] = [
      ['prefill', finite(row.prefillTokensPerSec) ? row.prefillTokensPerSec : null],
      ['decode', finite(row.decodeTokensPerSec) ? row.decodeTokensPerSec : null],
    ];
    const bars = values.map(([series, value], j) => {
      const height = scale(value, max, full);
      return {
        series,
        x: round(j === 0 ? center - gap / 2 - barWidth : center + gap / 2),
        y: round(baseline - height),
        width: round(barWidth),
        height: round(height),
        value,
        label: formatRate(value),
      };
    });
    return { promptTokens: row.promptTokens, x: round(center), label: `${row.promptTokens} tokens`, bars };
  });
  return { width: c.width, height: c.height, baseline, groups };
}

// ---------- the saved result per model ----------

export const BENCH_KEY = 'assistant.bench';
/** How many models' results are kept (the most recent). */
export const KEEP = 20;

export type SavedBench = { report: BenchReport; measuredAt: number };
type Saved = Record<string, SavedBench>;

/** Storage as far as this needs it (window.localStorage, or a stand-in in the tests). */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

function isRow(v: unknown): v is BenchRow {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    finite(r.promptTokens) &&
    ['ttftMs', 'prefillTokensPerSec', 'decodeTokensPerSec', 'totalMs'].every((k) => r[k] === null || finite(r[k]))
  );
}

function isReport(v: unknown): v is BenchReport {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.modelId === 'string' &&
    finite(r.threads) &&
    ['loadMsWarm', 'rssAfterLoadMb', 'peakRssMb'].every((k) => r[k] === null || finite(r[k])) &&
    Array.isArray(r.rows) &&
    r.rows.every(isRow)
  );
}

/** The stored results, dropping anything malformed. */
export function parseSaved(raw: string | null | undefined): Saved {
  if (!raw) return {};
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  const out: Saved = {};
  for (const [id, entry] of Object.entries(data as Record<string, unknown>)) {
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (finite(e.measuredAt) && isReport(e.report) && e.report.modelId === id) {
      out[id] = { report: e.report, measuredAt: e.measuredAt };
    }
  }
  return out;
}

function browserStorage(): KeyValue | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

/** The last result for `modelId`, or null. */
export function loadBench(modelId: string | null, store: KeyValue | null = browserStorage()): SavedBench | null {
  if (modelId === null || !store) return null;
  try {
    return parseSaved(store.getItem(BENCH_KEY))[modelId] ?? null;
  } catch {
    return null;
  }
}

/** Keeps `report` as its model's last result (and at most KEEP models' results). */
export function saveBench(report: BenchReport, measuredAt: number, store: KeyValue | null = browserStorage()): SavedBench {
  const entry = { report, measuredAt };
  if (!store) return entry;
  try {
    const saved = parseSaved(store.getItem(BENCH_KEY));
    saved[report.modelId] = entry;
    const kept = Object.entries(saved)
      .sort(([, a], [, b]) => b.measuredAt - a.measuredAt)
      .slice(0, KEEP);
    store.setItem(BENCH_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Full or unavailable storage: the result is still shown, just not kept.
  }
  return entry;
}
