import { LiveStatusNote } from '../components/live-status.js';
import { Page } from '../components/page.js';
import { Link } from '../router/link.js';
import { OnlineNowPanel } from './dashboard-online-now.js';
import { StuckPanel } from './dashboard-stuck.js';
import { DashboardSummary } from './dashboard-summary.js';

/** The consultant's live view: who is reading now and who needs help. */
export function DashboardPage() {
  return (
    <Page
      title="Dashboard"
      intro="The class at a glance, who is reading right now, and who needs a hand."
      aside={
        <>
          <LiveStatusNote />
          <Link to="/readers">All readers</Link>
        </>
      }
    >
      <DashboardSummary />
      <div className="dashboard-grid">
        <OnlineNowPanel />
        <StuckPanel />
      </div>
    </Page>
  );
}
