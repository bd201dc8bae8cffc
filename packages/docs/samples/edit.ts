// operation: createImageEdit
// Edit with several input images and a mask: the mask's transparent pixels mark where the first image may change.
import { writeFile } from 'node:fs/promises';
import { createImagesClient, fromPath } from '@imagegen/client';

const client = createImagesClient();

const response = await client.images.edit({
  model: 'gpt-image-1.5',
  // Several images are sent as repeated `image[]` parts, in this order; the mask applies to the first.
  image: [await fromPath('sunrise.png'), await fromPath('red-sailboat.png')],
  mask: await fromPath('sky-mask.png'),
  prompt: 'Place the red sailboat from the second image on a calm lake in front of the sunrise',
  size: '1024x1024',
});

const edited = response.data?.[0]?.b64_json;
if (!edited) throw new Error('the response holds no image');
await writeFile('edited.png', Buffer.from(edited, 'base64'));
console.log('wrote edited.png');
