import { describe, expect, it } from 'vitest';
import { mergeViolations, parseSlViolations, violation } from './violations.js';

describe('parseSlViolations', () => {
  it("turns Prism's locations and messages into JSON paths", () => {
    const header = JSON.stringify([
      {
        location: ['response', 'body'],
        severity: 'Error',
        code: 'required',
        message: "Response body must have required property 'created'",
      },
      {
        location: ['response', 'body', 'data', '0', 'b64_json'],
        severity: 'Error',
        code: 'type',
        message: 'Response body property data.0.b64_json must be string',
      },
      {
        location: ['response'],
        severity: 'Warning',
        message: 'Unable to match the returned status code with those defined in the document: 200,400',
      },
      { location: ['request', 'body', 'image[]'], severity: 'Error', code: 'type', message: 'Request body property image[] must be array' },
    ]);
    expect(parseSlViolations(header).map((v) => [v.where, v.path, v.message, v.severity])).toEqual([
      ['body', '/created', 'required property is missing', 'error'],
      ['body', '/data/0/b64_json', 'must be string', 'error'],
      ['response', '', 'Unable to match the returned status code with those defined in the document: 200,400', 'warning'],
      ['request body', '/image[]', 'must be array', 'error'],
    ]);
  });

  it('ignores a missing header and reports one that is not JSON', () => {
    expect(parseSlViolations(null)).toEqual([]);
    expect(parseSlViolations('oops')[0]?.message).toMatch(/not JSON/);
  });
});

describe('mergeViolations', () => {
  it('merges the same finding from Prism and Ajv into one with both sources', () => {
    const merged = mergeViolations([
      violation('body', '/created', 'x', 'ajv'),
      violation('body', '/created', 'x', 'prism'),
      violation('body', '/n', 'y'),
    ]);
    expect(merged.map((v) => v.sources)).toEqual([['ajv', 'prism'], ['suite']]);
  });
});
