// Benchmarks of @imagegen/client against baselines measured in the same run (root `pnpm bench`), each as the median of
// per-round ratios (the contenders run back to back within a round, so drift between rounds cancels) with their min–max:
//   (a) client CPU per generate call: ours vs raw fetch (same request) vs the official `openai` SDK, one fresh process
//       per client per round
//   (b) client CPU of a streamed generation (~8 MiB in 4 events, 64 KiB chunks), from the call to the last parsed event:
//       ours vs the official SDK and vs the parse-only floor (raw fetch, the body decoded once, each event JSON.parse'd)
//   (c) images-only bundle size, min + gzip: ours vs the official SDK (see size.ts)
// The API is @imagegen/mock in a separate process (mock-process.ts), so only client work is counted.
// Prints a table with ratios and targets and writes packages/client/bench-results.json. Always exits 0.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ClientName, clientNames, clients, parseOnly, STREAM_BYTES, STREAM_EVENTS } from './clients.js';
import { startMockProcess } from './mock-process.js';
import { clientDir, measureSizes, SIZE_TARGET } from './size.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const STREAM_ROUNDS = Number(process.env.BENCH_STREAM_ROUNDS ?? 15);
/** Streams per contender per round (their CPU summed): one 8 MiB stream is only ~15 ms of CPU. */
const STREAMS_PER_ROUND = 3;

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

/** Milliseconds of this process's CPU (user + system) that `run` takes. */
async function cpuMs(run: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await run();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** The median and the range of per-round ratios. */
function spread(ours: number[], baseline: number[]): { median: number; min: number; max: number } {
  const ratios = ours.map((x, i) => x / (baseline[i] as number));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

async function main() {
  const server = await startMockProcess();
  const { url } = server;
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

    // (b) Streamed generation: client CPU from the call until the last event has been parsed.
    const check = (events: number, bytes: number) => {
      if (events !== STREAM_EVENTS || bytes < STREAM_BYTES * 0.99) throw new Error(`stream: ${events} events, ${bytes} bytes`);
    };
    const drain = async (stream: unknown) => {
      let events = 0;
      let bytes = 0;
      for await (const event of stream as AsyncIterable<{ b64_json: string }>) {
        events++;
        bytes += event.b64_json.length;
      }
      check(events, bytes);
    };
    const streams = {
      ours: async () => drain(await call.ours(true)),
      openai: async () => drain(await call.openai(true)),
      floor: async () => {
        const events = await parseOnly(url);
        check(
          events.length,
          events.reduce((n, e) => n + e.b64_json.length, 0),
        );
      },
    };
    const streamNames = Object.keys(streams) as Array<keyof typeof streams>;
    const streamCpu = Object.fromEntries(streamNames.map((name) => [name, [] as number[]])) as Record<keyof typeof streams, number[]>;
    for (const run of Object.values(streams)) for (let i = 0; i < 3; i++) await run(); // warm-up
    for (let r = 0; r < STREAM_ROUNDS; r++)
      for (let i = 0; i < streamNames.length; i++) {
        const name = streamNames[(r + i) % streamNames.length] as keyof typeof streams;
        streamCpu[name].push(
          (await cpuMs(async () => {
            for (let k = 0; k < STREAMS_PER_ROUND; k++) await streams[name]();
          })) / STREAMS_PER_ROUND,
        );
      }

    // (c) Bundle size.
    const size = await measureSizes();

    const ratios = {
      raw: spread(cpu.ours, cpu.raw),
      openai: spread(cpu.ours, cpu.openai),
      stream: spread(streamCpu.ours, streamCpu.openai),
      floor: spread(streamCpu.ours, streamCpu.floor),
    };
    const streamName = `Streamed generation CPU, ${STREAM_EVENTS} events, ${STREAM_BYTES / 2 ** 20} MiB`;
    const rows = [
      {
        name: 'CPU per generate call vs raw fetch',
        unit: 'µs',
        ours: median(cpu.ours),
        baseline: median(cpu.raw),
        baselineName: 'fetch + JSON.parse',
        ratio: ratios.raw,
        target: '≤ 1.05×',
        max: 1.05,
      },
      {
        name: 'CPU per generate call vs official SDK',
        unit: 'µs',
        ours: median(cpu.ours),
        baseline: median(cpu.openai),
        baselineName: 'openai 7.57.0',
        ratio: ratios.openai,
        target: '≤ 1.00×',
        max: 1,
      },
      {
        name: streamName,
        unit: 'ms',
        ours: median(streamCpu.ours),
        baseline: median(streamCpu.openai),
        baselineName: 'openai 7.57.0',
        ratio: ratios.stream,
        target: '≤ 0.45×',
        max: 0.45,
      },
      {
        name: `${streamName} vs parse-only floor`,
        unit: 'ms',
        ours: median(streamCpu.ours),
        baseline: median(streamCpu.floor),
        baselineName: 'fetch + decode + JSON.parse',
        ratio: ratios.floor,
        target: '≤ 1.50×',
        max: 1.5,
      },
      {
        name: 'Images-only bundle, min + gzip',
        unit: 'B',
        ours: size.ours.gzip,
        baseline: size.openai.gzip,
        baselineName: 'openai 7.57.0',
        ratio: {
          median: size.ours.gzip / size.openai.gzip,
          min: size.ours.gzip / size.openai.gzip,
          max: size.ours.gzip / size.openai.gzip,
        },
        target: `≤ ${SIZE_TARGET} B (6 KB)`,
        max: SIZE_TARGET / size.openai.gzip,
      },
    ].map(({ max, ratio, ...row }) => ({
      ...row,
      ours: round(row.ours),
      baseline: round(row.baseline),
      ratio: Math.round(ratio.median * 1000) / 1000,
      ratioMin: Math.round(ratio.min * 1000) / 1000,
      ratioMax: Math.round(ratio.max * 1000) / 1000,
      met: ratio.median <= max,
    }));

    const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
    const table = [
      ['comparison', 'ours', 'baseline', 'ratio (median of rounds)', 'min–max', 'target', ''],
      ...rows.map((r) => [
        r.name,
        `${fmt(r.ours)} ${r.unit}`,
        `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
        `${r.ratio.toFixed(2)}×`,
        r.name.startsWith('Images-only') ? '' : `${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}×`,
        r.target,
        r.met ? 'met' : 'MISSED',
      ]),
    ];
    const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((row) => (row[i] as string).length)));
    console.log(
      `Node ${process.version}; per call: ${ROUNDS} rounds (a fresh process per client) × ${CALLS} calls; stream: ${STREAM_ROUNDS} rounds × ${STREAMS_PER_ROUND} streams per contender; ratios are medians of per-round ratios`,
    );
    console.log(`(bundled with --platform=node, which adds the Node-only undici dispatcher: ${size.oursNode.gzip} B gzip)`);
    for (const row of table)
      console.log(
        row
          .map((c, i) => c.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd(),
      );

    writeFileSync(
      `${clientDir}bench-results.json`,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows, cpuRounds: cpu, streamRounds: streamCpu }, (_, v) => (typeof v === 'number' ? round(v) : v), 2)}\n`,
    );
    console.log(`wrote ${clientDir}bench-results.json`);
  } finally {
    server.child.kill();
  }
}

// Benchmarks never fail CI: report and exit 0 whatever happened.
await main().catch((error: unknown) => console.error('bench failed:', error));
process.exit(0);
