import type { Conversation } from '../../api/types.ts';
import { Badge, ErrorNotice, Loading } from '../../ui/states.tsx';
import { ContactMerges } from './ContactMerges.tsx';
import { channelLabel, contactLabel, useConsents, useContact } from './queries.ts';

/** Who the customer is: handles, CRM links, consent per channel, merges (merge a duplicate, undo), and the conversation's metadata. */
const safeUrl = (u: string | null) => (u && /^https:\/\//i.test(u) ? u : null);

export function ContactPanel({ conversation }: { conversation: Conversation }) {
  const contact = useContact(conversation.contactId);
  const consents = useConsents(conversation.contactId);
  const meta = Object.entries(conversation.metadata ?? {});
  return (
    <aside className="contact-panel" aria-label="Contact">
      {!conversation.contactId ? (
        <p className="muted">No contact on this conversation.</p>
      ) : contact.isPending ? (
        <Loading label="Loading contact…" />
      ) : contact.isError ? (
        <ErrorNotice error={contact.error} title="Could not load the contact" />
      ) : (
        <>
          <h2 className="contact-name">{contactLabel(contact.data)}</h2>
          <h3>Handles</h3>
          <ul className="contact-list">
            {contact.data.handles.map((h) => (
              <li key={h.id}>
                <span className="muted small">{h.kind}</span> <span className="mono">{h.value}</span>
              </li>
            ))}
          </ul>
          {!!contact.data.links?.length && (
            <>
              <h3>Linked records</h3>
              <ul className="contact-list">
                {contact.data.links.map((l) => {
                  const url = safeUrl(l.url);
                  return (
                    <li key={l.id}>
                      {url ? (
                        <a href={url} target="_blank" rel="noopener noreferrer">
                          {l.system} {l.externalId}
                        </a>
                      ) : (
                        `${l.system} ${l.externalId}`
                      )}
                    </li>
                  );
                })}
              </ul>
            </>
          )}
          <h3>Consent</h3>
          {consents.isError ? (
            <ErrorNotice error={consents.error} title="Could not load consent" />
          ) : !consents.data?.current.length ? (
            <p className="muted small">{consents.isPending ? 'Loading…' : 'Nothing recorded.'}</p>
          ) : (
            <ul className="contact-list">
              {consents.data.current.map((c) => (
                <li key={c.id}>
                  {channelLabel(c.channel)} · {c.purpose}{' '}
                  <Badge tone={c.status === 'opted_out' ? 'bad' : 'good'}>{c.status.replace('_', ' ')}</Badge>
                </li>
              ))}
            </ul>
          )}
          <ContactMerges contact={contact.data} />
        </>
      )}
      {meta.length > 0 && (
        <>
          <h3>Details</h3>
          <dl className="contact-meta">
            {meta.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </aside>
  );
}
