// The Performance page: the client benchmark's JSON results as a bar chart (HTML, so it reflows on a
// phone) with the spread of the rounds where the file has them, and a table.
import { isObject } from './spec.js';

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll('{{', '&#123;&#123;');

/** One measurement: ours and a baseline measured in the same run, in the same unit. */
export interface BenchRow {
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineName: string;
  /** Optional: the goal, as text (`≤ 1.10×`). */
  target?: string;
  /** Optional: whether the goal was met. */
  met?: boolean;
  /** Optional: the value of each round, ours and the baseline's, paired by round (`ours` is their median). */
  rounds?: { ours: number[]; baseline: number[] };
}

/** The shape read from `packages/client/bench-results.json`; other fields are ignored. */
export interface BenchResults {
  rows: BenchRow[];
  /** Optional: when the benchmark ran (ISO 8601). */
  date?: string;
  /** Optional: the Node version it ran on. */
  node?: string;
  /** Optional: CPU time per call of each implementation in each round (`raw`, `ours`, `openai`). */
  cpuRounds?: Record<string, number[]>;
}

/** Narrows untrusted JSON to {@link BenchResults}; throws naming the first field that does not fit. */
export function parseBenchResults(value: unknown): BenchResults {
  if (!isObject(value) || !Array.isArray(value.rows)) throw new Error('expected an object with a "rows" array');
  const rows = value.rows.map((row: unknown, i): BenchRow => {
    const at = `rows[${i}]`;
    if (!isObject(row)) throw new Error(`${at} must be an object`);
    for (const key of ['name', 'unit', 'baselineName'] as const) {
      if (typeof row[key] !== 'string' || !row[key]) throw new Error(`${at}.${key} must be a non-empty string`);
    }
    for (const key of ['ours', 'baseline'] as const) {
      const n = row[key];
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
        throw new Error(`${at}.${key} must be a finite number ≥ 0, got ${JSON.stringify(n)}`);
    }
    if (row.target !== undefined && typeof row.target !== 'string') throw new Error(`${at}.target must be a string when present`);
    if (row.met !== undefined && typeof row.met !== 'boolean') throw new Error(`${at}.met must be a boolean when present`);
    const { name, unit, ours, baseline, baselineName, target, met } = row as unknown as BenchRow;
    return { name, unit, ours, baseline, baselineName, ...(target !== undefined && { target }), ...(met !== undefined && { met }) };
  });
  const results: BenchResults = { rows };
  if (value.cpuRounds !== undefined) {
    const cpu = value.cpuRounds;
    if (!isObject(cpu) || !Object.values(cpu).every((v) => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n))))
      throw new Error('cpuRounds must map names to arrays of numbers when present');
    results.cpuRounds = cpu as Record<string, number[]>;
  }
  for (const key of ['date', 'node'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new Error(`${key} must be a string when present`);
    results[key] = v;
  }
  return results;
}

/** Throughput units (`ops/s`, `MB/s`, `Hz`) are better when higher; times and sizes when lower. */
export function higherIsBetter(unit: string): boolean {
  return /\/\s*s(ec)?$|per second|^hz$|^ops$/i.test(unit.trim());
}

/** Three significant digits, but whole numbers from 1000 up stay whole (`86,337 B`, not `86,300 B`). */
const format = (n: number) =>
  new Intl.NumberFormat('en', n >= 1000 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 }).format(n);

/** `ours / baseline`, e.g. `1.08×`, or undefined when the baseline is 0. */
export function ratio(row: BenchRow): number | undefined {
  return row.baseline > 0 ? row.ours / row.baseline : undefined;
}

/** The ratio in words, and whether it is good: the row's `met` when given, else ours vs. the baseline. */
function verdict(row: BenchRow): { text: string; good: boolean | undefined } {
  const r = ratio(row);
  const goal = row.target ? `target ${row.target}` : higherIsBetter(row.unit) ? 'higher is better' : 'lower is better';
  if (r === undefined) return { text: `baseline 0 · ${goal}`, good: row.met };
  const good = row.met ?? (higherIsBetter(row.unit) ? r >= 1 : r <= 1);
  return { text: `${r.toFixed(2)}× ${row.baselineName} · ${goal}`, good };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * The rounds behind a row: its own `rounds`, else — for the CPU rows of the client's bench file — the
 * `cpuRounds` of ours and of the baseline it names (`raw` for a fetch baseline, `openai` for the SDK).
 */
export function roundsOf(row: BenchRow, results: BenchResults): { ours: number[]; baseline: number[] } | undefined {
  if (row.rounds) return row.rounds;
  const cpu = results.cpuRounds;
  if (!cpu || !/cpu/i.test(row.name) || !cpu.ours) return undefined;
  const key = /^openai/i.test(row.baselineName) ? 'openai' : /fetch|raw/i.test(row.baselineName) ? 'raw' : undefined;
  const baseline = key ? cpu[key] : undefined;
  return baseline && baseline.length === cpu.ours.length ? { ours: cpu.ours, baseline } : undefined;
}

/** The spread of a row as text: the median per-round ratio and its range, or that it is one run. */
export function spreadText(row: BenchRow, results: BenchResults): string {
  const rounds = roundsOf(row, results);
  if (!rounds || rounds.ours.length < 2) return 'one run (no spread recorded)';
  const ratios = rounds.ours.map((o, i) => o / (rounds.baseline[i] ?? Number.NaN)).filter(Number.isFinite);
  const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)];
  return `median of ${ratios.length} rounds ${median(ratios).toFixed(2)}×, range ${lo.toFixed(2)}–${hi.toFixed(2)}× · ours ${format(Math.min(...rounds.ours))}–${format(Math.max(...rounds.ours))} ${row.unit}`;
}

/** The chart: one group per row, ours and the baseline as bars scaled to the larger, with the range of the rounds. */
export function benchChartHtml(results: BenchResults): string {
  const groups = results.rows.map((row) => {
    const rounds = roundsOf(row, results);
    const max = Math.max(row.ours, row.baseline, ...(rounds ? [...rounds.ours, ...rounds.baseline] : [])) || 1;
    const v = verdict(row);
    const pct = (n: number) => `${((n / max) * 100).toFixed(1)}%`;
    const bar = (label: string, value: number, kind: string, range: number[] | undefined) => {
      const band =
        range && range.length > 1
          ? `<span class="bench-range" style="left:${pct(Math.min(...range))};width:${pct(Math.max(...range) - Math.min(...range))}" title="range of ${range.length} rounds"></span>`
          : '';
      return `<div class="bench-bar-row"><span class="bench-label">${escapeHtml(label)}</span><span class="bench-track"><span class="bench-bar ${kind}" style="width:${pct(value)}"></span>${band}</span><span class="bench-value">${escapeHtml(`${format(value)} ${row.unit}`)}</span></div>`;
    };
    return `<div class="bench-group"><div class="bench-head"><strong>${escapeHtml(row.name)}</strong> <span class="bench-verdict ${v.good === undefined ? 'note' : v.good ? 'good' : 'bad'}">${escapeHtml(v.text)}</span></div>${bar('@imagegen/client', row.ours, 'ours', rounds?.ours)}${bar(row.baselineName, row.baseline, 'baseline', rounds?.baseline)}<div class="bench-spread">${escapeHtml(spreadText(row, results))}</div></div>`;
  });
  return `<div class="bench-chart" role="img" aria-label="Benchmark: @imagegen/client against its baselines">${groups.join('')}</div>`;
}

/** The page body (Markdown): the chart and a table, or a note on how to produce results. `source` names the file read. */
export function performanceMarkdown(results: BenchResults | undefined, source: string): string {
  const intro =
    'How much `@imagegen/client` adds over its baselines (a raw `fetch`, the official SDK), measured side by side in one run by `pnpm bench`. Ratios, not absolute times, are what carry over between machines; the shaded band on a bar is the range over the rounds, the bar itself the median.';
  if (!results || results.rows.length === 0) {
    return `${intro}\n\n<p class="note" id="no-bench-results"><strong>No benchmark results yet</strong> — run <code>pnpm bench</code>, then rebuild the docs (<code>pnpm build</code>). The chart is drawn from <code>${escapeHtml(source)}</code>.</p>`;
  }
  const targets = results.rows.some((row) => row.target !== undefined);
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = results.rows.map((row) => {
    const r = ratio(row);
    const goal = targets ? ` ${cell(row.target ?? '')}${row.met === undefined ? '' : row.met ? ' ✓ met' : ' ✗ missed'} |` : '';
    return `| ${cell(row.name)} | ${format(row.ours)} ${row.unit} | ${format(row.baseline)} ${row.unit} (${cell(row.baselineName)}) | ${r === undefined ? '–' : `${r.toFixed(2)}×`} | ${cell(spreadText(row, results))} |${goal}`;
  });
  const when = [
    results.date && `on ${results.date.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}`,
    results.node && `with Node ${results.node}`,
  ]
    .filter(Boolean)
    .join(' ');
  return [
    intro,
    benchChartHtml(results),
    [
      `| measurement | @imagegen/client | baseline | ratio | spread |${targets ? ' target |' : ''}`,
      `| --- | --- | --- | --- | --- |${targets ? ' --- |' : ''}`,
      ...rows,
    ].join('\n'),
    `From \`${source}\`${when ? `, measured ${when}` : ''}. Ratio = ours ÷ baseline; whether lower or higher is better follows from the unit (per-second units are throughput).`,
  ].join('\n\n');
}
