import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from '../../api/client.ts';
import type { ApiKey } from '../../api/admin-types.ts';
import { Badge, Empty, ErrorNotice, QueryView, formatTime } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { SecretOnce } from '../../ui/secret-once.tsx';

const SCOPES = ['admin', 'contacts:read', 'contacts:write', 'conversations:read', 'conversations:write', 'messages:read', 'messages:send', 'events:read', 'connections:read', 'connections:write'];
const KEYS = ['api-keys'];

/** API keys: create (scopes chosen, the secret shown once), list, revoke. */
export function ApiKeys() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: KEYS, queryFn: () => get<{ data: ApiKey[] }>('/v1/api-keys') });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['messages:send', 'messages:read']);
  const create = useMutation({
    mutationFn: () => post<ApiKey>('/v1/api-keys', { name, scopes }),
    onSuccess: () => {
      setName('');
      void qc.invalidateQueries({ queryKey: KEYS });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => del<ApiKey>(`/v1/api-keys/${id}`), onSuccess: () => qc.invalidateQueries({ queryKey: KEYS }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <form onSubmit={submit}>
        <div className="form-row">
          <label className="field grow">
            <span>Key name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Billing backend" required />
          </label>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create key
          </button>
        </div>
        <fieldset className="scopes">
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="checkbox">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
              <code>{s}</code>
            </label>
          ))}
        </fieldset>
      </form>
      {create.isError && <ErrorNotice error={create.error} title="The key was not created" />}
      {create.data?.secret && <SecretOnce label={`API key "${create.data.name}"`} secret={create.data.secret} onDone={() => create.reset()} />}
      {revoke.isError && <ErrorNotice error={revoke.error} title="The key was not revoked" />}
      <QueryView query={keys} errorTitle="The keys could not be loaded" empty={<Empty title="No API keys" />}>
        {(data) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>
                    <div className="tags">
                      {k.scopes.map((s) => (
                        <Badge key={s}>{s}</Badge>
                      ))}
                    </div>
                  </td>
                  <td>{formatTime(k.createdAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <Badge tone="bad">revoked {formatTime(k.revokedAt)}</Badge>
                    ) : (
                      <ConfirmButton
                        className="btn btn-small btn-danger"
                        label={`Revoke ${k.name}`}
                        title={`Revoke the key "${k.name}"?`}
                        message="Every request made with it is refused from now on. This cannot be undone."
                        confirmLabel="Revoke key"
                        disabled={revoke.isPending}
                        onConfirm={() => revoke.mutate(k.id)}
                      >
                        Revoke
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
