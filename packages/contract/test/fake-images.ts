// Header-only images: the magic bytes and the dimensions of each output format, nothing else. What
// the suite's semantic checks read, at a few dozen bytes whatever the size.

function u32be(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

const ENCODERS: Record<string, (width: number, height: number) => Uint8Array> = {
  png: (w, h) =>
    new Uint8Array([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      0,
      0,
      0,
      13,
      0x49,
      0x48,
      0x44,
      0x52,
      ...u32be(w),
      ...u32be(h),
      8,
      6,
      0,
      0,
      0,
    ]),
  jpeg: (w, h) =>
    new Uint8Array([
      0xff,
      0xd8,
      0xff,
      0xe0,
      0,
      16,
      0x4a,
      0x46,
      0x49,
      0x46,
      0,
      1,
      1,
      0,
      0,
      1,
      0,
      1,
      0,
      0,
      0xff,
      0xc0,
      0,
      17,
      8,
      h >> 8,
      h & 255,
      w >> 8,
      w & 255,
      3,
      0xff,
      0xd9,
    ]),
  webp: (w, h) => {
    const u24 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];
    return new Uint8Array([
      ...Buffer.from('RIFF'),
      22,
      0,
      0,
      0,
      ...Buffer.from('WEBPVP8X'),
      10,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...u24(w - 1),
      ...u24(h - 1),
    ]);
  },
  gif: (w, h) => new Uint8Array([...Buffer.from('GIF89a'), w & 255, w >> 8, h & 255, h >> 8, 0, 0, 0, 0x3b]),
  svg: (w, h) => new Uint8Array(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"></svg>`)),
};

/** A header-only image of `format`; an unknown format gets PNG bytes. */
export function fakeImage(format: string, width: number, height: number): Uint8Array {
  return (ENCODERS[format] ?? ENCODERS.png ?? (() => new Uint8Array()))(width, height);
}

/** The formats this helper can write. */
export const FAKE_FORMATS = Object.keys(ENCODERS);
