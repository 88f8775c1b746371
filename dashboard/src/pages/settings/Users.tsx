import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post } from '../../api/client.ts';
import type { Role, User } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { Badge, Empty, ErrorNotice, QueryView } from '../../ui/states.tsx';
import { InviteForm, ResendInvitation } from './Invite.tsx';

const ROLES: Role[] = ['owner', 'admin', 'agent', 'viewer'];
const USERS_KEY = ['users'];

/** Dashboard users: add one (with a first password to hand over), change a role, remove (disable: sessions end at once). */
export function Users() {
  const qc = useQueryClient();
  const { session } = useSession();
  const users = useQuery({ queryKey: USERS_KEY, queryFn: () => get<{ data: User[] }>('/v1/users') });
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role, password: '' });
  const refresh = () => qc.invalidateQueries({ queryKey: USERS_KEY });
  const add = useMutation({
    mutationFn: () => post<User>('/v1/users', { ...form, name: form.name || undefined }),
    onSuccess: () => {
      setForm({ email: '', name: '', role: 'agent', password: '' });
      void refresh();
    },
  });
  const setRole = useMutation({ mutationFn: ({ id, role }: { id: string; role: Role }) => patch<User>(`/v1/users/${id}`, { role }), onSettled: refresh });
  const remove = useMutation({ mutationFn: (id: string) => del(`/v1/users/${id}`), onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <section className="card section-gap" aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <form onSubmit={submit} className="form-row">
        <label className="field grow">
          <span>Email</span>
          <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />
        </label>
        <label className="field grow">
          <span>Name</span>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>First password (12+ characters)</span>
          <input type="password" autoComplete="new-password" minLength={12} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required />
        </label>
        <button type="submit" className="btn btn-primary" disabled={add.isPending}>
          Add user
        </button>
      </form>
      {add.isError && <ErrorNotice error={add.error} title="The user was not added" />}
      <InviteForm onInvited={refresh} />
      {(setRole.error ?? remove.error) && <ErrorNotice error={setRole.error ?? remove.error} title="Not changed" />}
      <QueryView query={users} errorTitle="The users could not be loaded" empty={<Empty title="No users" />}>
        {(data) => (
          <table className="table section-gap">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.name ?? u.email}
                    <div className="small muted">{u.email}</div>
                    {u.invitation === 'pending' && <Badge tone="warn">invited</Badge>}
                  </td>
                  <td>
                    <select aria-label={`Role of ${u.email}`} value={u.role} disabled={setRole.isPending} onChange={(e) => setRole.mutate({ id: u.id, role: e.target.value as Role })}>
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td className="nowrap">
                    {u.invitation === 'pending' && <ResendInvitation user={u} />}
                    {u.id !== session.user.id && (
                      <ConfirmButton
                        className="btn btn-small btn-danger"
                        label={`Remove ${u.email}`}
                        title={`Remove ${u.name ?? u.email}?`}
                        message="They are signed out and can no longer sign in to this org."
                        confirmLabel="Remove user"
                        disabled={remove.isPending}
                        onConfirm={() => remove.mutate(u.id)}
                      >
                        Remove
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
