/**
 * The default intent list (org setting `ai.intents` replaces it). Both providers classify into the
 * org's list: the local classifier trains on the labelled examples of the ids it knows plus each
 * intent's description and examples; the OpenAI prompt lists ids and descriptions.
 */
export interface IntentDef {
  id: string;
  description: string;
  /** A few example messages: extra training text for the local classifier, few-shot hints for a model. */
  examples?: string[];
}

export const DEFAULT_INTENTS: IntentDef[] = [
  { id: 'maintenance_request', description: 'Something is broken or needs service/repair, but nobody is in danger and nothing is being damaged right now.' },
  { id: 'emergency', description: 'Danger or damage happening now: flooding, gas, fire, smoke, sparks, no heat in freezing weather, lockout with a child inside, structural collapse.' },
  { id: 'schedule_change', description: 'Move, reschedule or cancel an existing appointment, visit or call.' },
  { id: 'eta_inquiry', description: 'When will the technician, crew, delivery or appointment arrive or happen; is someone still coming.' },
  { id: 'payment', description: 'Paying, invoices, charges, fees, refunds, payment methods, balances.' },
  { id: 'quote_request', description: 'Asking for a price, estimate, bid or quote for new work.' },
  { id: 'complaint', description: 'Dissatisfaction with service, staff, quality, delays or neighbors.' },
  { id: 'lease_or_contract', description: 'Leases, contracts, agreements, renewals, warranties, terms, cancellation of an agreement.' },
  { id: 'general_question', description: 'Any other question about the business, policies, hours or services.' },
  { id: 'thanks_or_confirmation', description: 'Thanks, acknowledgement, or confirming a proposed time or choice.' },
];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

export const ENTITY_TYPES = ['date', 'time', 'money', 'unit', 'address', 'person'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
