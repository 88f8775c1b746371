/**
 * Text → features for the local classifiers. SMS text is messy (typos, "tmrw", emoji, Spanish),
 * so tokens are folded (case, accents, a light suffix strip) and a domain lexicon adds cue
 * features ("__water", "__danger", "__neg" …) that generalize past the exact words of the
 * labelled examples: "gushing" and "pouring" are different tokens but the same cue.
 */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const STOP = new Set('a an the and or to of in on at for is it its i me my we our you your u this that be are was were with as by so do did just'.split(' '));

/** A light English/Spanish stem: enough to merge leak/leaking/leaks/leaked. */
function stem(w: string): string {
  if (w.length <= 4) return w;
  return w.replace(/(ing|ed|es|s)$/, '').replace(/(mente)$/, '');
}

/** Cues: [feature, pattern over the folded text]. One place for the domain vocabulary. */
const CUES: [string, RegExp][] = [
  ['__water', /\b(leak\w*|flood\w*|pour\w*|gush\w*|burst|overflow\w*|water (is )?(coming|going|everywhere)|agua|tuberia|sewage|backing up)\b/],
  ['__danger', /\b(gas|smoke|smoking|spark\w*|burn\w*|fire|co alarm|carbon monoxide|hiss\w*|collaps\w*|fell|falling|could fall|hurt|allergic|stung|buzzing|glass everywhere|wide open|leaning)\b/],
  ['__urgent', /(!!|\b(asap|now|hurry|help|emergency|urgent|right away|immediately|should we (leave|get out))\b)/],
  ['__vulnerable', /\b(baby|newborn|elderly|2yo|kid|son|daughter|father|mom)\b/],
  ['__cold', /\b(no heat|freezing|\d+ degrees)\b/],
  ['__broken', /\b(broke\w*|not working|doesn'?t work|won'?t|stopped|isn'?t|no enfria|crack\w*|stuck|sticking|noise|drip\w*|out\b|trips|blinking)/],
  ['__when', /\b(eta|when|what time|how far|on (his|the) way|still coming|coming today|coming tomorrow|here yet|shown up|show up|arrive|a que hora|ya (viene|salio)|timeline|how long until)\b/],
  ['__move', /\b(reschedul\w*|move|moved|push|bump|instead|cancel|can'?t make|won'?t make|cambiar|mover|another day|postpone|hold off)\b/],
  ['__money', /(\$\s?\d|\b(pay|paid|payment|invoice|charge\w*|fee|refund|deposit|card|autopay|balance|owe|bill|receipt|renta|pague|financ\w*|amex|cash|zelle|discount)\b)/],
  ['__price', /\b(quote|estimate|bid|pricing|price|cost|how much|ballpark|cuanto|cotizacion|presupuesto|what do you charge|charge to|run us)\b/],
  ['__contract', /\b(lease|contract|agreement|renew\w*|warranty|sublet|terms|notice|sign\w*|termination|plan|membership|lien|docusign|month to month)\b/],
  ['__thanks', /\b(thanks?|thank u|thx|gracias|appreciate\w*|perfect|great|sounds good|works for me|confirmed|ok|okay|yes|yep|got it|see you)\b/],
  ['__question', /\?/],
  ['__neg', /\b(ridiculous|unacceptable|terrible|rude|disappointed|upset|not happy|not ok|never|nobody|no one|again|third time|\d(rd|th|nd) time|weeks?|still (hasn'?t|isn'?t|not|waiting)|done paying|refund|bait|no-?show\w*|worse|for nothing|stop|horrible|wrong|didn'?t|hasn'?t|fix it|promised|supposed to|left|missed)\b/],
  ['__pos', /\b(thanks?|thank u|gracias|great|amazing|perfect|love\w*|best|wonderful|excited|appreciate\w*|helpful|nice|thorough|quick|recommended|looking forward|looks good|works great|perfecto)\b|[🙏👍😊🙌👌]/u],
];

export function tokens(text: string): string[] {
  return (fold(text).match(/[\p{L}\p{N}$']+/gu) ?? []).map((t) => t.replace(/'/g, '')).filter((t) => t && !STOP.has(t));
}

/** Unigrams (stemmed), bigrams and cue features. */
export function features(text: string): string[] {
  const f = fold(text);
  const toks = tokens(text).map(stem);
  const out = [...toks];
  for (let i = 1; i < toks.length; i++) out.push(`${toks[i - 1]}_${toks[i]}`);
  for (const [name, re] of CUES) if (re.test(f)) out.push(name, name);
  if (toks.length <= 3) out.push('__short');
  return out;
}

/** The cue names that fire on a text (the sentiment scorer reads __neg / __pos / __danger). */
export function cues(text: string): Set<string> {
  const f = fold(text);
  return new Set(CUES.filter(([, re]) => re.test(f)).map(([n]) => n));
}
