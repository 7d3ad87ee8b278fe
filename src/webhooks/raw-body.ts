import { WebhookError } from './problem.js';

/**
 * Reads a request body up to `limit` bytes. A larger body, announced by
 * Content-Length or sent chunked, stops the read with a 413.
 */
export async function readRawBody(request: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new WebhookError(413, `The body is larger than the limit of ${limit} bytes.`);

  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
