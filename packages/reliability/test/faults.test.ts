// Every fault scenario against the client: outcome, unhandled rejections, leaked sockets/timers/files. Times are
// reported (in each test's name on failure), never judged; only a hang fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeSuiteContext,
  createSuiteContext,
  HANG_MS,
  runScenario,
  type ScenarioResult,
  SETTLE_MS,
  type SuiteContext,
  secretLeaks,
} from '../src/fault-suite.js';
import { scenarios } from '../src/scenarios.js';

/** A distinctive key: the last test looks for it in everything the suite captured. */
const API_KEY = 'sk-reliability-CANARY-faults-3b1f7d20c9';

let ctx: SuiteContext;
const results: ScenarioResult[] = [];

beforeAll(async () => {
  ctx = await createSuiteContext(API_KEY);
});
afterAll(async () => {
  await closeSuiteContext(ctx);
});

describe('fault injection', () => {
  for (const scenario of scenarios) {
    it(scenario.name, { timeout: HANG_MS + SETTLE_MS + 30_000 }, async () => {
      const result = await runScenario(scenario, ctx);
      results.push(result);
      expect(result.problems.join('\n'), `${result.outcome} in ${result.ms} ms`).toBe('');
    });
  }

  // The key-echo scenarios are about exactly this and checks it itself; the rest must never surface the key anywhere.
  it('the API key appears in no error and no log line (debug level)', () => {
    expect(results.length).toBe(scenarios.length);
    const leaks = results
      .filter((r) => !r.name.startsWith('key echo'))
      .flatMap((r) => secretLeaks(r.error, API_KEY).map((how) => `${r.name}: error via ${how}`));
    const lines = results.filter((r) => !r.name.startsWith('key echo')).flatMap((r) => r.logLines.filter((line) => line.includes(API_KEY)));
    expect(
      ctx.logger.lines.some((line) => line.startsWith('debug')),
      'debug lines were captured',
    ).toBe(true);
    expect(leaks).toEqual([]);
    expect(lines).toEqual([]);
  });
});

// The harness itself: a check that cannot fail proves nothing, so each detector is shown a real fault once.
describe('the fault harness detects', () => {
  it('a leaked timer, an abandoned stream, an unhandled rejection and a hang', async () => {
    let timer: NodeJS.Timeout | undefined;
    const leaky = await runScenario(
      {
        name: 'self-test: leaks',
        faults: ['stall-after-events=1'],
        call: async (c) => {
          timer = setTimeout(() => {}, 60_000);
          void Promise.reject(new Error('nobody handles this'));
          await c.images.generate({ prompt: 'p', stream: true }); // never iterated, never aborted
        },
        expect: 'success',
      },
      ctx,
      { hangMs: 1000, settleMs: 1000 },
    );
    clearTimeout(timer);
    expect(leaky.leaks.join(', ')).toMatch(/Timeout \+1/);
    expect(leaky.leaks.join(', ')).toMatch(/server: 1 response\(s\) still open/);
    expect(leaky.unhandled.join(', ')).toMatch(/nobody handles this/);
    ctx.server.closeAll();

    // The hang bound is minutes in the suite; here it is shortened to show the detector works.
    const hang = await runScenario({ name: 'self-test: hang', call: () => new Promise(() => {}), expect: 'success' }, ctx, {
      hangMs: 200,
    });
    expect(hang.outcome).toBe('hang');
    expect(hang.problems.join(', ')).toMatch(/did not settle within 200 ms/);
  });
});
