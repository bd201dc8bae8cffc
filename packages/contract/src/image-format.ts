/** What the bytes of an image say about themselves. */
export interface ImageInfo {
  /** As the Images API names output formats: `png`, `jpeg`, `webp`, `gif`, `svg`. */
  format: string;
  /** Pixel size when the header states it (SVG: its width/height attributes or viewBox). */
  width?: number;
  height?: number;
}

/**
 * Identifies an image by its magic bytes and reads its dimensions from the header: PNG (IHDR),
 * JPEG (first SOFn marker), WebP (VP8, VP8L, VP8X), GIF (logical screen) and SVG (an `<svg` root).
 * Returns undefined for anything else, so "not an image" is `=== undefined`.
 */
export function inspectImage(bytes: Uint8Array): ImageInfo | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (from: number, length: number) => String.fromCharCode(...bytes.subarray(from, from + length));
  if (bytes.length >= 24 && ascii(0, 8) === '\x89PNG\r\n\x1a\n') {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { format: 'jpeg', ...jpegSize(bytes, view) };
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return { format: 'webp', ...webpSize(bytes, view, ascii) };
  if (bytes.length >= 10 && /^GIF8[79]a$/.test(ascii(0, 6))) {
    return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  const svg = /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<svg\b([^>]*)>/i.exec(head.replace(/^\uFEFF/, ''));
  if (svg) return { format: 'svg', ...svgSize(svg[1] ?? '') };
  return undefined;
}

function jpegSize(bytes: Uint8Array, view: DataView): { width?: number; height?: number } {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return {};
    const marker = bytes[at + 1] ?? 0;
    // SOF0…SOF15 except DHT (c4), JPG (c8) and DAC (cc) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return {};
}

function webpSize(bytes: Uint8Array, view: DataView, ascii: (from: number, length: number) => string): { width?: number; height?: number } {
  const chunk = ascii(12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30)
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const u24 = (at: number) => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  return {};
}

function svgSize(attributes: string): { width?: number; height?: number } {
  const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']\\s*([\\d.]+)(?:px)?\\s*["']`).exec(attributes)?.[1];
  const width = attr('width');
  const height = attr('height');
  if (width && height) return { width: Number(width), height: Number(height) };
  const box = /\bviewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*["']/.exec(attributes);
  return box ? { width: Number(box[1]), height: Number(box[2]) } : {};
}

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
