import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { put } from '../api/client.ts';
import { SESSION_KEY, useSession } from '../app/session.tsx';
import { navigate } from '../app/router.tsx';
import { BrandMark, useBrandColors } from '../app/brand.tsx';
import { ErrorNotice } from '../ui/states.tsx';

/**
 * First sign-in through an invitation link: the user is signed in (the link's token was exchanged)
 * and chooses their password (PUT /v1/sessions/current/password) before anything else.
 */
export default function SetPassword() {
  const qc = useQueryClient();
  const { session } = useSession();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const branding = session.org.branding ?? null;
  useBrandColors(branding);
  const mismatch = repeat !== '' && repeat !== password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await put('/v1/sessions/current/password', { password });
      if (window.location.pathname === '/invite') navigate('/', { replace: true });
      await qc.invalidateQueries({ queryKey: SESSION_KEY });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="setpw-title">
        <div className="brand brand-center">
          <BrandMark branding={branding} />
          <span className="brand-name">{branding?.displayName ?? session.org.name}</span>
        </div>
        <h1 id="setpw-title">Choose your password</h1>
        <p className="muted">
          Welcome, {session.user.name ?? session.user.email}. You were invited as {session.user.role}; choose a password (12 or more characters) to sign in with from now on.
        </p>
        {error != null && <ErrorNotice error={error} title="The password was not set" />}
        <label className="field">
          <span>New password</span>
          <input type="password" autoComplete="new-password" minLength={12} required value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>Repeat the password</span>
          <input type="password" autoComplete="new-password" minLength={12} required value={repeat} onChange={(e) => setRepeat(e.target.value)} aria-invalid={mismatch} />
        </label>
        {mismatch && (
          <p className="small" role="alert">
            The two passwords differ.
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || mismatch}>
          {busy ? 'Saving…' : 'Set password and continue'}
        </button>
      </form>
    </main>
  );
}
