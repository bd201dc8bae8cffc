// Named aliases over the generated types. Everything here is derived from the merged spec; nothing is re-declared.
import type { components, operations, paths } from './generated/openapi.gen.js';
import type { OperationId, OperationTypes } from './generated/operations.gen.js';

export type { ClientOperation, OperationId, OperationMethods, OperationTypes } from './generated/operations.gen.js';
/** The operation table: per operation its method name, path, HTTP method, deprecation, request media types and encodings, streaming and event names. */
export { clientOperations, operationTable } from './generated/operations.gen.js';
/** One alias per component schema (`CreateImageRequest`, `ImagesResponse`, …). */
export type * from './generated/schemas.gen.js';
export type { components, operations, paths };

/** The API's error object (the spec's `Error` schema, renamed so it does not shadow the global `Error`). */
export type ApiErrorObject = components['schemas']['Error'];

/** Any event of any operation that streams. */
export type ImageStreamEvent = OperationTypes[OperationId]['event'];
/** The SSE event names (the `type` of each stream event). */
export type ImageStreamEventType = ImageStreamEvent['type'];

/** A model name of any operation: the values the spec knows autocomplete, and any other string is accepted too. */
export type ImageModel = NonNullable<ModelOf<OperationTypes[OperationId]['params']>>;
type ModelOf<T> = T extends { model?: infer M } ? M : never;
