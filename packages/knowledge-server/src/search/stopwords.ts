/**
 * English stop words dropped from search queries: function words, and the question and request
 * words people wrap a search in ("how do I …", "what should we …", "tell me about …"). They carry
 * no topic, and in an OR query they would pull in every passage.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are aren as at be because been before being
  below between both but by can cannot could couldn did didn do does doesn doing don down during each
  few for from further had hadn has hasn have haven having he her here hers herself him himself his
  how i if in into is isn it its itself just let me more most mustn my myself no nor not now of off
  on once only or other ought our ours ourselves out over own same shan she should shouldn so some
  such than that the their theirs them themselves then there these they this those through to too
  under until up very was wasn we were weren what when where which while who whom why will with won
  would wouldn you your yours yourself yourselves s t d ll m re ve
  also anyone anything best describe describes documented does explain find get give
  happens know like look looks me need needs please say says show supposed tell there thing things
  use used using want way ways whats whose
  e g eg ie etc`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
