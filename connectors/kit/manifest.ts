import schemaJson from './manifest.schema.json' with { type: 'json' };
import { describeAjvErrors, kitAjv } from './ajv.ts';
import { expressionProblem } from './expressions.ts';
import type { CanonicalStatus, FailureReason, InboundKind } from './types.ts';

/** An expression string, or an object of field mappings (builds a nested object). */
export type FieldMapping = string | { [key: string]: FieldMapping };

export interface InboundRule {
  name: string;
  description?: string;
  /** JSONata predicate over the parsed request. */
  match: string;
  /** JSONata yielding the items of a batched payload; fields are evaluated per item. */
  each?: string;
  emit: InboundKind | 'ignore';
  fields?: Record<string, FieldMapping>;
}

export interface ErrorMapEntry {
  reason: FailureReason;
  retryable?: boolean;
  description?: string;
}

export interface ConfigMigration {
  from: number;
  to: number;
  transform: string;
  description?: string;
}

export interface Manifest {
  $schema?: string;
  description?: string;
  inbound?: InboundRule[];
  statusMap?: Record<string, CanonicalStatus>;
  errorMap?: Record<string, ErrorMapEntry>;
  /**
   * customerServiceWindowHours: free-form messages are only allowed this long after the contact's
   * last inbound message on the channel (WhatsApp: 24); outside it only templates go out. A number
   * applies to all the connector's channels, an object per channel ({"whatsapp": 24}).
   */
  outbound?: { message: string; customerServiceWindowHours?: number | Record<string, number> };
  configMigrations?: ConfigMigration[];
}

/** The published JSON Schema of a mapping manifest (also at connectors/kit/manifest.schema.json). */
export const manifestSchema: Readonly<Record<string, unknown>> = schemaJson;

const validateShape = kitAjv.compile(schemaJson);

function fieldExpressionProblems(mapping: unknown, path: string, out: string[]): void {
  if (typeof mapping === 'string') {
    const p = expressionProblem(mapping, path);
    if (p) out.push(p);
  } else if (mapping && typeof mapping === 'object' && !Array.isArray(mapping)) {
    for (const [key, value] of Object.entries(mapping)) fieldExpressionProblems(value, `${path}/${key}`, out);
  }
}

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {})) : [];

function expressionProblems(m: Record<string, unknown>, prefix: string): string[] {
  const problems: string[] = [];
  list(m.inbound).forEach((rule, i) => {
    const at = `${prefix}/inbound/${i}`;
    fieldExpressionProblems(rule.match, `${at}/match`, problems);
    fieldExpressionProblems(rule.each, `${at}/each`, problems);
    fieldExpressionProblems(rule.fields, `${at}/fields`, problems);
  });
  const outbound = m.outbound as Record<string, unknown> | undefined;
  if (outbound && typeof outbound === 'object') fieldExpressionProblems(outbound.message, `${prefix}/outbound/message`, problems);
  list(m.configMigrations).forEach((mig, i) => fieldExpressionProblems(mig.transform, `${prefix}/configMigrations/${i}/transform`, problems));
  return problems;
}

/**
 * Every problem of a manifest: its shape against the schema, every JSONata expression compiled
 * (even when the shape is wrong, so one run reports everything), then the cross-field rules the
 * schema cannot express. An empty list means valid.
 */
export function validateManifest(manifest: unknown, prefix = 'manifest'): string[] {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return [`${prefix}: must be an object`];
  const shapeOk = validateShape(manifest);
  const problems = shapeOk ? [] : describeAjvErrors(validateShape.errors, prefix);
  problems.push(...expressionProblems(manifest as Record<string, unknown>, prefix));
  if (!shapeOk) return problems;
  const m = manifest as Manifest;
  const names = new Set<string>();
  (m.inbound ?? []).forEach((rule, i) => {
    if (names.has(rule.name)) problems.push(`${prefix}/inbound/${i}/name: duplicate rule name "${rule.name}"`);
    names.add(rule.name);
  });
  const froms = new Set<number>();
  (m.configMigrations ?? []).forEach((mig, i) => {
    const at = `${prefix}/configMigrations/${i}`;
    if (mig.to <= mig.from) problems.push(`${at}: "to" (${mig.to}) must be greater than "from" (${mig.from})`);
    if (froms.has(mig.from)) problems.push(`${at}: a second migration from major ${mig.from}`);
    froms.add(mig.from);
  });
  return problems;
}

/** The customer service window of a channel, in hours, when the manifest declares one. */
export function serviceWindowHours(manifest: Manifest, channel: string): number | undefined {
  const w = manifest.outbound?.customerServiceWindowHours;
  if (typeof w === 'number') return w;
  return w && Object.hasOwn(w, channel) ? w[channel] : undefined;
}
