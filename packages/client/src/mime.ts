/** How many leading bytes {@link sniffImageType} looks at. */
export const SNIFF_BYTES = 12;

/**
 * The image MIME type announced by a file's magic bytes: PNG, JPEG or WebP (the formats the
 * Images API accepts), else `undefined`. Pass at least the first {@link SNIFF_BYTES} bytes.
 */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, SNIFF_BYTES));
  if (head.startsWith('\x89PNG\r\n\x1a\n')) return 'image/png';
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg';
  return /^RIFF.{4}WEBP/s.test(head) ? 'image/webp' : undefined;
}

/** A file extension for a MIME type: `png`, `jpg`, `webp`, else the subtype, else `bin`. */
export function extensionFor(type: string): string {
  const sub = /\/([\w.+-]+)/.exec(type)?.[1];
  return sub === 'jpeg' ? 'jpg' : (sub ?? 'bin');
}
