// Tiny encoders for solid-colour images: each output is a real, decodable file of the requested size and format.
import { deflateSync } from 'node:zlib';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 255 = opaque; anything less asks for an alpha channel where the format has one. */
  a: number;
}

export interface EncodeOptions {
  width: number;
  height: number;
  color: Rgba;
  /** GIF only: the number of (identical) animation frames. */
  frames?: number;
  /** GIF only: the delay of each frame. */
  frameDurationMs?: number;
}

type Encoder = (o: EncodeOptions) => Buffer;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const encodePng: Encoder = ({ width, height, color }) => {
  const alpha = color.a < 255;
  const channels = alpha ? 4 : 3;
  const stride = 1 + width * channels;
  // Filter "Sub" on the first row and "Up" on the others turn a flat image into zeros, which deflate in no time.
  const raw = Buffer.alloc(stride * height);
  raw[0] = 1;
  raw.set(alpha ? [color.r, color.g, color.b, color.a] : [color.r, color.g, color.b], 1);
  for (let y = 1; y < height; y++) raw[y * stride] = 2;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = alpha ? 6 : 2; // RGBA : RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
};

/** MSB-first bit writer with JPEG byte stuffing (0xFF is followed by 0x00 in entropy-coded data). */
class JpegBits {
  readonly #chunks: Buffer[] = [];
  #bytes: number[] = [];
  #acc = 0;
  #n = 0;
  write(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#acc = (this.#acc << 1) | ((code >>> i) & 1);
      if (++this.#n === 8) this.#flushByte();
    }
  }
  /** `count` zero bits, written a byte at a time once aligned (zero bytes need no stuffing). */
  zeros(count: number): void {
    let left = count;
    while (left > 0 && this.#n !== 0) {
      this.write(0, 1);
      left--;
    }
    if (left >= 8) {
      this.#chunks.push(Buffer.from(this.#bytes), Buffer.alloc(left >> 3));
      this.#bytes = [];
      left &= 7;
    }
    this.write(0, left);
  }
  toBuffer(): Buffer {
    return Buffer.concat([...this.#chunks, Buffer.from(this.#bytes)]);
  }
  #flushByte(): void {
    this.#bytes.push(this.#acc);
    if (this.#acc === 0xff) this.#bytes.push(0);
    this.#acc = 0;
    this.#n = 0;
  }
  end(): void {
    while (this.#n !== 0) this.write(1, 1); // pad with 1 bits
  }
}

function jpegSegment(marker: number, data: number[]): number[] {
  const length = data.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...data];
}

/**
 * Baseline JPEG, YCbCr 4:4:4, quantisation 1: every 8×8 block holds only its DC term, so after the first block each is
 * coded as "DC difference 0, end of block". Two small Huffman tables of our own (DC categories 0–11; EOB) suffice.
 */
export const encodeJpeg: Encoder = ({ width, height, color }) => {
  const { r, g, b } = color;
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  // The DCT's DC coefficient of a flat 8×8 block of level-shifted value v is 8v.
  const dc = [y, cb, cr].map((v) => Math.round(8 * (v - 128)));
  // DC table: 12 symbols (categories 0–11), all 4-bit codes 0000…1011 (canonical order).
  const dcBits = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const dcSymbols = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  // AC table: EOB (0x00) and ZRL (0xF0), 2-bit codes 00 and 01.
  const acBits = [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const acSymbols = [0x00, 0xf0];
  const bits = new JpegBits();
  const category = (v: number) => (v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1);
  const writeDc = (diff: number) => {
    const cat = category(diff);
    bits.write(cat, 4);
    if (cat) bits.write(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
    bits.write(0b00, 2); // EOB
  };
  for (const value of dc) writeDc(value);
  // Every later block repeats its DC value: category 0 (0000) and EOB (00), 6 zero bits per component.
  bits.zeros((Math.ceil(width / 8) * Math.ceil(height / 8) - 1) * 3 * 6);
  bits.end();
  const quant = [0x00, ...new Array<number>(64).fill(1)];
  const sof = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0];
  const dht = [0x00, ...dcBits, ...dcSymbols, 0x10, ...acBits, ...acSymbols];
  const sos = [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0];
  const jfif = [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const header = Buffer.from([
    0xff,
    0xd8,
    ...jpegSegment(0xe0, jfif),
    ...jpegSegment(0xdb, quant),
    ...jpegSegment(0xc0, sof),
    ...jpegSegment(0xc4, dht),
    ...jpegSegment(0xda, sos),
  ]);
  return Buffer.concat([header, bits.toBuffer(), Buffer.from([0xff, 0xd9])]);
};

/** LSB-first bit writer (WebP lossless). */
class LsbBits {
  readonly bytes: number[] = [];
  #acc = 0;
  #n = 0;
  write(value: number, length: number): void {
    for (let i = 0; i < length; i++) {
      this.#acc |= ((value >>> i) & 1) << this.#n;
      if (++this.#n === 8) {
        this.bytes.push(this.#acc);
        this.#acc = 0;
        this.#n = 0;
      }
    }
  }
  end(): void {
    if (this.#n) this.bytes.push(this.#acc);
    this.#acc = 0;
    this.#n = 0;
  }
}

/**
 * Lossless WebP (VP8L) whose five prefix codes each hold a single symbol: a one-symbol code takes zero bits per
 * pixel, so the whole image is the header plus five "simple" codes.
 */
export const encodeWebp: Encoder = ({ width, height, color }) => {
  if (width > 16384 || height > 16384) throw new RangeError('WebP images are at most 16384 pixels a side');
  const bits = new LsbBits();
  bits.write(0x2f, 8); // VP8L signature
  bits.write(width - 1, 14);
  bits.write(height - 1, 14);
  bits.write(color.a < 255 ? 1 : 0, 1); // alpha_is_used
  bits.write(0, 3); // version
  bits.write(0, 1); // no transform
  bits.write(0, 1); // no colour cache
  bits.write(0, 1); // no meta prefix codes
  const simple = (symbol: number) => {
    bits.write(1, 1); // simple code
    bits.write(0, 1); // one symbol
    bits.write(1, 1); // 8-bit symbol
    bits.write(symbol, 8);
  };
  simple(color.g); // green (+ length prefixes)
  simple(color.r);
  simple(color.b);
  simple(color.a);
  simple(0); // distance
  bits.end();
  const vp8l = Buffer.from(bits.bytes);
  const pad = vp8l.length % 2;
  const chunk = Buffer.alloc(8);
  chunk.write('VP8L', 0, 'latin1');
  chunk.writeUInt32LE(vp8l.length, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + 8 + vp8l.length + pad, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, chunk, vp8l, Buffer.alloc(pad)]);
};

/**
 * GIF LZW of `count` pixels of palette index 0 (minimum code size 2). For a run of zeros the dictionary is a chain:
 * code c ≥ 6 stands for c − 4 zeros, so greedy encoding emits ever longer runs (the same codes a general LZW would).
 */
function gifLzwZeros(count: number): Buffer {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  const emit = (code: number, width: number) => {
    acc |= code << n;
    n += width;
    while (n >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      n -= 8;
    }
  };
  const clear = 4;
  const eoi = 5;
  let width = 3;
  let next = 6;
  emit(clear, width);
  let left = count;
  while (left > 0) {
    const longest = next > 6 ? next - 1 - 4 : 1;
    const take = Math.min(longest, left);
    emit(take === 1 ? 0 : take + 4, width);
    left -= take;
    if (left === 0) break;
    if (next === 4096) {
      emit(clear, width);
      width = 3;
      next = 6;
    } else {
      if (next >= 1 << width) width++;
      next++;
    }
  }
  emit(eoi, width);
  if (n > 0) out.push(acc & 0xff);
  return Buffer.from(out);
}

function gifSubBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const piece = data.subarray(i, i + 255);
    parts.push(Buffer.from([piece.length]), piece);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export const encodeGif: Encoder = ({ width, height, color, frames = 1, frameDurationMs = 100 }) => {
  const transparent = color.a < 128;
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(width, 6);
  screen.writeUInt16LE(height, 8);
  screen[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([color.r, color.g, color.b, 0, 0, 0]);
  const image = gifSubBlocks(gifLzwZeros(width * height));
  const parts: Buffer[] = [screen, palette];
  if (frames > 1) parts.push(Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0]));
  const delay = Math.round(frameDurationMs / 10);
  for (let f = 0; f < Math.max(1, frames); f++) {
    parts.push(Buffer.from([0x21, 0xf9, 4, transparent ? 0x09 : 0x08, delay & 0xff, delay >> 8, 0, 0]));
    const descriptor = Buffer.alloc(10);
    descriptor[0] = 0x2c;
    descriptor.writeUInt16LE(width, 5);
    descriptor.writeUInt16LE(height, 7);
    parts.push(descriptor, Buffer.from([2]), image);
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
};

export const encodeSvg: Encoder = ({ width, height, color }) => {
  const fill = `#${[color.r, color.g, color.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const opacity = color.a < 255 ? ` fill-opacity="${(color.a / 255).toFixed(3)}"` : '';
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="${fill}"${opacity}/></svg>`,
  );
};

/** Encoders by `output_format` value; `jpg` is accepted as an alias the API has used. */
export const ENCODERS: Record<string, { encode: Encoder; contentType: string }> = {
  png: { encode: encodePng, contentType: 'image/png' },
  jpeg: { encode: encodeJpeg, contentType: 'image/jpeg' },
  jpg: { encode: encodeJpeg, contentType: 'image/jpeg' },
  webp: { encode: encodeWebp, contentType: 'image/webp' },
  gif: { encode: encodeGif, contentType: 'image/gif' },
  svg: { encode: encodeSvg, contentType: 'image/svg+xml' },
};

/** The colours images are drawn in; a small fixed palette keeps the cache bounded. */
export const PALETTE: readonly Rgba[] = [
  { r: 0x3b, g: 0x82, b: 0xf6, a: 255 },
  { r: 0xf5, g: 0x9e, b: 0x0b, a: 255 },
  { r: 0x10, g: 0xb9, b: 0x81, a: 255 },
  { r: 0xef, g: 0x44, b: 0x44, a: 255 },
  { r: 0x8b, g: 0x5c, b: 0xf6, a: 255 },
  { r: 0xec, g: 0x48, b: 0x99, a: 255 },
  { r: 0x14, g: 0xb8, b: 0xa6, a: 255 },
  { r: 0x64, g: 0x74, b: 0x8b, a: 255 },
];

export interface EncodedImage {
  bytes: Buffer;
  base64: string;
  contentType: string;
}

/** Encoded images by (format, size, colour, alpha, frames); least recently used entries go first. */
export class ImageCache {
  readonly #entries = new Map<string, EncodedImage>();
  readonly #limit: number;
  /** How many images were actually encoded (the rest came from the cache). */
  encoded = 0;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  get(format: string, options: EncodeOptions): EncodedImage {
    const encoder = ENCODERS[format];
    if (!encoder) throw new RangeError(`no encoder for output_format '${format}'`);
    const { width, height, color, frames = 1, frameDurationMs = 100 } = options;
    const key = `${format}:${width}x${height}:${color.r},${color.g},${color.b},${color.a}:${frames}:${frameDurationMs}`;
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
    } else {
      const bytes = encoder.encode(options);
      this.encoded++;
      entry = { bytes, base64: bytes.toString('base64'), contentType: encoder.contentType };
      if (this.#entries.size >= this.#limit) this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(key, entry);
    return entry;
  }
}
