import type { ImageStreamEvent } from '@imagegen/types';
import { APIConnectionError, APIUserAbortError, errorFromBody, StreamIdleTimeoutError } from './errors.js';
import { extensionFor } from './mime.js';
import { importNode } from './node-fs.js';
import { createSSEDecoder } from './sse.js';

/**
 * The events of a streamed generation or edit, in arrival order. Iterate it once with
 * `for await`; leaving the loop early (break, return, throw) aborts the request. Throws
 * `APIStreamError` for an `error` event, `StreamIdleTimeoutError` when no bytes arrive for
 * `streamIdleTimeout` ms, `APIConnectionError` when the connection drops, and `APIUserAbortError`
 * when the request's signal fires or `abort()` is called. A clean end of the body ends the loop.
 */
export interface ImageStream<T> extends AsyncGenerator<T, void, undefined> {
  /** Stop reading and close the connection; a pending or later read throws `APIUserAbortError`. */
  abort(): void;
}

/**
 * Wrap a `text/event-stream` body into an {@link ImageStream} of its JSON events; `[DONE]` or the end
 * of the body ends it. `controller` aborts the request; it is aborted when the stream ends, by
 * `abort()`, by the idle timer and by `userSignal`. `scrub` removes secrets from error payloads.
 */
export function eventStream<T>(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  idleTimeout: number,
  headers: Headers,
  scrub: (payload: unknown) => unknown,
  userSignal?: AbortSignal,
): ImageStream<T> {
  const { signal } = controller;
  const reader = body.getReader();
  const abort = () => controller.abort();
  let idle = false;
  userSignal?.addEventListener('abort', abort);
  // Ends a pending read even with a fetch that ignores the signal (a cancelled reader reads `done`).
  signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
  const stopped = () => {
    if (signal.aborted)
      throw idle
        ? new StreamIdleTimeoutError(`No data received for ${idleTimeout} ms.`)
        : new APIUserAbortError('Request was aborted.', userSignal?.reason);
  };

  async function* events(): AsyncGenerator<T, void, undefined> {
    const decode = createSSEDecoder();
    try {
      for (let done = false; !done; ) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        // Runs only while waiting for bytes, not while the consumer handles an event; 0 disables it (a 24-day timer).
        const timer = setTimeout(
          () => {
            idle = true;
            abort();
          },
          Math.min(idleTimeout || 2 ** 31 - 1, 2 ** 31 - 1),
        );
        try {
          chunk = await reader.read();
        } catch (cause) {
          stopped();
          throw new APIConnectionError('Connection lost mid-response.', cause);
        } finally {
          clearTimeout(timer);
        }
        stopped();
        done = chunk.done;
        for (const { event, data } of decode(chunk.value)) {
          if (data === '[DONE]') return;
          let payload: unknown;
          try {
            payload = JSON.parse(data);
          } catch {
            throw errorFromBody(undefined, scrub(data), headers);
          }
          if (event === 'error' || (payload as { error?: unknown } | null)?.error != null)
            throw errorFromBody(undefined, scrub(payload), headers);
          yield payload as T;
        }
      }
    } finally {
      abort();
      userSignal?.removeEventListener('abort', abort);
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
