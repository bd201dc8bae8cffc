// operation: createImageEdit
// Edit images referenced by Files API ID or URL: the client sends a JSON body, nothing is uploaded.
import { createImagesClient } from '@imagegen/client';

const client = createImagesClient();

const response = await client.images.edit({
  model: 'gpt-image-1.5',
  images: [{ file_id: 'file-9FqXo7NdNaqB2xRu1yvLgS' }, { image_url: 'https://images.example.com/catalog/cloud-stamp.png' }],
  mask: { file_id: 'file-3HbWc8TkYp5QmLz1RvNq' },
  prompt: 'Add a few small white pixel-art clouds to the sky',
});

console.log(`${response.data?.length ?? 0} edited image(s)`);
