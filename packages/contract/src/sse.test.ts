import { describe, expect, it } from 'vitest';
import { encodeSse, readSse } from './sse.js';

async function collect(...chunks: string[]) {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  const out = [];
  for await (const m of readSse(stream)) out.push(m);
  return out;
}

describe('readSse', () => {
  it('handles LF, CRLF and CR line ends, a CRLF split across chunks, comments and multi-line data', async () => {
    expect(await collect(': hi\nevent: a\ndata: 1\n\n', 'event: b\r', '\ndata: x\r\ndata: y\r\n\r\n', 'data: 3\r\r')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: 'x\ny' },
      { event: undefined, data: '3' },
    ]);
  });

  it('dispatches a last event that lacks the closing blank line', async () => {
    expect(await collect('event: a\ndata: {"x":1}')).toEqual([{ event: 'a', data: '{"x":1}' }]);
  });

  it('reads back what encodeSse writes', async () => {
    expect(await collect(encodeSse('e', 'line1\nline2'))).toEqual([{ event: 'e', data: 'line1\nline2' }]);
  });
});
