import type { UsersPort } from './ports/users-port.js';
import type { SessionsPort } from './ports/sessions-port.js';
import type { ProgressPort } from './ports/progress-port.js';
import type { ActivityPort } from './ports/activity-port.js';
import type { ReadersPort } from './ports/readers-port.js';
import type { ChaptersPort } from './ports/chapters-port.js';
import type { CohortsPort } from './ports/cohorts-port.js';
import type { InvitesPort } from './ports/invites-port.js';
import type { AttentionPort } from './ports/attention-port.js';
import type { AnalyticsPort } from './ports/analytics-port.js';
import type { ExportsPort } from './ports/exports-port.js';
import type { AccessLogPort } from './ports/access-log-port.js';
import type { OperationsPort } from './ports/operations-port.js';
import type { LrsCredentialStore, XapiDocumentStore, XapiStatementStore } from './xapi.js';

export type { UsersPort } from './ports/users-port.js';
export type { SessionsPort } from './ports/sessions-port.js';
export type { ProgressPort, RecordedMilestone } from './ports/progress-port.js';
export type { ActivityPort } from './ports/activity-port.js';
export type { ReadersPort } from './ports/readers-port.js';
export type { ChaptersPort } from './ports/chapters-port.js';
export type { CohortsPort } from './ports/cohorts-port.js';
export type { InvitesPort } from './ports/invites-port.js';
export type { AttentionPort } from './ports/attention-port.js';
export type { AnalyticsPort } from './ports/analytics-port.js';
export type { ExportsPort } from './ports/exports-port.js';
export type { AccessLogPort } from './ports/access-log-port.js';
export type { OperationsPort } from './ports/operations-port.js';

/**
 * Everything ReadPulse keeps, as one small port per concern. Free of any database's types, so
 * that each engine (src/sqlite/, src/postgres/) implements every port and passes the same
 * contract suite (test/store/store-contract.ts). A consumer takes the ports it uses, not the
 * whole store. Reader-scoped methods take the user id as their first argument and never reach
 * other users.
 */
export interface Store {
  readonly users: UsersPort;
  readonly sessions: SessionsPort;
  readonly progress: ProgressPort;
  readonly activity: ActivityPort;
  readonly readers: ReadersPort;
  readonly chapters: ChaptersPort;
  readonly cohorts: CohortsPort;
  readonly invites: InvitesPort;
  readonly attention: AttentionPort;
  readonly analytics: AnalyticsPort;
  readonly exports: ExportsPort;
  readonly accessLog: AccessLogPort;
  readonly operations: OperationsPort;
  /** The LRS's statements (xAPI). */
  readonly xapiStatements: XapiStatementStore;
  /** The LRS's state and profile documents (xAPI). */
  readonly xapiDocuments: XapiDocumentStore;
  /** The keys and secrets that may call the LRS. */
  readonly lrsCredentials: LrsCredentialStore;
}
