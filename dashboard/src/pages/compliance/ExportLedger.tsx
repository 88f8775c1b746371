import { useState } from 'react';
import { downloadWithProgress, type DownloadProgress } from '../../api/download.ts';
import { ErrorNotice } from '../../ui/states.tsx';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** "Export ledger (CSV)": the whole consent ledger (audited by the server), with its progress shown while it streams. */
export function ExportLedger() {
  const [progress, setProgress] = useState<(DownloadProgress & { running: boolean }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setError(null);
    setProgress({ bytes: 0, lines: 0, running: true });
    try {
      const done = await downloadWithProgress('/v1/consents/export.csv', (p) => setProgress({ ...p, running: true }));
      setProgress({ ...done, running: false });
    } catch (err) {
      setProgress(null);
      setError(err);
    }
  };
  // The header line is not a record.
  const records = (p: DownloadProgress) => Math.max(p.lines - 1, 0);
  return (
    <div className="export-ledger">
      <button type="button" className="btn btn-small" disabled={progress?.running} onClick={() => void run()}>
        Export ledger (CSV)
      </button>
      {progress && (
        <div role="status" aria-label="Export progress" className="small muted">
          {progress.running && <progress aria-label="Exporting the ledger" />}{' '}
          {progress.running ? `Exporting… ${records(progress)} records (${kb(progress.bytes)})` : `Exported ${records(progress)} records (${kb(progress.bytes)}).`}
        </div>
      )}
      {error !== null && <ErrorNotice error={error} title="The export failed" />}
    </div>
  );
}
