import type { AnyConnectorDefinition } from '../../connectors/kit/index.ts';
import { AppError } from '../errors.ts';

/**
 * HIPAA mode. PHI may reach only a provider that signs a Business Associate Agreement for the
 * service (ConnectorSpec.baaEligible). WhatsApp content is processed by Meta whoever the
 * provider in between is (Twilio's BAA excludes WhatsApp), so that channel is never eligible.
 */
export function baaEligible(def: Pick<AnyConnectorDefinition, 'baaEligible'> | undefined, channel?: string, config?: object): boolean {
  const b = def?.baaEligible;
  if (!b || channel === 'whatsapp') return false;
  // Per connection: the connector names the config flag its operator sets once a BAA covers the endpoint.
  return b === true || (config as Record<string, unknown> | undefined)?.[b.configField] === true;
}

/** A HIPAA org's connection (new or changed) must be BAA-eligible: the refusal, or null. */
export function baaRefusal(def: Pick<AnyConnectorDefinition, 'id' | 'baaEligible'>, config: object): AppError | null {
  if (baaEligible(def, undefined, config)) return null;
  const b = def.baaEligible;
  if (typeof b !== 'object' || !b) return notBaaEligible(def.id);
  return new AppError(
    'connection_not_baa_covered',
    `HIPAA mode: a ${def.id} connection may be used only when a Business Associate Agreement covers its endpoint; set config.${b.configField} to true once one does.`,
    { details: [{ field: `/config/${b.configField}`, reason: 'must be true in HIPAA mode (the endpoint is covered by a BAA)', connector: def.id }] },
  );
}

export function notBaaEligible(connectorId: string, channel?: string): AppError {
  return new AppError(
    'connector_not_baa_eligible',
    `HIPAA mode: the ${connectorId} connector${channel ? ` (${channel})` : ''} is not BAA-eligible, so no PHI may be sent through it.`,
    { details: [{ field: '/connector', reason: 'not BAA-eligible', connector: connectorId, ...(channel ? { channel } : {}) }] },
  );
}

/** A thin feed entry: what happened to which object, nothing of its content (fetched through the API, audited). */
export function thinEventData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') out[k] = { id: (v as { id: string }).id };
    else if (/(^id$|Id$|^from$|^to$|^status$|^at$|^errorCode$)/.test(k) && (typeof v === 'string' || v === null)) out[k] = v;
  }
  return { thin: true, ...out };
}

/** An event as a HIPAA org's feed and WebSocket show it: envelope intact, data reduced to ids. */
export function thinEvent<E extends { data: Record<string, unknown> }>(e: E): E {
  return { ...e, data: thinEventData(e.data) };
}
