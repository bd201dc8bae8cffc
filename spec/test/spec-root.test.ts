// The spec build's root check: file and line, never Redocly's bare "Unsupported specification".
import { describe, expect, it } from 'vitest';
import { rootProblem } from '../scripts/spec-root.js';

describe('rootProblem', () => {
  it('accepts a root with openapi: 3.x', () => {
    expect(rootProblem('openapi: 3.1.0\ninfo: {}\n', 'root.yaml')).toBeUndefined();
  });

  it('names the file and line 1 when openapi is missing or not 3.x', () => {
    expect(rootProblem('info: {}\n', 'spec/src/openapi.yaml')).toBe(
      'spec/src/openapi.yaml:1: the root document must be a mapping with `openapi: 3.1.0` (found null)',
    );
    expect(rootProblem('swagger: "2.0"\nopenapi: 2.0\n', 'root.yaml')).toMatch(/^root\.yaml:1: .*\(found 2\)$/);
    expect(rootProblem('- a list\n', 'root.yaml')).toMatch(/^root\.yaml:1: /);
  });

  it('names line and column of invalid YAML', () => {
    expect(rootProblem('openapi: 3.1.0\ninfo:\n  title: [unclosed\n', 'root.yaml')).toMatch(/^root\.yaml:\d+:\d+: not valid YAML: /);
  });
});
