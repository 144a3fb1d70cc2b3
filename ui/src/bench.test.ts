import { describe, expect, it } from 'vitest';
import type { BenchReport } from './api';
import {
  BENCH_KEY,
  CHART,
  KEEP,
  chartLayout,
  chartSummary,
  doneText,
  figuresLine,
  formatMemory,
  formatMs,
  formatRate,
  loadBench,
  maxRate,
  measuredText,
  parseSaved,
  saveBench,
  scale,
  type KeyValue,
} from './bench';

const report = (over: Partial<BenchReport> = {}): BenchReport => ({
  modelId: 'smollm2-135m-instruct-q4_1',
  threads: 4,
  loadMsWarm: 420,
  rssAfterLoadMb: 165.4,
  peakRssMb: 230.2,
  rows: [
    { promptTokens: 512, ttftMs: 610, prefillTokensPerSec: 840.6, decodeTokensPerSec: 41.2, totalMs: 1400 },
    { promptTokens: 128, ttftMs: 180.4, prefillTokensPerSec: 1020, decodeTokensPerSec: 44.8, totalMs: 900 },
  ],
  ...over,
});

class MemoryStore implements KeyValue {
  data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

describe('numbers', () => {
  it('formats speeds for bar labels', () => {
    expect(formatRate(1020.4)).toBe('1020');
    expect(formatRate(41.6)).toBe('42');
    expect(formatRate(7.44)).toBe('7.4');
    expect(formatRate(3)).toBe('3');
    expect(formatRate(null)).toBe('–');
    expect(formatRate(Number.NaN)).toBe('–');
  });

  it('formats durations', () => {
    expect(formatMs(180.4)).toBe('180 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(12_500)).toBe('12.5 s');
    expect(formatMs(140_000)).toBe('140 s');
    expect(formatMs(420, true)).toBe('0.42 s');
    expect(formatMs(42, true)).toBe('42 ms');
    expect(formatMs(null)).toBe('');
    expect(formatMs(-1)).toBe('');
  });

  it('formats memory', () => {
    expect(formatMemory(165.4)).toBe('165 MB');
    expect(formatMemory(1234)).toBe('1.2 GB');
    expect(formatMemory(null)).toBe('');
  });
});

describe('text', () => {
  it('gives the figures line, with the shortest prompt for the first token', () => {
    expect(figuresLine(report())).toBe('Load 0.42 s · memory after load 165 MB · peak 230 MB · first token 180 ms at 128 tokens');
  });

  it('leaves out what is missing', () => {
    const r = report({ loadMsWarm: null as unknown as number, peakRssMb: Number.NaN, rows: [] });
    expect(figuresLine(r)).toBe('Memory after load 165 MB');
  });

  it('says when and what was measured', () => {
    expect(measuredText(new Date(2026, 11, 1, 10, 0).getTime(), 'en-GB')).toBe('Measured 1 Dec 2026');
    expect(doneText(report())).toBe('Measured smollm2-135m-instruct-q4_1 on 4 threads.');
    expect(doneText(report({ threads: 1 }))).toBe('Measured smollm2-135m-instruct-q4_1 on 1 thread.');
  });

  it('summarises the chart in words', () => {
    const text = chartSummary(report());
    expect(text).toContain('smollm2-135m-instruct-q4_1');
    expect(text).toContain('at 512 prompt tokens, prefill 841 and decode 41 tokens per second');
    expect(chartSummary(report({ rows: [] }))).toContain('no results');
  });
});

describe('chart layout', () => {
  it('scales to the largest value', () => {
    expect(maxRate(report().rows)).toBe(1020);
    expect(scale(1020, 1020, 100)).toBe(100);
    expect(scale(510, 1020, 100)).toBe(50);
    expect(scale(0.001, 1020, 100)).toBe(1);
    expect(scale(0, 1020, 100)).toBe(0);
    expect(scale(null, 1020, 100)).toBe(0);
    expect(scale(5, 0, 100)).toBe(0);
  });

  it('groups two bars per prompt length, shortest first, inside the view box', () => {
    const layout = chartLayout(report().rows);
    expect(layout.groups.map((g) => g.promptTokens)).toEqual([128, 512]);
    expect(layout.groups[0].label).toBe('128 tokens');
    const full = layout.baseline - CHART.top;
    const [prefill, decode] = layout.groups[0].bars;
    expect(prefill.series).toBe('prefill');
    expect(prefill.height).toBe(full);
    expect(prefill.y).toBe(CHART.top);
    expect(prefill.label).toBe('1020');
    expect(decode.series).toBe('decode');
    expect(decode.label).toBe('45');
    expect(decode.height).toBeCloseTo((44.8 / 1020) * full, 0);
    expect(decode.x).toBeGreaterThan(prefill.x + prefill.width);
    for (const g of layout.groups) {
      for (const b of g.bars) {
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width).toBeLessThanOrEqual(CHART.width);
        expect(b.y + b.height).toBeCloseTo(layout.baseline, 5);
      }
    }
    expect(layout.groups[1].bars[0].x).toBeGreaterThan(layout.groups[0].bars[1].x);
  });

  it('copes with missing values and no rows', () => {
    const layout = chartLayout([{ promptTokens: 128, ttftMs: 1, prefillTokensPerSec: null as unknown as number, decodeTokensPerSec: 10, totalMs: 1 }]);
    expect(layout.groups[0].bars[0].height).toBe(0);
    expect(layout.groups[0].bars[0].label).toBe('–');
    expect(layout.groups[0].bars[1].height).toBe(layout.baseline - CHART.top);
    expect(chartLayout([]).groups).toEqual([]);
  });
});

describe('the saved result', () => {
  it('keeps the last result per model, with its date', () => {
    const store = new MemoryStore();
    expect(loadBench('smollm2-135m-instruct-q4_1', store)).toBeNull();
    saveBench(report(), 1000, store);
    saveBench(report({ modelId: 'other', threads: 8 }), 2000, store);
    saveBench(report({ threads: 2 }), 3000, store);
    expect(loadBench('smollm2-135m-instruct-q4_1', store)).toEqual({ report: report({ threads: 2 }), measuredAt: 3000 });
    expect(loadBench('other', store)?.report.threads).toBe(8);
    expect(loadBench(null, store)).toBeNull();
    expect(loadBench('x', null)).toBeNull();
  });

  it('keeps only the most recent models', () => {
    const store = new MemoryStore();
    for (let i = 0; i < KEEP + 3; i++) saveBench(report({ modelId: `m${i}` }), i, store);
    const saved = parseSaved(store.getItem(BENCH_KEY));
    expect(Object.keys(saved)).toHaveLength(KEEP);
    expect(saved.m0).toBeUndefined();
    expect(saved[`m${KEEP + 2}`]).toBeDefined();
  });

  it('ignores malformed data', () => {
    expect(parseSaved(null)).toEqual({});
    expect(parseSaved('not json')).toEqual({});
    expect(parseSaved('[]')).toEqual({});
    const good = { report: report(), measuredAt: 5 };
    const raw = JSON.stringify({
      'smollm2-135m-instruct-q4_1': good,
      wrongId: { report: report(), measuredAt: 5 },
      noDate: { report: report({ modelId: 'noDate' }) },
      badRows: { report: { ...report({ modelId: 'badRows' }), rows: [{ promptTokens: 'x' }] }, measuredAt: 1 },
    });
    expect(parseSaved(raw)).toEqual({ 'smollm2-135m-instruct-q4_1': good });
  });

  it('survives storage that throws', () => {
    const broken: KeyValue = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(saveBench(report(), 1, broken).measuredAt).toBe(1);
    expect(loadBench('smollm2-135m-instruct-q4_1', broken)).toBeNull();
  });
});
