import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { signIn, signInLinkError, SESSION_KEY } from '../app/session.tsx';
import { BrandMark, useBrandColors } from '../app/brand.tsx';
import { get } from '../api/client.ts';
import type { Branding } from '../api/types.ts';
import { ErrorNotice } from '../ui/states.tsx';

/** POST /v1/sessions: the server sets the httpOnly session cookie; the shell then loads the session. */
export default function SignIn() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(signInLinkError);
  // On a platform's own domain (Host-based), its brand; else Switchboard's.
  const brand = useQuery({ queryKey: ['branding'], queryFn: () => get<{ platform: string | null; branding: Branding }>('/v1/branding'), staleTime: Infinity }).data;
  const branding = brand?.platform ? brand.branding : null;
  useBrandColors(branding);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      await qc.invalidateQueries({ queryKey: SESSION_KEY });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand brand-center">
          <BrandMark branding={branding} />
          <span className="brand-name">{branding?.displayName ?? 'Switchboard'}</span>
        </div>
        <h1 id="signin-title">Sign in</h1>
        <p className="muted">Use the email and password your admin gave you. The first start prints the demo owner's.</p>
        {error != null && <ErrorNotice error={error} title={error === signInLinkError ? 'This sign-in link did not work' : 'Could not sign in'} />}
        <label className="field">
          <span>Email</span>
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
