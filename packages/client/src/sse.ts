/** One server-sent event: its `event:` name (`''` when absent) and its `data:` lines joined with `\n`. */
export interface SSEMessage {
  event: string;
  data: string;
}

/**
 * An incremental server-sent-events decoder. Feed it the body's bytes as they arrive; each call
 * returns the events completed by that chunk. Call it once with no argument at end of stream to
 * flush a last event that lacks its terminating blank line.
 *
 * Linear in the input, and works on bytes: line ends are found with `indexOf` (CR and LF never occur
 * inside a UTF-8 sequence), a line that spans many chunks (a 50 MB `data:` line) is kept as a list of
 * byte pieces, and each line is decoded once, whole (a streaming `TextDecoder` is several times slower
 * on Node). Handles CRLF, CR and LF line ends (also split across chunks), a leading BOM (stripped from
 * any line, which differs from the spec only for a line that starts with U+FEFF), `:` comments and
 * multi-line `data:`. `id:` and `retry:` are ignored (the client never reconnects).
 */
export function createSSEDecoder(): (chunk?: Uint8Array) => SSEMessage[] {
  const decoder = new TextDecoder();
  const NodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array } }).Buffer;
  let pieces: Uint8Array[] = [];
  let afterCR = false;
  let event = '';
  let data: string[] = [];

  function line(out: SSEMessage[]): void {
    let bytes = pieces[0];
    if (pieces[1]) {
      bytes = new Uint8Array(pieces.reduce((n, piece) => n + piece.length, 0));
      let at = 0;
      for (const piece of pieces) {
        bytes.set(piece, at);
        at += piece.length;
      }
    }
    pieces = [];
    const text = decoder.decode(bytes);
    const colon = text.indexOf(':');
    const value = colon < 0 ? '' : text.slice(colon + (text[colon + 1] === ' ' ? 2 : 1));
    const field = colon < 0 ? text : text.slice(0, colon);
    if (!text) {
      if (data.length) out.push({ event, data: data.join('\n') });
      event = '';
      data = [];
    } else if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }

  return (chunk) => {
    const out: SSEMessage[] = [];
    if (!chunk) {
      if (pieces[0]) line(out);
      line(out);
      return out;
    }
    // On Node, `Buffer#indexOf` (memchr) scans about 15 times faster than `Uint8Array#indexOf`.
    if (NodeBuffer) chunk = NodeBuffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const end = chunk.length;
    let start = afterCR && chunk[0] === 10 ? 1 : 0;
    if (end) afterCR = false;
    // One past the next LF and CR at or after `start` (`end + 1` when there is none), each searched for once per position.
    let lf = 0;
    let cr = 0;
    for (;;) {
      if (lf <= start) lf = chunk.indexOf(10, start) + 1 || end + 1;
      if (cr <= start) cr = chunk.indexOf(13, start) + 1 || end + 1;
      const eol = Math.min(lf, cr) - 1;
      if (eol === end) break;
      pieces.push(chunk.subarray(start, eol));
      line(out);
      start = eol + 1;
      if (chunk[eol] === 13) {
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (start === end) afterCR = true;
        else if (chunk[start] === 10) start++;
      }
    }
    if (start < end) pieces.push(chunk.subarray(start));
    return out;
  };
}
