const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
let cached: object | null | undefined;

/**
 * A copy of `current` (an undici dispatcher) with `headersTimeout` and `bodyTimeout` turned off, or
 * `undefined` unless `current` is an untouched default `Agent` (no options): a dispatcher the
 * application configured (proxy, TLS, its own timeouts) is left alone.
 */
export function untimedAgentLike(current: unknown): object | undefined {
  try {
    const dispatcher = current as Record<symbol, object> & { constructor: new (options: object) => object };
    const options = Object.getOwnPropertySymbols(dispatcher).find((s) => s.description === 'options') as symbol;
    if (dispatcher.constructor.name === 'Agent' && Object.values(dispatcher[options] as object).every((v) => v === undefined)) {
      return new dispatcher.constructor({ headersTimeout: 0, bodyTimeout: 0 });
    }
  } catch {}
  return undefined;
}

/**
 * On Node, a dispatcher for the global `fetch` without undici's 300 s `headersTimeout` and
 * `bodyTimeout`, so the client's own `timeout` (default 10 min) and `streamIdleTimeout` decide. It
 * is built with the constructor of Node's own global dispatcher (no dependency added) and shared by
 * all clients. `undefined` outside Node or when the global dispatcher was replaced by the
 * application; the global dispatcher is then used unchanged.
 */
export function nodeDispatcher(): object | undefined {
  if (cached === undefined) {
    const g = globalThis as { process?: { versions?: { undici?: string } }; Request?: unknown } & Record<symbol, unknown>;
    // Node loads undici, and so creates the global dispatcher, on first use of a fetch global.
    cached = (g.process?.versions?.undici && g.Request && untimedAgentLike(g[GLOBAL_DISPATCHER])) || null;
  }
  return cached ?? undefined;
}
