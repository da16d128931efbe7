/**
 * General software-action vocabulary: groups of verbs that name the same operation on a thing
 * ("get", "fetch", "retrieve", "show"…). A question says "remove the deployment", a tool says
 * "delete a resource": the question's verb brings in the other verbs of its group, weighted
 * below the question's own words (tool-index.ts).
 *
 * Written from everyday API vocabulary (REST verbs, CRUD, CLI sub-commands) before any failing
 * question was looked at, and kept generic on purpose: no word of a particular tool, server or
 * question. It is the only hand-written vocabulary of the index; a lexical database (WordNet
 * synonyms, hypernyms and derivations, as query or document expansion) lowered recall on the
 * benchmark's tuning half and was left out (bench/tool-search.ts reports the halves).
 */
const ACTION_VERB_GROUPS: readonly (readonly string[])[] = [
  'get fetch retrieve read show view display lookup',
  'create add make new insert',
  'delete remove erase drop destroy',
  'list enumerate',
  'search find query lookup',
  'update edit modify change set patch',
  'run execute exec invoke',
  'stop cancel kill terminate',
  'start launch begin open',
  'close end quit',
  'send post publish',
  'write save store put',
  'rename move',
  'copy duplicate clone',
].map((group) => group.split(' '));

/** Each verb → the other verbs of every group it belongs to. */
const RELATED_VERBS: ReadonlyMap<string, readonly string[]> = (() => {
  const related = new Map<string, Set<string>>();
  for (const group of ACTION_VERB_GROUPS) {
    for (const verb of group) {
      const others = related.get(verb) ?? new Set<string>();
      for (const other of group) if (other !== verb) others.add(other);
      related.set(verb, others);
    }
  }
  return new Map([...related].map(([verb, others]) => [verb, [...others]]));
})();

/**
 * The verbs related to the action verbs among `terms` that `isIndexed` knows (a verb no tool uses
 * adds nothing but work), leaving out those already in `terms`; each once, in order of appearance.
 */
export function relatedActionVerbs(terms: readonly string[], isIndexed: (term: string) => boolean): string[] {
  const asked = new Set(terms);
  const added = new Set<string>();
  for (const term of terms) {
    for (const verb of RELATED_VERBS.get(term) ?? []) {
      if (!asked.has(verb) && isIndexed(verb)) added.add(verb);
    }
  }
  return [...added];
}
