// operation: createImage
// Stream a generation: save each partial image as it arrives, then the final image.
import { writeFile } from 'node:fs/promises';
import { createImagesClient } from '@imagegen/client';

const client = createImagesClient();

const stream = await client.images.generate({
  model: 'gpt-image-1.5',
  prompt: 'A pixel-art orange sun rising over a green meadow under a clear blue sky',
  stream: true,
  partial_images: 2,
});

// Leaving the loop early (break, return, throw) closes the connection.
for await (const event of stream) {
  if (event.type === 'image_generation.partial_image') {
    await writeFile(`partial-${event.partial_image_index}.png`, Buffer.from(event.b64_json, 'base64'));
    console.log(`partial image ${event.partial_image_index}`);
  } else {
    await writeFile(`final.${event.output_format}`, Buffer.from(event.b64_json, 'base64'));
    console.log(`final image, ${event.usage.total_tokens} tokens`);
  }
}
