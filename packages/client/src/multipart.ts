import { ValidationError } from './errors.js';
import { extensionFor, SNIFF_BYTES, sniffImageType } from './mime.js';

/**
 * A file to upload: a `File` or `Blob` (including the path-backed file from `fromPath`), or raw
 * bytes (`Uint8Array`, Node `Buffer`, `ArrayBuffer`). Without a type (or with
 * `application/octet-stream`) the type is detected from the magic bytes; without a name one is
 * made up (`image.png`, `mask.png`, …).
 */
export type Uploadable = Blob | Uint8Array | ArrayBuffer;

/**
 * Turn an upload into a typed Blob and a file name without reading it (only its first bytes when
 * the type must be detected, so path-backed files stay on disk). `label` names the field in error
 * messages. Throws `ValidationError` for bytes that are not PNG, JPEG or WebP when no type was
 * given (a string, such as a path, is such bytes: use `fromPath`).
 */
export async function prepareFile(input: Uploadable, label: string, baseName: string): Promise<[Blob, string]> {
  let blob = input instanceof Blob ? input : new Blob([input as BlobPart]);
  let type = blob.type;
  if (!type || type === 'application/octet-stream') {
    const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
    type = sniffImageType(head) ?? '';
    if (!type)
      throw new ValidationError(
        label,
        `is not a PNG, JPEG or WebP image (starts with ${JSON.stringify(String.fromCharCode(...head))}); give it a type`,
      );
    blob = blob.slice(0, blob.size, type);
  }
  return [blob, (input as File).name || `${baseName}.${extensionFor(type)}`];
}

/**
 * The multipart body of a request, in the body's key order (lists checked by the caller). The `files` fields are prepared once;
 * an array of several files becomes repeated `key[]` parts in array order, one file (or a
 * one-element array) a plain `key` part. Other values are sent as text; `null` and `undefined`
 * fields are left out. Each attempt of a request sends the same `FormData`: fetch encodes it anew
 * every time, re-reading the Blobs (so files from disk stay on disk).
 */
export async function toFormData(body: object, files: string[]): Promise<FormData> {
  const parts: Array<[string, string] | Promise<[string, Blob, string]>> = [];
  for (const [key, value] of Object.entries(body)) {
    if (value == null) continue;
    if (!files.includes(key)) {
      parts.push([key, String(value)]);
      continue;
    }
    const list: Uploadable[] = [value].flat();
    const many = list.length > 1;
    list.forEach((item, i) => {
      parts.push(
        prepareFile(item, many ? `${key}[${i}]` : key, many ? `${key}-${i + 1}` : key).then((file) => [many ? `${key}[]` : key, ...file]),
      );
    });
  }
  const form = new FormData();
  for (const [key, value, name] of await Promise.all(parts)) {
    if (name) form.append(key, value as Blob, name);
    else form.append(key, value);
  }
  return form;
}
