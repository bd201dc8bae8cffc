import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractReport, loadSpec, runContractSuite } from '../src/index.js';
import { reportDirForTest, runCli } from './run-cli.js';
import { type Deviation, ONE_IMAGE_ONLY, startUpstream, type Upstream, type UpstreamOptions, VARIATIONS } from './upstream.js';

const KEY = 'sk-contract-deviation-SECRET-0123456789';

/** Runs `fn` against a deviant upstream started for it, and stops the upstream afterwards. */
async function withUpstream(options: Omit<UpstreamOptions, 'apiKey'>, fn: (upstream: Upstream) => Promise<void>): Promise<void> {
  const upstream = await startUpstream({ apiKey: KEY, ...options });
  try {
    await fn(upstream);
  } finally {
    await upstream.close();
  }
}
const operationIds = new Set(loadSpec().operations.keys());
/** The failed checks of a run, each with its violations: what an `ok: false` is made of. */
const failures = (run: ContractReport) =>
  run.results
    .filter((r) => r.status === 'fail')
    .map((r) => `${r.check}: ${r.violations.map((v) => `${v.where}: ${v.message}`).join('; ')}`);

/**
 * What the suite must say about each planted deviation (the suite's own wording; the operation and
 * the field come from the report). `where` is matched exactly, `message` as a pattern.
 */
const CAUGHT: Record<Exclude<Deviation, 'schema-drift' | 'stall'>, { where: RegExp; message: RegExp; path?: RegExp }> = {
  'ignores-stream': { where: /^stream$/, message: /^stream: true was ignored: the 200 answer is application\/json/ },
  'extra-image': { where: /^semantics$/, path: /^\/\w+$/, message: /^has \d+ image\(s\), \d+ were asked for \(n\)$/ },
  'wrong-size': { where: /^semantics$|^event\[\d+\]$/, path: /^\/.+/, message: /^is \d+x\d+, but size \d+x\d+ was asked for$/ },
  'wrong-format': { where: /^semantics$|^event\[\d+\]$/, path: /^\/.+/, message: /^is \w+, but output_format \w+ was asked for$/ },
  'b64-not-base64': { where: /^semantics$|^event\[\d+\]$/, path: /^\/.+/, message: /^is not base64/ },
  'b64-not-image': { where: /^semantics$|^event\[\d+\]$/, path: /^\/.+/, message: /^is not an image/ },
  'data-missing': { where: /^semantics$/, path: /^\/\w+$/, message: /^is missing: \d+ image\(s\) were asked for$/ },
  'image-field-renamed': { where: /^semantics$/, path: /^\/\w+\/0$/, message: /^has neither \w+ nor \w+: no image in the response$/ },
  'dead-url': { where: /^semantics$/, path: /^\/\w+\/0\/\w+$/, message: /^GET http:\/\/127\.0\.0\.1:\d+\/\S+ answered 404$/ },
  'accepts-any-upload': {
    where: /^status$/,
    message: /^200: the server accepted a text file as \S+ \(multipart\/form-data\); a declared 4xx was expected$/,
  },
  'text-errors': { where: /^header content-type$/, message: /^"text\/plain" is not declared for 400/ },
  'bare-429': { where: /^\[429 met\] header retry-after$/, message: /neither retry-after nor retry-after-ms/ },
  'no-auth-check': { where: /^status$/, message: /^200: the server accepted a request without Authorization/ },
  'usage-mismatch': { where: /^semantics$|^event\[\d+\]$/, path: /\/total_tokens$/, message: /^is \d+, but \w+ \d+ \+ \w+ \d+ = \d+$/ },
};

describe('deviant servers: each deviation a user would suffer is caught, named, and exits 1', () => {
  it.each(Object.entries(CAUGHT))('%s', async (deviation, expected) => {
    const reportDir = reportDirForTest(`contract-${deviation}-`);
    await withUpstream({ deviation: deviation as Deviation }, async (upstream) => {
      const run = await runCli(
        ['--target', upstream.url, '--key-env', 'DEVIANT_KEY', '--direct', '--budget', '0', '--report-dir', reportDir],
        {
          DEVIANT_KEY: KEY,
        },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as ContractReport;
      const hits = report.results.flatMap((r) =>
        r.violations
          .filter((v) => expected.where.test(v.where) && expected.message.test(v.message) && (!expected.path || expected.path.test(v.path)))
          .map((v) => ({ result: r, violation: v })),
      );
      expect(
        hits.length,
        JSON.stringify(
          report.results.filter((r) => r.status === 'fail').map((r) => [r.check, r.violations]),
          null,
          1,
        ),
      ).toBeGreaterThan(0);
      const [first] = hits;
      if (!first) return;
      expect(operationIds.has(first.result.operationId)).toBe(true);
      expect(first.result.status).toBe('fail');
      // The failure carries a repro: the request as curl (key masked) and the start of the answer.
      const repro = first.result.repro?.at(-1);
      expect(repro?.curl).toMatch(/^curl -sS -X \w+ 'http:\/\/127\.0\.0\.1:\d+\/v1\//);
      expect(repro?.response).toMatch(/^HTTP \d{3} /);
      expect(run.stdout).toContain(`${first.result.operationId} › ${first.result.check}`);
      for (const text of [
        run.stdout,
        readFileSync(path.join(reportDir, 'report.json'), 'utf8'),
        readFileSync(path.join(reportDir, 'junit.xml'), 'utf8'),
      ])
        expect(text).not.toContain(KEY);
      expect(readFileSync(path.join(reportDir, 'junit.xml'), 'utf8')).toContain('repro:\ncurl -sS');
    });
  });
});

describe('generated requests', () => {
  it('shrink a failure to a smaller request that still shows it, and the same seed sends the same requests', async () => {
    await withUpstream({ deviation: 'extra-image' }, async (upstream) => {
      const runs = [];
      for (let i = 0; i < 2; i++)
        runs.push(await runContractSuite({ target: upstream.url, apiKey: KEY, direct: true, budget: 3, seed: 7 }));
      const generated = runs.map((run) => run.results.filter((r) => r.check.startsWith('generated #')));
      expect(generated[0]?.map((r) => r.check)).toEqual(generated[1]?.map((r) => r.check));
      expect(generated[0]?.map((r) => r.repro?.at(-1)?.curl)).toEqual(generated[1]?.map((r) => r.repro?.at(-1)?.curl));
      const shrunk = generated[0]?.filter(
        (r) => r.status === 'fail' && /^shrunk in \d+ requests to the smallest request that still fails: fields: /.test(r.notes[0] ?? ''),
      );
      expect(shrunk?.length).toBeGreaterThan(0);
    });
  });
});

describe('a target that needs no key, run without one', () => {
  it('passes, and says (as a warning) that a request without Authorization was accepted', async () => {
    await withUpstream({ deviation: 'no-auth-check' }, async (upstream) => {
      const run = await runContractSuite({ target: upstream.url, direct: true, budget: 0 });
      expect(run.ok).toBe(true);
      const warned = run.results.filter((r) =>
        r.violations.some(
          (v) => v.severity === 'warning' && /accepted a request without Authorization .*no key configured/.test(v.message),
        ),
      );
      expect(warned.length).toBeGreaterThan(0);
      expect(warned.every((r) => r.status === 'pass')).toBe(true);
    });
  });
});

describe('a per-model limit the schema cannot state', () => {
  it('rejecting a generated request is a warning, not a failure (the error answer is still checked)', async () => {
    await withUpstream({ variation: ONE_IMAGE_ONLY }, async (upstream) => {
      const run = await runContractSuite({ target: upstream.url, apiKey: KEY, direct: true, budget: 24, seed: 1 });
      const rejected = run.results.filter((r) => /^rejected although the schema allows it/.test(r.notes[0] ?? ''));
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected.every((r) => r.status === 'pass' && r.violations.every((v) => v.severity === 'warning'))).toBe(true);
      expect(failures(run)).toEqual([]);
      expect(run.ok).toBe(true);
    });
  });
});

describe('--max-response-time', () => {
  it('fails an answer slower than the limit, naming the time it took', async () => {
    await withUpstream({ variation: 'slow' }, async (upstream) => {
      const run = await runContractSuite({ target: upstream.url, apiKey: KEY, direct: true, maxResponseTimeMs: 20, budget: 0 });
      expect(run.ok).toBe(false);
      const slow = run.results.flatMap((r) => r.violations).filter((v) => v.where === 'response time');
      expect(slow.length).toBeGreaterThan(0);
      expect(slow[0]?.message).toMatch(/^\d+ ms to the response headers, more than --max-response-time 20 ms$/);
    });
  });
});

describe('allowed variations pass with exit 0', () => {
  let clean: Upstream;
  beforeAll(async () => {
    clean = await startUpstream({ apiKey: KEY });
  });
  afterAll(() => clean.close());

  it('a clean server: exit 0, every row names what it checked', async () => {
    const reportDir = reportDirForTest('contract-clean-');
    const run = await runCli(['--target', clean.url, '--key-env', 'DEVIANT_KEY', '--direct', '--report-dir', reportDir], {
      DEVIANT_KEY: KEY,
    });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/checked: status, content type, body schema, headers, image count = \d+, base64 decodes to an image/);
  });

  it.each(VARIATIONS)('%s', async (variation) => {
    await withUpstream({ variation }, async (upstream) => {
      const run = await runContractSuite({ target: upstream.url, apiKey: KEY, direct: true });
      const problems = run.results.flatMap((r) =>
        r.violations.filter((v) => v.severity === 'error').map((v) => `${r.operationId} › ${r.check}: ${v.where} ${v.path} ${v.message}`),
      );
      expect(problems).toEqual([]);
      expect(run.ok).toBe(true);
      const streams = run.results.filter((r) => r.checked.includes('event schemas'));
      expect(streams.length).toBeGreaterThan(0);
    });
  });
});
