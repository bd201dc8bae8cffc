// Reading images (format, dimensions) is @imagegen/mock's `imageInfo`; these are the two small parsers around it.

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (padding optional, no whitespace or URL alphabet): the bytes, or undefined. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || !BASE64.test(text) || text.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** A fixed `WIDTHxHEIGHT` size, or undefined for `auto` and anything else. */
export function parseSize(size: unknown): { width: number; height: number } | undefined {
  if (typeof size !== 'string') return undefined;
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}
