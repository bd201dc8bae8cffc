import { FAULT_HEADER, startMock } from '@imagegen/mock';
import { type RequestCase, requestedCount, VOCABULARY } from './cases.js';
import { ContractSetupError, oneLine } from './errors.js';
import {
  checkResponse,
  type ExchangeContext,
  envelope,
  exchange,
  mediaTypeOf,
  requestHeaders,
  requestViolations,
  send,
} from './exchange.js';
import { shrinkCandidates } from './generate.js';
import { type NegativeCase, paramNames } from './negative.js';
import { assertReachable, describeFetchError } from './net.js';
import { DEFAULT_BUDGET, DEFAULT_SEED, MAX_SHRINK_STEPS, type OperationPlan, planRequests } from './plan.js';
import { killAllPrism, startPrism } from './prism.js';
import { Redactor } from './redact.js';
import { type CheckResult, type ContractReport, formatProgress, writeReports } from './report.js';
import { excerpt, type Repro } from './repro.js';
import { checkRetryOn429 } from './retry-check.js';
import { SchemaValidator } from './schema.js';
import { checkImagesResponse, expectationFor } from './semantics.js';
import { isObject, loadSpec, type OperationInfo } from './spec.js';
import { checkEventStream } from './stream-check.js';
import { EVENT_STREAM, streamSchemaFor } from './stream-schema.js';
import { mergeViolations, type Violation, violation } from './violations.js';

export interface ContractOptions {
  /**
   * Base URL of an OpenAI-compatible server including its base path (`https://api.openai.com/v1`).
   * Set: the suite runs through a Prism validating proxy in front of it (stream checks go to it
   * directly). Unset: mock mode, the same through Prism in front of `@imagegen/mock`; offline.
   */
  target?: string;
  /** Sent as `Authorization: Bearer …` to the target; never printed or written (masked as `***`). */
  apiKey?: string;
  /** The merged spec (JSON). Default: `@imagegen/spec/openapi.json`. */
  specFile?: string;
  /** Where `report.json` and `junit.xml` go; no files when unset. */
  reportDir?: string;
  /** Per request, including reading a JSON body to its end. Default 60 000 ms. */
  requestTimeoutMs?: number;
  /** A stream that sends nothing (not even a keep-alive comment) for this long fails as stalled. Default 10 000 ms. */
  streamIdleTimeoutMs?: number;
  /** A response whose headers take longer than this is a violation. Default: no limit. */
  maxResponseTimeMs?: number;
  /** Bounded wait for Prism to listen. Default 30 000 ms. */
  startupTimeoutMs?: number;
  /** Port for Prism on 127.0.0.1. Default: a free port. */
  prismPort?: number;
  /** `maxRetries` given to the client in the 429 check. Default 2. */
  maxRetries?: number;
  /** Generated (property-based) valid requests in all. Default 4. */
  budget?: number;
  /** Seed of the generated requests. Default 1. */
  seed?: number;
  /** Skip deprecated operations (what `--live` does). Default false. */
  skipDeprecated?: boolean;
  /** Talk to the target directly instead of through Prism's validating proxy (target mode only). */
  direct?: boolean;
  /** Aborting stops the run at once; the report so far is returned (and written) marked `interrupted`. */
  signal?: AbortSignal;
  /** Called once Prism listens, before the first check (a good moment for a header line). */
  onReady?: (info: {
    mode: 'mock' | 'proxy';
    target: string | null;
    prismUrl: string;
    prismVersion: string;
    spec: string;
    proves: string;
  }) => void;
  /** Receives a progress line (already redacted) as each check finishes. */
  onProgress?: (line: string) => void;
  /** Receives each check's result as it finishes (not yet redacted: for reports written through a Redactor). */
  onResult?: (result: CheckResult) => void;
}

export interface ContractRun extends ContractReport {
  /** Paths of the written reports (empty without `reportDir`). */
  reportFiles: string[];
}

const INVALID_KEY = 'sk-imagegen-contract-invalid-key';
const MOCK_KEY = 'sk-imagegen-contract-mock';
/** An Authorization header without its scheme: the commonest way to get it wrong. */
export const MALFORMED_AUTHORIZATION = INVALID_KEY;
// After this many requests in a row got no answer in time, the target is taken to be down.
const DEAD_AFTER_TIMEOUTS = 2;

export const MOCK_PROVES =
  'mock mode proves the spec is self-consistent (its examples are sent and validated through Prism) and that @imagegen/client and @imagegen/mock agree with it; it says nothing about a real server (use --target or --live for that)';
const PROXY_PROVES =
  'checks what the target answers against the spec: status, content type, body schema, headers, stream events and the semantics of each answer';

/** How long the target may take to answer the reachability probe before the run is a setup error. */
const REACHABLE_TIMEOUT_MS = 15_000;

/**
 * Runs the contract suite once: starts Prism's validating proxy in front of `target` (or, in mock
 * mode, of an `@imagegen/mock` it starts), runs every check for every operation in the spec, stops
 * both, and returns the report (also written to `reportDir`). Throws {@link ContractSetupError} (one
 * line) when it cannot set up: bad target URL, unreachable target, a spec that fails to load, a mock
 * or Prism that does not start. Check failures do not throw; they are in the report (`ok: false`).
 */
export async function runContractSuite(options: ContractOptions = {}): Promise<ContractRun> {
  const redactor = new Redactor([options.apiKey]);
  const started = Date.now();
  const target = options.target === undefined ? undefined : parseTarget(options.target);
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const spec = loadSpec(options.specFile);
  const validator = new SchemaValidator(spec);
  // The probe is a setup check ("is anything there?"), bound on its own: a short --timeout is for the requests under
  // test, and a loaded machine or a cold server can take longer than that to answer a first GET.
  if (target) await assertReachable(target, REACHABLE_TIMEOUT_MS);
  const mode = target ? 'proxy' : 'mock';
  const direct = Boolean(options.direct);
  const mock = target
    ? undefined
    : await startMock({ spec: spec.file, key: MOCK_KEY, seed: options.seed ?? DEFAULT_SEED }).catch((error: unknown) => {
        throw new ContractSetupError(`@imagegen/mock cannot serve the spec: ${oneLine(error)}`);
      });
  const upstream = target ?? mock?.url ?? '';
  const prism = direct
    ? undefined
    : await startPrism({
        mode: 'proxy',
        specFile: spec.file,
        upstream,
        env: childEnv(options.apiKey),
        redact: (line) => redactor.redact(line),
        ...(options.prismPort !== undefined && { port: options.prismPort }),
        ...(options.startupTimeoutMs !== undefined && { startupTimeoutMs: options.startupTimeoutMs }),
      }).catch(async (error: unknown) => {
        await mock?.close();
        throw error;
      });
  const onAbort = () => killAllPrism();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const results: CheckResult[] = [];
  const prismInfo = { version: prism?.version ?? 'none (direct)', url: prism?.url ?? upstream };
  try {
    options.onReady?.({
      mode,
      target: target ?? null,
      prismUrl: prismInfo.url,
      prismVersion: prismInfo.version,
      spec: spec.file,
      proves: target ? PROXY_PROVES : MOCK_PROVES,
    });
    const suite = new Suite({
      spec,
      validator,
      timeoutMs,
      streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 10_000,
      ...(options.maxResponseTimeMs !== undefined && { maxResponseTimeMs: options.maxResponseTimeMs }),
      hasKey: Boolean(options.apiKey) || !target,
      rateLimitRetries: target ? 2 : 0,
      apiKey: target ? options.apiKey : MOCK_KEY,
      apiBase: prismInfo.url,
      streamBase: upstream,
      mode,
      maxRetries: options.maxRetries ?? 2,
      signal: options.signal,
      plans: planRequests(spec, {
        budget: options.budget ?? DEFAULT_BUDGET,
        seed: options.seed ?? DEFAULT_SEED,
        skipDeprecated: options.skipDeprecated ?? false,
        malformedAuthorization: MALFORMED_AUTHORIZATION,
      }),
      record: (result) => {
        results.push(result);
        options.onResult?.(result);
        options.onProgress?.(redactor.redact(formatProgress(result)));
      },
    });
    await suite.run();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all([prism?.stop(), mock?.close()]);
  }

  const report = buildReport({
    mode,
    target: target ?? null,
    spec: spec.file,
    prism: prismInfo,
    started,
    results,
    interrupted: options.signal?.aborted ?? false,
    proves: target ? PROXY_PROVES : MOCK_PROVES,
  });
  const redacted = JSON.parse(redactor.redact(JSON.stringify(report))) as ContractReport;
  const reportFiles = options.reportDir ? writeReports(redacted, options.reportDir, redactor) : [];
  return { ...redacted, reportFiles };
}

/** The report of the checks run so far (also used when a run is interrupted). */
export function buildReport(state: {
  mode: 'mock' | 'proxy';
  target: string | null;
  spec: string;
  prism: { version: string; url: string };
  started: number;
  results: CheckResult[];
  interrupted: boolean;
  proves: string;
}): ContractReport {
  const { results } = state;
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return {
    mode: state.mode,
    target: state.target,
    spec: state.spec,
    prism: state.prism,
    proves: state.proves,
    startedAt: new Date(state.started).toISOString(),
    durationMs: Date.now() - state.started,
    interrupted: state.interrupted,
    results,
    totals: {
      checks: results.length,
      passed: count('pass'),
      failed: count('fail'),
      skipped: count('skip'),
      violations: results.reduce((n, r) => n + r.violations.length, 0),
    },
    ok: count('fail') === 0 && !state.interrupted,
  };
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
  streamIdleTimeoutMs: number;
  apiKey: string | undefined;
  apiBase: string;
  /** The target itself (streams and uploads go here: Prism buffers streams and re-encodes binary parts). */
  streamBase: string;
  maxRetries: number;
  plans: OperationPlan[];
  record: (result: CheckResult) => void;
}

interface Outcome {
  violations: Violation[];
  notes?: string[];
  /** What the check compared (status, content type, body schema, headers, semantics …). */
  checked?: string[];
  /** Set to skip the check, with the reason. */
  skip?: string;
  /** The status of the (last) answer, when there was one. */
  status?: number;
}

interface Seen {
  label: string;
  status: number;
  requestId: string | null;
}

const BASE_CHECKS = ['status', 'content type', 'body schema', 'headers'];
/** Validation-error statuses: a generated request answered with one was rejected by a rule, not broken. */
const REJECTED = [400, 422];
const DIRECT_UPLOADS = "sent to the target directly: Prism's proxy re-encodes binary multipart parts as text, which corrupts the images";

class Suite {
  readonly #c: SuiteConfig;
  #repros: Repro[] = [];
  /** Set once a stream stalled: later streams are not waited for again. */
  #stalled: string | undefined;
  #timeoutsInARow = 0;
  #dead: string | undefined;

  constructor(config: SuiteConfig) {
    this.#c = { ...config, log: (entry) => this.#repros.push(entry) };
  }

  /** The key (in mock mode the mock's); none for a keyless target. */
  get #authorization(): string | undefined {
    return this.#c.apiKey ? `Bearer ${this.#c.apiKey}` : undefined;
  }

  async run(): Promise<void> {
    for (const plan of this.#c.plans) {
      const { op } = plan;
      const skip = plan.skip;
      if (skip) {
        await this.#check(op.operationId, 'all checks', async () => ({ violations: [], skip }));
        continue;
      }
      const seen: Seen[] = [];
      if (plan.examples.length === 0) {
        await this.#check(op.operationId, 'request examples', async () => ({
          violations: [violation('spec', '', `${op.operationId} has no request example, so the suite has nothing to send`)],
        }));
      }
      for (const request of plan.examples) await this.#check(op.operationId, request.label, () => this.#valid(op, request, seen));
      for (const request of plan.generated)
        await this.#check(op.operationId, request.label, () => this.#generated(op, request, plan, seen));
      for (const negative of plan.negatives)
        await this.#check(op.operationId, negative.request.label, () => this.#negative(op, negative, seen));
      const first = plan.examples.find((c) => !c.stream);
      if (first) {
        await this.#check(op.operationId, 'error responses', () => this.#errors(op, first, seen));
        await this.#check(op.operationId, 'retry on 429 (client)', () => this.#retry(op, first));
      }
      await this.#check(op.operationId, 'x-request-id', async () => this.#requestIds(seen));
      if (this.#c.signal?.aborted) return;
    }
  }

  async #check(operationId: string, check: string, fn: () => Promise<Outcome>): Promise<void> {
    if (this.#c.signal?.aborted) return;
    const started = Date.now();
    this.#repros = [];
    let outcome: Outcome;
    if (this.#dead) outcome = { violations: [], skip: `not sent: ${this.#dead}` };
    else {
      try {
        outcome = await fn();
      } catch (error) {
        outcome = { violations: [violation('suite', '', `check crashed: ${oneLine(error)}`)] };
      }
    }
    if (this.#c.signal?.aborted) return;
    const violations = mergeViolations(outcome.violations);
    const notes = outcome.skip ? [outcome.skip, ...(outcome.notes ?? [])] : (outcome.notes ?? []);
    const status = outcome.skip ? 'skip' : violations.some((v) => v.severity === 'error') ? 'fail' : 'pass';
    this.#c.record({
      operationId,
      check,
      status,
      durationMs: Date.now() - started,
      violations,
      notes,
      checked: outcome.skip ? [] : (outcome.checked ?? []),
      ...(violations.length > 0 && { repro: this.#repros.slice(-3) }),
    });
  }

  #noteTimeout(violations: Violation[]): void {
    if (violations.some((v) => v.where === 'request' && /no answer before the timeout/.test(v.message))) {
      this.#timeoutsInARow++;
      if (this.#timeoutsInARow >= DEAD_AFTER_TIMEOUTS)
        this.#dead = `the target did not answer ${DEAD_AFTER_TIMEOUTS} requests in a row within ${this.#c.timeoutMs / 1000} s`;
    } else this.#timeoutsInARow = 0;
  }

  /** A valid request: JSON or a stream, by what it asks for. */
  #valid(op: OperationInfo, request: RequestCase, seen: Seen[]): Promise<Outcome> {
    return request.stream ? this.#stream(op, request, seen) : this.#success(op, request, seen);
  }

  /** Where a request goes: through Prism, except uploads (see {@link DIRECT_UPLOADS}). */
  #baseFor(request: RequestCase, notes: string[]): string {
    if (!request.mediaType.startsWith('multipart/') || this.#c.streamBase === this.#c.apiBase) return this.#c.apiBase;
    notes.push(DIRECT_UPLOADS);
    return this.#c.streamBase;
  }

  async #success(op: OperationInfo, request: RequestCase, seen: Seen[]): Promise<Outcome> {
    const own = requestViolations(this.#c, op, request);
    const routing: string[] = [];
    const result = await exchange(this.#c, op, request, {
      baseUrl: this.#baseFor(request, routing),
      expectStatus: 200,
      ...(this.#authorization && { authorization: this.#authorization }),
    });
    this.#noteTimeout(result.violations);
    if (result.status) seen.push({ label: request.label, status: result.status, requestId: result.requestId });
    const violations = [...own, ...result.violations];
    const notes = [...request.notes, ...routing, ...result.notes];
    const checked = [...BASE_CHECKS];
    const pointer = op.responses.get('200')?.content.get('application/json')?.schemaPointer;
    if (result.status === 200 && pointer && result.json !== undefined) {
      const semantic = await checkImagesResponse(
        this.#c.spec,
        pointer,
        result.json,
        expectationFor(this.#c.spec, this.#c.validator, op, request, pointer),
        this.#c.timeoutMs,
      );
      violations.push(...semantic.violations);
      checked.push(...semantic.checked);
    }
    return { violations, notes, checked, status: result.status };
  }

  async #stream(op: OperationInfo, request: RequestCase, seen: Seen[]): Promise<Outcome> {
    if (this.#stalled) return { violations: [], skip: `not waited for: ${this.#stalled} (raise --stream-idle-timeout to wait longer)` };
    const schema = streamSchemaFor(this.#c.spec, op);
    if (typeof schema === 'string') return { violations: [violation('spec', '', schema)] };
    const violations = requestViolations(this.#c, op, request);
    const notes = [...request.notes];
    const headers = requestHeaders(request, EVENT_STREAM, this.#authorization);
    let response: Response;
    let curl: string;
    try {
      ({ response, curl } = await send(this.#c, op, `${this.#c.streamBase}${op.path}`, request, headers, notes, violations, 200));
    } catch (error) {
      const failed = violation('request', '', `${op.method} ${op.path} (stream) failed: ${describeFetchError(error)}`);
      this.#noteTimeout([failed]);
      return { violations: [...violations, failed] };
    }
    this.#timeoutsInARow = 0;
    seen.push({ label: request.label, status: response.status, requestId: response.headers.get('x-request-id') });
    violations.push(...checkResponse(this.#c, op, 200, response.status, response.headers));
    const type = mediaTypeOf(response.headers);
    if (response.status !== 200 || type !== EVENT_STREAM) {
      const text = await response.text().catch(() => '');
      this.#c.log?.({ curl, status: response.status, response: excerpt(response.status, type, text) });
      if (response.status === 200) {
        violations.push(
          violation('stream', '', `stream: true was ignored: the 200 answer is ${type || 'without a content type'}, not ${EVENT_STREAM}`),
        );
      } else if (text) notes.push(`the ${response.status} response said: ${text.slice(0, 300)}`);
      return { violations, notes, checked: BASE_CHECKS, status: response.status };
    }
    let head = '';
    const decoder = new TextDecoder();
    const body = (response.body ?? new ReadableStream()).pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (head.length < 600) head += decoder.decode(chunk, { stream: true });
          controller.enqueue(chunk);
        },
      }),
    );
    const pointer = op.responses.get('200')?.content.get('application/json')?.schemaPointer;
    const result = await checkEventStream(body, {
      validator: this.#c.validator,
      schema,
      requestedPartials: Number(request.fields[VOCABULARY.partialImages] ?? 0),
      expectedFinals: requestedCount(this.#c.spec, op, request),
      idleTimeoutMs: this.#c.streamIdleTimeoutMs,
      semantics: { spec: this.#c.spec, expected: expectationFor(this.#c.spec, this.#c.validator, op, request, pointer) },
    });
    this.#c.log?.({ curl, status: 200, response: excerpt(200, EVENT_STREAM, head) });
    if (result.stalled) this.#stalled = `a stream stalled earlier (${op.operationId} › ${request.label})`;
    const where = this.#c.mode === 'mock' ? '@imagegen/mock directly' : 'the target directly';
    return {
      violations: [...violations, ...result.violations],
      notes: [...notes, `${result.types.length} events from ${where}: ${summarize(result.types)}`],
      checked: [...BASE_CHECKS, 'event schemas', 'event order', ...result.checked],
    };
  }

  /** A generated request; a failure is shrunk to the smallest request that still shows it. */
  async #generated(op: OperationInfo, request: RequestCase, plan: OperationPlan, seen: Seen[]): Promise<Outcome> {
    const outcome = await this.#valid(op, request, seen);
    if (outcome.status !== undefined && REJECTED.includes(outcome.status) && op.responses.has(String(outcome.status))) {
      // The schema allows the request, but per-model limits live only in the spec's prose: a validation
      // error is the server applying one. Its answer was still checked as an error response.
      const violations = outcome.violations.map((v) => (v.where === 'status' ? { ...v, severity: 'warning' as const } : v));
      const notes = [
        `rejected although the schema allows it: probably a per-model limit the spec states only in prose`,
        ...(outcome.notes ?? []),
      ];
      return { ...outcome, violations, notes };
    }
    const key = failureKey(outcome);
    if (!key || this.#dead || this.#stalled) return outcome;
    const base = plan.examples.find((c) => c.label === request.base);
    let smallest = request;
    let smallestOutcome = outcome;
    let smallestRepros = this.#repros;
    let steps = 0;
    let progress = true;
    while (progress && steps < MAX_SHRINK_STEPS) {
      progress = false;
      for (const candidate of shrinkCandidates(this.#c.spec, op, smallest, base)) {
        if (steps >= MAX_SHRINK_STEPS) break;
        steps++;
        this.#repros = [];
        const tried = await this.#valid(op, candidate, []);
        if (failureKey(tried) === key) {
          smallest = candidate;
          smallestOutcome = tried;
          smallestRepros = this.#repros;
          progress = true;
          break;
        }
      }
    }
    this.#repros = smallestRepros;
    const notes = [...(smallestOutcome.notes ?? [])];
    if (smallest !== request)
      notes.unshift(`shrunk in ${steps} requests to the smallest request that still fails: ${smallest.notes[0] ?? ''}`);
    else notes.unshift(`no smaller request showed the failure (${steps} tried)`);
    return { ...smallestOutcome, notes };
  }

  async #negative(op: OperationInfo, negative: NegativeCase, seen: Seen[]): Promise<Outcome> {
    const unauthorized = negative.expect === 'unauthorized';
    const authorization = negative.authorization === null ? undefined : (negative.authorization ?? this.#authorization);
    // Without a key every request goes without Authorization: a malformed one proves nothing, and an
    // accepted request without one may be a target that needs no key (a warning, not a failure).
    const keyless = unauthorized && !this.#c.apiKey;
    if (keyless && negative.authorization !== null) return { violations: [], skip: 'no API key configured (name one with --key-env)' };
    const routing: string[] = [];
    const result = await exchange(this.#c, op, negative.request, {
      baseUrl: this.#baseFor(negative.request, routing),
      expectStatus: unauthorized ? 401 : 400,
      ...(authorization !== undefined && { authorization }),
    });
    this.#noteTimeout(result.violations);
    if (result.status) seen.push({ label: negative.request.label, status: result.status, requestId: result.requestId });
    const declared4xx = result.status >= 400 && result.status < 500 && op.responses.has(String(result.status));
    let violations = result.violations;
    if (!unauthorized && declared4xx) violations = violations.filter((v) => !(v.where === 'status' && /^expected 400/.test(v.message)));
    if (result.status > 0 && result.status < 400) {
      violations = violations.filter((v) => v.where !== 'status');
      const what = `${result.status}: the server accepted ${negative.request.label.replace(/^rejects /, '')}; a declared 4xx was expected`;
      violations.push(
        keyless
          ? { ...violation('status', '', `${what} (no key configured: ignore this if the target needs none)`), severity: 'warning' }
          : violation('status', '', what),
      );
    }
    violations.push(...envelope(result.json, result.status));
    const checked = ['status is a declared 4xx', 'content type', 'error envelope', 'headers'];
    const notes = [...routing, ...result.notes.filter((n) => !/^the 4\d\d response said/.test(n))];
    if (negative.field && declared4xx && isObject(result.json) && isObject(result.json.error)) {
      const param = result.json.error.param;
      checked.push(`param names ${negative.field}`);
      if (typeof param === 'string' && !paramNames(param, negative.field))
        violations.push(violation('body', '/error/param', `is ${JSON.stringify(param)}, but the request broke ${negative.field}`));
      if (param === null || param === undefined)
        violations.push({
          ...violation('body', '/error/param', `is null; the error does not say that ${negative.field} was wrong`),
          severity: 'warning',
        });
    }
    return { violations, notes, checked };
  }

  /**
   * An invalid key must give a 401 with the error envelope. In mock mode, every other declared
   * 4xx/5xx is provoked with the mock's fault header and checked the same way.
   */
  async #errors(op: OperationInfo, request: RequestCase, seen: Seen[]): Promise<Outcome> {
    if (!this.#c.apiKey) return { violations: [], skip: 'no API key configured, so the server may not check keys' };
    const violations: Violation[] = [];
    const notes: string[] = ['401 provoked with an invalid API key'];
    const invalid = await exchange(this.#c, op, request, {
      baseUrl: this.#c.apiBase,
      expectStatus: 401,
      authorization: `Bearer ${INVALID_KEY}`,
    });
    if (invalid.status) seen.push({ label: 'invalid key', status: invalid.status, requestId: invalid.requestId });
    for (const v of [...invalid.violations, ...envelope(invalid.json, invalid.status)])
      violations.push({ ...v, where: `[401] ${v.where}` });
    notes.push(...invalid.notes);
    if (this.#c.mode === 'mock') {
      const statuses = [...op.responses.keys()].filter((s) => /^[45]\d\d$/.test(s) && s !== '401').sort();
      for (const status of statuses) {
        const result = await exchange(this.#c, op, request, {
          baseUrl: this.#c.apiBase,
          expectStatus: Number(status),
          ...(this.#authorization && { authorization: this.#authorization }),
          headers: { [FAULT_HEADER]: status },
        });
        if (result.status) seen.push({ label: `${FAULT_HEADER}: ${status}`, status: result.status, requestId: result.requestId });
        for (const v of [...result.violations, ...envelope(result.json, result.status)])
          violations.push({ ...v, where: `[${status}] ${v.where}` });
      }
      notes.push(`statuses ${statuses.join(', ')} provoked with ${FAULT_HEADER}`);
    }
    return { violations, notes, checked: ['each error status: body schema', 'error envelope', 'headers'] };
  }

  async #retry(op: OperationInfo, request: RequestCase): Promise<Outcome> {
    if (this.#c.mode === 'proxy') return { violations: [], skip: 'a real server cannot be made to answer 429 on demand (mock mode only)' };
    if (!op.responses.has('429')) return { violations: [violation('spec', '', `${op.operationId} declares no 429 response`)] };
    const result = await checkRetryOn429(this.#c, op, request, this.#c.apiBase, this.#c.maxRetries, this.#c.apiKey ?? '');
    return { ...result, checked: ['client retries 429 maxRetries times', 'RateLimitError', '429 body and headers'] };
  }

  #requestIds(seen: Seen[]): Outcome {
    if (seen.length === 0) return { violations: [violation('suite', '', 'no response was received')] };
    const missing = seen.filter((s) => !s.requestId);
    return {
      violations: missing.map((s) => violation('header x-request-id', '', `missing on the ${s.label} response (status ${s.status})`)),
      notes: [`${seen.length - missing.length} of ${seen.length} responses carried x-request-id`],
      checked: ['x-request-id on every response'],
    };
  }
}

/** What makes two failures the same one, for shrinking: the first error's place. */
function failureKey(outcome: Outcome): string | undefined {
  const first = outcome.violations.find((v) => v.severity === 'error');
  return first ? `${first.where}\u0000${first.path}` : undefined;
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
