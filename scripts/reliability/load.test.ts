// Load and soak at CI scale (200 concurrent, 50 streams, 2,000 sequential); the script runs the full scale.
import { describe, expect, it } from 'vitest';
import { formatLoadTable, runLoad, SCALES, SOAK_RSS_BOUND_MB } from './load.js';

describe('load and soak (CI scale)', () => {
  it('all calls complete; RSS growth over the soak stays bounded', async () => {
    const key = 'sk-reliability-CANARY-load-77c1';
    const result = await runLoad(SCALES.ci, { apiKey: key, timeoutMs: 120_000 });
    const table = formatLoadTable(result);
    for (const row of result.rows) {
      expect(row.failed, `${row.phase}: ${row.firstError}\n${table}`).toBe(0);
      expect(row.ok, row.phase).toBe(row.calls);
    }
    const soak = result.rows.at(-1);
    expect(soak?.rssGrowthMb, table).toBeLessThan(SOAK_RSS_BOUND_MB);
    expect(result.output).not.toContain(key);
  }, 150_000);
});
