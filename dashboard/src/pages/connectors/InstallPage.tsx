import { useMemo, useState } from 'react';
import Form from '@rjsf/core';
import type { IChangeEvent } from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, post } from '../../api/client.ts';
import type { Connection, Connector } from '../../api/types.ts';
import { Link, navigate } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { Empty, ErrorNotice, Loading, PageHeader } from '../../ui/states.tsx';
import { connectorKeys, useCatalog } from './queries.ts';
import { serverValidator, toErrorSchema } from './server-validator.ts';
import { formButtons } from './form-buttons.tsx';
import './connectors.css';

/**
 * Install a connector: one form rendered (rjsf) from the connector's own config and secrets JSON
 * Schemas — the schemas the API validates with — plus a name and the sandbox switch. Secrets are
 * password fields and write-only: the API stores them encrypted and never returns them.
 */
export default function InstallPage({ params }: { params: Record<string, string> }) {
  const catalog = useCatalog();
  const { can } = useSession();
  if (catalog.isPending) return <Loading label="Loading the connector…" />;
  if (catalog.isError) return <ErrorNotice error={catalog.error} title="Could not load the catalog" retry={() => void catalog.refetch()} />;
  const connector = catalog.data.find((c) => c.id === params.connectorId);
  if (!connector) return <Empty title="No such connector">It is not installed on this server. <Link to="/connectors">Back to the catalog</Link></Empty>;
  if (!can('connections:write')) return <Empty title="You cannot install connectors">Your role may read connections only.</Empty>;
  return <InstallForm connector={connector} />;
}

function formSchema(c: Connector): { schema: RJSFSchema; uiSchema: UiSchema } {
  const v = c.versions[0]!;
  const secretProps = Object.keys(v.secretsSchema.properties ?? {});
  const hasSecrets = secretProps.length > 0;
  const schema: RJSFSchema = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', title: 'Connection name', minLength: 1, maxLength: 200, default: c.displayName },
      sandbox: { type: 'boolean', title: 'Sandbox', description: 'Sends are recorded, not forwarded; status callbacks are simulated.', default: true },
      config: { ...v.configSchema, title: 'Settings' },
      ...(hasSecrets ? { secrets: { ...v.secretsSchema, title: 'Secrets', description: 'Write-only: stored encrypted and never shown again.' } } : {}),
    },
  };
  const uiSchema: UiSchema = {
    'ui:globalOptions': { copyable: false, orderable: false },
    'ui:submitButtonOptions': { submitText: `Install ${c.displayName}`, props: { className: 'btn btn-primary' } },
    secrets: Object.fromEntries(secretProps.map((k) => [k, { 'ui:widget': 'password', 'ui:options': { autocomplete: 'new-password' } }])),
  };
  return { schema, uiSchema };
}

function InstallForm({ connector }: { connector: Connector }) {
  const qc = useQueryClient();
  const { schema, uiSchema } = useMemo(() => formSchema(connector), [connector]);
  const [formData, setFormData] = useState<Record<string, any>>({});
  const install = useMutation({
    mutationFn: (d: Record<string, any>) =>
      post<Connection>('/v1/connections', { connector: connector.id, name: d.name, sandbox: !!d.sandbox, config: d.config ?? {}, ...(d.secrets ? { secrets: d.secrets } : {}) }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: connectorKeys.connections });
      navigate(`/connections/${c.id}`);
    },
  });
  const fieldErrors = install.error instanceof ApiError ? toErrorSchema(install.error.fields) : undefined;
  const v = connector.versions[0]!;
  return (
    <>
      <PageHeader title={`Install ${connector.displayName}`} subtitle={connector.description} actions={<Link to="/connectors" className="btn">Cancel</Link>} />
      <div className="install-layout">
        <section className="card install-form" aria-label={`${connector.displayName} settings`}>
          {install.isError && <ErrorNotice error={install.error} title="Not installed" />}
          <Form
            schema={schema}
            uiSchema={uiSchema}
            formData={formData}
            validator={serverValidator}
            templates={{ ButtonTemplates: formButtons }}
            extraErrors={fieldErrors}
            showErrorList={false}
            disabled={install.isPending}
            onChange={(e: IChangeEvent) => setFormData(e.formData)}
            onSubmit={(e: IChangeEvent) => install.mutate(e.formData)}
          />
        </section>
        <aside className="card install-aside">
          <h2>About this connector</h2>
          <dl className="kv kv-narrow">
            <dt>Version</dt>
            <dd>{v.version}</dd>
            <dt>Kind</dt>
            <dd>{connector.kind}</dd>
            <dt>Channels</dt>
            <dd>{v.channels.join(', ') || '—'}</dd>
            <dt>HIPAA</dt>
            <dd>{v.baaEligible ? 'BAA eligible' : 'Not BAA eligible'}</dd>
          </dl>
          <p className="muted small">After install you get the connection's inbound URL: give it to the provider as its webhook and status callback URL.</p>
        </aside>
      </div>
    </>
  );
}
