// toFormData encodes each property as the operation table says. The field names here are the test's own, not the spec's.
import { describe, expect, it } from 'vitest';
import { toFormData } from './multipart.js';

const PNG = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])], { type: 'image/png' });
const parts = (form: FormData) => [...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : `file:${(v as File).name}`]);

describe('toFormData', () => {
  it('sends a file list of several as repeated name[] parts, one file (or a one-element list) as a plain part', async () => {
    const fields = { pics: 'files', overlay: 'file' } as const;
    expect(parts(await toFormData({ pics: [PNG, PNG], overlay: PNG }, fields))).toEqual([
      ['pics[]', 'file:pics-1.png'],
      ['pics[]', 'file:pics-2.png'],
      ['overlay', 'file:overlay.png'],
    ]);
    expect(parts(await toFormData({ pics: [PNG] }, fields))).toEqual([['pics', 'file:pics.png']]);
  });

  it('sends a deepObject as name[key] parts, nested as name[a][b]', async () => {
    const form = await toFormData({ opts: { model: 'm-1', depth: { level: 'high' }, skip: null } }, { opts: 'object' });
    expect(parts(form)).toEqual([
      ['opts[model]', 'm-1'],
      ['opts[depth][level]', 'high'],
    ]);
  });

  it('sends an array of scalars as repeated name[] parts, other objects as JSON, numbers and booleans as text', async () => {
    const form = await toFormData(
      { tags: ['a', 'b'], meta: { x: 1 }, n: 2, keep: false, gone: undefined },
      { tags: 'array', meta: 'json' },
    );
    expect(parts(form)).toEqual([
      ['tags[]', 'a'],
      ['tags[]', 'b'],
      ['meta', '{"x":1}'],
      ['n', '2'],
      ['keep', 'false'],
    ]);
  });
});
