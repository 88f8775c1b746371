import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { Contact, Page } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { ErrorNotice, formatTime } from '../../ui/states.tsx';
import { contactLabel } from './queries.ts';

/**
 * Merge and unmerge in the contact panel. Merging folds another contact (found by one of its
 * handles) into this one: its handles, conversations, messages and consent move here
 * (POST /v1/contacts/{id}/merge). Every merge this contact took part in is listed with Undo
 * (POST /v1/contacts/merges/{id}/undo), which gives both contacts back exactly what they had.
 * Both go through the confirm dialog; a role without contacts:write sees the history only.
 */
interface Merge {
  id: string;
  survivorId: string;
  mergedId: string;
  createdAt: string;
  undoneAt: string | null;
}

const HANDLE_KINDS = ['phone', 'email', 'whatsapp', 'app_user'] as const;

export function ContactMerges({ contact }: { contact: Contact }) {
  const qc = useQueryClient();
  const writable = useSession().can('contacts:write');
  const merges = useQuery({ queryKey: ['contact', contact.id, 'merges'], queryFn: ({ signal }) => get<Page<Merge>>(`/v1/contacts/${contact.id}/merges`, { limit: 10 }, signal) });
  const [kind, setKind] = useState<string>('phone');
  const [value, setValue] = useState('');
  const find = useMutation({
    mutationFn: async () => (await get<Page<Contact>>('/v1/contacts', { handle: { kind, value: value.trim() } })).data[0] ?? null,
  });
  const refresh = () => {
    for (const key of [['contact'], ['consents'], ['conversations'], ['conversation'], ['messages']]) void qc.invalidateQueries({ queryKey: key });
  };
  const merge = useMutation({
    mutationFn: (other: Contact) => post(`/v1/contacts/${contact.id}/merge`, { contactId: other.id }),
    onSuccess: () => {
      find.reset();
      setValue('');
      refresh();
    },
  });
  const undo = useMutation({ mutationFn: (mergeId: string) => post(`/v1/contacts/merges/${mergeId}/undo`), onSuccess: refresh });
  const found = find.data;
  const onFind = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) find.mutate();
  };
  const history = merges.data?.data ?? [];
  return (
    <>
      {(writable || history.length > 0) && <h3>Merges</h3>}
      {history.length > 0 && (
        <ul className="contact-list" aria-label="Merges">
          {history.map((m) => (
            <li key={m.id} className="small">
              {m.survivorId === contact.id ? 'Another contact merged in' : 'Merged into another contact'} · {formatTime(m.createdAt)}
              {m.undoneAt ? (
                <span className="muted"> · undone</span>
              ) : (
                writable && (
                  <ConfirmButton
                    className="btn btn-small"
                    label={`Undo the merge of ${formatTime(m.createdAt)}`}
                    title="Undo this merge?"
                    message="Both contacts get back exactly the handles, conversations, messages and consent they had before it."
                    confirmLabel="Undo merge"
                    disabled={undo.isPending}
                    onConfirm={() => undo.mutate(m.id)}
                  >
                    Undo
                  </ConfirmButton>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {undo.error && <ErrorNotice error={undo.error} title="Could not undo the merge" />}
      {writable && (
        <form className="merge-find" onSubmit={onFind}>
          <label htmlFor="merge-kind" className="sr-only">
            Handle kind
          </label>
          <select id="merge-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {HANDLE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label htmlFor="merge-value" className="sr-only">
            Find a contact to merge by handle
          </label>
          <input id="merge-value" placeholder="Handle of a duplicate" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" className="btn btn-small" disabled={find.isPending || !value.trim()}>
            Find
          </button>
        </form>
      )}
      {find.error && <ErrorNotice error={find.error} title="Could not look the handle up" />}
      {find.isSuccess && !found && <p className="muted small">No contact holds that handle.</p>}
      {found && found.id === contact.id && <p className="muted small">That handle is already this contact’s.</p>}
      {found && found.id !== contact.id && (
        <div className="merge-candidate">
          <span className="small">{contactLabel(found)}</span>
          <ConfirmButton
            className="btn btn-small"
            title={`Merge ${contactLabel(found)} into ${contactLabel(contact)}?`}
            message="Its handles, conversations, messages and consent move to this contact. You can undo it from this panel."
            confirmLabel="Merge contacts"
            disabled={merge.isPending}
            onConfirm={() => merge.mutate(found)}
          >
            Merge into this contact
          </ConfirmButton>
        </div>
      )}
      {merge.error && <ErrorNotice error={merge.error} title="Could not merge" />}
    </>
  );
}
