/**
 * The JSON text of a result, made once per result object: the audit stage hashes it and the call
 * lane sends it, and for a large result the serialization is a noticeable part of a call's CPU.
 * Results are not changed after the pipeline has run, so the text of an object stays its text.
 */
const texts = new WeakMap<object, string>();

export function resultJson(result: Record<string, unknown>): string {
  let text = texts.get(result);
  if (text === undefined) {
    text = JSON.stringify(result);
    texts.set(result, text);
  }
  return text;
}
