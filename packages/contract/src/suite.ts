import { ContractSetupError, oneLine } from './errors.js';
import { checkResponse, type ExchangeContext, exchange, mediaTypeOf, requestViolations, sendWithRateLimitWait } from './exchange.js';
import { assertReachable, describeFetchError } from './net.js';
import { startPrism } from './prism.js';
import { Redactor } from './redact.js';
import { type CheckResult, type ContractReport, formatProgress, writeReports } from './report.js';
import { encodeBody, type RequestRecipe, recipes } from './requests.js';
import { checkRetryOn429 } from './retry-check.js';
import { SchemaValidator } from './schema.js';
import { loadSpec, type OperationInfo } from './spec.js';
import { startSseMock } from './sse-mock.js';
import { checkEventStream } from './stream-check.js';
import { EVENT_STREAM, streamSchemaFor } from './stream-schema.js';
import { mergeViolations, type Violation, violation } from './violations.js';

export interface ContractOptions {
  /**
   * Base URL of an OpenAI-compatible server including its base path (`https://api.openai.com/v1`).
   * Set: the suite runs through a Prism validating proxy in front of it (stream checks go to it
   * directly). Unset: mock mode, a Prism mock of the spec plus a loopback SSE server; offline.
   */
  target?: string;
  /** Sent as `Authorization: Bearer …` to the target; never printed or written (masked as `***`). */
  apiKey?: string;
  /** The merged spec (JSON). Default: `@imagegen/spec/openapi.json`. */
  specFile?: string;
  /** Where `report.json` and `junit.xml` go; no files when unset. */
  reportDir?: string;
  /** Per request, including reading a stream to its end. Default 120 000 ms. */
  requestTimeoutMs?: number;
  /** Bounded wait for Prism to listen. Default 30 000 ms. */
  startupTimeoutMs?: number;
  /** Port for Prism on 127.0.0.1. Default: a free port. */
  prismPort?: number;
  /** `maxRetries` given to the client in the 429 check. Default 2. */
  maxRetries?: number;
  /** Called once Prism listens, before the first check (a good moment for a header line). */
  onReady?: (info: { mode: 'mock' | 'proxy'; target: string | null; prismUrl: string; prismVersion: string; spec: string }) => void;
  /** Receives a progress line (already redacted) as each check finishes. */
  onProgress?: (line: string) => void;
}

export interface ContractRun extends ContractReport {
  /** Paths of the written reports (empty without `reportDir`). */
  reportFiles: string[];
}

const INVALID_KEY = 'sk-imagegen-contract-invalid-key';
const MOCK_KEY = 'sk-imagegen-contract-mock';

/**
 * Runs the contract suite once: starts Prism (mock, or proxy in front of `target`), runs every
 * check for every operation the suite has requests for, stops Prism, and returns the report (also
 * written to `reportDir`). Throws {@link ContractSetupError} (one line) when it cannot set up: bad
 * target URL, unreachable target, spec that fails to load, Prism that does not start.
 * Check failures do not throw; they are in the report (`ok: false`).
 */
export async function runContractSuite(options: ContractOptions = {}): Promise<ContractRun> {
  const redactor = new Redactor([options.apiKey]);
  const started = Date.now();
  const target = options.target === undefined ? undefined : parseTarget(options.target);
  const timeoutMs = options.requestTimeoutMs ?? 120_000;
  const spec = loadSpec(options.specFile);
  const validator = new SchemaValidator(spec);
  if (target) await assertReachable(target, Math.min(timeoutMs, 15_000));

  const prism = await startPrism({
    mode: target ? 'proxy' : 'mock',
    specFile: spec.file,
    env: childEnv(options.apiKey),
    redact: (line) => redactor.redact(line),
    ...(target && { upstream: target }),
    ...(options.prismPort !== undefined && { port: options.prismPort }),
    ...(options.startupTimeoutMs !== undefined && { startupTimeoutMs: options.startupTimeoutMs }),
  });
  const sseMock = target
    ? undefined
    : await startSseMock(spec, validator).catch(async (error: unknown) => {
        await prism.stop();
        throw error;
      });

  const results: CheckResult[] = [];
  try {
    options.onReady?.({
      mode: target ? 'proxy' : 'mock',
      target: target ?? null,
      prismUrl: prism.url,
      prismVersion: prism.version,
      spec: spec.file,
    });
    const suite = new Suite({
      spec,
      validator,
      timeoutMs,
      hasKey: Boolean(options.apiKey),
      rateLimitRetries: target ? 2 : 0,
      apiKey: options.apiKey,
      apiBase: prism.url,
      streamBase: target ?? sseMock?.url ?? '',
      mode: target ? 'proxy' : 'mock',
      maxRetries: options.maxRetries ?? 2,
      record: (result) => {
        results.push(result);
        options.onProgress?.(redactor.redact(formatProgress(result)));
      },
    });
    await suite.run();
  } finally {
    await Promise.all([prism.stop(), sseMock?.close()]);
  }

  const count = (status: string) => results.filter((r) => r.status === status).length;
  const report: ContractReport = {
    mode: target ? 'proxy' : 'mock',
    target: target ?? null,
    spec: spec.file,
    prism: { version: prism.version, url: prism.url },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    results,
    totals: {
      checks: results.length,
      passed: count('pass'),
      failed: count('fail'),
      skipped: count('skip'),
      violations: results.reduce((n, r) => n + r.violations.length, 0),
    },
    ok: count('fail') === 0,
  };
  const redacted = JSON.parse(redactor.redact(JSON.stringify(report))) as ContractReport;
  const reportFiles = options.reportDir ? writeReports(redacted, options.reportDir, redactor) : [];
  return { ...redacted, reportFiles };
}

/** Prism needs no key: drop OPENAI_API_KEY and any variable that holds the key in use. */
function childEnv(apiKey: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (name !== 'OPENAI_API_KEY' && (!apiKey || value !== apiKey)) env[name] = value;
  return env;
}

/** Validates `--target`: an absolute http(s) URL; returned without a trailing slash. */
export function parseTarget(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ContractSetupError(
      `invalid target URL ${JSON.stringify(raw)}: expected an absolute http(s) URL such as https://api.openai.com/v1`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ContractSetupError(`invalid target URL ${JSON.stringify(raw)}: only http and https are supported`);
  }
  if (url.username || url.password)
    throw new ContractSetupError('invalid target URL: credentials in the URL are not supported; use the API key');
  return url.href.replace(/\/+$/, '');
}

interface SuiteConfig extends ExchangeContext {
  apiKey: string | undefined;
  apiBase: string;
  streamBase: string;
  mode: 'mock' | 'proxy';
  maxRetries: number;
  record: (result: CheckResult) => void;
}

interface Outcome {
  violations: Violation[];
  notes?: string[];
  /** Set to skip the check, with the reason. */
  skip?: string;
}

interface Seen {
  label: string;
  status: number;
  requestId: string | null;
}

class Suite {
  readonly #c: SuiteConfig;

  constructor(config: SuiteConfig) {
    this.#c = config;
  }

  /** The real key; in mock mode a placeholder (Prism checks only that there is one); none for a keyless target. */
  get #authorization(): string | undefined {
    if (this.#c.apiKey) return `Bearer ${this.#c.apiKey}`;
    return this.#c.mode === 'mock' ? `Bearer ${MOCK_KEY}` : undefined;
  }

  async run(): Promise<void> {
    const all = recipes();
    for (const [operationId, recipe] of Object.entries(all)) {
      const op = this.#c.spec.operations.get(operationId);
      if (!op) {
        await this.#check(operationId, 'declared in spec', async () => ({
          violations: [violation('spec', '', `no operation with operationId ${operationId} in ${this.#c.spec.file}`)],
        }));
        continue;
      }
      const seen: Seen[] = [];
      for (const success of recipe.success) await this.#check(operationId, success.name, () => this.#success(op, success, seen));
      const [first] = recipe.success;
      if (first) {
        await this.#check(operationId, 'error responses', () => this.#errors(op, first, seen));
        await this.#check(operationId, 'retry on 429 (client)', () => this.#retry(op, first));
      }
      if (recipe.stream || op.responses.get('200')?.content.has(EVENT_STREAM)) {
        await this.#check(operationId, 'stream (SSE events)', () => this.#stream(op, recipe.stream, seen));
      }
      await this.#check(operationId, 'x-request-id', async () => this.#requestIds(seen));
    }
    for (const operationId of this.#c.spec.operations.keys()) {
      if (!(operationId in all)) {
        await this.#check(operationId, 'requests', async () => ({
          violations: [],
          skip: 'the suite has no requests for this operation yet',
        }));
      }
    }
  }

  async #check(operationId: string, check: string, fn: () => Promise<Outcome>): Promise<void> {
    const started = Date.now();
    let outcome: Outcome;
    try {
      outcome = await fn();
    } catch (error) {
      outcome = { violations: [violation('suite', '', `check crashed: ${oneLine(error)}`)] };
    }
    const violations = mergeViolations(outcome.violations);
    const notes = outcome.skip ? [outcome.skip, ...(outcome.notes ?? [])] : (outcome.notes ?? []);
    this.#c.record({
      operationId,
      check,
      status: outcome.skip ? 'skip' : violations.length > 0 ? 'fail' : 'pass',
      durationMs: Date.now() - started,
      violations,
      notes,
    });
  }

  async #success(op: OperationInfo, recipe: RequestRecipe, seen: Seen[]): Promise<Outcome> {
    const own = requestViolations(this.#c, op, recipe);
    const result = await exchange(this.#c, op, recipe, {
      baseUrl: this.#c.apiBase,
      expectStatus: 200,
      ...(this.#authorization && { authorization: this.#authorization }),
    });
    if (result.status) seen.push({ label: recipe.name, status: result.status, requestId: result.requestId });
    return { violations: [...own, ...result.violations], notes: result.notes };
  }

  async #errors(op: OperationInfo, recipe: RequestRecipe, seen: Seen[]): Promise<Outcome> {
    if (this.#c.mode === 'proxy') {
      if (!this.#c.apiKey) return { violations: [], skip: 'no API key configured, so the server may not check keys' };
      const result = await exchange(this.#c, op, recipe, {
        baseUrl: this.#c.apiBase,
        expectStatus: 401,
        authorization: `Bearer ${INVALID_KEY}`,
      });
      if (result.status) seen.push({ label: 'invalid key', status: result.status, requestId: result.requestId });
      return {
        violations: [...result.violations, ...envelope(result.json, result.status)],
        notes: ['401 provoked with an invalid API key', ...result.notes],
      };
    }
    const statuses = [...op.responses.keys()].filter((s) => /^[45]\d\d$/.test(s)).sort();
    if (statuses.length === 0) return { violations: [violation('spec', '', `${op.operationId} declares no 4xx/5xx responses`)] };
    const violations: Violation[] = [];
    for (const status of statuses) {
      const result = await exchange(this.#c, op, recipe, {
        baseUrl: this.#c.apiBase,
        expectStatus: Number(status),
        ...(this.#authorization && { authorization: this.#authorization }),
        headers: { prefer: `code=${status}` },
      });
      if (result.status) seen.push({ label: `Prefer: code=${status}`, status: result.status, requestId: result.requestId });
      for (const v of [...result.violations, ...envelope(result.json, result.status)])
        violations.push({ ...v, where: `[${status}] ${v.where}` });
    }
    return { violations, notes: [`statuses ${statuses.join(', ')} via Prefer: code=…`] };
  }

  async #retry(op: OperationInfo, recipe: RequestRecipe): Promise<Outcome> {
    if (this.#c.mode === 'proxy') return { violations: [], skip: 'a real server cannot be made to answer 429 on demand (mock mode only)' };
    if (!op.responses.has('429')) return { violations: [violation('spec', '', `${op.operationId} declares no 429 response`)] };
    return checkRetryOn429(this.#c, op, recipe, this.#c.apiBase, this.#c.maxRetries);
  }

  async #stream(op: OperationInfo, recipe: RequestRecipe | undefined, seen: Seen[]): Promise<Outcome> {
    if (!recipe) return { violations: [], skip: 'the suite has no streaming request for this operation' };
    const schema = streamSchemaFor(this.#c.spec, op);
    if (typeof schema === 'string') return { violations: [violation('spec', '', schema)] };
    const violations = requestViolations(this.#c, op, recipe);
    const { contentType } = encodeBody(recipe);
    const headers: Record<string, string> = { accept: EVENT_STREAM };
    if (contentType) headers['content-type'] = contentType;
    if (this.#authorization) headers.authorization = this.#authorization;
    const notes: string[] = [];
    let response: Response;
    try {
      response = await sendWithRateLimitWait(
        this.#c,
        `${this.#c.streamBase}${op.path}`,
        () => ({ method: op.method, headers, body: encodeBody(recipe).body }),
        notes,
      );
    } catch (error) {
      return {
        violations: [...violations, violation('request', '', `${op.method} ${op.path} (stream) failed: ${describeFetchError(error)}`)],
      };
    }
    seen.push({ label: 'stream', status: response.status, requestId: response.headers.get('x-request-id') });
    violations.push(...checkResponse(this.#c, op, 200, response.status, response.headers));
    if (response.status !== 200 || mediaTypeOf(response.headers) !== EVENT_STREAM) {
      const text = await response.text().catch(() => '');
      if (text) notes.push(`the ${response.status} response said: ${text.slice(0, 300)}`);
      return { violations, notes };
    }
    const fields = recipe.fields;
    const result = await checkEventStream(response.body ?? new ReadableStream(), {
      validator: this.#c.validator,
      schema,
      requestedPartials: Number(fields.partial_images ?? 0),
      expectedFinals: Number(fields.n ?? 1),
    });
    const where = this.#c.mode === 'mock' ? 'loopback SSE server built from the spec examples' : 'the target directly';
    return {
      violations: [...violations, ...result.violations],
      notes: [`${result.types.length} events from ${where}: ${summarize(result.types)}`],
    };
  }

  #requestIds(seen: Seen[]): Outcome {
    if (seen.length === 0) return { violations: [violation('suite', '', 'no response was received')] };
    const missing = seen.filter((s) => !s.requestId);
    return {
      violations: missing.map((s) => violation('header x-request-id', '', `missing on the ${s.label} response (status ${s.status})`)),
      notes: [`${seen.length - missing.length} of ${seen.length} responses carried x-request-id`],
    };
  }
}

/** Error responses must carry `{ "error": { … } }` (the client builds its errors from it). */
function envelope(json: unknown, status: number): Violation[] {
  if (status < 400) return [];
  const ok =
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { error?: unknown }).error === 'object' &&
    (json as { error: unknown }).error !== null;
  return ok ? [] : [violation('body', '/error', 'an error response must carry an {"error": {…}} object')];
}

function summarize(types: string[]): string {
  const parts: string[] = [];
  for (const type of types) {
    const last = parts.at(-1);
    const match = last ? /^(.*?)(?: ×(\d+))?$/.exec(last) : null;
    if (match?.[1] === type) parts[parts.length - 1] = `${type} ×${Number(match[2] ?? 1) + 1}`;
    else parts.push(type);
  }
  return parts.join(', ') || 'none';
}
