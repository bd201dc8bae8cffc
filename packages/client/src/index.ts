// Every type of the spec (each schema by name, the stream events), without naming any: a schema the spec drops is gone
// from here too, and nothing in the client's own code breaks.
export type * from '@imagegen/types';
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
