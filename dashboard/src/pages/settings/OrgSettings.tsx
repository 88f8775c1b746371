import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RJSFSchema } from '@rjsf/utils';
import { ApiError, get, patch } from '../../api/client.ts';
import type { Org } from '../../api/admin-types.ts';
import { ErrorNotice, Loading } from '../../ui/states.tsx';
import { errorsAt, SchemaForm } from '../../ui/schema-form.tsx';

export const ORG_KEY = ['org'];

/** The org's settings as a form rendered from GET /v1/org/settings-schema; PATCH /v1/org validates with the same schema. */
export function OrgSettings() {
  const schema = useQuery({ queryKey: ['org', 'settings-schema'], queryFn: () => get<RJSFSchema>('/v1/org/settings-schema'), staleTime: Infinity });
  const org = useQuery({ queryKey: ORG_KEY, queryFn: () => get<Org>('/v1/org') });
  const failed = schema.error ?? org.error;
  if (failed) return <ErrorNotice error={failed} title="The settings could not be loaded" retry={() => void (schema.refetch(), org.refetch())} />;
  if (!schema.data || !org.data) return <Loading />;
  return <SettingsForm key={org.dataUpdatedAt} schema={schema.data} org={org.data} />;
}

function SettingsForm({ schema, org }: { schema: RJSFSchema; org: Org }) {
  const qc = useQueryClient();
  const [settings, setSettings] = useState(org.settings);
  const save = useMutation({
    mutationFn: () => patch<Org>('/v1/org', { settings }),
    onSuccess: (saved) => qc.setQueryData(ORG_KEY, saved),
  });
  const problems = save.error instanceof ApiError ? save.error.fields : [];
  return (
    <section className="card" aria-labelledby="org-settings-heading">
      <h2 id="org-settings-heading">Org settings</h2>
      <SchemaForm id="settings" schema={{ ...schema, title: undefined }} value={settings} onChange={setSettings} errors={errorsAt(problems, '/settings')} />
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
