import { PageHeader } from '../../ui/states.tsx';
import { AuditLog } from './AuditLog.tsx';
import { ConsentLookup } from './ConsentLookup.tsx';
import { OptOutList } from './OptOutList.tsx';
import { LegalHolds } from './LegalHolds.tsx';
import { SendingRules } from './SendingRules.tsx';
import '../admin.css';

/** Compliance: consent and opt-outs, what limits sending (quiet hours, 10DLC), and the audit trail with its chain check. */
export default function CompliancePage() {
  return (
    <>
      <PageHeader title="Compliance" subtitle="Who may be messaged, when, from which registered numbers, and who changed what." />
      <ConsentLookup />
      <OptOutList />
      <SendingRules />
      <LegalHolds />
      <AuditLog />
    </>
  );
}
