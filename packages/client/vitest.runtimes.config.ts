// The client suites whose behaviour depends on the runtime, for the Node 22 and 24 runs (`test:node22`, `test:node24`):
// fetch and undici (requests, redirects, timeouts and aborts, the dispatcher), web streams and the SSE decoder's
// Buffer/TextDecoder paths, FormData and File encoding, and fs (fromPath, ReadStream uploads). The rest (error
// mapping, retry arithmetic, redaction, logging, README, bundle size, types) is the same code on every runtime and
// runs once, on the default Node, in `test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Hang guards only: no test depends on finishing within them.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    include: [
      'src/sse.test.ts',
      'src/stream.test.ts',
      'src/dispatcher.test.ts',
      'test/generate.test.ts',
      'test/streaming.test.ts',
      'test/timeouts.test.ts',
      'test/redirects.test.ts',
      'test/uploads.test.ts',
    ],
  },
});
