import { OpenAIError } from './errors.js';

/**
 * Import a Node built-in only when it is needed. The specifier is not a literal, so bundlers for the
 * browser leave the call alone and the package stays browser-safe.
 */
export function importNode<T>(id: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ id) as Promise<T>;
}

/** The files made by {@link fromPath} (and uploads made from them): read from disk as they are sent. */
export const diskFiles = new WeakSet<object>();

/** Options of {@link fromPath}. */
export interface FromPathOptions {
  /** MIME type; detected from the magic bytes at upload time when omitted. */
  type?: string;
  /** File name sent in the multipart part; defaults to the path's base name. */
  name?: string;
}

/**
 * A `File` backed by a file on disk (Node `fs.openAsBlob`): uploads stream it from disk instead of
 * reading it into memory, and retries can re-read it. Node only (≥ 19.8); rejects with `OpenAIError`
 * naming the path if it is not a readable regular file (a directory, a missing or unreadable file).
 * The file must not change until the upload is done (if it does, the upload fails with `OpenAIError`).
 */
export async function fromPath(path: string, options: FromPathOptions = {}): Promise<File> {
  const fs = await importNode<{
    openAsBlob(path: string, options: { type?: string }): Promise<Blob>;
    promises: { stat(path: string): Promise<{ isFile(): boolean }>; access(path: string, mode: number): Promise<void> };
    constants: { R_OK: number };
  }>('node:fs');
  let blob: Blob;
  try {
    // openAsBlob accepts a directory (and an unreadable file): it would fail only when the upload reads it.
    if (!(await fs.promises.stat(path)).isFile()) throw new Error('not a regular file');
    await fs.promises.access(path, fs.constants.R_OK);
    blob = await fs.openAsBlob(path, options.type ? { type: options.type } : {});
  } catch (cause) {
    throw new OpenAIError(`fromPath: cannot open ${JSON.stringify(path)} (${(cause as Error).message})`, cause);
  }
  const file = new File([blob], options.name ?? path.split(/[\\/]/).pop() ?? 'file', { type: blob.type });
  diskFiles.add(file);
  return file;
}
