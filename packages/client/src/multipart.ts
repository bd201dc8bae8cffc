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

/**
 * The multipart body of a request, in the body's key order (lists checked by the caller). Objects are files
 * (every other field of the spec's multipart bodies is a string, number or boolean, sent as text); an array of
 * several becomes repeated `key[]` parts in array order, one file (or a one-element array) a plain `key` part.
 * `null` and `undefined` fields are left out. Each attempt of a request sends the same `FormData`: fetch
 * encodes it anew every time, re-reading the Blobs (so files from disk stay on disk).
 */
export async function toFormData(body: object): Promise<FormData> {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) {
    if (value == null) continue;
    if (typeof value !== 'object') {
      form.append(key, String(value));
      continue;
    }
    const list: Uploadable[] = [value].flat();
    const many = list.length > 1;
    for (let i = 0; i < list.length; i++)
      form.append(
        ...(await prepareFile(list[i] as Uploadable, many ? `${key}[]` : key, many ? `${key}[${i}]` : key, many ? `${key}-${i + 1}` : key)),
      );
  }
  return form;
}
