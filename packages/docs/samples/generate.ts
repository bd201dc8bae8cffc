// operation: createImage
// Generate an image from a prompt and save it as a PNG file.
import { writeFile } from 'node:fs/promises';
import { createImagesClient, getResponseMeta } from '@imagegen/client';

const client = createImagesClient(); // reads OPENAI_API_KEY, and OPENAI_BASE_URL when it is set

const response = await client.images.generate({
  model: 'gpt-image-1.5',
  prompt: 'A pixel-art orange sun rising over a green meadow under a clear blue sky',
  size: '1024x1024',
  quality: 'high',
  output_format: 'png',
});

// GPT image models always answer with base64 image data.
for (const [i, image] of (response.data ?? []).entries()) {
  if (image.b64_json) await writeFile(`generated-${i + 1}.png`, Buffer.from(image.b64_json, 'base64'));
}
// The HTTP side of the response (request id, rate-limit headers) without changing the response object.
const meta = getResponseMeta(response);
console.log(`${response.data?.length ?? 0} image(s), ${response.usage?.total_tokens ?? 0} tokens, request ${meta?.requestId}`);
