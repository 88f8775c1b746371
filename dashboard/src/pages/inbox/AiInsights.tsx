import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client.ts';
import type { Enrichment } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { Badge, ErrorNotice, formatTime } from '../../ui/states.tsx';
import { inboxKeys, useEnrichment } from './queries.ts';

/**
 * AI insights of the conversation, under the thread's header: the summary, intent and sentiment
 * of its newest enrichment (GET /v1/conversations/{id}/enrichment; kept live by InboxPage, which
 * refreshes it on conversation.enriched). "Summarize" (none yet) or "Update" (a message arrived
 * since) runs POST /v1/conversations/{id}/enrich, which returns the stored result while the
 * conversation has not changed. The summary is text only (customer words), never HTML.
 */
const SENTIMENT_TONE = { negative: 'bad', neutral: 'neutral', positive: 'good' } as const;
const FALLBACK: Record<string, string> = {
  hipaa_not_baa: 'AI connection not BAA-covered',
  budget_exhausted: 'monthly token budget used up',
  invalid_output: 'AI connection gave invalid output',
  timeout: 'AI connection timed out',
  provider_error: 'AI connection failed',
};

export const intentLabel = (id: string) => id.replace(/_/g, ' ');

export function AiInsights({ conversationId, latestMessageId }: { conversationId: string; latestMessageId: string | undefined }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const enrichment = useEnrichment(conversationId);
  const run = useMutation({
    mutationFn: () => post<Enrichment>(`/v1/conversations/${conversationId}/enrich`, {}),
    onSuccess: (e) => qc.setQueryData(inboxKeys.enrichment(conversationId), e),
  });
  const e = enrichment.data ?? null;
  const stale = !!e && !!latestMessageId && e.version !== latestMessageId;
  const writable = can('conversations:write');
  return (
    <section className="ai-insights" aria-labelledby="ai-insights-title">
      <div className="ai-insights-head">
        <h3 id="ai-insights-title">AI insights</h3>
        {e && (
          <span className="ai-insights-badges">
            {e.intent && <Badge tone={e.intent.id === 'emergency' ? 'bad' : 'info'}>{`Intent: ${intentLabel(e.intent.id)}`}</Badge>}
            {e.sentiment && <Badge tone={SENTIMENT_TONE[e.sentiment.label] ?? 'neutral'}>{`Sentiment: ${e.sentiment.label} (${e.sentiment.score.toFixed(2)})`}</Badge>}
          </span>
        )}
        {writable && (
          <button type="button" className="btn btn-small" disabled={run.isPending || enrichment.isPending} onClick={() => run.mutate()}>
            {run.isPending ? 'Working…' : e ? 'Update' : 'Summarize'}
          </button>
        )}
      </div>
      {enrichment.isError ? (
        <ErrorNotice error={enrichment.error} title="Could not load AI insights" retry={() => void enrichment.refetch()} />
      ) : enrichment.isPending ? (
        <p className="muted small">Loading…</p>
      ) : !e ? (
        <p className="muted small">No summary yet.{writable ? ' Summarize reads the conversation and finds its intent and sentiment.' : ''}</p>
      ) : (
        <>
          {e.summary ? <p className="ai-summary" aria-label="Summary">{e.summary}</p> : <p className="muted small">No summary in this result{writable ? ': Update makes one.' : '.'}</p>}
          <p className="ai-insights-meta muted small">
            {stale && (
              <>
                <Badge tone="warn">New messages since</Badge>{' '}
              </>
            )}
            {e.provider === 'openai' ? `AI connection${e.model ? ` (${e.model})` : ''}` : 'Local model'}
            {e.fallback ? ` · ${FALLBACK[e.fallback] ?? e.fallback}, used the local model` : ''} · <time dateTime={e.createdAt}>{formatTime(e.createdAt)}</time>
          </p>
        </>
      )}
      {run.isError && <ErrorNotice error={run.error} title="Could not summarize" />}
    </section>
  );
}
