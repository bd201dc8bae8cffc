import type { ClientOperation } from '@imagegen/types';
import { OpenAIError, ValidationError } from './errors.js';
import { extensionFor, SNIFF_BYTES, sniffImageType } from './mime.js';

/**
 * A file to upload: a `File` or `Blob` (including the path-backed file from `fromPath`), or raw
 * bytes (`Uint8Array`, Node `Buffer`, `ArrayBuffer`). Without a type (or with
 * `application/octet-stream`) the type is detected from the magic bytes; without a name one is
 * made up (`image.png`, `mask.png`, …).
 */
export type Uploadable = Blob | Uint8Array | ArrayBuffer;

/**
 * Turn an upload into the arguments of `FormData#append` (`key`, a typed Blob, a file name) without reading
 * it: only its first bytes, to detect the type when none was given, and to find out now, naming the field,
 * whether a file from `fromPath` changed or went away since (Node 24's fetch crashes the process on such a
 * file instead of failing). `label` names the field in error messages. Throws `ValidationError` for bytes
 * that are not PNG, JPEG or WebP when no type was given (a string, such as a path, is such bytes: use
 * `fromPath`), `OpenAIError` for a file that cannot be read.
 */
export async function prepareFile(input: Uploadable, key: string, label: string, baseName: string): Promise<[string, Blob, string]> {
  let blob = input instanceof Blob ? input : new Blob([input as BlobPart]);
  let type = blob.type;
  let head: Uint8Array;
  try {
    head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
  } catch (cause) {
    throw new OpenAIError(`Upload failed: ${label} changed after fromPath.`, cause);
  }
  if (!type || type === 'application/octet-stream') {
    type = sniffImageType(head) ?? '';
    if (!type)
      throw new ValidationError(
        label,
        `is not a PNG, JPEG or WebP image (starts with ${JSON.stringify(String.fromCharCode(...head))}); give it a type`,
      );
    blob = blob.slice(0, blob.size, type);
  }
  return [key, blob, (input as File).name || `${baseName}.${extensionFor(type)}`];
}

/** How each non-text multipart property is sent, from the spec's operation table. */
export type FieldEncodings = NonNullable<ClientOperation['bodies'][number]['fields']>;

/** `name[key]` text parts for an object, `name[a][b]` for nested ones, repeated `name[]` for arrays. */
function appendDeep(form: FormData, key: string, value: unknown): void {
  if (value == null) return;
  if (Array.isArray(value)) for (const item of value) appendDeep(form, `${key}[]`, item);
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) appendDeep(form, `${key}[${k}]`, v);
  else form.append(key, String(value));
}

/**
 * The multipart body of a request, in the body's key order (lists checked by the caller), each property encoded as
 * the spec says (`fields`): a file list of several becomes repeated `key[]` parts in array order, one file (or a
 * one-element list) a plain `key` part; a `deepObject` object `key[prop]` parts; an array of scalars repeated `key[]`
 * parts; any other object one JSON part; strings, numbers and booleans text. `null` and `undefined` are left out.
 * Each attempt of a request sends the same `FormData`: fetch encodes it anew every time, re-reading the Blobs (so
 * files from disk stay on disk).
 */
export async function toFormData(body: object, fields: FieldEncodings = {}): Promise<FormData> {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) {
    if (value == null) continue;
    const kind = fields[key];
    if (kind === 'file' || kind === 'files') {
      const list: Uploadable[] = [value].flat();
      const many = list.length > 1;
      for (let i = 0; i < list.length; i++)
        form.append(
          ...(await prepareFile(
            list[i] as Uploadable,
            many ? `${key}[]` : key,
            many ? `${key}[${i}]` : key,
            many ? `${key}-${i + 1}` : key,
          )),
        );
    } else if (kind === 'object' || kind === 'array') appendDeep(form, key, value);
    else form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}
