import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RJSFSchema } from '@rjsf/utils';
import { ApiError, get, patch } from '../../api/client.ts';
import type { Org } from '../../api/admin-types.ts';
import { ErrorNotice, Loading } from '../../ui/states.tsx';
import { errorsAt, SchemaForm } from '../../ui/schema-form.tsx';

export const ORG_KEY = ['org'];

/** quietHours → Quiet hours. */
const humanize = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/\b([A-Z])([a-z])/g, (m, a: string, b: string, i: number) => (i === 0 ? m : a.toLowerCase() + b));

/** The org's settings as a form rendered from GET /v1/org/settings-schema; PATCH /v1/org validates with the same schema. */
export function OrgSettings() {
  const schema = useQuery({ queryKey: ['org', 'settings-schema'], queryFn: () => get<RJSFSchema>('/v1/org/settings-schema'), staleTime: Infinity });
  const org = useQuery({ queryKey: ORG_KEY, queryFn: () => get<Org>('/v1/org') });
  const failed = schema.error ?? org.error;
  if (failed) return <ErrorNotice error={failed} title="The settings could not be loaded" retry={() => void (schema.refetch(), org.refetch())} />;
  if (!schema.data || !org.data) return <Loading />;
  return <SettingsForm schema={schema.data} org={org.data} />;
}

function SettingsForm({ schema, org }: { schema: RJSFSchema; org: Org }) {
  const qc = useQueryClient();
  const [settings, setSettings] = useState(org.settings);
  const [opened, setOpened] = useState<Record<string, boolean>>({});
  const save = useMutation({
    mutationFn: () => patch<Org>('/v1/org', { settings }),
    onSuccess: (saved) => qc.setQueryData(ORG_KEY, saved),
  });
  const problems = save.error instanceof ApiError ? save.error.fields : [];
  const sections = Object.entries((schema.properties ?? {}) as Record<string, RJSFSchema>);
  return (
    <section className="card" aria-labelledby="org-settings-heading">
      <h2 id="org-settings-heading">Org settings</h2>
      <p className="muted small">Each section opens to its form; Save sends them all (the server checks every value against the same schema).</p>
      {sections.map(([key, section]) => {
        const errors = errorsAt(problems, `/settings/${key}`);
        return (
          // Open when the reader opened it or the server named a problem in it.
          <details key={key} className="settings-section" open={opened[key] || !!errors} onToggle={(e) => setOpened((o) => ({ ...o, [key]: e.currentTarget.open }))}>
            <summary>
              <span className="settings-title">{humanize(key)}</span>
              {section.description && <span className="muted small"> — {section.description}</span>}
            </summary>
            <SchemaForm
              id={`settings_${key}`}
              schema={{ ...section, title: section.type === 'object' ? undefined : humanize(key), description: undefined }}
              value={settings[key]}
              onChange={(v) => setSettings((all) => ({ ...all, [key]: v }))}
              errors={errors}
            />
          </details>
        );
      })}
      {save.isError && <ErrorNotice error={save.error} title="The settings were not saved" />}
      {save.isSuccess && (
        <p className="notice notice-good" role="status">
          Settings saved.
        </p>
      )}
      <button type="button" className="btn btn-primary" disabled={save.isPending} onClick={() => save.mutate()}>
        {save.isPending ? 'Saving…' : 'Save settings'}
      </button>
    </section>
  );
}
