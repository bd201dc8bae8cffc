// Bad requests: what is certainly wrong is refused before anything is sent, with a message naming field and value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequests, checkBadRequest } from '../src/bad-requests.js';
import { type FaultServer, startFaultServer } from '../src/fault-server.js';
import { createSuiteFiles, removeSuiteFiles, type SuiteFiles } from '../src/fault-suite.js';

let server: FaultServer;
let files: SuiteFiles;

beforeAll(async () => {
  server = await startFaultServer();
  files = createSuiteFiles();
});
afterAll(async () => {
  await server.close();
  removeSuiteFiles(files);
});

describe('bad requests are refused before sending', () => {
  for (const bad of badRequests) {
    it(bad.name, async () => {
      const result = await checkBadRequest(bad, server, files);
      expect(result.problems.join('\n'), result.outcome).toBe('');
    });
  }
});
