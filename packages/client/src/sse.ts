/**
 * The one server-sent-events codec of the repo: the client reads image streams with it, the contract suite checks
 * them with it and the mock writes them with it (`@imagegen/client/internal/sse`, not a public API).
 */

/** One server-sent event as it arrived: the `event:` name (if any) and the `data:` lines joined with "\n". */
export interface SseMessage {
  event: string | undefined;
  data: string;
}

/** The `data` of the message that ends an OpenAI stream; it is not an event. */
export const DONE = '[DONE]';

const LF = 10;
const CR = 13;

type NodeBuffer = Uint8Array & { toString(encoding?: 'latin1'): string };
type NodeBufferClass = {
  from(buffer: ArrayBufferLike, offset: number, length: number): NodeBuffer;
  concat(list: Uint8Array[]): NodeBuffer;
};

/** Node's `buffer.isAscii` (simdutf), where `process.getBuiltinModule` gives it (Node ≥ 20.16). */
const isAscii = (
  globalThis as { process?: { getBuiltinModule?(id: string): { isAscii?(bytes: Uint8Array): boolean } | undefined } }
).process?.getBuiltinModule?.('buffer')?.isAscii;

/**
 * An incremental, pure bytes → messages decoder. It follows the SSE standard's line rules: LF, CRLF and a bare CR
 * each end a line (also when a CRLF is split across chunks), a BOM at the start of the stream is dropped, lines that
 * start with `:` are comments, `data:` lines are joined with "\n", `event:` names the message, `id:`, `retry:` and
 * unknown fields are ignored, a blank line dispatches (nothing without data). `end()` delivers a last message that
 * lacks its blank line.
 *
 * Linear in the input: line ends are found with `indexOf` (on Node a `Buffer`'s memchr), each position scanned once
 * per byte value, and a line that spans many chunks (a 50 MB `data:` line) is kept as a list of pieces and decoded
 * once, whole.
 */
export class SseDecoder {
  #pieces: Uint8Array[] = [];
  #event: string | undefined;
  #data: string[] = [];
  #skipLF: boolean | undefined;
  /** Whether a line was read (a BOM can only start the first). */
  #started: boolean | undefined;
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  readonly #Buffer = (globalThis as unknown as { Buffer?: NodeBufferClass }).Buffer;

  /** The messages completed by `chunk`, in order. */
  push(chunk: Uint8Array): SseMessage[] {
    const out: SseMessage[] = [];
    const bytes = this.#Buffer ? this.#Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : chunk;
    let start = 0;
    if (this.#skipLF && bytes.length) {
      this.#skipLF = false;
      if (bytes[0] === LF) start = 1;
    }
    // The next LF and CR at or after `start`, each found once: a 50 MB line without CR is scanned for CR once.
    let lf = bytes.indexOf(LF, start);
    let cr = bytes.indexOf(CR, start);
    while (lf >= 0 || cr >= 0) {
      const eol = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
      this.#pieces.push(bytes.subarray(start, eol));
      start = eol + 1;
      if (eol === cr) {
        if (start < bytes.length) {
          if (bytes[start] === LF) start++;
        } else this.#skipLF = true;
      }
      this.#line(out);
      if (lf >= 0 && lf < start) lf = bytes.indexOf(LF, start);
      if (cr >= 0 && cr < start) cr = bytes.indexOf(CR, start);
    }
    if (start < bytes.length) this.#pieces.push(bytes.subarray(start));
    return out;
  }

  /** The end of the body: the messages of a last line and a last event without their line ends. */
  end(): SseMessage[] {
    const out: SseMessage[] = [];
    if (this.#pieces.length) this.#line(out);
    this.#dispatch(out);
    return out;
  }

  #line(out: SseMessage[]): void {
    const pieces = this.#pieces;
    let text: string;
    // Elsewhere, TextDecoder, in streaming mode across the pieces (a UTF-8 sequence may be split between two); a blank
    // line (no pieces) is "" either way.
    if (!this.#Buffer) text = pieces.map((piece, i) => this.#decoder.decode(piece, { stream: i < pieces.length - 1 })).join('');
    else {
      // On Node, Buffer's own decoding: ASCII (a base64 image) as Latin-1, about twice as fast as TextDecoder; else UTF-8.
      const bytes = pieces.length === 1 ? (pieces[0] as NodeBuffer) : this.#Buffer.concat(pieces);
      text = bytes.toString(isAscii?.(bytes) ? 'latin1' : undefined);
    }
    this.#pieces = [];
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!text) {
      this.#dispatch(out);
      return;
    }
    // A comment (a line that starts with `:`) has the field "": ignored like `id`, `retry` and unknown fields.
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
  }

  #dispatch(out: SseMessage[]): void {
    if (this.#data.length) out.push({ event: this.#event, data: this.#data.join('\n') });
    this.#event = undefined;
    this.#data = [];
  }
}

/**
 * The messages of a whole body, in order. A `data: [DONE]` message ends the stream and is not yielded; leaving the
 * loop early cancels the body.
 */
export async function* readSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new SseDecoder();
  const reader = 'getReader' in body ? body.getReader() : undefined;
  const iterator = reader ? undefined : (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = reader ? await reader.read() : await (iterator as AsyncIterator<Uint8Array>).next();
      const messages = next.done ? decoder.end() : decoder.push(next.value);
      for (const message of messages) {
        if (message.data === DONE) return;
        yield message;
      }
      if (next.done) break;
    }
    finished = true;
  } finally {
    if (!finished) {
      if (reader) await reader.cancel().catch(() => undefined);
      else await iterator?.return?.().catch(() => undefined);
    }
    reader?.releaseLock();
  }
}

/** One message as the Images API writes it: an `event:` line (when named), one `data:` line per line of `data`, a blank line. */
export function encodeSse(event: string | undefined, data: string): string {
  const name = event === undefined ? '' : `event: ${event}\n`;
  return `${name}data: ${data.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
}
