import { useState } from 'react';

/** A secret the API shows only once (an API key, a webhook signing secret): shown with a copy button and a warning. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice notice-warn" role="status" aria-label={label}>
      <p className="notice-title">{label}: copy it now, it will not be shown again.</p>
      <div className="secret-once">
        <code data-secret>{secret}</code>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
