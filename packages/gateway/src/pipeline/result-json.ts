/**
 * The JSON text of a result, and its UTF-8 bytes, each made once per result object: the audit
 * stage counts and hashes the bytes and the call lane sends them, and for a large result the
 * serialization and each pass of UTF-8 encoding are a noticeable part of a call's CPU (a 10 KB
 * result with one non-Latin-1 character is a two-byte string, encoded at a fraction of the
 * speed of ASCII). Results are not changed after the pipeline has run, so the text of an object
 * stays its text.
 */
const texts = new WeakMap<object, string>();
const encoded = new WeakMap<object, Buffer>();

export function resultJson(result: Record<string, unknown>): string {
  let text = texts.get(result);
  if (text === undefined) {
    text = JSON.stringify(result);
    texts.set(result, text);
  }
  return text;
}

/** resultJson(result) as UTF-8. */
export function resultBytes(result: Record<string, unknown>): Buffer {
  let bytes = encoded.get(result);
  if (bytes === undefined) {
    bytes = Buffer.from(resultJson(result), 'utf8');
    encoded.set(result, bytes);
  }
  return bytes;
}
