import { imageInfo } from '@imagegen/mock';
import { describe, expect, it } from 'vitest';
import { canStream, encodeBody, exampleCases, isFilePart, parseSize, VOCABULARY } from './cases.js';
import { type JsonObject, loadSpec, Spec } from './spec.js';

const spec = loadSpec();

describe('requests derived from the spec', () => {
  it('every request example of every operation and media type is a case named after it', () => {
    for (const op of spec.operations.values()) {
      const labels = exampleCases(spec, op).map((c) => c.label);
      for (const [mediaType, media] of op.requestContent)
        for (const example of media.namedExamples) expect(labels).toContain(`${mediaType} example "${example.name}"`);
    }
  });

  it('a new example in the spec is a new case, with no other edit', () => {
    const doc = structuredClone(spec.doc);
    const op = [...spec.operations.values()][0];
    const [mediaType, media] = [...(op?.requestContent ?? [])][0] ?? [];
    if (!op || !mediaType || !media) throw new Error('expected a request body');
    const content = ((doc.paths as JsonObject)[op.path] as JsonObject)[op.method.toLowerCase()] as JsonObject;
    const examples = (((content.requestBody as JsonObject).content as JsonObject)[mediaType] as JsonObject).examples as JsonObject;
    examples.added_by_a_test = { value: media.namedExamples[0]?.value };
    const edited = new Spec(spec.file, doc);
    const editedOp = edited.operations.get(op.operationId);
    if (!editedOp) throw new Error('operation lost');
    expect(exampleCases(edited, editedOp).map((c) => c.label)).toContain(`${mediaType} example "added_by_a_test"`);
  });

  it('each media type that can stream is sent streaming too', () => {
    for (const op of spec.operations.values()) {
      const cases = exampleCases(spec, op);
      for (const mediaType of op.requestContent.keys()) {
        const streams = cases.filter((c) => c.mediaType === mediaType && c.stream);
        expect(streams.length > 0, `${op.operationId} ${mediaType}`).toBe(canStream(spec, op, mediaType));
      }
    }
  });

  it('upload fields become real images of the requested size, sent as file parts', () => {
    const uploads = [...spec.operations.values()]
      .flatMap((op) => exampleCases(spec, op))
      .filter((c) => Object.values(c.fields).some((v) => isFilePart(v) || (Array.isArray(v) && v.some(isFilePart))));
    expect(uploads.length).toBeGreaterThan(0);
    for (const request of uploads) {
      const size = parseSize(request.fields[VOCABULARY.size]);
      for (const value of Object.values(request.fields).flat()) {
        if (!isFilePart(value)) continue;
        const info = imageInfo(value.file);
        expect(info && `image/${info.format}`).toBe(value.contentType);
        if (size) expect([info?.width, info?.height]).toEqual([size.width, size.height]);
      }
      const { body } = encodeBody(request);
      expect(body).toBeInstanceOf(FormData);
    }
  });
});
