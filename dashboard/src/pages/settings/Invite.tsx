import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { post } from '../../api/client.ts';
import type { Role, User } from '../../api/types.ts';
import { ErrorNotice } from '../../ui/states.tsx';
import { SecretOnce } from '../../ui/secret-once.tsx';

interface Invitation {
  user: User;
  inviteUrl: string;
  expiresAt: string;
  email: { sent: boolean; reason: string | null };
}

/** What an invitation did: emailed, or not (no email connection, a sandbox one) — then the link to share, shown once. */
function InvitationResult({ invitation, onDone }: { invitation: Invitation; onDone(): void }) {
  return (
    <div className="section-gap">
      {invitation.email.sent ? (
        <p className="notice notice-good" role="status">
          Invitation emailed to {invitation.user.email}.
        </p>
      ) : (
        <p className="notice notice-warn" role="status">
          Not emailed: {invitation.email.reason}
        </p>
      )}
      <SecretOnce label={`Invite link for ${invitation.user.email}`} secret={invitation.inviteUrl} onDone={onDone} />
    </div>
  );
}

/** POST /v1/invitations: the user chooses their own password through the link. */
export function InviteForm({ onInvited }: { onInvited(): void }) {
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role });
  const invite = useMutation({
    mutationFn: () => post<Invitation>('/v1/invitations', { email: form.email, role: form.role, ...(form.name ? { name: form.name } : {}) }),
    onSuccess: () => {
      setForm({ email: '', name: '', role: 'agent' });
      onInvited();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <div className="section-gap">
      <h3 id="invite-heading">Invite by email</h3>
      <form onSubmit={submit} className="form-row" aria-labelledby="invite-heading">
        <label className="field grow">
          <span>Invitee email</span>
          <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />
        </label>
        <label className="field grow">
          <span>Invitee name</span>
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>Invitee role</span>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {(['owner', 'admin', 'agent', 'viewer'] as Role[]).map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
          Send invitation
        </button>
      </form>
      {invite.isError && <ErrorNotice error={invite.error} title="The invitation was not sent" />}
      {invite.data && <InvitationResult invitation={invite.data} onDone={() => invite.reset()} />}
    </div>
  );
}

/** POST /v1/users/{id}/invitation: a new link (the old one stops working) and a new email. */
export function ResendInvitation({ user }: { user: User }) {
  const resend = useMutation({ mutationFn: () => post<Invitation>(`/v1/users/${user.id}/invitation`) });
  return (
    <>
      <button type="button" className="btn btn-small" aria-label={`Resend invitation to ${user.email}`} disabled={resend.isPending} onClick={() => resend.mutate()}>
        Resend
      </button>
      {resend.isError && <ErrorNotice error={resend.error} title="Not resent" />}
      {resend.data && <InvitationResult invitation={resend.data} onDone={() => resend.reset()} />}
    </>
  );
}
