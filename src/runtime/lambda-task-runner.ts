/**
 * @module runtime/lambda-task-runner
 * The task runner as a Lambda function: one per DAG, bundled with its DAG file. It runs the same
 * `createTaskRunner` the embedded engine calls in-process, wired to AWS: the run store in
 * DynamoDB (try numbers, poke state and task records live there, since no engine follows the
 * run), the payload bucket in S3, connections from Secrets Manager, task logs through Powertools
 * Logger. Everything built once per container (DAG IR, clients, secret cache); every record write
 * has landed before the invocation returns or throws. The manifest comes with the bundle (infra/bundle
 * writes each DAG's into the generated entry): the DAG is never compiled at cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { DagIR } from '../ir/types.ts';
import type { RunnerManifest } from '../compiler/contract.ts';
import { buildDagIR } from '../sdk/build-ir.ts';
import { isDag, type Dag } from '../sdk/dag.ts';
import { ConfigError, DagDefinitionError } from '../errors.ts';
// Straight from its module: store/index also exports the SQLite store, which has no place in
// the Lambda bundle.
import { createDocumentClient, type DynamoStore } from '../store/dynamo-store.ts';
import type { RunRecord } from '../store/types.ts';
import { awsBuiltinCheck } from './aws-checks.ts';
import { ENV, names, parseEnvironment, readEnv } from './env.ts';
import { environmentStore } from './environment-store.ts';
import { PERMANENT, TASK_FAILED, classifyError, stateError } from './errors.ts';
import { correlationKeys, powertoolsSink } from './lambda-logging.ts';
import { recordingTasks, storePokes } from './lambda-state.ts';
import { S3ObjectStore } from './s3-objects.ts';
import { parseCacheSeconds, secretsConnections, type SecretsConnections } from './secrets.ts';
import { createTaskRunner, type BuiltinCheck, type RunnerRequest } from './task-runner.ts';
import type { RunnerRecorder } from './task-try.ts';
import type { LogSink } from './task-logger.ts';
import { listensFor, notifySpecOf } from './notify-due.ts';
import { notifyRetry, type RunNotifyDeps } from './run-notifications.ts';
import { snsPublisher } from './sns-publish.ts';
import { queuedRunRecord } from './run-record.ts';

export interface TaskRunnerHandlerOptions {
  /**
   * The runner's part of each DAG's manifest, by DAG id, as compiled when the bundle was built
   * (infra/bundle's generated entry passes them). Required for the DAG the function runs.
   */
  readonly manifests?: Readonly<Record<string, RunnerManifest>>;
  /** Where the configuration is read (`UPDRAFT_*`, see runtime/env). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A document client that drops undefined values (see store/dynamo-store). @default one over `new DynamoDBClient({})` */
  readonly dynamodb?: DynamoDBDocumentClient;
  /** @default new S3Client({}) */
  readonly s3?: S3Client;
  /** @default new SecretsManagerClient({}) */
  readonly secretsManager?: SecretsManagerClient;
  /** For `retry` notifications through SNS. @default new SNSClient({}) */
  readonly sns?: SNSClient;
  /** @default new Logger({ serviceName: 'updraft-task-runner' }) (level from POWERTOOLS_LOG_LEVEL) */
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Time kept back before the Lambda timeout: the invocation then fails as `Updraft.TaskFailed`
   * instead of being killed mid-write. @default 1000
   */
  readonly timeoutEarlyMs?: number;
}

const OPTION_KEYS = new Set([
  'env',
  'dynamodb',
  's3',
  'secretsManager',
  'sns',
  'logger',
  'now',
  'timeoutEarlyMs',
  'manifests',
]);

/** What one container builds once and every invocation shares. */
interface Container {
  readonly dag: Dag;
  readonly ir: DagIR;
  readonly manifest: RunnerManifest;
  readonly store: DynamoStore;
  readonly objects: S3ObjectStore;
  readonly connection: SecretsConnections;
  readonly builtinCheck: BuiltinCheck;
  readonly sink: LogSink;
  /** Set when the DAG notifies `retry`: a failed try that will be retried notifies from here (runtime/run-notifications). */
  readonly retryNotify?: RunNotifyDeps;
}

interface Clients {
  readonly dynamodb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly secretsManager: SecretsManagerClient;
  /** Made on first use: only a DAG that notifies `retry` through SNS publishes. */
  readonly sns: () => SNSClient;
}

export type TaskRunnerHandler = MiddyfiedHandler<unknown, unknown>;

/**
 * The Lambda handler for the DAG named by `UPDRAFT_DAG` among a DAG file's exports (a default or
 * named export, a Dag or an array of Dags). Its event is the request the compiled state machine
 * sends (a Task state's Parameters, or lambda:invoke's `Payload`); it returns the task's record
 * (function tasks, branches, short-circuits) or what the state reads as `$.Payload`.
 */
export function createTaskRunnerHandler(
  moduleExports: Readonly<Record<string, unknown>>,
  options: TaskRunnerHandlerOptions = {},
): TaskRunnerHandler {
  validateOptions(options);
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? new Logger({ serviceName: 'updraft-task-runner' });
  let sns: SNSClient | undefined;
  // Clients once per container (module initialisation), reused by every invocation.
  const clients: Clients = {
    dynamodb: options.dynamodb ?? createDocumentClient(new DynamoDBClient({})),
    s3: options.s3 ?? new S3Client({}),
    secretsManager: options.secretsManager ?? new SecretsManagerClient({}),
    sns: () => (sns ??= options.sns ?? new SNSClient({})),
  };
  let container: Container | undefined;
  const setup = (): Container =>
    (container ??= createContainer(moduleExports, options.manifests ?? {}, env, clients, logger));
  try {
    setup(); // during initialisation, when Lambda gives the most CPU
  } catch {
    // A configuration error: every invocation tries again and reports it to the state machine.
  }

  const handle = async (event: unknown): Promise<unknown> => {
    try {
      const c = setup();
      const request = parseRequest(event, c.ir.id);
      const runId = request.run.runId;
      // The run's execution attempt (one more per retry/clear) is on its run record; a run started outside
      // Updraft (the console) has none.
      const runRecord = await c.store.getRun(runId);
      const runAttempt = runRecord?.attempt ?? 1;
      const runner = createTaskRunner({
        dag: c.dag,
        ir: c.ir,
        manifest: c.manifest,
        objects: c.objects,
        recorder: bestEffort(
          notifyingRetries(
            recordingTasks(c.store, c.ir),
            c,
            // A run started outside Updraft may not have its record yet: its values say enough.
            runRecord ?? {
              ...queuedRunRecord(request.run, {}, new Date(now())),
              status: 'running',
            },
          ),
          logger,
        ),
        logs: c.sink,
        connection: c.connection,
        now,
        runAttempt,
        nextTry: async (taskId, mapIndex) => {
          const tryNumber = await c.store.nextTry(runId, taskId, mapIndex);
          logger.appendKeys({ try: tryNumber });
          return tryNumber;
        },
        pokes: storePokes(c.store, runId, runAttempt),
        builtinCheck: c.builtinCheck,
      });
      // The function's response is the state's result (a function task's record, its Resource the
      // function's ARN) or what lambda:invoke wraps as `Payload` (sensor pokes, mapped instances).
      return (await runner(request)).Payload;
    } catch (error) {
      // Converted here, inside the handler: an onError middleware throwing a new error would make
      // middy attach the original (unmasked) one as `originalError`/`cause`, which the runtime
      // then logs with the error's enumerable properties.
      throw lambdaError(error);
    }
  };

  return middy(handle, {
    timeoutEarlyInMillis: options.timeoutEarlyMs ?? 1000,
    timeoutEarlyResponse: () => {
      throw stateError({
        error: TASK_FAILED,
        cause:
          'the task ran out of time: its Lambda function timed out before the task code returned (raise the task timeout, or make the task do less per run)',
      });
    },
  })
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true })) // never the event: it holds params and upstream data
    .use(correlationKeys(logger));
}

/**
 * The error Step Functions sees, named exactly as the compiled Retry/Catch expect. The Node.js
 * runtime reports a thrown Error as `{ errorType: error.name, errorMessage: error.message, trace }`
 * (aws-lambda-nodejs-runtime-interface-client: `formatError` in src/utils/error.ts,
 * `toRapidResponse` in the older src/Errors.js; anything not an Error gets `typeof error` as its
 * type), and the lambda:invoke integration raises `errorType` as the state's Error ("the name
 * property of the Error object must match the ErrorEquals value", Lambda developer guide, Node.js
 * errors). So a real Error whose `name` is `Updraft.PermanentError` / `Updraft.TaskFailed`, not a
 * subclass named `PermanentError` or `TypeError`, which would miss the PermanentError retrier
 * and be retried. Its message is the masked cause; it carries no `cause` (the runtime logs an
 * error's enumerable properties; the original may hold a secret).
 */
export function lambdaError(error: unknown): Error {
  const info = classifyError(error);
  // Names starting with `States.` are reserved for Step Functions itself.
  if (info.error.startsWith('States.'))
    return stateError({ error: TASK_FAILED, cause: `${info.error}: ${info.cause}` });
  const e = error as Error;
  return error instanceof Error &&
    e.name === info.error &&
    e.message === info.cause &&
    e.cause === undefined
    ? e
    : stateError(info);
}

/** The state machine's payload, checked before anything runs (a wrong one never fixes itself). */
function parseRequest(event: unknown, dagId: string): RunnerRequest {
  const e = event as Partial<RunnerRequest> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.task !== 'string' ||
    typeof e.run !== 'object' ||
    e.run === null ||
    typeof e.run.runId !== 'string'
  ) {
    throw stateError({
      error: PERMANENT,
      cause: `the task runner of DAG "${dagId}" was invoked without a task request ({ task, run: { runId, … } }); only its state machine invokes it`,
    });
  }
  if (e.run.dagId !== dagId) {
    throw stateError({
      error: PERMANENT,
      cause: `the task runner of DAG "${dagId}" was invoked for a run of DAG "${String(e.run.dagId)}"; each DAG has its own function: redeploy with npm run deploy`,
    });
  }
  return e as RunnerRequest;
}

function createContainer(
  moduleExports: Readonly<Record<string, unknown>>,
  manifests: Readonly<Record<string, RunnerManifest>>,
  env: Readonly<Record<string, string | undefined>>,
  clients: Clients,
  logger: Logger,
): Container {
  const config = readEnv(env, ['environment', 'table', 'bucket', 'dag']);
  const environment = parseEnvironment(config.environment, ENV.environment);
  const { dag, ir, manifest } = loadDag(moduleExports, manifests, config.dag);
  const store = environmentStore(clients.dynamodb, config.table, environment);
  const connection = secretsConnections({
    client: clients.secretsManager,
    prefix: env[ENV.secretPrefix] || names.secretPrefix(environment),
    environment,
    cacheSeconds: parseCacheSeconds(env[ENV.secretCacheSeconds], ENV.secretCacheSeconds),
  });
  const spec = notifySpecOf(ir);
  const alertsTopic = env[ENV.alertsTopic];
  const retryNotify: RunNotifyDeps | undefined = listensFor(spec, 'retry')
    ? {
        store,
        spec: () => spec,
        send: {
          store,
          environment,
          connection: (id) => connection(id),
          ...(alertsTopic && { publish: snsPublisher(clients.sns(), alertsTopic) }),
          now: Date.now,
          log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
          // Short: the state machine waits for this invocation before its retry delay starts.
          retry: { retries: 2, minTimeoutMs: 500 },
          timeoutMs: 5000,
        },
      }
    : undefined;
  return {
    dag,
    ir,
    manifest,
    store,
    objects: new S3ObjectStore({ client: clients.s3, bucket: config.bucket }),
    connection,
    builtinCheck: awsBuiltinCheck({ s3: clients.s3, store }),
    sink: powertoolsSink(logger),
    ...(retryNotify && { retryNotify }),
  };
}

/** Every DAG a module exports, as the loader finds them: default or named, alone or in arrays. */
export function dagsOf(moduleExports: Readonly<Record<string, unknown>>): Dag[] {
  const found: Dag[] = [];
  for (const value of Object.values(moduleExports)) {
    for (const v of Array.isArray(value) ? value : [value])
      if (isDag(v) && !found.includes(v)) found.push(v);
  }
  return found;
}

/** The DAG, its IR (pure and deterministic: the same the deployed state machine was compiled from) and its bundled manifest. */
function loadDag(
  moduleExports: Readonly<Record<string, unknown>>,
  manifests: Readonly<Record<string, RunnerManifest>>,
  dagId: string,
): { dag: Dag; ir: DagIR; manifest: RunnerManifest } {
  const dags = dagsOf(moduleExports);
  const dag = dags.find((d) => d.id === dagId);
  if (!dag) {
    throw new ConfigError(
      `${ENV.dag} is "${dagId}", but the bundled DAG file exports ${dags.length ? `only ${dags.map((d) => `"${d.id}"`).join(', ')}` : 'no DAG'}; the function and its DAG file are out of step: redeploy with npm run deploy`,
    );
  }
  const { ir, problems } = buildDagIR(dag, `${dagId} (bundled)`);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw DagDefinitionError.of(`DAG "${dagId}" as deployed is invalid`, errors, {
      hint: 'fix it (npx updraft validate) and redeploy',
    });
  }
  const manifest = manifests[dagId];
  if (!manifest) {
    throw new ConfigError(
      `the task runner bundle carries no manifest for DAG "${dagId}"; the function and its DAG file are out of step: redeploy with npm run deploy`,
    );
  }
  return { dag, ir, manifest };
}

/** A failed try's record, then its `retry` notification when the DAG has one (sent before the state machine waits to retry). */
function notifyingRetries(recorder: RunnerRecorder, c: Container, run: RunRecord): RunnerRecorder {
  const deps = c.retryNotify;
  if (!deps) return recorder;
  return {
    putTry: async (t) => {
      await recorder.putTry(t);
      await notifyRetry(deps, run, t);
    },
    putLineage: (records) => recorder.putLineage(records),
    ...(recorder.putDecided && { putDecided: recorder.putDecided }),
  };
}

/**
 * Record writes that log a failure instead of throwing it: failing the task for its metadata
 * would make Step Functions run the task's code again (the state machine's own document still
 * carries the output).
 */
function bestEffort(recorder: RunnerRecorder, logger: Logger): RunnerRecorder {
  const guard = async (what: string, write: () => void | Promise<void>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      logger.error(`${what} could not be written to the run-metadata table`, {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  };
  return {
    putTry: (t) => guard('the task try record', () => recorder.putTry(t)),
    putLineage: (records) => guard('the lineage records', () => recorder.putLineage(records)),
    putDecided: (record) =>
      guard('the task record', async () => await recorder.putDecided?.(record)),
  };
}

function validateOptions(options: TaskRunnerHandlerOptions): void {
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `createTaskRunnerHandler: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: ${[...OPTION_KEYS].join(', ')})`,
    );
  const ms = options.timeoutEarlyMs;
  if (ms !== undefined && (!Number.isInteger(ms) || ms < 0))
    throw new ConfigError(
      `createTaskRunnerHandler: timeoutEarlyMs is ${JSON.stringify(ms)}; it must be a whole number of milliseconds, 0 or more`,
    );
}
