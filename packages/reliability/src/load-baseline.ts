// The load test's baseline role (a child process forked by load.ts): the soak's requests sent with raw `fetch`, so
// the client's RSS growth is judged beyond what the runtime's fetch alone grows. Arguments: the URL the client's
// JSON calls went to, and the number of sequential calls.
import { BODY, collect, soak } from './soak.js';

const url = String(process.argv[2]);
const sequential = Number(process.argv[3]);
let failed = 0;
let firstError: string | undefined;
const request = {
  method: 'POST',
  headers: { Authorization: `Bearer ${process.env.RELIABILITY_API_KEY}`, 'Content-Type': 'application/json', Accept: 'application/json' },
  body: JSON.stringify(BODY),
};
const call = () =>
  fetch(url, request)
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
    .catch((error: unknown) => {
      failed++;
      firstError ??= String(error);
    });
await collect();
const { rssGrowthMb } = await soak(call, sequential);
process.send?.({ rssGrowthMb, failed, ...(firstError !== undefined && { firstError }) });
process.exit(0);
