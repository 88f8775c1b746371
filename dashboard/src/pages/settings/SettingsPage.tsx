import { PageHeader } from '../../ui/states.tsx';
import { OrgSettings } from './OrgSettings.tsx';
import { Users } from './Users.tsx';
import '../admin.css';

/** Settings: the org's settings (form from the settings schema) and its dashboard users. */
export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="How the org works, and who can sign in to it." />
      <OrgSettings />
      <Users />
    </>
  );
}
