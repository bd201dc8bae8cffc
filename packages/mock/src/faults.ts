/** The request header that asks the mock for a fault. */
export const FAULT_HEADER = 'x-imagegen-mock-fault';

/** What to do instead of (or on top of) a normal answer. Several faults combine: `delay-ms=100,503;retry-after-ms=50`. */
export interface FaultPlan {
  /** Answer with this HTTP status and the API's error body. */
  status?: number;
  /** `retry-after-ms` response header (milliseconds). */
  retryAfterMs?: number;
  /** `retry-after` response header (seconds, or an HTTP date). */
  retryAfter?: string;
  /** `x-should-retry` response header: the API's word on whether to retry, over the status. */
  shouldRetry?: 'true' | 'false';
  /** The error's `message` (else a stock one for the status). */
  message?: string;
  /** The error's `code`. */
  code?: string;
  /** Answer with this `x-request-id` instead of a generated one. */
  requestId?: string;
  /** TCP reset right after the request arrived: no status line at all. */
  reset?: boolean;
  /** Status and headers (announcing the whole body), this many body bytes, then a TCP reset. */
  resetAfterBytes?: number;
  /** The answer cut to this many bytes, sent as a complete response (content-length matches). */
  truncateBytes?: number;
  /** Accept the request and never answer. */
  stall?: boolean;
  /** Stream this many events, then go silent with the connection open. */
  stallAfterEvents?: number;
  /** Stream this many events, then reset the connection. */
  resetAfterEvents?: number;
  /** Stream this many events, then an `error` event (the API's error object), then end. */
  errorAfterEvents?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Wait this long between stream events. */
  pacingMs?: number;
  /** Send the body one byte every this many milliseconds. */
  dripMs?: number;
  /** Send this `content-type` instead of the right one. */
  contentType?: string;
  /** Replace the body: `invalid-json` (a 200 that does not parse), `html` (an error page), `empty`. */
  body?: 'invalid-json' | 'html' | 'empty';
  /** Answer a `stream: true` request with a JSON document, as a server that ignores `stream` would. */
  noStream?: boolean;
  /** Pad every image (`b64_json`) to about this many bytes: huge responses and huge events. */
  imageBytes?: number;
  /** `307` to this location. */
  redirect?: string;
  /** End the stream with `data: [DONE]` (the API does not send it; some gateways do). */
  done?: boolean;
  /** Reflect the request's Authorization header in the answer, as a leaky proxy would (client redaction tests). */
  echoAuthorization?: boolean;
}

/** A fault spec: the header's text (`'503'`, `'429;retry-after-ms=200'`, `'reset'`) or a plan. `null`/`'ok'` = success. */
export type FaultSpec = string | FaultPlan | null;

/**
 * Faults per operation, keyed by operationId, client method name (`x-imagegen-method`), path, or `*` for any.
 * An array is a sequence, one entry per request, then success; a single fault applies to every request;
 * `{ rate, fault }` fails that fraction of requests (drawn from the mock's seeded generator, so a seed makes it
 * repeatable).
 */
export type FaultSchedule = Record<string, FaultSpec[] | FaultSpec | { rate: number; fault: FaultSpec }>;

const isRate = (entry: unknown): entry is { rate: number; fault: FaultSpec } =>
  typeof entry === 'object' && entry !== null && 'rate' in entry && 'fault' in entry;

const NUMBER_KEYS = {
  'retry-after-ms': 'retryAfterMs',
  'reset-after-bytes': 'resetAfterBytes',
  'truncate-bytes': 'truncateBytes',
  'stall-after-events': 'stallAfterEvents',
  'reset-after-events': 'resetAfterEvents',
  'error-after-events': 'errorAfterEvents',
  'delay-ms': 'delayMs',
  'pacing-ms': 'pacingMs',
  'drip-ms': 'dripMs',
  'image-bytes': 'imageBytes',
  status: 'status',
} as const satisfies Record<string, keyof FaultPlan>;

const STRING_KEYS = {
  'retry-after': 'retryAfter',
  message: 'message',
  code: 'code',
  'request-id': 'requestId',
  'content-type': 'contentType',
  redirect: 'redirect',
} as const satisfies Record<string, keyof FaultPlan>;

const FLAGS = {
  reset: 'reset',
  stall: 'stall',
  'no-stream': 'noStream',
  done: 'done',
  'echo-authorization': 'echoAuthorization',
} as const satisfies Record<string, keyof FaultPlan>;

const BODIES = ['invalid-json', 'html', 'empty'] as const;

export class FaultSyntaxError extends Error {}

/** The faults the header accepts, for `--help` and error messages. */
export const FAULT_NAMES = [
  '<status>',
  ...Object.keys(NUMBER_KEYS).map((k) => `${k}=N`),
  ...Object.keys(STRING_KEYS).map((k) => `${k}=…`),
  ...Object.keys(FLAGS),
  `body=${BODIES.join('|')}`,
  'should-retry=true|false',
];

/** Parses `503`, `429;retry-after-ms=200`, `delay-ms=50,stall-after-events=1`; tokens split on `,` and `;`. */
export function parseFaults(text: string): FaultPlan {
  const plan: FaultPlan = {};
  const set = <K extends keyof FaultPlan>(key: K, value: FaultPlan[K]) => {
    plan[key] = value;
  };
  for (const raw of text.split(/[,;]/)) {
    const token = raw.trim();
    if (!token || token === 'ok') continue;
    if (/^\d{3}$/.test(token)) {
      set('status', Number(token));
      continue;
    }
    const eq = token.indexOf('=');
    const key = (eq < 0 ? token : token.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : token.slice(eq + 1).trim();
    if (key in FLAGS && value === undefined) set(FLAGS[key as keyof typeof FLAGS], true);
    else if (key in NUMBER_KEYS && value !== undefined) {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new FaultSyntaxError(`fault '${token}': ${key} needs a number >= 0`);
      set(NUMBER_KEYS[key as keyof typeof NUMBER_KEYS], n);
    } else if (key in STRING_KEYS && value !== undefined) set(STRING_KEYS[key as keyof typeof STRING_KEYS], value);
    else if (key === 'should-retry' && (value === 'true' || value === 'false')) set('shouldRetry', value);
    else if (key === 'body' && (BODIES as readonly string[]).includes(value ?? '')) set('body', value as FaultPlan['body']);
    else throw new FaultSyntaxError(`unknown fault '${token}' (known: ${FAULT_NAMES.join(', ')})`);
  }
  if (plan.status !== undefined && (plan.status < 100 || plan.status > 599))
    throw new FaultSyntaxError(`fault status ${plan.status} is not an HTTP status`);
  return plan;
}

export function toPlan(spec: FaultSpec | undefined): FaultPlan {
  if (spec === null || spec === undefined) return {};
  return typeof spec === 'string' ? parseFaults(spec) : spec;
}

/** Per-operation fault state: sequences advance one step per request. */
export class FaultScheduler {
  readonly #schedule: FaultSchedule;
  readonly #positions = new Map<string, number>();
  readonly #random: () => number;

  constructor(schedule: FaultSchedule, random: () => number) {
    for (const [key, entry] of Object.entries(schedule)) {
      const specs = Array.isArray(entry) ? entry : isRate(entry) ? [entry.fault] : [entry];
      try {
        for (const spec of specs) toPlan(spec); // fail early on a typo
      } catch (error) {
        throw new FaultSyntaxError(`faults.${key}: ${(error as Error).message}`);
      }
      if (isRate(entry) && !(entry.rate >= 0 && entry.rate <= 1)) throw new FaultSyntaxError(`faults.${key}: rate must be between 0 and 1`);
    }
    this.#schedule = schedule;
    this.#random = random;
  }

  /** The plan for the next request to an operation known by these names (operationId, method, path). */
  next(names: string[]): FaultPlan {
    for (const name of [...names, '*']) {
      const entry = this.#schedule[name];
      if (entry === undefined) continue;
      if (isRate(entry)) return this.#random() < entry.rate ? toPlan(entry.fault) : {};
      if (!Array.isArray(entry)) return toPlan(entry);
      const at = this.#positions.get(name) ?? 0;
      this.#positions.set(name, at + 1);
      return at < entry.length ? toPlan(entry[at]) : {};
    }
    return {};
  }
}
