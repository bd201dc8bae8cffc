// operation: createImageVariation
// Variations of one image, sent as a multipart form.
// Whether the API still serves them: see this operation in the API reference.
import { createImagesClient, fromPath } from '@imagegen/client';

const client = createImagesClient();

const image = await fromPath('sunrise.png');
const response = await client.images.createVariation({ image, n: 2 });

for (const variation of response.data ?? []) {
  console.log(variation.url ?? `${variation.b64_json?.length ?? 0} base64 characters`);
}
