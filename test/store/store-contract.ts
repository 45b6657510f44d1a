import { beforeEach, describe } from 'vitest';
import { describeAttention } from './contract/attention-contract.js';
import { describeChapters } from './contract/chapters-contract.js';
import { describeCohorts } from './contract/cohorts-contract.js';
import { describeInvites } from './contract/invites-contract.js';
import { describeActivity } from './contract/activity-contract.js';
import { describeAccessLog } from './contract/access-log-contract.js';
import { describeExports } from './contract/exports-contract.js';
import { describeInsight } from './contract/insight-contract.js';
import { describeHeartbeats } from './contract/heartbeats-contract.js';
import { describeIsolation } from './contract/isolation-contract.js';
import { describeMilestones } from './contract/milestones-contract.js';
import { describeOperations } from './contract/operations-contract.js';
import { describeReaders } from './contract/readers-contract.js';
import { describeRetention } from './contract/retention-contract.js';
import { describeSessions } from './contract/sessions-contract.js';
import { describeUsers } from './contract/users-contract.js';
import type { StoreFactory, StoreUnderTest } from './contract/store-fixture.js';

export type { StoreFactory, StoreUnderTest } from './contract/store-fixture.js';

/**
 * Registers the behaviour every Store must have, through the Store interface only, so that each
 * backend (SQLite now, PostgreSQL next) runs the same suite. `makeStore` opens a fresh, empty
 * store for each test; the caller's afterEach closes it and removes its files.
 */
export function runStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let opened: StoreUnderTest | undefined;
    beforeEach(async () => {
      opened = undefined;
      opened = await makeStore();
    });
    const current = (): StoreUnderTest => {
      if (opened === undefined) throw new Error('The store is only available inside a test.');
      return opened;
    };

    describeUsers(current);
    describeSessions(current);
    describeHeartbeats(current);
    describeMilestones(current);
    describeActivity(current);
    describeReaders(current);
    describeIsolation(current);
    describeOperations(current);
    describeChapters(current);
    describeRetention(current);
    describeCohorts(current);
    describeInvites(current);
    describeAttention(current);
    describeInsight(current);
    describeExports(current);
    describeAccessLog(current);
  });
}
