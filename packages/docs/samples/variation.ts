// Create variations of an image (dall-e-2 only: one square PNG smaller than 4 MB).
import { createImagesClient, fromPath } from '@imagegen/client';

const client = createImagesClient({
  baseURL: process.env.IMAGEGEN_BASE_URL ?? 'https://api.openai.com/v1',
  apiKey: process.env.OPENAI_API_KEY ?? '',
});

const response = await client.images.createVariation({
  model: 'dall-e-2',
  image: await fromPath('sunrise.png'),
  n: 2,
  size: '512x512',
  response_format: 'url',
});

// dall-e-2 URLs stay valid for 60 minutes: download them before then.
for (const image of response.data ?? []) console.log(image.url);
