import { describe, expect, it } from 'vitest';
import { benchChartHtml, higherIsBetter, parseBenchResults, performanceMarkdown, spreadText } from './performance.js';

const row = { name: 'generate <JSON>', unit: 'ms', ours: 2, baseline: 4, baselineName: 'raw fetch' };

describe('benchmark results', () => {
  it('accepts the documented shape and ignores other fields', () => {
    expect(parseBenchResults({ rows: [{ ...row, extra: true }], generatedAt: 'x' })).toEqual({ rows: [row] });
  });

  it.each([
    [null, 'expected an object with a "rows" array'],
    [{ rows: [{ ...row, name: '' }] }, 'rows[0].name must be a non-empty string'],
    [{ rows: [row, { ...row, baseline: Number.NaN }] }, 'rows[1].baseline must be a finite number'],
  ])('rejects %j', (value, message) => {
    expect(() => parseBenchResults(value)).toThrow(message);
  });

  it('keeps the optional target, met, date and node fields, checking their types', () => {
    const value = { date: '2026-11-22T00:07:04.953Z', node: 'v20.20.2', rows: [{ ...row, target: '≤ 1.10×', met: false }] };
    expect(parseBenchResults(value)).toEqual(value);
    expect(() => parseBenchResults({ rows: [{ ...row, met: 'yes' }] })).toThrow('rows[0].met must be a boolean when present');
    const page = performanceMarkdown(parseBenchResults(value), 'bench.json');
    expect(page).toContain('≤ 1.10× ✗ missed');
    expect(page).toContain('measured on 2026-11-22 00:07:04 UTC with Node v20.20.2');
    expect(benchChartHtml(parseBenchResults(value))).toContain('0.50× raw fetch · target ≤ 1.10×');
  });

  it('knows which units are better when higher', () => {
    expect(['ops/s', 'MB/s', 'req / s'].map((unit) => higherIsBetter(unit))).toEqual([true, true, true]);
    expect(['ms', 'kB', 'bytes', 's'].map((unit) => higherIsBetter(unit))).toEqual([false, false, false, false]);
  });

  it('draws one bar per value, scaled to the larger of the pair, with escaped labels', () => {
    const html = benchChartHtml({ rows: [row] });
    expect(html).toContain('generate &lt;JSON&gt;');
    const widths = [...html.matchAll(/class="bench-bar [^"]*" style="width:([\d.]+)%"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([50, 100]);
    expect(html).toContain('0.50× raw fetch · lower is better');
    expect(html).toContain('one run (no spread recorded)');
  });

  it('shows the spread of the rounds: the median per-round ratio and its range, and a band on each bar', () => {
    const rounds = { ours: [90, 100, 130], baseline: [100, 100, 100] };
    const results = parseBenchResults({
      rows: [{ ...row, name: 'CPU per call', unit: 'µs', ours: 100, baseline: 100 }],
      cpuRounds: { ours: rounds.ours, raw: rounds.baseline },
    });
    const first = results.rows[0];
    if (!first) throw new Error('no row');
    expect(spreadText(first, results)).toBe('median of 3 rounds 1.00×, range 0.90–1.30× · ours 90–130 µs');
    expect(benchChartHtml(results)).toMatch(/class="bench-range" style="left:69\.2%;width:30\.8%"/);
  });

  it('says how to get results when there are none', () => {
    expect(performanceMarkdown(undefined, 'packages/client/bench-results.json')).toContain('run <code>pnpm bench</code>');
  });
});
