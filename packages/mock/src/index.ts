export { mulberry32 } from '@imagegen/spec/internal/random';
export { type ApiErrorBody, MockHttpError } from './errors.js';
export { FAULT_HEADER, FAULT_NAMES, type FaultPlan, type FaultSchedule, type FaultSpec, FaultSyntaxError, parseFaults } from './faults.js';
export { type ImageInfo, imageInfo } from './image-info.js';
export { ENCODERS, type EncodeOptions, type Rgba } from './images.js';
export { type MockOptions, type MockRequest, type MockServer, normalizedHash, startMock } from './server.js';
export { defaultSpecFile, SpecError } from './spec.js';
