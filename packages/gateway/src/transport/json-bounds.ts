/**
 * Bounds on the shape of incoming JSON, checked over the raw text before it is parsed.
 *
 * Everything after admission — the SDK's zod schemas, JSON.stringify on the way upstream,
 * redaction and canonical JSON in the audit, shaping — walks a message recursively, so a message
 * nested a few thousand levels deep exhausts the stack wherever it happens to be walked first.
 * One linear pass over the text, with no recursion and no allocation, refuses such a message at
 * the door instead (and never parses it). It also counts array items and object members, which
 * bounds the cost of every later walk.
 *
 * Strings are skipped (brackets and commas inside them do not count); the text need not be valid
 * JSON — that is JSON.parse's job afterwards.
 */

export interface JsonBounds {
  /** The deepest nesting of arrays and objects allowed; the message object itself is level 1. */
  maxDepth: number;
  /** The most array items plus object members allowed, over the whole message. */
  maxElements: number;
}

import { BACKSLASH, COMMA, isClosing, isJsonWhitespace, isOpening, QUOTE } from '../json/chars.ts';

/** The index of the quote that ends the string opened at `start` (the text's length if none). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return text.length;
}

/** Why `text` exceeds `bounds`, as a sentence for an Invalid Request error; undefined when it does not. */
export function jsonBoundsViolation(text: string, bounds: JsonBounds): string | undefined {
  let depth = 0;
  let elements = 0;
  // Just after an opening bracket: the next token tells whether the container has a first element.
  let justOpened = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isJsonWhitespace(code)) continue;
    if (justOpened && !isClosing(code)) elements++;
    justOpened = isOpening(code);
    if (justOpened) {
      depth++;
      if (depth > bounds.maxDepth) return tooDeep(bounds.maxDepth);
    } else if (isClosing(code)) depth--;
    else if (code === COMMA) elements++;
    else if (code === QUOTE) i = stringEnd(text, i);
    if (elements > bounds.maxElements) return tooMany(bounds.maxElements);
  }
  return undefined;
}

function tooDeep(maxDepth: number): string {
  return `Invalid Request: the message nests arrays and objects deeper than ${maxDepth} levels (server.maxJsonDepth)`;
}

function tooMany(maxElements: number): string {
  return `Invalid Request: the message holds more than ${maxElements} array items and object members (server.maxJsonElements)`;
}
