import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Connection, Connector } from '../../api/types.ts';

/** The connector screens' reads: the catalog (what can be installed) and the org's connections. */
export const connectorKeys = {
  catalog: ['connectors'] as const,
  connections: ['connections'] as const,
  connection: (id: string) => ['connections', id] as const,
  health: (id: string) => ['connections', id, 'health'] as const,
  archive: (id: string, failedOnly: boolean) => ['connections', id, 'archive', failedOnly] as const,
  upgradeOptions: (id: string) => ['connections', id, 'upgrade-options'] as const,
  provisioning: (id: string) => ['connections', id, 'provisioning'] as const,
  wiring: (id: string) => ['connections', id, 'wiring'] as const,
};

export const useCatalog = () =>
  useQuery({ queryKey: connectorKeys.catalog, queryFn: ({ signal }) => get<{ data: Connector[] }>('/v1/connectors', undefined, signal).then((r) => r.data), staleTime: 5 * 60_000 });

export const useConnections = () =>
  useQuery({ queryKey: connectorKeys.connections, queryFn: ({ signal }) => get<{ data: Connection[] }>('/v1/connections', undefined, signal).then((r) => r.data) });

export const useConnection = (id: string) =>
  useQuery({ queryKey: connectorKeys.connection(id), queryFn: ({ signal }) => get<Connection>(`/v1/connections/${id}`, undefined, signal) });

export const KIND_LABELS: Record<string, string> = { channel: 'Channel', crm: 'CRM', vertical: 'Vertical', payments: 'Payments', ai: 'AI' };

export const statusTone = (s: string) => (s === 'active' ? 'good' : s === 'error' ? 'bad' : 'neutral') as 'good' | 'bad' | 'neutral';
