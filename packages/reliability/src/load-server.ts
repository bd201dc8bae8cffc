// The load test's server role (a child process forked by load.ts): @imagegen/mock on 127.0.0.1, checking the key,
// streams paced 5 ms an event. It sends `{ port }` to its parent once listening; asked `'path'`, it answers `{ path }`:
// the URL path of the last call, so the raw-fetch baseline sends what the client sent.
import { startMock } from '@imagegen/mock';

// One request kept (the last one, for its path): the server's memory stays flat over the soak.
const mock = await startMock({ key: process.env.RELIABILITY_API_KEY ?? 'sk-reliability-load', seed: 'load', pacingMs: 5, recordLimit: 1 });
process.send?.({ port: mock.port });
process.on('SIGTERM', () => {
  void mock.close().then(() => process.exit(0));
});
process.on('message', (m) => {
  if (m === 'path') process.send?.({ path: mock.requests.at(-1)?.path ?? '' });
});
process.on('disconnect', () => process.exit(0));
