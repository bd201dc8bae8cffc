import { describe, expect, it, vi } from 'vitest';
import { createSSEDecoder, type SSEMessage } from './sse.js';

const enc = new TextEncoder();

/** Feed `text` to a fresh decoder cut into the given chunk sizes (bytes), then flush. */
function decodeIn(bytes: Uint8Array, cut: (i: number) => number): SSEMessage[] {
  const decode = createSSEDecoder();
  const out: SSEMessage[] = [];
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + Math.max(1, cut(i)));
    out.push(...decode(bytes.subarray(i, end)));
    i = end;
  }
  out.push(...decode());
  return out;
}

describe('createSSEDecoder', () => {
  const body = 'event: a\ndata: {"x":1}\n\n: a comment\ndata: line1\ndata: line2\n\nevent: b\ndata:no-space\n\n';
  const expected = [
    { event: 'a', data: '{"x":1}' },
    { event: '', data: 'line1\nline2' },
    { event: 'b', data: 'no-space' },
  ];

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('parses events with %s line ends, whatever the chunking', (_, eol) => {
    const bytes = enc.encode(body.replaceAll('\n', eol));
    expect(decodeIn(bytes, () => bytes.length)).toEqual(expected);
    expect(decodeIn(bytes, () => 1)).toEqual(expected);
    expect(decodeIn(bytes, (i) => (i % 7) + 1)).toEqual(expected);
  });

  it("decodes the same without Node's Buffer (as in browsers)", () => {
    vi.stubGlobal('Buffer', undefined);
    try {
      const bytes = enc.encode(body.replaceAll('\n', '\r\n'));
      expect(decodeIn(bytes, (i) => (i % 5) + 1)).toEqual(expected);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('does not double-count a CRLF split across chunks', () => {
    const decode = createSSEDecoder();
    expect(decode(enc.encode('data: a\r'))).toEqual([]);
    expect(decode(enc.encode('\n\r'))).toEqual([{ event: '', data: 'a' }]);
    expect(decode(enc.encode('\n'))).toEqual([]);
  });

  it('keeps UTF-8 characters split across chunks intact', () => {
    const bytes = enc.encode('data: {"t":"héllo 🌊 ✓"}\n\n');
    expect(decodeIn(bytes, () => 1)).toEqual([{ event: '', data: '{"t":"héllo 🌊 ✓"}' }]);
  });

  it('strips a leading BOM and ignores id, retry and unknown fields', () => {
    const bytes = enc.encode('\uFEFFid: 1\nretry: 5\nfoo: bar\ndata: x\n\n');
    expect(decodeIn(bytes, () => 3)).toEqual([{ event: '', data: 'x' }]);
  });

  it('ignores events without data and resets the event name after each event', () => {
    expect(decodeIn(enc.encode('event: ping\n\ndata: y\n\n'), () => 100)).toEqual([{ event: '', data: 'y' }]);
  });

  it('flushes a last event that lacks the blank line at EOF, and nothing for a clean EOF', () => {
    expect(decodeIn(enc.encode('data: last'), () => 4)).toEqual([{ event: '', data: 'last' }]);
    expect(decodeIn(enc.encode('data: a\n\n'), () => 4)).toEqual([{ event: '', data: 'a' }]);
    expect(decodeIn(new Uint8Array(), () => 1)).toEqual([]);
  });

  it('decodes a 50 MB data line in linear time', () => {
    const size = 50 * 1024 * 1024;
    const payload = 'A'.repeat(size);
    const bytes = enc.encode(`data: ${payload}\n\n`);
    const time = (chunk: number) => {
      const t0 = performance.now();
      const out = decodeIn(bytes, () => chunk);
      const ms = performance.now() - t0;
      expect(out).toHaveLength(1);
      expect(out[0]?.data.length).toBe(size);
      return ms;
    };
    const big = time(1 << 20);
    const small = time(16 * 1024); // 64× more chunks: a quadratic decoder would take ~64× longer
    expect(small).toBeLessThan(Math.max(big * 8, 1500));
  });
});
