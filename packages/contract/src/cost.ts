import { parseSize, type RequestCase, VOCABULARY } from './cases.js';

// Prices are not part of the API description, so they are not in the spec: a deliberately rough,
// high-side estimate in US$ per 1024x1024 image by quality tier (a bigger size scales by its pixels),
// so that `--live` says what it is about to spend before it spends it.
const PER_MEGAPIXEL_IMAGE: Record<string, number> = { low: 0.02, medium: 0.07, standard: 0.08, hd: 0.12, high: 0.25 };
const UNKNOWN_QUALITY = 0.25;
const PARTIAL_IMAGE = 0.01;
const MEGAPIXEL = 1024 * 1024;

/** The estimated cost of one request in US$: images asked × price of their quality and size, plus partial images. */
export function estimateCost(request: RequestCase, count: number): number {
  if (request.origin === 'negative') return 0;
  const quality = String(request.fields.quality ?? '');
  const price = PER_MEGAPIXEL_IMAGE[quality] ?? UNKNOWN_QUALITY;
  const size = parseSize(request.fields[VOCABULARY.size]);
  const scale = size ? Math.max(1, (size.width * size.height) / MEGAPIXEL) : 1;
  const partials = request.stream ? Number(request.fields[VOCABULARY.partialImages] ?? 0) || 0 : 0;
  return count * price * scale + partials * count * PARTIAL_IMAGE;
}

export function formatUsd(amount: number): string {
  return `US$${amount.toFixed(amount < 1 ? 3 : 2)}`;
}
