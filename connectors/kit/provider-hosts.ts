import { ConnectorError } from './errors.ts';

/**
 * A base URL taken from a connection's config, allowed only on the provider's own hosts.
 *
 * Connection config is written by the tenant, so a free-form base URL would let any org make
 * Switchboard call any address (SSRF: loopback, the cloud metadata service). Connectors that
 * take a base URL (Pipedrive's per-company `apiDomain`, HubSpot's `apiBaseUrl`) declare one
 * pattern: it is the `pattern` of the config schema field (so installing with another host is a
 * 400 naming the field) and is checked again here before every call (connections stored before
 * the pattern existed cannot call out either).
 */
export function providerBaseUrl(raw: string | undefined, fallback: string, pattern: string, provider: string): string {
  const value = raw ?? fallback;
  if (!new RegExp(pattern).test(value)) {
    throw new ConnectorError('invalid_request', `${provider}: the configured base URL is not one of ${provider}'s hosts; update the connection's config.`, { retryable: false });
  }
  return value.replace(/\/$/, '');
}
