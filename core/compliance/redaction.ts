import { BUILTIN_DETECTORS, type Span } from './redaction-detectors.ts';
import { orgDetector, type SafeModeSettings } from './redaction-patterns.ts';

export { safeModeSettingsSchema, patternProblem, type SafeModeSettings, type OrgPattern } from './redaction-patterns.ts';

/**
 * Safe mode's pure core. A finding names only the type and the position in the input text:
 * never the matched value, so findings can be logged or stored beside the redacted text.
 */
export interface Finding {
  type: string;
  start: number;
  end: number;
}

export interface Redacted {
  text: string;
  findings: Finding[];
}

/**
 * Replaces every sensitive span: the built-in detectors (payment cards, US SSNs, bank account and
 * routing numbers) and the org's patterns. Applies whatever settings.enabled says: callers decide
 * when (see redactForEgress and the before_storage path in core/messages/store.ts).
 */
export function redact(text: string, settings: Pick<SafeModeSettings, 'patterns'> = {}): Redacted {
  const detectors = [...BUILTIN_DETECTORS, ...(settings.patterns ?? []).map(orgDetector)];
  const accepted: Span[] = [];
  for (const d of detectors) {
    for (const s of d.find(text)) {
      if (!accepted.some((a) => s.start < a.end && a.start < s.end)) accepted.push(s);
    }
  }
  accepted.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of accepted) {
    out += text.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  return { text: out + text.slice(at), findings: accepted.map(({ type, start, end }) => ({ type, start, end })) };
}

/**
 * For every path that sends message text OUT of Switchboard — CRM activity logs, AI connectors,
 * outbound webhooks (later issues): call this on each text field just before it leaves.
 * It redacts whenever safe mode is enabled, in either mode: with before_storage the stored text is
 * normally clean already (redacting it again is a no-op), but messages stored before safe mode was
 * switched on are not. Returns the text unchanged when safe mode is off; null stays null.
 */
export function redactForEgress(text: string | null | undefined, settings: SafeModeSettings): string | null {
  if (text === null || text === undefined) return null;
  return settings.enabled ? redact(text, settings).text : text;
}

/** Per-type counts for metadata (metadata.redactions): no positions, no values. */
export function countByType(findings: Finding[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.type, (counts.get(f.type) ?? 0) + 1);
  return [...counts].map(([type, count]) => ({ type, count }));
}
