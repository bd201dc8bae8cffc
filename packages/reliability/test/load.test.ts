// Load and soak at CI scale (200 concurrent, 50 streams, 2,000 sequential); `pnpm reliability --full` runs the full
// scale. The phases' times are reported, not judged; the 10-minute bounds only catch a hang.
import { describe, expect, it } from 'vitest';
import { formatLoadTable, runLoad, SCALES, SOAK_HEAP_BOUND_MB, SOAK_RSS_BOUND_MB } from '../src/load.js';

describe('load and soak (CI scale)', () => {
  it('all calls complete; RSS (beyond raw fetch) and heap growth over the soak stay bounded', async () => {
    const key = 'sk-reliability-CANARY-load-77c1';
    const result = await runLoad(SCALES.ci, { apiKey: key, timeoutMs: 600_000 });
    const table = formatLoadTable(result);
    for (const row of result.rows) {
      expect(row.failed, `${row.phase}: ${row.firstError}\n${table}`).toBe(0);
      expect(row.ok, row.phase).toBe(row.calls);
    }
    const soak = result.rows.at(-1);
    // Bounded beyond what raw fetch grows over the same soak in this runtime (Node 24's fetch alone grows RSS).
    expect(soak?.baselineRssGrowthMb, table).toBeTypeOf('number');
    expect(soak?.rssGrowthMb, table).toBeLessThan(SOAK_RSS_BOUND_MB + Math.max(0, soak?.baselineRssGrowthMb ?? 0));
    expect(soak?.heapGrowthMb, table).toBeLessThan(SOAK_HEAP_BOUND_MB);
    expect(soak?.passed, table).toBe(true);
    expect(result.output).not.toContain(key);
  }, 660_000);

  it('fails a client that keeps 8 KB per call (the soak would catch a leak)', async () => {
    const result = await runLoad({ concurrent: 1, streams: 1, sequential: 2_000 }, { timeoutMs: 600_000, leakBytes: 8192 });
    const soak = result.rows.at(-1);
    expect(soak?.heapGrowthMb, formatLoadTable(result)).toBeGreaterThan(SOAK_HEAP_BOUND_MB);
    expect(soak?.passed).toBe(false);
    expect(result.ok).toBe(false);
  }, 660_000);
});
