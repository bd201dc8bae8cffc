import { describe, expect, it } from 'vitest';
import { extensionFor, sniffImageType } from './mime.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('sniffImageType', () => {
  it('recognises PNG, JPEG and WebP by their magic bytes', () => {
    expect(sniffImageType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13))).toBe('image/png');
    expect(sniffImageType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
  });
  it('returns undefined for anything else', () => {
    expect(sniffImageType(new TextEncoder().encode('GIF89a....'))).toBeUndefined();
    expect(sniffImageType(new TextEncoder().encode('RIFF\x10\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImageType(new TextEncoder().encode('<html>'))).toBeUndefined();
    expect(sniffImageType(bytes())).toBeUndefined();
  });
});

describe('extensionFor', () => {
  it('maps MIME types to file extensions', () => {
    expect(extensionFor('image/png')).toBe('png');
    expect(extensionFor('image/jpeg')).toBe('jpg');
    expect(extensionFor('image/webp')).toBe('webp');
    expect(extensionFor('image/gif; x=1')).toBe('gif');
    expect(extensionFor('')).toBe('bin');
  });
});
