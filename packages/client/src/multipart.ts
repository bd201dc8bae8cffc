import { ValidationError } from './errors.js';
import { extensionFor, SNIFF_BYTES, sniffImageType } from './mime.js';

/**
 * A file to upload: a `File` or `Blob` (including the path-backed file from `fromPath`), or raw
 * bytes (`Uint8Array`, Node `Buffer`, `ArrayBuffer`). Without a type (or with
 * `application/octet-stream`) the type is detected from the magic bytes; without a name one is
 * made up (`image.png`, `mask.png`, …).
 */
export type Uploadable = Blob | Uint8Array | ArrayBuffer;

/** A multipart part ready to append: text, or a typed Blob and its file name. */
export type Part = string | [Blob, string];

/**
 * Turn an upload into a typed Blob and a file name without reading it (only its first bytes when
 * the type must be detected, so path-backed files stay on disk). `label` names the field in error
 * messages. Throws `ValidationError` for a string (a path: use `fromPath`) or for bytes that are
 * not PNG, JPEG or WebP when no type was given.
 */
export async function prepareFile(input: Uploadable, label: string, baseName: string): Promise<[Blob, string]> {
  if (typeof input !== 'object' || input === null)
    throw new ValidationError(
      label,
      `must be a File, Blob, Uint8Array or ArrayBuffer, got ${JSON.stringify(input)}; use fromPath() for a file on disk`,
    );
  let blob = input instanceof Blob ? input : new Blob([input as BlobPart]);
  let type = blob.type;
  if (!type || type === 'application/octet-stream') {
    const head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
    type = sniffImageType(head) ?? '';
    if (!type)
      throw new ValidationError(
        label,
        `is not a PNG, JPEG or WebP image (starts with ${JSON.stringify(String.fromCharCode(...head))}); give it a type to send it anyway`,
      );
    blob = blob.slice(0, blob.size, type);
  }
  return [blob, (input as File).name || `${baseName}.${extensionFor(type)}`];
}

/**
 * The multipart parts of a request body, in the body's key order. The `files` fields are prepared
 * once (a retry re-sends the same Blobs); an array of several files becomes repeated `key[]` parts
 * in array order, one file (or a one-element array) a plain `key` part. Other values are sent as
 * text; `null` and `undefined` fields are left out.
 */
export async function prepareParts(body: object, files: string[]): Promise<Array<[string, Part]>> {
  const parts: Array<[string, Part] | Promise<[string, Part]>> = [];
  for (const [key, value] of Object.entries(body)) {
    if (value == null) continue;
    if (!files.includes(key)) {
      parts.push([key, String(value)]);
      continue;
    }
    const list: Uploadable[] = Array.isArray(value) ? value : [value];
    if (!list.length) throw new ValidationError(key, 'is an empty list');
    const many = list.length > 1;
    list.forEach((item, i) => {
      parts.push(
        prepareFile(item, many ? `${key}[${i}]` : key, many ? `${key}-${i + 1}` : key).then((file) => [many ? `${key}[]` : key, file]),
      );
    });
  }
  return Promise.all(parts);
}

/** A fresh `FormData` for one attempt (a body stream can be read only once; the Blobs can be re-read). */
export function toFormData(parts: Array<[string, Part]>): FormData {
  const form = new FormData();
  for (const [key, part] of parts) {
    if (typeof part === 'string') form.append(key, part);
    else form.append(key, ...part);
  }
  return form;
}
