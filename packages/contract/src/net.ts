import { createServer } from 'node:net';
import { ContractSetupError, oneLine } from './errors.js';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Fails with one line when nothing answers at `url` within `timeoutMs` (any HTTP status counts as
 * an answer). Used before starting the proxy so that an unreachable target is reported as such
 * rather than as a wall of Prism upstream errors.
 */
export async function assertReachable(url: string, timeoutMs: number): Promise<void> {
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
  } catch (error) {
    throw new ContractSetupError(`cannot reach target ${url}: ${describeFetchError(error)}`);
  }
}

export function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer before the timeout';
  return oneLine(error);
}
