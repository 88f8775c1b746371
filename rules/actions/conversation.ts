import { AppError } from '../../core/errors.ts';
import type { ActionEnv } from './types.ts';

/** The conversation a conversation action works on: the event's, else the action's own `conversationId`. */
export function targetConversation(env: ActionEnv, explicit?: string): string {
  const id = explicit || env.context.conversation?.id;
  if (!id) {
    throw new AppError('unprocessable', 'The event has no conversation; give "conversationId".', { details: [{ field: '/conversationId', reason: 'no conversation in the context' }] });
  }
  return id;
}

export const conversationIdProp = { type: 'string', minLength: 1, maxLength: 200, description: 'Default: the event’s conversation. Templated.' } as const;
