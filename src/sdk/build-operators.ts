/**
 * @module sdk/build-operators
 * Native operator declarations → `OperatorIR`: required fields present and of the right type,
 * parameters converted to values (upstream outputs become data edges). One reader per operator
 * kind, over the field readers of `OperatorFields`; a problem is recorded and the operator refused.
 */
import type { OperatorIR, ValueIR } from '../ir/types.ts';
import { OPERATOR_KINDS } from '../ir/types.ts';
import { checkConnectionId } from './build-checks.ts';
import { toValue, type ValueContext } from './build-values.ts';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

type Raw = { kind: string } & Record<string, unknown>;
type Kind = OperatorIR['kind'];
type OperatorOf<K extends Kind> = Extract<OperatorIR, { kind: K }>;

/** Reads one declaration's fields; every problem found is recorded and clears `ok`. */
class OperatorFields {
  ok = true;
  readonly raw: Raw;
  readonly ctx: ValueContext;
  readonly label: string;
  constructor(raw: Raw, taskId: string, ctx: ValueContext) {
    this.raw = raw;
    this.ctx = ctx;
    this.label = `task "${taskId}"`;
  }

  /** Records a problem at `path` and refuses the operator. */
  refuse(code: 'missing-option' | 'invalid-option', message: string, path: string): void {
    this.ok = false;
    this.ctx.out.error(code, message, { ...this.ctx.details, path });
  }

  /** A non-empty string; `''` when optional and absent. */
  string(name: string, required = true): string {
    const v = this.raw[name];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' || v.trim() === '') {
      this.refuse(
        'missing-option',
        `${this.label} (${this.raw.kind}) needs ${name} as a non-empty string, got ${JSON.stringify(v)}`,
        name,
      );
      return '';
    }
    return v;
  }

  /** A parameter value (literal, upstream output, run value …), if given. */
  value(name: string): ValueIR | undefined {
    if (this.raw[name] === undefined) return undefined;
    const v = toValue(this.raw[name], `${this.label} ${name}`, this.ctx);
    if (!v) this.ok = false;
    return v;
  }

  requiredValue(name: string): ValueIR | undefined {
    if (this.raw[name] === undefined) {
      this.refuse('missing-option', `${this.label} (${this.raw.kind}) needs ${name}`, name);
      return undefined;
    }
    return this.value(name);
  }

  /** `{ key: value }`, or nothing when the value is absent or empty. */
  optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
    return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
  }
}

const READERS: { readonly [K in Kind]: (f: OperatorFields) => OperatorOf<K> | undefined } = {
  lambda_invoke: (f) => ({
    kind: 'lambda_invoke',
    functionName: f.string('functionName'),
    ...f.optional('payload', f.value('payload')),
  }),
  ecs_task: (f) => {
    const { subnets, launchType } = f.raw;
    if (
      !Array.isArray(subnets) ||
      subnets.length === 0 ||
      subnets.some((s) => typeof s !== 'string')
    ) {
      f.refuse(
        'missing-option',
        `${f.label} (ecs_task) needs subnets: a non-empty list of subnet ids for the task's network`,
        'subnets',
      );
    }
    if (launchType !== 'FARGATE' && launchType !== 'EC2') {
      f.refuse(
        'invalid-option',
        `${f.label} launchType is ${JSON.stringify(launchType)} but must be "FARGATE" or "EC2"`,
        'launchType',
      );
    }
    return {
      kind: 'ecs_task',
      cluster: f.string('cluster'),
      taskDefinition: f.string('taskDefinition'),
      launchType: launchType === 'EC2' ? 'EC2' : 'FARGATE',
      subnets: Array.isArray(subnets) ? subnets.map(String) : [],
      securityGroups: Array.isArray(f.raw.securityGroups) ? f.raw.securityGroups.map(String) : [],
      ...f.optional('container', f.string('container', false)),
      ...f.optional('command', f.value('command')),
      ...f.optional('environment', f.value('environment')),
    };
  },
  batch_job: (f) => ({
    kind: 'batch_job',
    jobName: f.string('jobName'),
    jobQueue: f.string('jobQueue'),
    jobDefinition: f.string('jobDefinition'),
    ...f.optional('parameters', f.value('parameters')),
  }),
  glue_job: (f) => ({
    kind: 'glue_job',
    jobName: f.string('jobName'),
    ...f.optional('arguments', f.value('arguments')),
  }),
  athena_query: (f) => {
    const query = f.requiredValue('query');
    return (
      query && {
        kind: 'athena_query',
        query,
        ...f.optional('database', f.string('database', false)),
        ...f.optional('workGroup', f.string('workGroup', false)),
        ...f.optional('outputLocation', f.string('outputLocation', false)),
      }
    );
  },
  http_request: (f) => {
    const { method, connection } = f.raw;
    if (!(HTTP_METHODS as readonly unknown[]).includes(method)) {
      f.refuse(
        'invalid-option',
        `${f.label} method is ${JSON.stringify(method)} but must be one of ${HTTP_METHODS.join(', ')}`,
        'method',
      );
    }
    if (!checkConnectionId(connection, f.ctx.out, { ...f.ctx.details, path: 'connection' }))
      f.ok = false;
    const url = f.requiredValue('url');
    return (
      url && {
        kind: 'http_request',
        method: method as (typeof HTTP_METHODS)[number],
        url,
        connection: String(connection),
        ...f.optional('headers', f.value('headers')),
        ...f.optional('query', f.value('query')),
        ...f.optional('body', f.value('body')),
      }
    );
  },
  sns_publish: (f) => {
    const message = f.requiredValue('message');
    return (
      message && {
        kind: 'sns_publish',
        topic: f.string('topic'),
        message,
        ...f.optional('subject', f.string('subject', false)),
      }
    );
  },
  sqs_send: (f) => {
    const message = f.requiredValue('message');
    return message && { kind: 'sqs_send', queue: f.string('queue'), message };
  },
  eventbridge_put: (f) => {
    const detail = f.requiredValue('detail');
    return (
      detail && {
        kind: 'eventbridge_put',
        eventBus: f.string('eventBus'),
        source: f.string('source'),
        detailType: f.string('detailType'),
        detail,
      }
    );
  },
  trigger_dag: (f) => {
    const { wait } = f.raw;
    if (typeof wait !== 'boolean')
      f.refuse(
        'invalid-option',
        `${f.label} wait must be true or false, got ${JSON.stringify(wait)}`,
        'wait',
      );
    return {
      kind: 'trigger_dag',
      dagId: f.string('dagId'),
      ...f.optional('conf', f.value('conf')),
      wait: wait !== false,
    };
  },
};

export function toOperator(raw: Raw, taskId: string, ctx: ValueContext): OperatorIR | undefined {
  if (!Object.hasOwn(READERS, raw.kind)) {
    ctx.out.error(
      'unknown-operator',
      `task "${taskId}" has unknown operator kind ${JSON.stringify(raw.kind)}; known: ${OPERATOR_KINDS.join(', ')}`,
      ctx.details,
    );
    return undefined;
  }
  const fields = new OperatorFields(raw, taskId, ctx);
  const op = READERS[raw.kind as Kind](fields);
  return fields.ok ? op : undefined;
}
