// @imagegen/mock, the repo's one fake Images API, for the client's tests. Imported from its source, not as a
// dependency: the mock depends on this package (for its SSE codec), and a dependency back would be a cycle.
export { imageInfo, type MockRequest, type MockServer, startMock } from '../../mock/src/index.js';
