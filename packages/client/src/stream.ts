import type { ImageStreamEvent } from '@imagegen/types';
import { APIConnectionError, type APIError, APIUserAbortError, StreamIdleTimeoutError } from './errors.js';
import { extensionFor } from './mime.js';
import { importNode } from './node-fs.js';
import { after } from './retry.js';
import { DONE, SseDecoder } from './sse.js';

/**
 * The events of a streamed generation or edit, in arrival order. Iterate it once with
 * `for await`; leaving the loop early (break, return, throw) aborts the request. Throws
 * `APIStreamError` for an `error` event, `StreamIdleTimeoutError` when no bytes arrive for
 * `streamIdleTimeout` ms, `APIConnectionError` when the connection drops, and `APIUserAbortError`
 * when the request's signal fires or `abort()` is called. A clean end of the body ends the loop (after at least one
 * event: a body without any is an `APIStreamError`).
 */
export interface ImageStream<T> extends AsyncGenerator<T, void, undefined> {
  /** Stop reading and close the connection; a pending or later read throws `APIUserAbortError`. */
  abort(): void;
}

/**
 * Wrap a `text/event-stream` body into an {@link ImageStream} of its JSON events; `[DONE]` or the end
 * of the body ends it. `controller` aborts the request; the stream's `abort()` aborts it and cancels
 * the body: when the stream ends, on `abort()`, by the idle timer and (the caller calls `abort()` from the call's one
 * listener) by `userSignal`, whose reason an abort error carries. `fail` makes the error for a payload (scrubbed of secrets); `settle` is called once the stream has ended.
 *
 * Bytes are decoded by the shared {@link SseDecoder} (LF, CRLF or bare-CR line ends; linear in the input).
 */
export function eventStream<T>(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  idleTimeout: number,
  fail: (payload: unknown, prefix?: string) => APIError,
  userSignal?: AbortSignal,
  settle?: () => void,
): ImageStream<T> {
  const reader = body.getReader();
  // Cancelling the reader ends a pending read even with a fetch that ignores the signal (a cancelled reader reads `done`).
  const abort = () => {
    controller.abort();
    void reader.cancel().catch(() => {});
  };
  let idle: true | undefined;

  async function* events(): AsyncGenerator<T, void, undefined> {
    const decoder = new SseDecoder();
    let count = 0;
    try {
      for (let done: boolean | undefined; !done; ) {
        // Runs only while waiting for bytes, not while the consumer handles an event; 0 disables it.
        const timer = after(idleTimeout, () => {
          idle = true;
          abort();
        });
        const chunk: ReadableStreamReadResult<Uint8Array> | { cause: unknown } = await reader.read().catch((cause: unknown) => ({ cause }));
        clearTimeout(timer);
        if (controller.signal.aborted)
          throw idle
            ? new StreamIdleTimeoutError(`No data received for ${idleTimeout} ms.`)
            : new APIUserAbortError('Request was aborted.', userSignal?.reason);
        if ('cause' in chunk) throw new APIConnectionError('Connection lost mid-response.', chunk.cause);
        done = chunk.done;
        for (const { event, data } of done ? decoder.end() : decoder.push(chunk.value as Uint8Array)) {
          if (data === DONE) return;
          let payload: unknown;
          try {
            payload = JSON.parse(data);
          } catch {
            throw fail(data, 'Invalid JSON in stream event:');
          }
          if (event === 'error' || (payload as { error?: unknown } | null)?.error != null) throw fail(payload);
          count++;
          yield payload as T;
        }
      }
      // An images stream always ends with a completed event: a body without any event is a failed response.
      if (!count) throw fail('', 'The stream ended without any event.');
    } finally {
      abort();
      settle?.();
    }
  }

  return Object.assign(events(), { abort });
}

/** Options of {@link collectImages}. */
export interface CollectImagesOptions<E extends ImageStreamEvent> {
  /** Write every partial and final image into this directory (created if needed). Node only: `node:fs/promises` is imported only then. */
  outputDir?: string;
  /** File name prefix; default `image` (`image-partial-0.png`, …, `image-1.png`). */
  prefix?: string;
  /** Called for each event as it arrives, before it is written. */
  onEvent?(event: E): void;
}

/** What {@link collectImages} gathered. */
export interface CollectedImages<E extends ImageStreamEvent> {
  /** The completed events (one per final image) with `b64_json`, format and usage. */
  images: Array<Exclude<E, { partial_image_index: number }>>;
  /** How many partial images arrived. */
  partialCount: number;
  /** Paths written, in order, when `outputDir` was given. */
  files: string[];
}

/**
 * Consume an image stream and return its final image(s); optionally write each partial and final
 * image to disk as it arrives. Errors of the stream propagate (files already written stay).
 */
export async function collectImages<E extends ImageStreamEvent>(
  stream: AsyncIterable<E>,
  options: CollectImagesOptions<E> = {},
): Promise<CollectedImages<E>> {
  const { outputDir, prefix = 'image', onEvent } = options;
  type FS = {
    mkdir(path: string, options: { recursive: true }): Promise<unknown>;
    writeFile(path: string, data: string, encoding: 'base64'): Promise<void>;
  };
  const fs = outputDir === undefined ? undefined : await importNode<FS>('node:fs/promises');
  await fs?.mkdir(outputDir as string, { recursive: true });
  const result: CollectedImages<E> = { images: [], partialCount: 0, files: [] };
  for await (const event of stream) {
    onEvent?.(event);
    const partial = 'partial_image_index' in event;
    let name: string;
    if (partial) name = `partial-${result.partialCount++}`;
    else name = String(result.images.push(event as Exclude<E, { partial_image_index: number }>));
    if (fs) {
      const file = `${outputDir}/${prefix}-${name}.${extensionFor(`image/${event.output_format}`)}`;
      await fs.writeFile(file, event.b64_json, 'base64');
      result.files.push(file);
    }
  }
  return result;
}
