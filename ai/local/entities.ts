import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { EntityType } from '../intents.ts';

/**
 * Entities: wink-nlp's English model finds dates, times and money; SMS shorthand, Spanish and
 * the domain's own kinds (unit / apartment numbers, street addresses, people introduced by name)
 * are patterns. Overlapping finds keep the longer one.
 */
export interface Entity {
  type: EntityType;
  text: string;
  start: number;
  end: number;
}

export const nlp = winkNLP(model);
const its = nlp.its;

const WEEKDAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|lunes|martes|miercoles|miércoles|jueves|viernes|sabado|sábado|domingo';
const MONTHS = 'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre';
const STREET = 'St|Street|Ave|Avenue|Rd|Road|Ln|Lane|Dr|Drive|Blvd|Boulevard|Way|Ct|Court|Pl|Place|Pkwy|Cir|Hwy';
// Words that look like names after a greeting or "is" but are not people.
const NOT_NAMES = new Set(['I', 'The', 'This', 'That', 'It', 'We', 'You', 'Team', 'Everyone', 'All', 'Again', 'So', 'Much', 'Ok', 'Okay', 'There', 'Guys', 'Sir', 'Maam', 'Someone', 'Anyone', 'Nobody', 'Here', 'Yes', 'No', 'And']);

const CALENDAR_WORD = new RegExp(`^(?:${WEEKDAYS}|${MONTHS})$`, 'i');

const PATTERNS: [EntityType, RegExp, number?][] = [
  ['unit', /\b(?:unit|apt\.?|apartment|apartamento|apto\.?|suite|ste\.?)\s*#?\s*[0-9]{1,4}[A-Za-z]?\b/gi],
  ['unit', /(?<![\w$:,.-])[0-9]{1,2}[A-H](?![\w-])/g],
  ['address', new RegExp(`\\b[0-9]{2,6}\\s+(?:[A-Z][a-z]+\\s+){1,3}(?:${STREET})\\b\\.?`, 'g')],
  ['money', /\$\s?[0-9][0-9,]*(?:\.[0-9]{2})?k?\b/gi],
  ['time', /\b[0-9]{1,2}(?::[0-9]{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?![\w])/gi],
  ['time', /\b[0-9]{1,2}:[0-9]{2}\b/g],
  ['time', /\b(?:noon|midnight|mediodia|mediodía)\b/gi],
  // "at 10", "after 3", "between 12 and 2", "8-12", "a las 10": a bare hour needs a cue.
  ['time', /\b(?:at|after|before|until|by|start at|a las)\s+([0-9]{1,2}(?:-[0-9]{1,2})?)(?![\w:%]|\s?(?:am|pm|min|minutes|hours|days|weeks|months|people|users|seats|sq|ft|ton|gallon|inches|degrees|units|bedroom|bed|bath|story|%))/gi, 1],
  ['time', /\bbetween\s+([0-9]{1,2})\s+and\s+([0-9]{1,2})\b/gi, 1],
  ['time', /\bbetween\s+[0-9]{1,2}\s+and\s+([0-9]{1,2})\b/gi, 1],
  ['time', /\b(?:window (?:was|is)|from)\s+([0-9]{1,2}-[0-9]{1,2})\b/gi, 1],
  ['date', new RegExp(`\\b(?:(?:next|this|last)\\s+)?(?:${WEEKDAYS})(?:\\s+(?:morning|afternoon|evening|night))?\\b`, 'gi')],
  ['date', new RegExp(`\\b(?:${MONTHS})\\.?(?:\\s+[0-9]{1,2}(?:st|nd|rd|th)?(?:-[0-9]{1,2})?)?\\b`, 'gi')],
  ['date', /\bthe\s+[0-9]{1,2}(?:st|nd|rd|th)\b(?!\s+time)/gi],
  ['date', /\b(?:today|tonight|tomorrow|tmrw|tmr|tomorow|yesterday|mañana|manana|hoy|ayer|(?:next|this|last)\s+(?:week|month|year|spring|summer|fall|winter|morning)|christmas(?: day)?)\b/gi],
  ['person', /\b(?:this is|my name is|it'?s|i'?m|soy|me llamo)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)/g, 1],
  ['person', /\b(?:thanks|thank you|thank u|thx|gracias|hi|hey|hello|hola|dear|following up|tech|technician|plumber|foreman|guy)\s+(?:so much\s+)?([A-Z][a-z]+)\b/gi, 1],
  ['person', /\b(?:is|was|and)\s+([A-Z][a-z]+)\s+(?:coming|still|on his way|on her way|here)\b/g, 1],
  ['person', /\b(?:away is|where is)\s+([A-Z][a-z]+)\b/g, 1],
  ['person', /(?:^|[,.!]\s+)([A-Z][a-z]+)\s+(?:was|is) (?:super|really|very|so|great|awesome|amazing)\b/g, 1],
];

function byPattern(text: string): Entity[] {
  const out: Entity[] = [];
  for (const [type, re, group] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const groups = group ? m.slice(1).filter((g) => g !== undefined) : [m[0]];
      for (const g of groups) {
        // The group's offset: search from the match start (the group is inside the match).
        const start = m.index! + m[0].indexOf(g, group ? m[0].length - m[0].slice(m[0].indexOf(g)).length : 0);
        const value = g.replace(/\s+$/, '');
        if (type === 'person' && (!/^[A-Z]/.test(value) || NOT_NAMES.has(value.split(' ')[0]!) || CALENDAR_WORD.test(value))) continue;
        out.push({ type, text: value, start, end: start + value.length });
      }
    }
  }
  return out;
}

const WINK: Record<string, EntityType> = { DATE: 'date', TIME: 'time', MONEY: 'money' };

function byModel(text: string): Entity[] {
  const out: Entity[] = [];
  const doc = nlp.readDoc(text);
  let from = 0;
  doc.entities().each((e: any) => {
    const { value, type } = e.out(its.detail) as { value: string; type: string };
    const t = WINK[type];
    const start = text.toLowerCase().indexOf(value.toLowerCase(), from);
    // The model calls bare numbers dates ("in 1203") and "night" a time: keep only finds with a digit and a word.
    if (!t || start < 0 || !/[0-9]/.test(value) || (t !== 'money' && /^[0-9]+$/.test(value))) return;
    from = start + value.length;
    out.push({ type: t, text: text.slice(start, start + value.length), start, end: start + value.length });
  });
  return out;
}

export function extractEntities(text: string): Entity[] {
  const all = [...byPattern(text), ...byModel(text)].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Entity[] = [];
  for (const e of all) if (!kept.some((k) => e.start < k.end && k.start < e.end)) kept.push(e);
  return kept.sort((a, b) => a.start - b.start);
}

/** Sentences (wink-nlp), for the extractive summary. */
export function sentences(text: string): string[] {
  return nlp.readDoc(text).sentences().out() as string[];
}
