// @imagegen/spec/internal/load: for the imagegen packages (no semver promise). Every failure is a SpecError whose
// message is one line naming the file.
import type { OpenApiDocument } from './index.js';

/** Absolute path of the merged spec as JSON. */
export declare const jsonPath: string;
/** Absolute path of the merged spec as YAML (the same document). */
export declare const yamlPath: string;

/** A spec that cannot be read or followed: one line, `spec <file>: <what is wrong>`. */
export declare class SpecError extends Error {}

/** Reads and parses an OpenAPI 3.x JSON document (default: the merged spec); a JSON error names its line and column. */
export declare function readSpec(file?: string): OpenApiDocument;
/** {@link readSpec} from text; `file` labels the errors. */
export declare function parseSpec(text: string, file: string): OpenApiDocument;
/** `doc` when it is an OpenAPI 3.x document with `paths`, else a SpecError. */
export declare function checkSpec(doc: unknown, file: string): OpenApiDocument;

/** A key as a JSON pointer segment (`~` → `~0`, `/` → `~1`). */
export declare function escapePointer(key: string | number): string;
/** The node at a JSON pointer (`''` is the document, `/paths/~1images~1generations/post` a node in it), or undefined. */
export declare function pointerGet(doc: unknown, pointer: string): unknown;
/**
 * Follows local `$ref`s from the node at `pointer` (at most 32 hops) to a node without one; returns it and its pointer.
 * A node missing at `pointer` itself is `undefined`; a `$ref` that is external, points nowhere or cycles is a SpecError.
 */
export declare function followRefs(doc: unknown, pointer: string, file?: string): { node: unknown; pointer: string };
/** {@link followRefs} from a node rather than a pointer: the node itself when it is no `$ref`. */
export declare function deref(doc: unknown, node: unknown, file?: string): unknown;
/** {@link deref} for readers that must not fail (older spec revisions, a best-effort example): undefined where it would throw. */
export declare function derefOrUndefined(doc: unknown, node: unknown): unknown;
