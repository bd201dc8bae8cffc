// Benchmarks of @imagegen/client against baselines measured in the same run (root `pnpm bench`):
//   (a) client CPU per generate call: ours vs raw fetch (same request) vs the official `openai` SDK
//   (b) wall time of a streamed generation (~8 MB in 4 events, 64 KiB chunks): ours vs the official SDK
//   (c) images-only bundle size, min + gzip: ours vs the official SDK (see size.ts)
// The API is a loopback server in a separate process (server.ts), so only client work is counted.
// Prints a table with ratios and targets and writes packages/client/bench-results.json. Always exits 0.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ClientName, clientNames, clients } from './clients.js';
import { STREAM_BYTES, STREAM_EVENTS } from './server.js';
import { clientDir, measureSizes, SIZE_TARGET } from './size.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STREAM_RUNS = Number(process.env.BENCH_STREAM_RUNS ?? 9);

/** One decimal for µs and ms, whole bytes. */
const round = (n: number) => Math.round(n * 10) / 10;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Run a sibling script in a child process (through tsx) and resolve with the first IPC message it sends. */
function forkFor<T>(script: string, args: string[]): { child: ReturnType<typeof fork>; message: Promise<T> } {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const message = new Promise<T>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before reporting`)));
    child.once('message', (m) => resolve(m as T));
  });
  return { child, message };
}

/** Microseconds of CPU per call of one client, measured in a fresh process. */
async function cpuRound(name: ClientName, url: string): Promise<number> {
  const { message } = forkFor<{ perCall: number }>('./cpu-round.ts', [name, url, String(CALLS)]);
  return (await message).perCall;
}

async function wallMs(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function main() {
  const server = forkFor<{ url: string }>('./server.ts', []);
  const { url } = await server.message;
  try {
    const call = clients(url);

    // (a) CPU per call: each round is one fresh process per client, the clients taking turns.
    const cpu = Object.fromEntries(clientNames.map((name) => [name, [] as number[]])) as Record<ClientName, number[]>;
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < clientNames.length; i++) {
        const name = clientNames[(r + i) % clientNames.length] as ClientName;
        cpu[name].push(await cpuRound(name, url));
      }
    }

    // (b) Streamed generation, from the call until the last event has been parsed.
    const drain = async (stream: unknown) => {
      let events = 0;
      let bytes = 0;
      for await (const event of stream as AsyncIterable<{ b64_json: string }>) {
        events++;
        bytes += event.b64_json.length;
      }
      if (events !== STREAM_EVENTS || bytes < STREAM_BYTES * 0.99) throw new Error(`stream: ${events} events, ${bytes} bytes`);
    };
    const stream = {
      ours: { run: async () => drain(await call.ours(true)), samples: [] as number[] },
      openai: { run: async () => drain(await call.openai(true)), samples: [] as number[] },
    };
    for (const s of Object.values(stream)) for (let i = 0; i < 2; i++) await s.run(); // warm-up
    for (let i = 0; i < STREAM_RUNS; i++) for (const s of Object.values(stream)) s.samples.push(await wallMs(s.run));

    // (c) Bundle size.
    const size = await measureSizes();

    const rows = [
      {
        name: 'CPU per generate call vs raw fetch',
        unit: 'µs',
        ours: median(cpu.ours),
        baseline: median(cpu.raw),
        baselineName: 'fetch + JSON.parse',
        target: '≤ 1.10×',
        max: 1.1,
      },
      {
        name: 'CPU per generate call vs official SDK',
        unit: 'µs',
        ours: median(cpu.ours),
        baseline: median(cpu.openai),
        baselineName: 'openai 7.57.0',
        target: '≤ 1.00×',
        max: 1,
      },
      {
        name: `Streamed generation, ${STREAM_EVENTS} events, ${STREAM_BYTES / 2 ** 20} MiB`,
        unit: 'ms',
        ours: median(stream.ours.samples),
        baseline: median(stream.openai.samples),
        baselineName: 'openai 7.57.0',
        target: '≤ 0.50×',
        max: 0.5,
      },
      {
        name: 'Images-only bundle, min + gzip',
        unit: 'B',
        ours: size.ours.gzip,
        baseline: size.openai.gzip,
        baselineName: 'openai 7.57.0',
        target: `≤ ${SIZE_TARGET} B (6 KB)`,
        max: SIZE_TARGET / size.openai.gzip,
      },
    ].map(({ max, ...row }) => ({
      ...row,
      ours: round(row.ours),
      baseline: round(row.baseline),
      met: row.ours / row.baseline <= max,
    }));

    const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
    const table = [
      ['comparison', 'ours', 'baseline', 'ratio', 'target', ''],
      ...rows.map((r) => [
        r.name,
        `${fmt(r.ours)} ${r.unit}`,
        `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
        `${(r.ours / r.baseline).toFixed(2)}×`,
        r.target,
        r.met ? 'met' : 'MISSED',
      ]),
    ];
    const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
    console.log(
      `Node ${process.version}; CPU: median of ${ROUNDS} rounds (one process each) × ${CALLS} calls; stream: median of ${STREAM_RUNS} runs`,
    );
    console.log(`(bundled with --platform=node, which adds the Node-only undici dispatcher: ${size.oursNode.gzip} B gzip)`);
    // The machine drifts between rounds; the ratio within each round (the clients ran back to back) shows how much of a move is drift.
    const paired = cpu.ours.map((ours, r) => ours / (cpu.raw[r] as number));
    const pairedLine = `CPU ours / raw fetch within each round: ${paired.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${median(paired).toFixed(2)}×)`;
    for (const row of table)
      console.log(
        row
          .map((c, i) => c.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd(),
      );
    console.log(pairedLine);

    writeFileSync(
      `${clientDir}bench-results.json`,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows, cpuRounds: cpu }, (_, v) => (typeof v === 'number' ? round(v) : v), 2)}\n`,
    );
    console.log(`wrote ${clientDir}bench-results.json`);
  } finally {
    server.child.kill();
  }
}

// Benchmarks never fail CI: report and exit 0 whatever happened.
await main().catch((error: unknown) => console.error('bench failed:', error));
process.exit(0);
