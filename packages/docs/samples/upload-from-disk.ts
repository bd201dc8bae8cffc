// operation: createImageEdit
// Three ways to upload images: a file streamed from disk, a Buffer, and a File (or Blob) with an explicit type.
import { readFile, writeFile } from 'node:fs/promises';
import { createImagesClient, fromPath } from '@imagegen/client';

const client = createImagesClient();

// fromPath: streamed from disk, never read into memory; the type is detected from the first bytes.
const sunrise = await fromPath('sunrise.png');
// Any Buffer, Uint8Array or ArrayBuffer: named and typed from its bytes (image-2.png).
const sailboat = await readFile('red-sailboat.png');
// A File or Blob keeps its own name and type, e.g. one from a form upload or `await response.blob()`.
const mask = new File([await readFile('sky-mask.png')], 'sky-mask.png', { type: 'image/png' });

const response = await client.images.edit({
  model: 'gpt-image-1.5',
  image: [sunrise, sailboat],
  mask,
  prompt: 'Place the red sailboat from the second image on a calm lake in front of the sunrise',
});

const edited = response.data?.[0]?.b64_json;
if (!edited) throw new Error('the response holds no image');
await writeFile('uploaded-edit.png', Buffer.from(edited, 'base64'));
console.log('wrote uploaded-edit.png');
