// Bad requests: what is certainly wrong is refused before anything is sent, with a message naming field and value.
import { type MockServer, startMock } from '@imagegen/mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badRequests, checkBadRequest } from '../src/bad-requests.js';
import { createSuiteFiles, removeSuiteFiles, type SuiteFiles } from '../src/fault-suite.js';

let server: MockServer;
let files: SuiteFiles;

beforeAll(async () => {
  server = await startMock();
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
