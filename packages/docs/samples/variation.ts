// operation: createImageVariation
// Variations of one image, sent as a multipart form. Whether the API still serves them: see this operation in the API reference.
import { createImagesClient, fromPath } from '@imagegen/client';

const client = createImagesClient();

const response = await client.images.createVariation({ image: await fromPath('sunrise.png'), n: 2 });

for (const image of response.data ?? []) console.log(image.url ?? `${image.b64_json?.length ?? 0} base64 characters`);
