import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, patch } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { Rule } from '../../api/admin-types.ts';
import { Link } from '../../app/router.tsx';
import { Badge, Empty, ErrorNotice, PageHeader, QueryView, relativeTime } from '../../ui/states.tsx';
import '../admin.css';

export const RULES_KEY = ['rules'];

/** The org's rules in run order (priority, lower first): enable/disable and priority change in place. */
export default function RulesPage() {
  const q = useQuery({ queryKey: RULES_KEY, queryFn: () => get<Page<Rule>>('/v1/rules', { limit: 200 }) });
  const rules = [...(q.data?.data ?? [])].sort((a, b) => a.priority - b.priority || a.createdAt.localeCompare(b.createdAt));
  return (
    <>
      <PageHeader
        title="Rules"
        subtitle="When an event happens and its condition holds, a rule's actions run in order. Lower priority runs first."
        actions={
          <Link to="/rules/new" className="btn btn-primary">
            New rule
          </Link>
        }
      />
      <QueryView
        query={q}
        errorTitle="The rules could not be loaded"
        empty={
          <Empty title="No rules yet">
            Create one to auto-reply on a keyword, tag conversations or call a webhook. <Link to="/rules/new">New rule</Link>
          </Empty>
        }
      >
        {() => (
          <div className="card card-flush">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Enabled</th>
                  <th scope="col">Name</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Actions</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Version</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <RuleRow key={r.id} rule={r} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}

function RuleRow({ rule }: { rule: Rule }) {
  const qc = useQueryClient();
  const [priority, setPriority] = useState(String(rule.priority));
  const change = useMutation({
    mutationFn: (body: Partial<Rule>) => patch<Rule>(`/v1/rules/${rule.id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: RULES_KEY }),
  });
  const savePriority = () => {
    const n = Number(priority);
    if (Number.isInteger(n) && n !== rule.priority) change.mutate({ priority: n });
    else setPriority(String(rule.priority));
  };
  return (
    <tr>
      <td>
        <input
          type="checkbox"
          className="switch"
          checked={rule.enabled}
          disabled={change.isPending}
          aria-label={`${rule.name} enabled`}
          onChange={(e) => change.mutate({ enabled: e.target.checked })}
        />
      </td>
      <td>
        <Link to={`/rules/${rule.id}`}>{rule.name}</Link>
        {change.isError && <ErrorNotice error={change.error} title="Not changed" />}
      </td>
      <td>
        <code>{rule.trigger}</code>
      </td>
      <td>
        <div className="tags">
          {rule.actions.map((a, i) => (
            <Badge key={i} tone="info">
              {a.type}
            </Badge>
          ))}
        </div>
      </td>
      <td>
        <input
          className="input-narrow"
          type="number"
          step={1}
          value={priority}
          aria-label={`${rule.name} priority`}
          onChange={(e) => setPriority(e.target.value)}
          onBlur={savePriority}
          onKeyDown={(e) => e.key === 'Enter' && savePriority()}
        />
      </td>
      <td>v{rule.version}</td>
      <td className="muted">{relativeTime(rule.updatedAt)}</td>
    </tr>
  );
}
