// The entry for Node (the `node` export condition): the same API, with requests sent through an undici
// dispatcher without undici's 300 s headers and body timeouts (see dispatcher.ts). Bundles for browsers
// and other runtimes resolve `index.ts` and leave that code out.
import { type ClientOptions, clientWith, type ImagesClient } from './client.js';
import { nodeDispatcher } from './dispatcher.js';

export * from './index.js';

/**
 * Create a client for the Images API. Throws `OpenAIError` without an API key, or in a browser
 * without `dangerouslyAllowBrowser`; `TypeError` (from `URL`) for a `baseURL` that is not a URL;
 * `ValidationError` for plain `http://` to a non-loopback host, or a header value (the key included) that
 * fetch would refuse (CR, LF, other control characters, characters above U+00FF). See {@link ClientOptions} for defaults.
 */
export function createImagesClient(options: ClientOptions = {}): ImagesClient {
  return clientWith(options, nodeDispatcher);
}
