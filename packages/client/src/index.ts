// The spec's own types (every schema by name, each operation's events) are in @imagegen/types. Only the two that no
// single operation owns are re-exported here, so a schema the spec drops cannot break the client's own code.
// (`export type *` would carry them all, but tsdown's declaration bundler then emits a broken `__exportAll`.)
export type { ImageStreamEvent, ImagesResponse } from '@imagegen/types';
export {
  type Call,
  type ClientOptions,
  createImagesClient,
  type ImageMethod,
  type ImageParams,
  type ImagesClient,
  type ImagesResource,
  type RequestOptions,
  rawClient,
  type StreamingCall,
  type WithUploads,
} from './client.js';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIStreamError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  OpenAIError,
  PermissionDeniedError,
  RateLimitError,
  StreamIdleTimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from './errors.js';
export type { Logger, LogLevel } from './log.js';
export { sniffImageType } from './mime.js';
export type { Uploadable } from './multipart.js';
export { type FromPathOptions, fromPath } from './node-fs.js';
export { getResponseMeta, type RateLimitInfo, type ResponseMeta, withResponse } from './response-meta.js';
export { type CollectedImages, type CollectImagesOptions, collectImages, type ImageStream } from './stream.js';
