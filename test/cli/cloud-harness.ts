/**
 * What the `--target aws|localstack` CLI tests share: the environment's run table on an in-memory
 * dynalite (the real DynamoStore reads and writes it; the SDK finds it through
 * AWS_ENDPOINT_URL_DYNAMODB, as it would any DynamoDB endpoint), fake credentials and region,
 * a temporary project inside the repository (so DAG files resolve `import … from 'updraft'`),
 * and the CLI run in-process with captured output and a fixed clock. Step Functions, CloudWatch
 * Logs, Scheduler and Secrets Manager are mocked per test with aws-sdk-client-mock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { AwsStub } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/io.ts';
import type { RunRecord } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const machineArn = (dagId: string, env = 'dev') =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:updraft-${env}-${dagId}`;
export const executionArn = (dagId: string, runId: string, env = 'dev') =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:updraft-${env}-${dagId}:${runId}`;

export interface CloudHarness {
  /** The `updraft-dev` table's store, to seed and check records. */
  readonly local: Dynalite;
  readonly dir: string;
  cli(argv: readonly string[], now?: string): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

/** Opens the table, writes the project's DAG files, points the SDK at both; `close` undoes it. */
export async function openCloudHarness(dags: Record<string, string> = {}): Promise<CloudHarness> {
  const local = await startDynalite({ tableName: 'updraft-dev' });
  const dir = fs.mkdtempSync(path.join(repo, 'test', '.tmp-cloud-'));
  fs.mkdirSync(path.join(dir, 'dags'));
  for (const [file, text] of Object.entries(dags))
    fs.writeFileSync(path.join(dir, 'dags', file), text);
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION'])
    vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIATESTTESTTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', local.endpoint);
  return {
    local,
    dir,
    async cli(argv, now = '2026-11-21T12:00:00Z') {
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        color: false,
        cwd: dir,
        now: () => new Date(now),
      };
      const code = await main(argv, io);
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    async close() {
      vi.unstubAllEnvs();
      fs.rmSync(dir, { recursive: true, force: true });
      await local.close();
    },
  };
}

let unique = 0;

/** A run record of `dagId` as the launcher and recorder would have left it. */
export function runRecord(dagId: string, overrides: Partial<RunRecord> = {}): RunRecord {
  const day =
    overrides.logicalDate?.slice(0, 10) ??
    `2026-10-${String(10 + (++unique % 18)).padStart(2, '0')}`;
  const logicalDate = overrides.logicalDate ?? `${day}T00:00:00.000Z`;
  const key = logicalDate.replace('.000Z', 'Z').replaceAll(':', '-');
  const runId = overrides.runId ?? `${dagId}-${key}`;
  return {
    runId,
    dagId,
    key,
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: new Date(Date.parse(logicalDate) + 86_400_000).toISOString(),
    triggeredBy: 'schedule',
    conf: {},
    status: 'success',
    attempt: 1,
    queuedAt: new Date(Date.parse(logicalDate) + 86_400_000).toISOString(),
    startedAt: new Date(Date.parse(logicalDate) + 86_401_000).toISOString(),
    endedAt: new Date(Date.parse(logicalDate) + 86_461_000).toISOString(),
    executionArn: executionArn(dagId, runId),
    ...overrides,
  };
}

/**
 * Step Functions as a deployment shows it (on an aws-sdk-client-mock of SFNClient): the state
 * machines of `dagIds` in each environment, no execution running, and StartExecution answering
 * with the execution ARN its name makes.
 */
export function mockDeployedMachines(
  sfn: AwsStub<any, any, any>,
  dagIds: readonly string[],
  envs: readonly string[] = ['dev'],
): void {
  sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: dagIds.flatMap((d) =>
      envs.map((env) => ({
        name: `updraft-${env}-${d}`,
        stateMachineArn: machineArn(d, env),
        type: 'STANDARD' as const,
        creationDate: new Date(),
      })),
    ),
  });
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date('2026-11-21T12:00:01Z'),
  }));
}
