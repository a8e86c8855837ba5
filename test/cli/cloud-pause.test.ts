/**
 * `updraft pause|unpause <dag> --target aws`: GetSchedule, then UpdateSchedule with every field
 * kept and only State changed (a start date already past is left out: Scheduler refuses it);
 * nothing is updated when the schedule already is in that state. EventBridge Scheduler is mocked.
 */
import {
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  REGION,
  machineArn,
  openCloudHarness,
  type CloudHarness,
} from './cloud-harness.ts';

const scheduler = mockClient(SchedulerClient);
let h: CloudHarness;

beforeAll(async () => {
  h = await openCloudHarness();
});
afterAll(async () => {
  scheduler.restore();
  await h.close();
});
beforeEach(() => scheduler.reset());

const TARGET = {
  Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:updraft-dev-launcher`,
  RoleArn: `arn:aws:iam::${ACCOUNT}:role/updraft-dev-scheduler`,
  Input: JSON.stringify({ dagId: 'orders', stateMachineArn: machineArn('orders') }),
  RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
  DeadLetterConfig: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:updraft-dev-dlq` },
};

function schedule(state: 'ENABLED' | 'DISABLED', startDate: string): GetScheduleCommandOutput {
  return {
    $metadata: {},
    Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/updraft-dev/orders`,
    Name: 'orders',
    GroupName: 'updraft-dev',
    ScheduleExpression: 'cron(0 2 * * ? *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    StartDate: new Date(startDate),
    EndDate: new Date('2027-06-30T00:00:00Z'),
    Description: 'Updraft DAG orders (dev)',
    State: state,
    KmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234`,
    Target: TARGET,
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'NONE',
    CreationDate: new Date('2026-01-01T00:00:00Z'),
    LastModificationDate: new Date('2026-11-01T00:00:00Z'),
  };
}

describe('updraft pause / unpause --target aws', () => {
  it('pause disables the schedule and keeps every other field', async () => {
    scheduler.on(GetScheduleCommand).resolves(schedule('ENABLED', '2026-01-01T00:00:00Z'));
    const r = await h.cli(['pause', 'orders', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✔ Paused orders on AWS (dev, ${REGION}): its schedule (cron(0 2 * * ? *), Europe/Berlin) starts no new runs; runs already started go on`,
      '  ↳ updraft unpause orders --target aws resumes it; a manual run meanwhile: updraft trigger orders --target aws',
    ]);
    expect(scheduler.commandCalls(GetScheduleCommand)[0]!.args[0].input).toEqual({
      Name: 'orders',
      GroupName: 'updraft-dev',
    });
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'orders',
        GroupName: 'updraft-dev',
        ScheduleExpression: 'cron(0 2 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        // StartDate 2026-01-01 is past: left out (Scheduler refuses start dates more than 5 minutes ago).
        EndDate: new Date('2027-06-30T00:00:00Z'),
        Description: 'Updraft DAG orders (dev)',
        KmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234`,
        ActionAfterCompletion: 'NONE',
        Target: TARGET,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'DISABLED',
      },
    ]);
    // Kept in the run table too, where the launcher checks it: a deploy re-enables the schedule.
    expect(await h.local.store.pausedAt('orders')).toBe('2026-11-21T12:00:00.000Z');
  });

  it('unpause enables it, keeping a start date still to come', async () => {
    scheduler.on(GetScheduleCommand).resolves(schedule('DISABLED', '2027-01-01T00:00:00Z'));
    const r = await h.cli(['unpause', 'orders', '--target', 'aws', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      dagId: 'orders',
      schedule: 'orders',
      group: 'updraft-dev',
      state: 'ENABLED',
      expression: 'cron(0 2 * * ? *)',
      timezone: 'Europe/Berlin',
      changed: true,
    });
    const input = scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      State: 'ENABLED',
      StartDate: new Date('2027-01-01T00:00:00Z'),
      Target: TARGET,
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    expect(await h.local.store.pausedAt('orders')).toBeUndefined();
  });

  it('changes nothing when the DAG already is paused', async () => {
    await h.local.store.setPaused('orders', '2026-11-20T00:00:00.000Z');
    scheduler.on(GetScheduleCommand).resolves(schedule('DISABLED', '2026-01-01T00:00:00Z'));
    const r = await h.cli(['pause', 'orders', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `orders is already paused on AWS (dev, ${REGION}) (cron(0 2 * * ? *), Europe/Berlin): nothing changed`,
    );
    expect(scheduler.commandCalls(GetScheduleCommand)[0]!.args[0].input).toEqual({
      Name: 'orders',
      GroupName: 'updraft-dev',
    });
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    expect(await h.local.store.pausedAt('orders')).toBe('2026-11-20T00:00:00.000Z');
  });

  it("a deploy re-enabled a paused DAG's schedule: pause disables it again (the table still says paused)", async () => {
    await h.local.store.setPaused('orders', '2026-11-20T00:00:00.000Z');
    scheduler.on(GetScheduleCommand).resolves(schedule('ENABLED', '2026-01-01T00:00:00Z'));
    const r = await h.cli(['pause', 'orders', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      `✔ Paused orders on AWS (dev, ${REGION}): its schedule (cron(0 2 * * ? *), Europe/Berlin) starts no new runs; runs already started go on`,
    );
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input.State)).toEqual(
      ['DISABLED'],
    );
    await h.local.store.setPaused('orders', undefined);
  });

  it('explains a DAG without a schedule', async () => {
    scheduler.on(GetScheduleCommand).rejects(
      new ResourceNotFoundException({
        message: 'Schedule orders does not exist.',
        Message: 'Schedule orders does not exist.',
        $metadata: {},
      }),
    );
    const r = await h.cli(['pause', 'orders', '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ DAG "orders" has no schedule "orders" in group updraft-dev (AWS (dev, ${REGION})): either it is not deployed to dev, or it has no time schedule (manual and dataset-triggered DAGs have none)\n    ↳ updraft list shows each DAG's schedule; to deploy: npm run deploy -- -c env=dev`,
    );
  });

  it("locally (the default target): kept in the project's run store for updraft dev, no AWS call", async () => {
    const paused = await h.cli(['pause', 'orders']);
    expect(paused.code).toBe(0);
    expect(paused.out).toBe(
      [
        '✔ Paused orders locally: updraft dev starts none of its runs (scheduled or dataset-triggered); runs already started go on',
        '  ↳ updraft unpause orders resumes it; updraft run orders still runs it by hand',
      ].join('\n'),
    );
    expect((await h.cli(['pause', 'orders'])).out).toBe(
      'orders is already paused locally: nothing changed',
    );
    expect(JSON.parse((await h.cli(['unpause', 'orders', '--json'])).out)).toEqual({
      dagId: 'orders',
      state: 'ENABLED',
      changed: true,
    });
    expect((await h.cli(['unpause', 'orders'])).out).toBe(
      'orders is already unpaused locally: nothing changed',
    );
    expect(scheduler.calls()).toHaveLength(0);
  });
});
