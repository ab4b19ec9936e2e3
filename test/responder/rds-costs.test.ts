import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { revert } from '../../lambdas/responder/revert';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { revertDeps, useResponder, type ResponderHarness } from '../support/responder';
import { config, DEFAULT_INPUT } from '../support/config';

const { fresh } = useResponder();
const POOL_EXHAUSTED = { alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api' } as const;

async function instance(h: ResponderHarness, id = 'chatbot-db'): Promise<DBInstance> {
  return (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances![0]!;
}

/** The audit record of rds-scale-up for the pool alarm, after delivering it (with `clients`, if given). */
async function scaleUp(h: ResponderHarness, clients?: AwsClients): Promise<ActionRecord> {
  await h.deliver(POOL_EXHAUSTED, clients ? { clients } : {});
  return (await h.audit.listSince('1970')).find((a) => a.mitigation === 'rds-scale-up')!;
}

/** The default config with `rds.allowDowntime: true` on its database. */
function allowingDowntime() {
  return config({ services: DEFAULT_INPUT.services.map((s) => (s.rds ? { ...s, rds: { ...s.rds, allowDowntime: true } } : s)) });
}

async function singleAz(h: ResponderHarness): Promise<void> {
  await h.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'chatbot-db', MultiAZ: false, ApplyImmediately: true }));
  assert.equal((await instance(h)).MultiAZ, false);
}

/** Replaces the sample world's instance by an Aurora PostgreSQL cluster whose writer is chatbot-db, with `readers` readers. */
async function auroraWorld(h: ResponderHarness, readers: number): Promise<void> {
  await h.clients.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'chatbot-db', SkipFinalSnapshot: true }));
  await h.clients.rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'chatbot-aurora',
      Engine: 'aurora-postgresql',
      MasterUsername: 'chatbot',
      MasterUserPassword: 'not-a-real-secret-0',
    }),
  );
  for (const id of ['chatbot-db', ...Array.from({ length: readers }, (_, i) => `chatbot-db-reader-${i + 1}`)]) {
    await h.clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        DBClusterIdentifier: 'chatbot-aurora',
        DBInstanceClass: 'db.r6g.large',
        Engine: 'aurora-postgresql',
      }),
    );
  }
}

/**
 * Clients whose RDS reads pass through to moto with `overlay` added to the instance, and whose other RDS calls go
 * to moto unchanged. moto 5.2.1 never reports PendingModifiedValues (ModifyDBInstance without ApplyImmediately
 * applies the change at once) and never shows an instance in any status but `available`, so these two states of a
 * real instance are laid over moto's with aws-sdk-client-mock.
 */
function overlaid(h: ResponderHarness, overlay: Partial<DBInstance>): AwsClients {
  const clients = createClients({ ...h.moto.clientConfig, maxAttempts: 2 });
  const rds = mockClient(clients.rds);
  rds.on(DescribeDBInstancesCommand).callsFake(async (input) => {
    const out = await h.clients.rds.send(new DescribeDBInstancesCommand(input));
    return { ...out, DBInstances: out.DBInstances?.map((db) => ({ ...db, ...overlay })) };
  });
  rds.on(ModifyDBInstanceCommand).callsFake((input) => h.clients.rds.send(new ModifyDBInstanceCommand(input)));
  return clients;
}

describe('rds-scale-up acts only where the class change costs a failover', () => {
  it('Multi-AZ: scales up, and the reason names the failover', async () => {
    // GIVEN the sample world's Multi-AZ instance on db.r6g.large
    const h = await fresh();
    assert.equal((await instance(h)).MultiAZ, true);
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h);
    // THEN the class changed, and the record names the cost
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.2xlarge');
    assert.equal(action.decision, 'acted');
    assert.equal(action.before?.multiAz, true);
    assert.match(
      action.reason,
      /scale db\.r6g\.large -> db\.r6g\.2xlarge, the top of the ladder \(automation\.rdsScaleUpTo: cap\); costs a Multi-AZ failover of about 60-120 s of errors/,
    );
  });

  it('Single-AZ: refuses, the class is unchanged, and the reason says what would allow it', async () => {
    // GIVEN the instance is Single-AZ
    const h = await fresh();
    await singleAz(h);
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h);
    // THEN nothing changed, and the record says why
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.large');
    assert.equal(action.decision, 'skipped');
    assert.match(
      action.reason,
      /not scaling db\.r6g\.large -> db\.r6g\.2xlarge: it would take the database down for the whole modification \(Single-AZ\), and services\[\]\.rds\.allowDowntime is false; make the instance Multi-AZ, or set rds\.allowDowntime: true/,
    );
  });

  it('Single-AZ with rds.allowDowntime: scales up, and the reason names the downtime', async () => {
    // GIVEN a Single-AZ instance whose service accepts downtime
    const h = await fresh({ config: allowingDowntime() });
    await singleAz(h);
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h);
    // THEN the class changed, with the downtime in the record
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.2xlarge');
    assert.equal(action.decision, 'acted');
    assert.match(
      action.reason,
      /scale db\.r6g\.large -> db\.r6g\.2xlarge, .*; costs downtime for the whole modification \(Single-AZ, rds\.allowDowntime: true\)/,
    );
  });

  it('pending modifications: refuses, listing them, and applies nothing', async () => {
    // GIVEN someone queued a storage change for the maintenance window (laid over moto: see overlaid)
    const h = await fresh();
    const clients = overlaid(h, { PendingModifiedValues: { AllocatedStorage: 200, EngineVersion: '16.4' } });
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h, clients);
    // THEN the class is unchanged (no ModifyDBInstance reached moto), and the record lists the pending change
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.large');
    assert.equal(action.decision, 'skipped');
    assert.equal(action.before?.pendingModifications, 'AllocatedStorage=200, EngineVersion=16.4');
    assert.match(action.reason, /modifications pending \(AllocatedStorage=200, EngineVersion=16\.4\); a class change applied immediately would apply them too/);
  });

  it('Aurora writer with a reader: scales up, and the reason names the Aurora failover', async () => {
    // GIVEN chatbot-db is the writer of an Aurora cluster with one reader
    const h = await fresh();
    await auroraWorld(h, 1);
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h);
    // THEN the writer's class changed, the reader's did not, and the record names the failover
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.2xlarge');
    assert.equal((await instance(h, 'chatbot-db-reader-1')).DBInstanceClass, 'db.r6g.large');
    assert.equal(action.before?.clusterId, 'chatbot-aurora');
    assert.equal(action.before?.clusterHasReader, true);
    assert.match(action.reason, /; costs an Aurora failover to a reader of chatbot-aurora, usually under 60 s of errors$/);
  });

  it('Aurora writer without a reader: refuses, the class is unchanged', async () => {
    // GIVEN chatbot-db is the only instance of its Aurora cluster
    const h = await fresh();
    await auroraWorld(h, 0);
    // WHEN the connection pool is exhausted
    const action = await scaleUp(h);
    // THEN nothing changed, and the record says why and what would allow it
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.large');
    assert.equal(action.decision, 'skipped');
    assert.equal(action.before?.clusterHasReader, false);
    assert.match(action.reason, /\(Aurora cluster chatbot-aurora has no reader to fail over to\), .*add a reader to the cluster/);
  });
});

describe('rds-scale-up revert', () => {
  const revertAs = (h: ResponderHarness, actionId: string, clients: AwsClients = h.clients) =>
    revert({ ...revertDeps(h), clients }, { actionId, actor: { kind: 'person', name: 'alice', via: 'cli' } });

  it('names the failover it costs', async () => {
    // GIVEN the responder scaled the Multi-AZ instance up
    const h = await fresh();
    const action = await scaleUp(h);
    // WHEN a person reverts it
    const result = await revertAs(h, action.actionId);
    // THEN the class is back, and the revert's record (its change) names the cost
    assert.equal(result.status, 'reverted', JSON.stringify(result));
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.large');
    assert.match(
      String((result as { record: ActionRecord }).record.evidence.change),
      /scale db\.r6g\.2xlarge back to db\.r6g\.large; costs a Multi-AZ failover of about 60-120 s of errors/,
    );
  });

  it('is refused while the instance is modifying', async () => {
    // GIVEN the scale-up is still being applied (status laid over moto: see overlaid)
    const h = await fresh();
    const action = await scaleUp(h);
    // WHEN a person reverts it
    const result = await revertAs(h, action.actionId, overlaid(h, { DBInstanceStatus: 'modifying' }));
    // THEN it is refused with the reason, and the class stays
    assert.equal(result.status, 'refused');
    assert.match((result as { reason: string }).reason, /the instance is modifying, not available; revert once the modification has finished/);
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.2xlarge');
  });

  it('is refused while modifications are pending', async () => {
    // GIVEN someone queued a change since the scale-up (laid over moto: see overlaid)
    const h = await fresh();
    const action = await scaleUp(h);
    // WHEN a person reverts it
    const result = await revertAs(h, action.actionId, overlaid(h, { PendingModifiedValues: { MultiAZ: false } }));
    // THEN it is refused, naming the pending change, and the class stays
    assert.equal(result.status, 'refused');
    assert.match((result as { reason: string }).reason, /modifications pending \(MultiAZ=false\)/);
    assert.equal((await instance(h)).DBInstanceClass, 'db.r6g.2xlarge');
  });
});
