/**
 * The task-runner Lambda handler end to end, with the real DynamoStore on dynalite and mocked S3
 * and Secrets Manager clients: offload to S3 and back, masking, the secret cache, error names as
 * Step Functions sees them, try numbers and sensor pokes across invocations, configuration errors.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileDag } from '../../src/compiler/compile.ts';
import { queuedRunRecord } from '../../src/runtime/launch.ts';
import {
  createTaskRunnerHandler,
  type TaskRunnerHandlerOptions,
} from '../../src/runtime/lambda-task-runner.ts';
import { PermanentError, buildDagIR, dag, notify, sensor, task } from '../../src/sdk/index.ts';
import { DynamoStore, createDocumentClient } from '../../src/store/index.ts';
import { startDynalite, type Dynalite } from '../support/dynalite.ts';
import { startHttpReceiver } from '../support/http-receiver.ts';
import { RUN } from '../compiler/harness.ts';
import { captureLogs, type Captured } from './capture-logs.ts';

const BLOB = 'x'.repeat(40_000); // over the 32 KiB most any DAG keeps inline
const PASSWORD = 'Hunter2-s3cret';
const SECRET_URI = `postgres://etl:${PASSWORD}@db.internal:5432/wh`;
const BUCKET = 'updraft-dev-payloads';
const NOW = Date.parse('2026-11-21T00:05:00.000Z');
const AT = new Date(NOW).toISOString();

const demo = dag('lambda_demo', {}, () => {
  const extract = task('extract', async () => ({ blob: BLOB }));
  task('measure', async (_ctx, e: { blob: string }) => e.blob.length)(extract());
  task('flaky', { retry: { attempts: 3, delay: '1s' } }, async (ctx) => {
    throw new Error(`transient failure on try ${ctx.attempt}`);
  })();
  task('strict', async () => {
    throw new PermanentError('the input file is malformed');
  })();
  task('secretive', { connections: ['warehouse'] }, async (ctx) => {
    const c = await ctx.connection('warehouse');
    ctx.log.info(`connecting as ${c.login} with ${c.password}`, { uri: c.uri });
    throw new Error(`login to ${c.uri} failed`, { cause: new Error(`bad password ${c.password}`) });
  })();
  task(
    'reader',
    { connections: ['warehouse'] },
    async (ctx) => (await ctx.connection('warehouse')).host,
  )();
  task('nosy', async (ctx) => (await ctx.connection('warehouse')).host)();
  sensor('wait_file', { pokeInterval: '1m', backoff: 2, timeout: '1h' }, async () => false)();
  task('slow', async () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)))();
  task('small', async () => ({ rows: 3 }))();
});
const other = dag('lambda_other', {}, () => void task('only', async () => 1)());
const manifest = compileDag(buildDagIR(demo, 'test.ts').ir).manifest;
/** What the generated bundle entry passes (infra/bundle): every DAG's manifest, by id. */
const manifests = {
  lambda_demo: manifest,
  lambda_other: compileDag(buildDagIR(other, 'test.ts').ir).manifest,
};
const keyOf = (id: string) => manifest.tasks.find((t) => t.id === id)!.key;

const ENV = {
  UPDRAFT_ENV: 'dev',
  UPDRAFT_TABLE: 'updraft',
  UPDRAFT_BUCKET: BUCKET,
  UPDRAFT_DAG: 'lambda_demo',
};

let local: Dynalite;
let reader: DynamoStore;
const s3 = new S3Client({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const secretsManager = new SecretsManagerClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const s3Mock = mockClient(s3);
const smMock = mockClient(secretsManager);
let logs: Captured;

const client = () =>
  createDocumentClient(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: local.endpoint,
    }),
  );

beforeAll(async () => {
  local = await startDynalite();
  // Another client of the table, as `updraft show --target aws` would be: sees only what landed.
  reader = new DynamoStore({ client: client() });
});
afterAll(async () => {
  await reader.close();
  await local.close();
});
beforeEach(() => {
  s3Mock.reset();
  smMock.reset();
});
afterEach(() => logs?.restore());

let unique = 0;
function newRun(params: Record<string, unknown> = {}) {
  return { ...RUN, dagId: 'lambda_demo', runId: `lambda_demo-${RUN.key}-${++unique}`, params };
}

function handlerFor(
  moduleExports: Record<string, unknown> = { default: demo },
  options: TaskRunnerHandlerOptions = {},
) {
  logs = captureLogs();
  return createTaskRunnerHandler(moduleExports, {
    env: ENV,
    dynamodb: client(),
    s3,
    secretsManager,
    logger: logs.logger,
    now: () => NOW,
    manifests,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome))
    throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error;
}

/** What the Node.js runtime sends Step Functions for a thrown error (see lambdaError). */
const asRuntimeReports = (e: Error) => ({
  errorType: e instanceof Error ? e.name : typeof e,
  errorMessage: e.message,
});

describe('task-runner Lambda: payloads', () => {
  it('offloads an output over the inline limit to S3 and returns the reference; the task record lands before it returns', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const run = newRun();
    const handler = handlerFor();
    const payload = await handler({ task: 'extract', run }, {} as never);

    const key = `${run.runId}/${run.key}-1/${keyOf('extract')}-1.json`;
    const body = JSON.stringify({ blob: BLOB });
    const ref = { $ref: `s3://${BUCKET}/${key}`, bytes: Buffer.byteLength(body) };
    // The answer is the task's record: the state machine writes it as the record itself.
    expect(payload).toEqual({ s: 'success', o: ref });
    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key, Body: body, ContentType: 'application/json' },
    ]);
    expect(await reader.listTasks(run.runId)).toEqual([
      {
        runId: run.runId,
        dagId: 'lambda_demo',
        taskId: 'extract',
        state: 'success',
        attempts: 1,
        startedAt: AT,
        endedAt: AT,
        output: ref,
      },
    ]);
    expect(await reader.listTries(run.runId)).toEqual([
      {
        runId: run.runId,
        taskId: 'extract',
        mapIndex: -1,
        tryNumber: 1,
        runAttempt: 1,
        state: 'success',
        startedAt: AT,
        endedAt: AT,
        durationMs: 0,
        response: ref,
      },
    ]);
  });

  it('a consumer of a $ref input gets the object from S3', async () => {
    const run = newRun();
    const ref = { $ref: `s3://${BUCKET}/${run.runId}/x-1/extract-1.json`, bytes: 40_011 };
    s3Mock.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => JSON.stringify({ blob: BLOB }) } as never,
    });
    const payload = await handlerFor()(
      { task: 'measure', run, in: { [keyOf('extract')]: { s: 'success', o: ref } } },
      {} as never,
    );
    expect(payload).toEqual({ s: 'success', o: 40_000 });
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: `${run.runId}/x-1/extract-1.json` },
    ]);
  });

  it('an offloaded input gone from the bucket fails at once, naming it', async () => {
    const run = newRun();
    s3Mock
      .on(GetObjectCommand)
      .rejects(
        Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
      );
    const error = await failure(
      handlerFor()(
        {
          task: 'measure',
          run,
          in: {
            [keyOf('extract')]: { s: 'success', o: { $ref: `s3://${BUCKET}/gone.json`, bytes: 9 } },
          },
        },
        {} as never,
      ),
    );
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage: `the stored output s3://${BUCKET}/gone.json is gone from the payload bucket (expired by its lifecycle rule, or deleted); run the task that produced it again ← caused by: NoSuchKey: The specified key does not exist.`,
    });
  });
});

describe('task-runner Lambda: trigger rules it decides (compiler/runner-gate)', () => {
  it('answers upstream_failed from the upstream states it is handed, without running the code or recording a try; the task record says so', async () => {
    const run = newRun();
    const handler = handlerFor();
    const payload = await handler(
      { task: 'measure', run, g: { [keyOf('extract')]: 'failed' } },
      {} as never,
    );
    expect(payload).toEqual({ s: 'upstream_failed', o: null });
    expect(await reader.listTries(run.runId)).toEqual([]);
    // What `updraft show --target aws` and the UI read: the decision, as the task's record.
    expect(await reader.listTasks(run.runId)).toEqual([
      {
        runId: run.runId,
        dagId: 'lambda_demo',
        taskId: 'measure',
        state: 'upstream_failed',
        attempts: 0,
        endedAt: AT,
      },
    ]);
  });

  it('runs the code when the rule holds, read from the input records it is handed, and answers the whole record', async () => {
    const run = newRun();
    // The compiled Task state hands an upstream it reads as input once, as its record (`in`):
    // its state is in there, so `g` does not list it again.
    const payload = await handlerFor()(
      {
        task: 'measure',
        run,
        in: { [keyOf('extract')]: { s: 'success', o: { blob: 'abc' } } },
        g: {},
      },
      {} as never,
    );
    expect(payload).toEqual({ s: 'success', o: 3 });
    expect((await reader.listTries(run.runId)).map((t) => [t.taskId, t.state, t.response])).toEqual(
      [['measure', 'success', 3]],
    );
  });
});

describe('task-runner Lambda: an upstream that failed in place (its error as its state)', () => {
  it('is failed to the rule: the task answers upstream_failed without running, from `g` or from its input record', async () => {
    const error = { Error: 'Updraft.TaskFailed', Cause: 'boom' };
    for (const handed of [
      { g: { [keyOf('extract')]: error } },
      { in: { [keyOf('extract')]: { s: error } }, g: {} },
    ]) {
      const run = newRun();
      const payload = await handlerFor()({ task: 'measure', run, ...handed }, {} as never);
      expect(payload).toEqual({ s: 'upstream_failed', o: null });
      expect(await reader.listTries(run.runId)).toEqual([]);
    }
  });
});

describe('task-runner Lambda: the last task of a Parallel branch (`b`)', () => {
  it('answers the branch’s own records: the others as handed over, its own as it decided', async () => {
    const handler = handlerFor();
    // `measure` ends a branch after `extract`: its Task state hands over extract's record both
    // as its input and as the branch's other record.
    const endOfBranch = (run: ReturnType<typeof newRun>, extract: unknown) =>
      handler(
        {
          task: 'measure',
          run,
          in: { [keyOf('extract')]: extract },
          g: {},
          b: { [keyOf('extract')]: extract },
        },
        {} as never,
      );
    const earlier = { s: 'success', o: { blob: 'ab' } };
    expect(await endOfBranch(newRun(), earlier)).toEqual({
      [keyOf('extract')]: earlier,
      [keyOf('measure')]: { s: 'success', o: 2 },
    });
    // Decided without running (its upstream failed in place): the same shape.
    const failed = newRun();
    const error = { s: { Error: 'Updraft.TaskFailed', Cause: 'boom' } };
    expect(await endOfBranch(failed, error)).toEqual({
      [keyOf('extract')]: error,
      [keyOf('measure')]: { s: 'upstream_failed', o: null },
    });
    expect(await reader.listTries(failed.runId)).toEqual([]);
  });
});

describe('task-runner Lambda: connections and masking', () => {
  it('masks a connection password in task logs and in the error; the second invocation reuses the cached secret', async () => {
    smMock
      .on(GetSecretValueCommand, { SecretId: 'updraft/dev/connections/warehouse' })
      .resolves({ SecretString: SECRET_URI });
    const run = newRun();
    const handler = handlerFor();
    const error = await failure(handler({ task: 'secretive', run }, {} as never));

    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.TaskFailed',
      errorMessage:
        'login to postgres://etl:***@db.internal:5432/wh failed ← caused by: bad password ***',
    });
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, stack: error.stack })).not.toContain(PASSWORD);
    expect(logs.text()).not.toContain(PASSWORD);
    const line = logs.lines().find((l) => String(l.message).startsWith('connecting as'));
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'connecting as etl with ***',
      uri: 'postgres://etl:***@db.internal:5432/wh',
      dag: 'lambda_demo',
      run: run.runId,
      task: 'secretive',
      try: 1,
    });

    expect(await handler({ task: 'reader', run }, {} as never)).toEqual({
      s: 'success',
      o: 'db.internal',
    });
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('a connection the task did not declare is a permanent error, and no secret is read', async () => {
    const error = await failure(handlerFor()({ task: 'nosy', run: newRun() }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage: `task "nosy" asked for connection "warehouse", which it did not declare; add it to the task's options: connections: ['warehouse']`,
    });
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('a missing secret is a permanent error with the command that creates it', async () => {
    smMock.on(GetSecretValueCommand).rejects(
      Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      }),
    );
    const error = await failure(handlerFor()({ task: 'reader', run: newRun() }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage:
        `connection "warehouse" is not set up on AWS: secret "updraft/dev/connections/warehouse" does not exist; create it with: npx updraft connections add warehouse --target aws --env dev '<uri-or-json>'` +
        " ← caused by: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    });
  });

  it('never logs the raw event, even with POWERTOOLS_LOGGER_LOG_EVENT set', async () => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    try {
      const handler = handlerFor();
      await failure(
        handler(
          { task: 'strict', run: newRun({ apiKey: 'param-value-not-for-logs' }) },
          {} as never,
        ),
      );
    } finally {
      delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    }
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain('param-value-not-for-logs');
  });
});

describe('task-runner Lambda: failures and tries', () => {
  it('PermanentError reaches Step Functions as Updraft.PermanentError; the task record says failed', async () => {
    const run = newRun();
    const error = await failure(handlerFor()({ task: 'strict', run }, {} as never));
    expect(error).toBeInstanceOf(Error);
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage: 'the input file is malformed',
    });
    expect(await reader.listTasks(run.runId)).toEqual([
      {
        ...{
          runId: run.runId,
          dagId: 'lambda_demo',
          taskId: 'strict',
          state: 'failed',
          attempts: 1,
          startedAt: AT,
          endedAt: AT,
        },
        // The task code's stack trace, paths relative to the working directory (/var/task on Lambda).
        error: {
          error: 'Updraft.PermanentError',
          cause: 'the input file is malformed',
          stack: expect.stringMatching(
            /^PermanentError: the input file is malformed\n {4}at test\/runtime\/lambda-task-runner\.test\.ts:\d+:\d+\n/,
          ),
        },
      },
    ]);
  });

  it('a plain Error is Updraft.TaskFailed with its message; tries are numbered 1, 2, 3 across invocations', async () => {
    const run = newRun();
    const handler = handlerFor();
    const errors: unknown[] = [];
    const records: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      errors.push(asRuntimeReports(await failure(handler({ task: 'flaky', run }, {} as never))));
      const [record] = await reader.listTasks(run.runId);
      records.push({ state: record!.state, attempts: record!.attempts });
    }
    expect(errors).toEqual(
      [1, 2, 3].map((n) => ({
        errorType: 'Updraft.TaskFailed',
        errorMessage: `transient failure on try ${n}`,
      })),
    );
    // attempts: 3 — the first two are retried by the task's policy, the third is the last.
    expect(records).toEqual([
      { state: 'up_for_retry', attempts: 1 },
      { state: 'up_for_retry', attempts: 2 },
      { state: 'failed', attempts: 3 },
    ]);
    expect(
      (await reader.listTries(run.runId, 'flaky')).map((t) => [
        t.tryNumber,
        t.state,
        t.error?.error,
      ]),
    ).toEqual([
      [1, 'failed', 'Updraft.TaskFailed'],
      [2, 'failed', 'Updraft.TaskFailed'],
      [3, 'failed', 'Updraft.TaskFailed'],
    ]);
    expect(
      logs
        .lines()
        .filter((l) => l.level === 'ERROR')
        .map((l) => [l.try, l.message]),
    ).toEqual([1, 2, 3].map((n) => [n, `try ${n} failed: transient failure on try ${n}`]));
  });

  it('sensor poke waits grow across invocations and start over when the run is resumed', async () => {
    const run = newRun();
    await local.store.createRun(queuedRunRecord(run, {}, new Date(NOW)));
    const handler = handlerFor();
    const poke = () => handler({ task: 'wait_file', run }, {} as never);
    expect([await poke(), await poke(), await poke()]).toEqual(
      [60, 120, 240].map((wait) => ({ s: 'poking', o: null, wait })),
    );
    expect(await reader.listTasks(run.runId)).toEqual([
      {
        runId: run.runId,
        dagId: 'lambda_demo',
        taskId: 'wait_file',
        state: 'running',
        attempts: 3,
        startedAt: AT,
      },
    ]);

    await local.store.updateRun(run.runId, { attempt: 2 }); // a redrive
    expect(await poke()).toEqual({ s: 'poking', o: null, wait: 60 });
    const last = (await reader.listTries(run.runId, 'wait_file')).at(-1)!;
    expect([last.tryNumber, last.runAttempt]).toEqual([4, 2]);
  });
});

describe('task-runner Lambda: configuration', () => {
  it('a missing environment variable fails every invocation with the readEnv message', async () => {
    const handler = handlerFor(
      { default: demo },
      { env: { UPDRAFT_ENV: 'dev', UPDRAFT_DAG: 'lambda_demo' } },
    );
    const error = await failure(handler({ task: 'strict', run: newRun() }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage:
        'environment variables UPDRAFT_TABLE, UPDRAFT_BUCKET are not set; the Updraft stack sets them: redeploy with npm run deploy',
    });
  });

  it('finds its DAG in an exported array, and says which DAGs the file exports when UPDRAFT_DAG is not one', async () => {
    const handler = handlerFor({ dags: [other, demo] });
    expect(
      asRuntimeReports(await failure(handler({ task: 'strict', run: newRun() }, {} as never))),
    ).toEqual({ errorType: 'Updraft.PermanentError', errorMessage: 'the input file is malformed' });

    const wrong = handlerFor({ default: other }, { env: { ...ENV, UPDRAFT_DAG: 'lambda_demo' } });
    const error = await failure(wrong({ task: 'only', run: newRun() }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage:
        'UPDRAFT_DAG is "lambda_demo", but the bundled DAG file exports only "lambda_other"; the function and its DAG file are out of step: redeploy with npm run deploy',
    });
  });

  it('runs from the manifest its bundle carries, and says so when the bundle carries none for its DAG', async () => {
    const bare = handlerFor(
      { default: demo },
      { manifests: { lambda_other: manifests.lambda_other } },
    );
    const error = await failure(bare({ task: 'small', run: newRun() }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage:
        'the task runner bundle carries no manifest for DAG "lambda_demo"; the function and its DAG file are out of step: redeploy with npm run deploy',
    });
  });

  it('refuses an event that is not a task request, and unknown options', async () => {
    const error = await failure(handlerFor()({ hello: 'world' }, {} as never));
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.PermanentError',
      errorMessage:
        'the task runner of DAG "lambda_demo" was invoked without a task request ({ task, run: { runId, … } }); only its state machine invokes it',
    });
    expect(() => createTaskRunnerHandler({ default: demo }, { region: 'eu' } as never)).toThrow(
      'createTaskRunnerHandler: unknown option region (allowed: env, dynamodb, s3, secretsManager, sns, logger, now, timeoutEarlyMs, manifests)',
    );
  });
});

describe('task-runner Lambda: retry notifications', () => {
  it('a failed try its policy retries notifies retry from the invocation, once per try; the last try does not', async () => {
    const http = await startHttpReceiver();
    const notifying = dag(
      'lambda_notify',
      { notify: [notify.webhook('ops', { on: ['retry'] })] },
      () => {
        task('flaky', { retry: { attempts: 2, delay: '1s' } }, async () => {
          throw new Error('warehouse busy');
        })();
      },
    );
    smMock.on(GetSecretValueCommand, { SecretId: 'updraft/dev/connections/ops' }).resolves({
      SecretString: `${http.base}/ops-hook`,
    });
    const run = {
      ...newRun(),
      dagId: 'lambda_notify',
      runId: `lambda_notify-${RUN.key}-${++unique}`,
    };
    const handler = handlerFor(
      { default: notifying },
      {
        env: { ...ENV, UPDRAFT_DAG: 'lambda_notify' },
        manifests: { lambda_notify: compileDag(buildDagIR(notifying, 'n.ts').ir).manifest },
      },
    );
    for (let i = 0; i < 2; i++) await failure(handler({ task: 'flaky', run }, {} as never));
    expect(http.received.map((r) => [r.path, r.body.event, r.body.try])).toEqual([
      ['/ops-hook', 'retry', 1],
    ]);
    expect(http.received[0]!.body).toMatchObject({
      environment: 'dev',
      dagId: 'lambda_notify',
      taskId: 'flaky',
      error: { error: 'Updraft.TaskFailed', cause: 'warehouse busy' },
    });
    expect((await reader.listNotifications(run.runId)).map((n) => [n.key, n.state])).toEqual([
      ['retry#1#flaky#-1#1#webhook:ops', 'sent'],
    ]);
    await http.close();
  });
});

describe('task-runner Lambda: the end of an invocation', () => {
  it('a record write that fails is logged, not thrown: the result still reaches the state machine', async () => {
    const documents = createDocumentClient(
      new DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    );
    const dynamo = mockClient(documents);
    dynamo.on(GetCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({ Attributes: { tries: 1 } });
    const notFound = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $metadata: {},
    });
    dynamo.on(BatchWriteCommand).rejects(notFound);
    dynamo.on(PutCommand).rejects(notFound); // the store's one-by-one fallback after a failed batch
    const handler = handlerFor({ default: demo }, { dynamodb: documents });
    expect(await handler({ task: 'small', run: newRun() }, {} as never)).toEqual({
      s: 'success',
      o: { rows: 3 },
    });
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      UpdateExpression: 'ADD #tries :one SET expiresAt = :exp',
      ReturnValues: 'UPDATED_NEW',
    });
    const failed = logs
      .lines()
      .filter((l) => / could not be written to the run-metadata table$/.test(String(l.message)));
    // The running try and the successful one: each logged, neither thrown.
    expect(failed.map((l) => l.message)).toEqual([
      'the task try record could not be written to the run-metadata table',
      'the task try record could not be written to the run-metadata table',
    ]);
    expect(failed[0]).toMatchObject({ level: 'ERROR', task: 'small', try: 1 });
    dynamo.restore();
  });

  it('fails as Updraft.TaskFailed shortly before the Lambda timeout instead of being killed', async () => {
    const handler = handlerFor({ default: demo }, { timeoutEarlyMs: 1000 });
    const run = newRun();
    const error = await failure(
      handler({ task: 'slow', run }, { getRemainingTimeInMillis: () => 1020 } as never),
    );
    expect(asRuntimeReports(error)).toEqual({
      errorType: 'Updraft.TaskFailed',
      errorMessage:
        'the task ran out of time: its Lambda function timed out before the task code returned (raise the task timeout, or make the task do less per run)',
    });
    // Here (unlike Lambda, which freezes the container) the code runs on and writes its end
    // record 300 ms later: wait for it, or it lands after the table is gone.
    for (let waited = 0; waited < 5000; waited += 50) {
      const tries = await reader.listTries(run.runId, 'slow');
      if (tries.some((t) => t.state === 'success')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await reader.listTries(run.runId, 'slow')).map((t) => t.state)).toEqual(['success']);
  });
});
