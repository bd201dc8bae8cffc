import { describe, expect, it } from 'vitest';
import { benchChartSvg, higherIsBetter, parseBenchResults, performanceBody } from './performance.js';

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
    const html = performanceBody(parseBenchResults(value), 'bench.json', 'performance.svg');
    expect(html).toContain('≤ 1.10× ✗ missed');
    expect(html).toContain('measured on 2026-11-22 00:07:04 UTC with Node v20.20.2');
    expect(benchChartSvg(parseBenchResults(value))).toContain('0.50× raw fetch · target ≤ 1.10×');
  });

  it('knows which units are better when higher', () => {
    expect(['ops/s', 'MB/s', 'req / s'].map((unit) => higherIsBetter(unit))).toEqual([true, true, true]);
    expect(['ms', 'kB', 'bytes', 's'].map((unit) => higherIsBetter(unit))).toEqual([false, false, false, false]);
  });

  it('draws one bar per value, scaled to the larger of the pair, with escaped labels', () => {
    const svg = benchChartSvg({ rows: [row] });
    expect(svg).toContain('generate &lt;JSON&gt;');
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBeCloseTo((widths[1] ?? 0) / 2, 0);
    expect(svg).toContain('0.50× raw fetch · lower is better');
  });

  it('says how to get results when there are none', () => {
    expect(performanceBody(undefined, 'packages/client/bench-results.json', 'performance.svg')).toContain('run <code>pnpm bench</code>');
  });
});
