import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import { ErrorNotice, Loading, formatTime } from '../../ui/states.tsx';
import { diffLines } from './diff.ts';

interface Version {
  version: number;
  createdBy: string | null;
  createdAt: string;
  [k: string]: unknown;
}

/** The definition a version saved, without the bookkeeping fields. */
const definition = ({ version: _v, createdBy: _b, createdAt: _c, ...d }: Version) => JSON.stringify(d, null, 2);

/** Every version of a rule (newest first) and, for the one picked, what changed from the one before. */
export function VersionHistory({ ruleId, current }: { ruleId: string; current: number }) {
  const q = useQuery({ queryKey: ['rules', ruleId, 'versions', current], queryFn: () => get<{ data: Version[] }>(`/v1/rules/${ruleId}/versions`) });
  const [picked, setPicked] = useState<number | null>(null);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorNotice error={q.error} title="The versions could not be loaded" retry={() => void q.refetch()} />;
  const versions = q.data.data;
  const shown = versions.find((v) => v.version === (picked ?? versions[0]?.version));
  const previous = shown && versions.find((v) => v.version === shown.version - 1);
  return (
    <section className="card" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <div className="versions">
        <ol className="version-list">
          {versions.map((v) => (
            <li key={v.version}>
              <button type="button" className={v === shown ? 'btn btn-small btn-primary' : 'btn btn-small'} aria-pressed={v === shown} onClick={() => setPicked(v.version)}>
                v{v.version}
              </button>{' '}
              <span className="small muted">
                {formatTime(v.createdAt)} · {v.createdBy ?? '—'}
              </span>
            </li>
          ))}
        </ol>
        {shown && (
          <div className="grow" aria-label={`Changes in version ${shown.version}`} role="region">
            <p className="small muted">{previous ? `Changes from v${previous.version} to v${shown.version}` : `v${shown.version} as created`}</p>
            {/* Scrollable, so reachable by keyboard. */}
            <pre className="mono diff" tabIndex={0}>
              {(previous ? diffLines(definition(previous), definition(shown)) : definition(shown).split('\n').map((text) => ({ kind: 'added' as const, text }))).map((l, i) => (
                <span key={i} className={`diff-${l.kind}`}>
                  {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
                  {l.text}
                  {'\n'}
                </span>
              ))}
            </pre>
          </div>
        )}
      </div>
    </section>
  );
}
