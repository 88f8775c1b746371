import type { RuleAction } from './types.ts';
import { sendMessage } from './send-message.ts';
import { tag } from './tag.ts';
import { assign } from './assign.ts';
import { setMetadata } from './set-metadata.ts';
import { closeConversation } from './close-conversation.ts';
import { callWebhook } from './call-webhook.ts';
import { emitEvent } from './emit-event.ts';
import { invoke } from './invoke.ts';
import { linkContactAction } from './link-contact.ts';
import { logToCrmAction } from './log-to-crm.ts';
import { enrichAction } from './enrich.ts';

/**
 * Every rule action type. A new action is one file in rules/actions/ and ONE line in this list
 * (rules/README.md, "Adding an action").
 */
const ACTIONS: RuleAction[] = [
  sendMessage,
  tag,
  assign,
  setMetadata,
  closeConversation,
  callWebhook,
  emitEvent,
  invoke,
  linkContactAction,
  logToCrmAction,
  enrichAction,
];

export const actionRegistry: ReadonlyMap<string, RuleAction> = new Map(ACTIONS.map((a) => [a.type, a]));

export type { RuleAction, ActionEnv, ActionOutcome } from './types.ts';
