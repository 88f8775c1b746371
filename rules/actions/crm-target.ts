import { AppError } from '../../core/errors.ts';
import type { ActionEnv } from './types.ts';

/** What link_contact and log_to_crm share: the CRM connection reference and the contact / conversation they act on. */
export interface CrmActionRef {
  connection?: string;
  connector?: string;
}

export const crmRefProps = {
  connection: { type: 'string', minLength: 1, maxLength: 200, description: 'A connection id (templates allowed)' },
  connector: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$', description: "A connector id (hubspot, pipedrive…): the org's oldest active connection of it" },
} as const;

export const crmRefOneOf = [{ required: ['connection'] }, { required: ['connector'] }];

export function contactOf(env: ActionEnv, what: string): string {
  const id = env.context.contact?.id ?? env.context.conversation?.contactId;
  if (!id) throw new AppError('unprocessable', `${what}: the event has no contact.`);
  return id;
}

export function conversationOf(env: ActionEnv, what: string): string {
  const id = env.context.conversation?.id ?? env.context.event.conversationId;
  if (!id) throw new AppError('unprocessable', `${what}: the event has no conversation.`);
  return id;
}
