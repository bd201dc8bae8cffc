import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.js';

describe('Redactor', () => {
  it('masks the key wherever it appears, and any bearer token', () => {
    const r = new Redactor(['sk-live-abcdef123456']);
    expect(r.redact('key=sk-live-abcdef123456; again sk-live-abcdef123456')).toBe('key=***; again ***');
    expect(r.redact('Authorization: Bearer some-other-token')).toBe('Authorization: Bearer ***');
    expect(r.redact(JSON.stringify({ note: 'sent Bearer sk-live-abcdef123456' }))).toBe('{"note":"sent Bearer ***"}');
    // A quoted token inside JSON text: the mask must keep the JSON parseable.
    const quoted = JSON.stringify({ body: 'Error: {"message":"expected Bearer x-token"}' });
    expect(JSON.parse(r.redact(quoted))).toEqual({ body: 'Error: {"message":"expected Bearer ***"}' });
  });

  it('leaves text alone when there is no key', () => {
    expect(new Redactor([undefined]).redact('nothing secret here')).toBe('nothing secret here');
  });
});
