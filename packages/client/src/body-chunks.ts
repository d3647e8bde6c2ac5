/**
 * A response body's chunks, read with a reader (not every browser makes a ReadableStream
 * iterable). Leaving the loop early, or an error in it, cancels the body, which ends the request.
 */
export async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
