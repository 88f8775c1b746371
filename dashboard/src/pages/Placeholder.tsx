import { useLocation } from '../app/router.tsx';
import { Empty, PageHeader } from '../ui/states.tsx';

/** Stands in for a screen that is not built yet (its route entry in app/routes.ts points here). */
export default function Placeholder() {
  const { path } = useLocation();
  const title = path.slice(1).split('/')[0]!.replace(/^./, (c) => c.toUpperCase());
  return (
    <>
      <PageHeader title={title} />
      <Empty title="Coming soon">This screen is being built. Everything it will show is already in the API (see /docs).</Empty>
    </>
  );
}
