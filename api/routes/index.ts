import type { RouteSpec } from '../http/route.ts';
import { healthRoutes } from './health.ts';
import { syncRoutes } from './sync.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { contactRoutes } from './contacts.ts';
import { contactGdprRoutes } from './contacts-gdpr.ts';
import { conversationRoutes } from './conversations.ts';
import { messageRoutes } from './messages.ts';
import { realtimeRoutes } from '../realtime/tokens.ts';
import { connectorRoutes } from './connectors.ts';
import { connectionRoutes } from './connections.ts';
import { senderRoutes } from './senders.ts';
import { provisioningRoutes } from './provisioning.ts';
import { widgetRoutes } from './widget.ts';
import { embedTokenRoutes } from './embed-tokens.ts';
import { orgRoutes } from './org.ts';
import { legalHoldRoutes } from './legal-holds.ts';
import { auditRoutes } from './audit.ts';
import { consentRoutes } from './consents.ts';
import { userRoutes } from './users.ts';
import { invitationRoutes } from './invitations.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { ruleRoutes } from './rules.ts';
import { ruleEditorRoutes } from './rules-editor.ts';
import { oauthRoutes } from './oauth.ts';
import { aiRoutes } from './ai.ts';
import { platformRoutes } from './platform.ts';
import { platformOrgRoutes } from './platform-orgs.ts';
import { platformUsageRoutes } from './platform-usage.ts';
import { platformAuditRoutes } from './platform-audit.ts';
import { signInRoutes } from './sign-in.ts';

/** Every built-in route. A new resource is one file here plus one line below. */
export function allRoutes(): RouteSpec[] {
  return [
    ...healthRoutes,
    ...orgRoutes,
    ...auditRoutes,
    ...syncRoutes,
    ...apiKeyRoutes,
    ...contactRoutes,
    ...contactGdprRoutes,
    ...conversationRoutes,
    ...messageRoutes,
    ...realtimeRoutes,
    ...connectorRoutes,
    ...connectionRoutes,
    ...oauthRoutes,
    ...senderRoutes,
    ...provisioningRoutes,
    ...widgetRoutes,
    ...embedTokenRoutes,
    ...legalHoldRoutes,
    ...consentRoutes,
    ...userRoutes,
    ...invitationRoutes,
    ...subscriptionRoutes,
    ...ruleEditorRoutes,
    ...ruleRoutes,
    ...aiRoutes,
    ...platformRoutes,
    ...platformOrgRoutes,
    ...platformUsageRoutes,
    ...platformAuditRoutes,
    ...signInRoutes,
  ];
}
