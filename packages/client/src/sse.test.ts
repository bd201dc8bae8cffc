import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeSse, readSse, SseDecoder, type SseMessage } from './sse.js';

const enc = new TextEncoder();

function decodeIn(text: string, cut: (i: number) => number): SseMessage[] {
  const bytes = enc.encode(text);
  const decoder = new SseDecoder();
  const out: SseMessage[] = [];
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + Math.max(1, cut(i)));
    out.push(...decoder.push(bytes.slice(i, end)));
    i = end;
  }
  return [...out, ...decoder.end()];
}

const body = 'event: a\ndata: {"x":1}\n\n: a comment\ndata: line1\ndata: line2\n\nid: 7\nretry: 5\nevent: b\ndata:tight\n\n';
const expected: SseMessage[] = [
  { event: 'a', data: '{"x":1}' },
  { event: undefined, data: 'line1\nline2' },
  { event: 'b', data: 'tight' },
];
const cuts: Array<[string, (i: number) => number]> = [
  ['whole', () => 1 << 20],
  ['byte by byte', () => 1],
  ['uneven chunks', (i) => (i % 7) + 1],
];

describe('SseDecoder', () => {
  afterEach(() => vi.unstubAllGlobals());

  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['bare CR', '\r'],
  ] as const)
    it.each(cuts)(`reads ${name} line ends (%s)`, (_, cut) => {
      expect(decodeIn(body.replaceAll('\n', eol), cut)).toEqual(expected);
    });

  it('reads mixed line ends, and a CRLF split across chunks is one line end', () => {
    const mixed = 'data: a\r\n\rdata: b\n\r\ndata: c\r\r';
    const want = [
      { event: undefined, data: 'a' },
      { event: undefined, data: 'b' },
      { event: undefined, data: 'c' },
    ];
    for (const [, cut] of cuts) expect(decodeIn(mixed, cut)).toEqual(want);
  });

  it('works without Node Buffer (browsers)', () => {
    vi.stubGlobal('Buffer', undefined);
    expect(decodeIn(body.replaceAll('\n', '\r\n'), (i) => (i % 5) + 1)).toEqual(expected);
  });

  it('drops a BOM at the start of the stream only, keeps UTF-8 split across chunks intact', () => {
    expect(decodeIn('\uFEFFdata: héllo 🌊 ✓\n\n', () => 1)).toEqual([{ event: undefined, data: 'héllo 🌊 ✓' }]);
  });

  it('dispatches nothing for an event without data, and resets the name after each message', () => {
    expect(decodeIn('event: error\n\ndata: y\n\n', () => 100)).toEqual([{ event: undefined, data: 'y' }]);
  });

  it('delivers a last message without its blank line at the end', () => {
    expect(decodeIn('data: last', () => 4)).toEqual([{ event: undefined, data: 'last' }]);
  });

  it('scans each byte a bounded number of times, whatever the chunking (linear time, counted)', () => {
    const size = 4 * 1024 * 1024;
    const text = `data: {"b":"${'A'.repeat(size)}"}\n\n`;
    const scanned = (chunk: number) => {
      let bytes = 0;
      const original = Buffer.prototype.indexOf;
      const spy = vi.spyOn(Buffer.prototype, 'indexOf').mockImplementation(function (this: Buffer, value, from, encoding) {
        bytes += this.length - (typeof from === 'number' ? from : 0);
        return original.call(this, value, from, encoding);
      });
      try {
        const out = decodeIn(text, () => chunk);
        expect(out[0]?.data.length).toBe(size + 8);
      } finally {
        spy.mockRestore();
      }
      return bytes;
    };
    // 1,024 chunks of 4 KiB and 4 chunks of 1 MiB: a decoder that rescans the pending line would scan ~500× more.
    for (const chunk of [4096, 1 << 20]) expect(scanned(chunk)).toBeLessThanOrEqual(3 * text.length);
  });

  it('decodes a line that spans many chunks once, whole (one concat, whatever the number of chunks)', () => {
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      decodeIn(`data: ${'B'.repeat(1 << 20)}\n\n`, () => 1024);
      expect(concat).toHaveBeenCalledTimes(1);
    } finally {
      concat.mockRestore();
    }
  });
});

describe('readSse and encodeSse', () => {
  const streamOf = (text: string, size = 3) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = enc.encode(text);
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
        controller.close();
      },
    });
  const collect = async (body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) => {
    const out: SseMessage[] = [];
    for await (const m of readSse(body)) out.push(m);
    return out;
  };

  it('reads back what encodeSse writes, multi-line data included', async () => {
    const text = encodeSse('e', 'line1\nline2') + encodeSse(undefined, '{"a":1}');
    expect(await collect(streamOf(text))).toEqual([
      { event: 'e', data: 'line1\nline2' },
      { event: undefined, data: '{"a":1}' },
    ]);
  });

  it('ends at data: [DONE] (not yielded) and cancels the rest of the body', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(enc.encode(encodeSse(undefined, '1') + encodeSse(undefined, '[DONE]') + encodeSse(undefined, '2')));
      },
      cancel() {
        cancelled = true;
      },
    });
    expect(await collect(body)).toEqual([{ event: undefined, data: '1' }]);
    expect(cancelled).toBe(true);
  });

  it('reads an async iterable of chunks (a Node stream)', async () => {
    async function* chunks() {
      yield enc.encode('data: a\r');
      yield enc.encode('\ndata: b\n\n');
    }
    expect(await collect(chunks())).toEqual([{ event: undefined, data: 'a\nb' }]);
  });
});
