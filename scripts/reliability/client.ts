// The client under test: the workspace source (no build needed), through the entry Node resolves (the `node` export
// condition), so the suite tests what Node users get.
export * from '../../packages/client/src/node.js';
