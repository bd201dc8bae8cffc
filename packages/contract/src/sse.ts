/** One server-sent event as it arrived: the `event:` name (if any) and the joined `data:` lines. */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

/**
 * Reads a `text/event-stream` body incrementally: CR, LF and CRLF line ends, multi-line `data:`
 * joined with "\n", `:` comments skipped, an event dispatched on each blank line. A last event
 * without the closing blank line is still dispatched.
 */
export async function* readSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  let hasField = false;

  function* feed(line: string): Generator<SseMessage> {
    if (line === '') {
      if (hasField) yield { event, data: data.join('\n') };
      event = undefined;
      data = [];
      hasField = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') {
      event = value;
      hasField = true;
    } else if (field === 'data') {
      data.push(value);
      hasField = true;
    }
  }

  const reader = 'getReader' in body ? body.getReader() : iteratorReader(body);
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone CR at the end of a chunk may be the first half of CRLF.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1 && !done)) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        yield* feed(line);
      }
      if (done) break;
    }
    if (buffer !== '') yield* feed(buffer);
    yield* feed('');
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Serialises one event the way the Images API sends it. */
export function encodeSse(event: string | undefined, data: string): string {
  const name = event === undefined ? '' : `event: ${event}\n`;
  return `${name}${data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

function iteratorReader(body: AsyncIterable<Uint8Array>) {
  const iterator = body[Symbol.asyncIterator]();
  return {
    read: async () => {
      const next = await iterator.next();
      return next.done ? { done: true as const, value: undefined } : { done: false as const, value: next.value };
    },
    cancel: async () => {
      await iterator.return?.();
    },
    releaseLock: () => undefined,
  };
}
