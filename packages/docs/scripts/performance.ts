// The Performance page: the client benchmark's JSON results as an SVG bar chart and a table.
import { escapeHtml } from './page.js';
import { isObject } from './spec.js';

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
}

/** The shape read from `packages/client/bench-results.json`; other fields are ignored. */
export interface BenchResults {
  rows: BenchRow[];
  /** Optional: when the benchmark ran (ISO 8601). */
  date?: string;
  /** Optional: the Node version it ran on. */
  node?: string;
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

const WIDTH = 760;
const LABEL = 170;
const VALUE = 110;
const ROW = 84;
const TOP = 8;

/** A horizontal bar chart, one group per row: ours and the baseline, each scaled to the larger of the two. */
export function benchChartSvg(results: BenchResults): string {
  const height = TOP + results.rows.length * ROW;
  const span = WIDTH - LABEL - VALUE;
  const groups = results.rows.map((row, i) => {
    const y = TOP + i * ROW;
    const max = Math.max(row.ours, row.baseline) || 1;
    const v = verdict(row);
    const bar = (label: string, value: number, dy: number, fill: string) => {
      const w = Math.max(1, (value / max) * span);
      return [
        `<text x="0" y="${y + dy + 13}" class="label">${escapeHtml(label)}</text>`,
        `<rect x="${LABEL}" y="${y + dy}" width="${w.toFixed(1)}" height="18" rx="3" fill="${fill}"/>`,
        `<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + dy + 13}" class="value">${escapeHtml(`${format(value)} ${row.unit}`)}</text>`,
      ].join('');
    };
    return [
      `<g>`,
      `<text x="0" y="${y + 16}" class="name">${escapeHtml(row.name)}</text>`,
      `<text x="${WIDTH}" y="${y + 16}" text-anchor="end" class="${v.good === undefined ? 'note' : v.good ? 'good' : 'bad'}">${escapeHtml(v.text)}</text>`,
      bar('@imagegen/client', row.ours, 26, '#2563eb'),
      bar(row.baselineName, row.baseline, 50, '#9ca3af'),
      `</g>`,
    ].join('');
  });
  const title = `Benchmark: @imagegen/client against its baselines, ${results.rows.length} measurement(s)`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    '<style>text{font:13px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1f2937}.name{font-weight:600;font-size:14px}.label{fill:#4b5563}.value{fill:#111827}.good{fill:#15803d}.bad{fill:#b45309}.note{fill:#6b7280}</style>',
    ...groups,
    '</svg>',
    '',
  ].join('\n');
}

/** The page body: the chart and a table, or a note on how to produce results. `source` names the file read. */
export function performanceBody(results: BenchResults | undefined, source: string, svgHref: string): string {
  const intro = `<h1>Performance</h1>
<p>How much <code>@imagegen/client</code> adds over its baselines (a raw <code>fetch</code>, the official SDK), measured side by side in one run by <code>pnpm bench</code>. Ratios, not absolute times, are what carry over between machines.</p>`;
  if (!results || results.rows.length === 0) {
    return `${intro}
<p class="note" id="no-bench-results"><strong>No benchmark results yet</strong> — run <code>pnpm bench</code>, then rebuild the docs (<code>pnpm build</code>). The chart is drawn from <code>${escapeHtml(source)}</code>.</p>`;
  }
  const targets = results.rows.some((row) => row.target !== undefined);
  const rows = results.rows
    .map((row) => {
      const r = ratio(row);
      const goal = targets
        ? `<td>${escapeHtml(row.target ?? '')}${row.met === undefined ? '' : row.met ? ' ✓ met' : ' ✗ missed'}</td>`
        : '';
      return `<tr><td>${escapeHtml(row.name)}</td><td class="num">${format(row.ours)} ${escapeHtml(row.unit)}</td><td class="num">${format(row.baseline)} ${escapeHtml(row.unit)}</td><td>${escapeHtml(row.baselineName)}</td><td class="num">${r === undefined ? '–' : `${r.toFixed(2)}×`}</td>${goal}</tr>`;
    })
    .join('\n');
  const when = [
    results.date && `on ${escapeHtml(results.date.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))}`,
    results.node && `with Node ${escapeHtml(results.node)}`,
  ]
    .filter(Boolean)
    .join(' ');
  return `${intro}
<figure class="chart"><img src="${escapeHtml(svgHref)}" alt="Bar chart of the benchmark results: @imagegen/client against its baselines"></figure>
<table>
<thead><tr><th>measurement</th><th>@imagegen/client</th><th>baseline</th><th>baseline is</th><th>ratio</th>${targets ? '<th>target</th>' : ''}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="note">From <code>${escapeHtml(source)}</code>${when ? `, measured ${when}` : ''}. Ratio = ours ÷ baseline; whether lower or higher is better follows from the unit (per-second units are throughput).</p>`;
}
