/**
 * How text becomes search terms, the same for a tool's fields and for a question: words split at
 * case changes, digits and any separator (snake_case, camelCase, "ns.tool", "ns/tool", "ns__tool"),
 * lower-cased, with the commonest English function words dropped (they match nearly every
 * description and only add noise to a question asked in a sentence).
 */

/** Words too common to tell one tool from another. Kept short: a word that can name a thing stays. */
const STOP_WORDS = new Set(
  (
    'a all also an and any are as at be been being but by can could did do does done for from had ' +
    'has have how i if in into is it its just like me much my need now of on one or our please ' +
    'should so some than that the their them then there these this those to us very want was we ' +
    'what when where which who whom why will with would you your'
  ).split(' '),
);

/** Case changes and letter/digit boundaries become spaces: "getHTTPStatus2" → "get HTTP Status 2". */
function splitCaseChanges(text: string): string {
  return text
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2');
}

/** The words of `text`, lower-cased, split at separators and case changes (stop words kept). */
export function words(text: string): string[] {
  return splitCaseChanges(text)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

/** A tool name as words: "customer_get_customer_profile" → customer, get, customer, profile. */
export function toolNameWords(name: string): string[] {
  return words(name);
}

/** The terms `text` is indexed or searched under. */
export function searchTerms(text: string): string[] {
  return words(text).filter((word) => !STOP_WORDS.has(word));
}
