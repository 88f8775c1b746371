import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { patch } from '../../api/client.ts';
import type { Conversation } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { ErrorNotice } from '../../ui/states.tsx';
import { assigneeLabel, inboxKeys, useAssignees } from './queries.ts';

/**
 * Who works the conversation and its tags, under the thread's header. One PATCH per change; the
 * API normalizes tags (lowercase, spaces → '-') and answers the conversation, which replaces the
 * cached one. A role without conversations:write sees both, read only.
 */
export function AssignAndTags({ conv }: { conv: Conversation }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const assignees = useAssignees().data?.data ?? [];
  const [draft, setDraft] = useState('');
  const change = useMutation({
    mutationFn: (body: { assigneeId?: string | null; tags?: string[] }) => patch<Conversation>(`/v1/conversations/${conv.id}`, body),
    onSuccess: (c) => {
      qc.setQueryData(inboxKeys.conversation(conv.id), c);
      void qc.invalidateQueries({ queryKey: inboxKeys.conversations });
    },
  });
  const writable = can('conversations:write');
  const assignee = assignees.find((a) => a.id === conv.assigneeId);
  const addTag = () => {
    const t = draft.trim();
    if (!t) return;
    change.mutate({ tags: [...conv.tags, t] }, { onSuccess: () => setDraft('') });
  };
  return (
    <div className="thread-work">
      {writable ? (
        <>
          <label htmlFor="thread-assignee" className="small muted">
            Assignee
          </label>
          <select id="thread-assignee" value={conv.assigneeId ?? ''} disabled={change.isPending} onChange={(e) => change.mutate({ assigneeId: e.target.value || null })}>
            <option value="">Unassigned</option>
            {assignees.map((a) => (
              <option key={a.id} value={a.id}>
                {assigneeLabel(a)}
              </option>
            ))}
          </select>
        </>
      ) : (
        <span className="small muted">{conv.assigneeId ? `Assigned to ${assigneeLabel(assignee)}` : 'Unassigned'}</span>
      )}
      <ul className="tag-list" aria-label="Tags">
        {conv.tags.map((t) => (
          <li key={t} className="tag-chip">
            #{t}
            {writable && (
              <button type="button" aria-label={`Remove tag ${t}`} disabled={change.isPending} onClick={() => change.mutate({ tags: conv.tags.filter((x) => x !== t) })}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {writable && (
        <>
          <label htmlFor="thread-tag" className="sr-only">
            Add a tag
          </label>
          <input
            id="thread-tag"
            placeholder="Add a tag"
            value={draft}
            maxLength={50}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addTag();
              }
            }}
          />
        </>
      )}
      {change.error && <ErrorNotice error={change.error} title="Could not change the conversation" />}
    </div>
  );
}
