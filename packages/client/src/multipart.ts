import type { ClientOperation } from '@imagegen/types';
import { OpenAIError, ValidationError } from './errors.js';
import { extensionFor, SNIFF_BYTES, sniffImageType } from './mime.js';
import { diskFiles, importNode } from './node-fs.js';

/**
 * A file to upload: a `File` or `Blob` (including the path-backed file from `fromPath`), raw bytes (`Uint8Array`,
 * Node `Buffer`, `ArrayBuffer`), a fetch `Response` (read whole; the name from its URL), a Node `fs.ReadStream`
 * (uploaded from its path, like `fromPath`), or any other `Readable` or `AsyncIterable<Uint8Array>` (streamed as it
 * is read: such an upload is sent once, neither retried nor sent again after a redirect). Without a type (or with
 * `application/octet-stream`) the type is detected from the magic bytes; without a name one is made up (`image.png`,
 * `mask.png`, …). A string is refused: for a path, use `fromPath`.
 */
export type Uploadable = Blob | Uint8Array | ArrayBuffer | Response | AsyncIterable<Uint8Array>;

/**
 * An upload read from a stream as fetch sends it. Node's fetch (undici) encodes a `FormData` by calling each file's
 * `stream()` and sends a body without a `Content-Length` when a `size` is not a number; other fetch implementations
 * read a `File`'s own (here: no) bytes, so this is made only where `process.versions.undici` is set.
 */
export class StreamFile extends File {
  constructor(name: string, type: string, stream: () => ReadableStream<Uint8Array>) {
    super([], name, { type });
    // An own `stream` (what fetch calls to encode the part) over File's.
    Object.assign(this, { stream });
  }
  override get size(): number {
    return undefined as unknown as number;
  }
}

/** The first chunks of `iterable` (enough bytes to sniff a type, joined) and all its chunks, those included, read once. */
async function peek(iterable: AsyncIterable<Uint8Array>): Promise<[Uint8Array, AsyncIterable<Uint8Array>]> {
  const iterator = iterable[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let done: boolean | undefined;
  for (let length = 0; length < SNIFF_BYTES; ) {
    const next = await iterator.next();
    done = next.done;
    if (done) break;
    head.push(next.value);
    length += next.value.length;
  }
  async function* all() {
    yield* head;
    // Delegating passes a cancel on to the source (a Readable is destroyed).
    if (!done) yield* { [Symbol.asyncIterator]: () => iterator };
  }
  return [new Uint8Array(await new Blob(head as BlobPart[]).arrayBuffer()), all()];
}

/**
 * Turn an upload into the arguments of `FormData#append` (`key` and a named, typed `File`) without reading it: only
 * its first bytes, to detect the type when none was given, and to find out now, naming the field, whether a file from
 * `fromPath` changed or went away since (Node 24's fetch crashes the process on such a file instead of failing).
 * `label` names the field in error messages. Throws `ValidationError` for bytes that are not PNG, JPEG or WebP when no type was given; `OpenAIError` for a file that cannot be read.
 */
export async function prepareFile(input: Uploadable, key: string, label: string, baseName: string): Promise<[string, File]> {
  // A path given as a string would otherwise go out as a text field.
  if (typeof input === 'string')
    throw new ValidationError(label, `is a string (${JSON.stringify(input)}), not a file: pass await fromPath(path)`);
  const path = (input as { path?: unknown }).path;
  let name: string | undefined;
  if (typeof path === 'string' && Symbol.asyncIterator in input) {
    // An fs.ReadStream: uploaded from its path like fromPath (so a retry can read it again), the stream given closed.
    (input as { destroy?(): void }).destroy?.();
    input = await (await importNode<{ openAsBlob(path: string): Promise<Blob> }>('node:fs')).openAsBlob(path);
    diskFiles.add(input);
    name = path.split(/[\\/]/).pop();
  } else if (input instanceof Response) {
    name = decodeURIComponent(/[^/?#]+\.\w+(?=[?#]|$)/.exec(input.url)?.[0] ?? '');
    input = await input.blob();
  }
  name ??= (input as File).name;
  let blob = input instanceof Blob ? input : undefined;
  let type = blob?.type ?? '';
  let head: Uint8Array;
  let chunks: AsyncIterable<Uint8Array> | undefined;
  if (!blob && Symbol.asyncIterator in Object(input)) [head, chunks] = await peek(input as AsyncIterable<Uint8Array>);
  else {
    blob ??= new Blob([input as BlobPart]);
    try {
      head = new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer());
    } catch (cause) {
      throw new OpenAIError(`Upload failed: ${label} changed after fromPath.`, cause);
    }
  }
  if (!type || type === 'application/octet-stream') {
    type = sniffImageType(head) ?? '';
    if (!type)
      throw new ValidationError(
        label,
        `is not a PNG, JPEG or WebP image (starts with ${JSON.stringify(String.fromCharCode(...head))}); give it a type`,
      );
  }
  name ||= `${baseName}.${extensionFor(type)}`;
  if (blob) {
    const file = new File([blob], name, { type });
    if (diskFiles.has(blob)) diskFiles.add(file);
    return [key, file];
  }
  const all = chunks as AsyncIterable<Uint8Array>;
  if ((globalThis as { process?: { versions?: { undici?: string } } }).process?.versions?.undici)
    return [
      key,
      new StreamFile(name, type, () =>
        (ReadableStream as unknown as { from(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> }).from(all),
      ),
    ];
  // Elsewhere, read it whole.
  const parts: Uint8Array[] = [];
  for await (const chunk of all) parts.push(chunk);
  return [key, new File(parts as BlobPart[], name, { type })];
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
