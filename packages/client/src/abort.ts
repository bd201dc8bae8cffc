/** Per caller's signal: the calls waiting on it and the one listener that tells them. */
const waiting = new WeakMap<AbortSignal, [calls: Set<() => void>, listener: () => void]>();

/**
 * Run `fn` (a function of its own for each call) when `signal` aborts, until the returned function is called (when the
 * call settles). However many calls
 * share one signal, it gets one `abort` listener, removed with the last call: 1,000 concurrent calls on one signal
 * cause no `MaxListenersExceededWarning` (Node warns past 10 listeners on one EventTarget).
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let entry = waiting.get(signal);
  if (!entry) {
    const calls = new Set<() => void>();
    // Its entry stays until the last call settles (a call that starts on an aborted signal fails at once).
    const listener = () => {
      for (const call of calls) call();
    };
    entry = [calls, listener];
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const [calls, listener] = entry;
  calls.add(fn);
  return () => {
    if (calls.delete(fn) && !calls.size) {
      waiting.delete(signal);
      signal.removeEventListener('abort', listener);
    }
  };
}
