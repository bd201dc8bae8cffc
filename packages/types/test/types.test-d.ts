// The published types agree with the operation table generated from the same spec (rendering rules are tested on
// a fixture spec in generate.test.ts, so nothing here restates the project's spec).
import { describe, expectTypeOf, test } from 'vitest';
import type { ImageStreamEventType, OperationId, OperationTypes, operationTable, paths } from '../src/index.js';

type Table = typeof operationTable;

describe('operation types', () => {
  test('one per operation of the table, and the paths are the table’s', () => {
    expectTypeOf<OperationId>().toEqualTypeOf<keyof Table>();
    expectTypeOf<keyof paths>().toEqualTypeOf<Table[keyof Table]['path']>();
  });
  test('method names, streaming and deprecation match the table', () => {
    expectTypeOf<{ [K in OperationId]: OperationTypes[K]['method'] }>().toEqualTypeOf<{ [K in OperationId]: Table[K]['method'] }>();
    expectTypeOf<{ [K in OperationId]: OperationTypes[K]['stream'] }>().toEqualTypeOf<{ [K in OperationId]: Table[K]['stream'] }>();
    expectTypeOf<{ [K in OperationId]: OperationTypes[K]['deprecated'] }>().toEqualTypeOf<{ [K in OperationId]: Table[K]['deprecated'] }>();
  });
  test('the stream event names are the table’s', () => {
    expectTypeOf<ImageStreamEventType>().toEqualTypeOf<Table[keyof Table]['events'][number]>();
  });
});
