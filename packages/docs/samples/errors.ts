// operation: createImage
// Timeouts, retries and typed errors.
import { APIConnectionTimeoutError, APIError, createImagesClient, RateLimitError, ValidationError } from '@imagegen/client';

const client = createImagesClient({
  timeout: 120_000, // per attempt, until the response arrives (default 10 minutes)
  maxRetries: 3, // connection errors, timeouts, 408, 409, 429 and 5xx (default 2)
});

try {
  const response = await client.images.generate(
    { model: 'gpt-image-1.5', prompt: 'A pixel-art orange sun rising over a green meadow', quality: 'low' },
    // Per-request options override the client's; the signal cancels the call, retries included.
    { maxRetries: 1, signal: AbortSignal.timeout(300_000) },
  );
  console.log(`${response.data?.length ?? 0} image(s)`);
} catch (error) {
  if (error instanceof ValidationError) {
    console.error(`not sent, ${error.field} is invalid: ${error.message}`);
  } else if (error instanceof RateLimitError) {
    console.error(`still rate limited after retries (request ${error.requestID}): ${error.message}`);
  } else if (error instanceof APIConnectionTimeoutError) {
    console.error('timed out:', error.message);
  } else if (error instanceof APIError) {
    console.error(`${error.status ?? 'no status'} ${error.code ?? ''}: ${error.message}`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}
