/** The shared dispatcher, once looked for; `false` when there is none to use. */
let cached: object | false | undefined;

/**
 * A copy of `current` (an undici dispatcher) with `headersTimeout` and `bodyTimeout` turned off, or
 * `undefined` unless `current` is an untouched default `Agent` (its options equal those of a new
 * `Agent()`: all `undefined` in undici 6, `maxOrigins: Infinity` in undici 7): a dispatcher the
 * application configured (proxy, TLS, its own timeouts) is left alone.
 */
export function untimedAgentLike(current: unknown): object | undefined {
  try {
    const Agent = (current as { constructor: new (options?: object) => object }).constructor;
    const options = (agent: unknown) =>
      (agent as Record<symbol, Record<string, unknown>>)[
        Object.getOwnPropertySymbols(agent).find((s) => s.description === 'options') as symbol
      ] as Record<string, unknown>;
    const mine = Object.entries(options(current));
    const fresh = options(new Agent());
    if (Agent.name === 'Agent' && mine.length === Object.keys(fresh).length && mine.every(([k, v]) => Object.is(v, fresh[k])))
      return new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  } catch {}
}

/**
 * On Node, a dispatcher for the global `fetch` without undici's 300 s `headersTimeout` and
 * `bodyTimeout`, so the client's own `timeout` (default 10 min) and `streamIdleTimeout` decide. It
 * is built with the constructor of Node's own global dispatcher (no dependency added) and shared by
 * all clients. `undefined` outside Node or when the global dispatcher was replaced by the
 * application; the global dispatcher is then used unchanged.
 */
export function nodeDispatcher(): object | undefined {
  const g = globalThis as { process?: { versions?: { undici?: string } }; Request?: unknown } & Record<symbol, unknown>;
  // Node loads undici, and so creates the global dispatcher, on first use of a fetch global.
  cached ??= (g.process?.versions?.undici && g.Request && untimedAgentLike(g[Symbol.for('undici.globalDispatcher.1')])) || false;
  return cached || undefined;
}
