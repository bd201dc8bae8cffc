/** Per caller's signal: the calls waiting on it and the one listener that tells them. */
const waiting = new WeakMap<AbortSignal, [calls: Set<() => void>, listener: () => void]>();

/**
 * Run `fn` when `signal` aborts, until the returned function is called (when the call settles). However many calls
 * share one signal, it gets one `abort` listener, removed with the last call: 1,000 concurrent calls on one signal
 * cause no `MaxListenersExceededWarning` (Node warns past 10 listeners on one EventTarget).
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let entry = waiting.get(signal);
  if (!entry) {
    const calls = new Set<() => void>();
    const listener = () => {
      waiting.delete(signal);
      for (const call of calls) call();
    };
    entry = [calls, listener];
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const [calls, listener] = entry;
  const call = () => fn();
  calls.add(call);
  return () => {
    if (calls.delete(call) && !calls.size) {
      waiting.delete(signal);
      signal.removeEventListener('abort', listener);
    }
  };
}
