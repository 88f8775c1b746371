import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Scope } from '../api/types.ts';

/**
 * Every screen of the dashboard: its path, the lazy chunk that renders it, and (for top-level
 * screens) its place in the navigation with the scope it needs to be shown. A new screen is one
 * file under pages/ plus one entry here. The first matching pattern wins, so put specific paths
 * before general ones.
 */
export interface RouteEntry {
  path: string;
  component: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
  nav?: { label: string; scope: Scope };
}


export const routes: RouteEntry[] = [
  { path: '/', component: lazy(() => import('../pages/inbox/InboxPage.tsx')), nav: { label: 'Inbox', scope: 'conversations:read' } },
  { path: '/inbox/:conversationId', component: lazy(() => import('../pages/inbox/InboxPage.tsx')) },
  { path: '/connectors', component: lazy(() => import('../pages/connectors/ConnectorsPage.tsx')), nav: { label: 'Connectors', scope: 'connections:read' } },
  { path: '/connectors/install/:connectorId', component: lazy(() => import('../pages/connectors/InstallPage.tsx')) },
  { path: '/connections/:id', component: lazy(() => import('../pages/connectors/ConnectionPage.tsx')) },
  { path: '/rules', component: lazy(() => import('../pages/rules/RulesPage.tsx')), nav: { label: 'Rules', scope: 'admin' } },
  { path: '/rules/new', component: lazy(() => import('../pages/rules/RuleEditorPage.tsx')) },
  { path: '/rules/:id', component: lazy(() => import('../pages/rules/RuleEditorPage.tsx')) },
  { path: '/developers', component: lazy(() => import('../pages/developers/DevelopersPage.tsx')), nav: { label: 'Developers', scope: 'admin' } },
  { path: '/developers/webhooks/:id', component: lazy(() => import('../pages/developers/WebhookPage.tsx')) },
  { path: '/widget', component: lazy(() => import('../pages/widget/WidgetPage.tsx')), nav: { label: 'Chat widget', scope: 'connections:read' } },
  { path: '/compliance', component: lazy(() => import('../pages/compliance/CompliancePage.tsx')), nav: { label: 'Compliance', scope: 'admin' } },
  { path: '/settings', component: lazy(() => import('../pages/settings/SettingsPage.tsx')), nav: { label: 'Settings', scope: 'admin' } },
];
