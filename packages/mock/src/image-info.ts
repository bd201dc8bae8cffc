export interface ImageInfo {
  /** The `output_format` spelling: `png`, `jpeg`, `webp`, `gif` or `svg`. */
  format: string;
  width: number;
  height: number;
}

/**
 * Format and dimensions of an image from its header bytes (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X, GIF screen,
 * SVG width/height attributes); `undefined` for anything else. For checking what an Images API answered.
 */
export function imageInfo(input: Uint8Array | string): ImageInfo | undefined {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'base64') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const ascii = (from: number, to: number) => bytes.toString('latin1', from, to);
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG' && ascii(12, 16) === 'IHDR')
    return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let i = 2; i + 9 < bytes.length; ) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1] as number;
      const length = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { format: 'jpeg', width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
      i += 2 + length;
    }
    return undefined;
  }
  if (bytes.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    const chunk = ascii(12, 16);
    if (chunk === 'VP8L' && bytes[20] === 0x2f) {
      const bits = bytes.readUInt32LE(21);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8 ') return { format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8X') return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    return undefined;
  }
  if (bytes.length >= 10 && (ascii(0, 6) === 'GIF89a' || ascii(0, 6) === 'GIF87a'))
    return { format: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  const text = ascii(0, Math.min(bytes.length, 4096));
  const svg = /<svg\b[^>]*>/.exec(text)?.[0];
  if (svg) {
    const width = Number(/\bwidth="(\d+)"/.exec(svg)?.[1]);
    const height = Number(/\bheight="(\d+)"/.exec(svg)?.[1]);
    if (width && height) return { format: 'svg', width, height };
  }
  return undefined;
}
