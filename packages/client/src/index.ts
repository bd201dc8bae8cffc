export type { ImageEditStreamEvent, ImageGenStreamEvent, ImageStreamEvent, ImagesResponse } from '@imagegen/types';
export {
  type ClientOptions,
  createImagesClient,
  type ImageMethod,
  type ImageParams,
  type ImagesClient,
  type ImagesResource,
  type RequestOptions,
  rawClient,
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
