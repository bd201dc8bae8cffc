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
 * Linear in the input: each chunk is decoded and scanned once, and a line that spans many chunks
 * (a 50 MB `data:` line) is kept as a list of pieces and joined once. Handles CRLF, CR and LF line
 * ends (also split across chunks), UTF-8 characters split across chunks, a leading BOM, `:` comments
 * and multi-line `data:`. `id:` and `retry:` are ignored (the client never reconnects).
 */
export function createSSEDecoder(): (chunk?: Uint8Array) => SSEMessage[] {
  const decoder = new TextDecoder();
  const lineEnd = /\r\n?|\n/g;
  let pieces: string[] = [];
  let afterCR = false;
  let event = '';
  let data: string[] = [];

  function line(text: string, out: SSEMessage[]): void {
    if (text === '') {
      if (data.length) out.push({ event, data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    const colon = text.indexOf(':');
    if (colon === 0) return;
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }

  return (chunk) => {
    const out: SSEMessage[] = [];
    const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    let start = afterCR && text.charCodeAt(0) === 10 ? 1 : 0;
    if (text) afterCR = false;
    lineEnd.lastIndex = start;
    for (let m = lineEnd.exec(text); m; m = lineEnd.exec(text)) {
      pieces.push(text.slice(start, m.index));
      line(pieces.length === 1 ? (pieces[0] as string) : pieces.join(''), out);
      pieces = [];
      start = lineEnd.lastIndex;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (start === text.length && m[0] === '\r') afterCR = true;
    }
    if (start < text.length) pieces.push(text.slice(start));
    if (!chunk) {
      if (pieces.length) line(pieces.join(''), out);
      pieces = [];
      line('', out);
    }
    return out;
  };
}
