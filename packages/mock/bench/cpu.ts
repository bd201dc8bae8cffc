// Server CPU per non-streaming generate: the mock against a baseline server (same bytes, no work) in the same
// child process, measured with process.cpuUsage() deltas around batches of requests sent from this process.
// Reports medians with their spread (p25–p75 and min–max) and the mock/baseline ratio. Not a test: nothing fails.
//   pnpm --filter @imagegen/mock bench [-- --rounds 15 --requests 200]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSpec } from '../src/spec.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, requests: { type: 'string', default: '200' } } });
const rounds = Number(values.rounds);
const perRound = Number(values.requests);

const spec = loadSpec();
// The operation that streams and takes only JSON: generate. Its path comes from the spec.
const found = spec.operations.find((o) => o.events.length > 0 && !o.requests.has('multipart/form-data'));
if (!found) throw new Error('no generate operation in the spec');
const generate = found;
const model = (generate.requests.get('application/json')?.properties.get('model')?.anyOf as Array<{ enum?: string[] }> | undefined)
  ?.flatMap((b) => b.enum ?? [])
  .find((m) => !m.startsWith('dall-e'));
const body = JSON.stringify({ model, prompt: 'a lighthouse at dawn, watercolour', size: '1024x1024', quality: 'low' });

const child = fork(fileURLToPath(new URL('./server-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
type Reply = { type: string; mockUrl?: string; baselineUrl?: string; micros?: number };
const replies: Array<(r: Reply) => void> = [];
child.on('message', (m: Reply) => replies.shift()?.(m));
const next = () => new Promise<Reply>((resolve) => replies.push(resolve));
const ready = await next();
const cpu = async () => {
  const reply = next();
  child.send({ type: 'cpu' });
  return (await reply).micros ?? 0;
};

async function call(base: string): Promise<string> {
  const res = await fetch(`${base}${generate.path}`, {
    method: generate.httpMethod,
    headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** Server microseconds of CPU per request over one batch. */
async function round(base: string): Promise<number> {
  const before = await cpu();
  for (let i = 0; i < perRound; i++) await call(base);
  return ((await cpu()) - before) / perRound;
}

const mockUrl = ready.mockUrl as string;
const baselineUrl = ready.baselineUrl as string;
child.send({ type: 'canned', body: await call(mockUrl) });
for (let i = 0; i < 500; i++) await Promise.all([call(mockUrl), call(baselineUrl)]); // warm the JIT and the image cache

const samples = { mock: [] as number[], baseline: [] as number[], ratio: [] as number[] };
for (let r = 0; r < rounds; r++) {
  // Alternate the order so drift on a shared machine hits both sides alike.
  const [first, second] = r % 2 ? [baselineUrl, mockUrl] : [mockUrl, baselineUrl];
  const a = await round(first);
  const b = await round(second);
  const [m, base] = first === mockUrl ? [a, b] : [b, a];
  samples.mock.push(m);
  samples.baseline.push(base);
  samples.ratio.push(m / base);
}
child.send({ type: 'stop' });

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((x, y) => x - y);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return (s[lo] as number) + ((s[Math.ceil(at)] as number) - (s[lo] as number)) * (at - lo);
};
const describe = (xs: number[], unit: string, digits = 0) =>
  `median ${quantile(xs, 0.5).toFixed(digits)}${unit}  p25–p75 ${quantile(xs, 0.25).toFixed(digits)}–${quantile(xs, 0.75).toFixed(digits)}  min–max ${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
console.log(
  `server CPU per non-streaming generate (${rounds} rounds × ${perRound} requests, ${body.length} B request, Node ${process.version})`,
);
console.log(`  mock      ${describe(samples.mock, ' µs')}`);
console.log(`  baseline  ${describe(samples.baseline, ' µs')}  (node:http answering the same bytes, no work)`);
console.log(`  ratio     ${describe(samples.ratio, '×', 2)}`);
console.log(`  goal: mock median < 5000 µs → ${quantile(samples.mock, 0.5) < 5000 ? 'met' : 'NOT met'}`);
