import { PageHeader } from '../../ui/states.tsx';
import { ApiKeys } from './ApiKeys.tsx';
import { EventLog } from './EventLog.tsx';
import { Webhooks } from './Webhooks.tsx';
import '../admin.css';

/** Developers: API keys, webhook endpoints (each with its delivery log) and the event log. */
export default function DevelopersPage() {
  return (
    <>
      <PageHeader title="Developers" subtitle="Keys for the API, endpoints for webhooks, and the events they carry." />
      <ApiKeys />
      <Webhooks />
      <EventLog />
    </>
  );
}
