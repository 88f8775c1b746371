import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

/** The three states every screen has besides its data: loading, empty and failed. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

/** An API error with its code and message (and field details), or any other failure. */
export function ErrorNotice({ error, title = 'Something went wrong', retry }: { error: unknown; title?: string; retry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>
        {api && <code className="code">{api.code}</code>} {error instanceof Error ? error.message : String(error)}
      </p>
      {api && api.fields.length > 0 && (
        <ul className="notice-fields">
          {api.fields.map((f, i) => (
            <li key={i}>
              {f.field && <code>{f.field}</code>} {f.reason ?? JSON.stringify(f)}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" className="btn btn-small" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

export function relativeTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** What QueryView needs of a TanStack query (plain or infinite). */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** A list answer with nothing in it: an array, a page ({ data: [] }), a feed ({ events: [] }), or every page of an infinite query. */
export function isEmptyData(d: unknown): boolean {
  if (Array.isArray(d)) return d.length === 0;
  if (d && typeof d === 'object') {
    const o = d as { pages?: unknown[]; data?: unknown; events?: unknown };
    if (Array.isArray(o.pages)) return o.pages.every(isEmptyData);
    if (Array.isArray(o.data)) return o.data.length === 0;
    if (Array.isArray(o.events)) return o.events.length === 0;
  }
  return false;
}

/**
 * The one place a query's states are drawn: a spinner while pending, the API error (code, message,
 * Retry) when it failed, `empty` when the answer holds nothing, else children(data).
 */
export function QueryView<T>({
  query,
  errorTitle,
  loadingLabel,
  empty,
  isEmpty = isEmptyData,
  children,
}: {
  query: QueryLike<T>;
  errorTitle: string;
  loadingLabel?: string;
  /** Drawn instead of children when isEmpty(data); without it an empty answer goes to children. */
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError || query.data === undefined) return <ErrorNotice error={query.error} title={errorTitle} retry={() => void query.refetch()} />;
  if (empty !== undefined && isEmpty(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
