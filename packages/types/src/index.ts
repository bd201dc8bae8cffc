// Named aliases over the generated types. Everything here is derived from the merged spec; nothing is re-declared.
import type { components, operations, paths } from './generated/openapi.gen.js';

export type { components, operations, paths };

type Schemas = components['schemas'];

export type CreateImageRequest = Schemas['CreateImageRequest'];
export type CreateImageEditRequest = Schemas['CreateImageEditRequest'];
export type EditImageBodyJsonParam = Schemas['EditImageBodyJsonParam'];
export type ImageRefParam = Schemas['ImageRefParam'];
export type CreateImageVariationRequest = Schemas['CreateImageVariationRequest'];

export type ImagesResponse = Schemas['ImagesResponse'];
export type Image = Schemas['Image'];
export type ImageGenUsage = Schemas['ImageGenUsage'];
export type ImagesUsage = Schemas['ImagesUsage'];

export type ImageGenStreamEvent = Schemas['ImageGenStreamEvent'];
export type ImageGenPartialImageEvent = Schemas['ImageGenPartialImageEvent'];
export type ImageGenCompletedEvent = Schemas['ImageGenCompletedEvent'];
export type ImageEditStreamEvent = Schemas['ImageEditStreamEvent'];
export type ImageEditPartialImageEvent = Schemas['ImageEditPartialImageEvent'];
export type ImageEditCompletedEvent = Schemas['ImageEditCompletedEvent'];
/** Any event of an image stream, generate or edit. */
export type ImageStreamEvent = ImageGenStreamEvent | ImageEditStreamEvent;
/** The SSE event names (the `type` of each stream event). */
export type ImageStreamEventType = ImageStreamEvent['type'];

export type ErrorResponse = Schemas['ErrorResponse'];
export type ApiErrorObject = Schemas['Error'];

/** A model name: the values the spec knows autocomplete, and any other string is accepted too. */
export type ImageModel = NonNullable<CreateImageRequest['model'] | CreateImageEditRequest['model']>;

/** Runtime values read from the merged spec at build time: limits, stream event names, operation paths. */
export { editImageMaxItems, jsonEditImagesMaxItems, partialImagesMax, promptMaxLength, spec } from './generated/constants.gen.js';
