// The soak shared by the load client and its raw-fetch baseline (each in a process of its own, run with --expose-gc).

/** The generation request of every load call, the client's and the raw fetch baseline's. */
export const BODY = { prompt: 'a lighthouse at dawn', model: 'gpt-image-1' } as const;

const MB = 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;

/** Whether this process can collect garbage on demand (growth measured without it is not comparable). */
export const canCollect = gc !== undefined;

/** A few rounds of GC with event-loop turns between them, so finalizers and freed buffers settle. */
export async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Warm-up calls (pools, JIT, caches), GC, then the rest of `total`, GC again; RSS and heap growth between the two
 * GCs. `call` counts its own failures.
 */
export async function soak(call: () => Promise<unknown>, total: number): Promise<{ rssGrowthMb: number; heapGrowthMb: number }> {
  const warm = Math.min(1000, Math.floor(total / 4));
  for (let i = 0; i < warm; i++) await call();
  await collect();
  const rss0 = process.memoryUsage.rss();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = warm; i < total; i++) await call();
  await collect();
  const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
  return { rssGrowthMb: mb(process.memoryUsage.rss() - rss0), heapGrowthMb: mb(process.memoryUsage().heapUsed - heap0) };
}
