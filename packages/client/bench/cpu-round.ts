// One round of the CPU benchmark, in a process of its own (forked by run.ts) so that no other client's
// garbage, finalizers or JIT state is charged to this one: warm up, then report this process's CPU time
// (user + system) per call over CALLS sequential calls to the IPC parent.
//   argv: <client> <baseURL> <calls>
import { type ClientName, clients } from './clients.js';

const [name, baseURL, calls] = process.argv.slice(2) as [ClientName, string, string];
const call = clients(baseURL)[name];
const n = Number(calls);
// Until the JIT has settled: the first few thousand calls cost several times more.
for (let i = 0; i < 3000; i++) await call();
const start = process.cpuUsage();
for (let i = 0; i < n; i++) await call();
const { user, system } = process.cpuUsage(start);
process.send?.({ perCall: (user + system) / n }, () => process.exit(0));
