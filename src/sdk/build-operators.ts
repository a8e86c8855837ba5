/**
 * @module sdk/build-operators
 * Native operator declarations → `OperatorIR`: required fields present and of the right type,
 * parameters converted to values (upstream outputs become data edges).
 */
import type { OperatorIR, ValueIR } from '../ir/types.ts';
import { OPERATOR_KINDS } from '../ir/types.ts';
import { checkConnectionId } from './build-checks.ts';
import { toValue, type ValueContext } from './build-values.ts';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export function toOperator(raw: { kind: string } & Record<string, unknown>, taskId: string, ctx: ValueContext): OperatorIR | undefined {
  const { out, details } = ctx;
  const label = `task "${taskId}"`;
  let ok = true;
  const str = (name: string, required = true): string => {
    const v = raw[name];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' || v.trim() === '') {
      ok = false;
      out.error('missing-option', `${label} (${raw.kind}) needs ${name} as a non-empty string, got ${JSON.stringify(v)}`, { ...details, path: name });
      return '';
    }
    return v;
  };
  const val = (name: string): ValueIR | undefined => {
    if (raw[name] === undefined) return undefined;
    const v = toValue(raw[name], `${label} ${name}`, ctx);
    if (!v) ok = false;
    return v;
  };
  const required = (name: string): ValueIR | undefined => {
    if (raw[name] === undefined) {
      ok = false;
      out.error('missing-option', `${label} (${raw.kind}) needs ${name}`, { ...details, path: name });
      return undefined;
    }
    return val(name);
  };
  const opt = <K extends string, V>(key: K, value: V | undefined) => (value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>));

  let op: OperatorIR | undefined;
  switch (raw.kind as OperatorIR['kind']) {
    case 'lambda_invoke':
      op = { kind: 'lambda_invoke', functionName: str('functionName'), ...opt('payload', val('payload')) };
      break;
    case 'ecs_task': {
      const subnets = raw.subnets;
      if (!Array.isArray(subnets) || subnets.length === 0 || subnets.some((s) => typeof s !== 'string')) {
        ok = false;
        out.error('missing-option', `${label} (ecs_task) needs subnets: a non-empty list of subnet ids for the task's network`, { ...details, path: 'subnets' });
      }
      const launchType = raw.launchType;
      if (launchType !== 'FARGATE' && launchType !== 'EC2') {
        ok = false;
        out.error('invalid-option', `${label} launchType is ${JSON.stringify(launchType)} but must be "FARGATE" or "EC2"`, { ...details, path: 'launchType' });
      }
      op = {
        kind: 'ecs_task',
        cluster: str('cluster'),
        taskDefinition: str('taskDefinition'),
        launchType: launchType === 'EC2' ? 'EC2' : 'FARGATE',
        subnets: Array.isArray(subnets) ? subnets.map(String) : [],
        securityGroups: Array.isArray(raw.securityGroups) ? raw.securityGroups.map(String) : [],
        ...opt('container', str('container', false)),
        ...opt('command', val('command')),
        ...opt('environment', val('environment')),
      };
      break;
    }
    case 'batch_job':
      op = { kind: 'batch_job', jobName: str('jobName'), jobQueue: str('jobQueue'), jobDefinition: str('jobDefinition'), ...opt('parameters', val('parameters')) };
      break;
    case 'glue_job':
      op = { kind: 'glue_job', jobName: str('jobName'), ...opt('arguments', val('arguments')) };
      break;
    case 'athena_query': {
      const query = required('query');
      op = query && {
        kind: 'athena_query',
        query,
        ...opt('database', str('database', false)),
        ...opt('workGroup', str('workGroup', false)),
        ...opt('outputLocation', str('outputLocation', false)),
      };
      break;
    }
    case 'http_request': {
      const method = raw.method;
      if (!(HTTP_METHODS as readonly unknown[]).includes(method)) {
        ok = false;
        out.error('invalid-option', `${label} method is ${JSON.stringify(method)} but must be one of ${HTTP_METHODS.join(', ')}`, { ...details, path: 'method' });
      }
      if (!checkConnectionId(raw.connection, out, { ...details, path: 'connection' })) ok = false;
      const url = required('url');
      op = url && {
        kind: 'http_request',
        method: method as (typeof HTTP_METHODS)[number],
        url,
        connection: String(raw.connection),
        ...opt('headers', val('headers')),
        ...opt('query', val('query')),
        ...opt('body', val('body')),
      };
      break;
    }
    case 'sns_publish': {
      const message = required('message');
      op = message && { kind: 'sns_publish', topic: str('topic'), message, ...opt('subject', str('subject', false)) };
      break;
    }
    case 'sqs_send': {
      const message = required('message');
      op = message && { kind: 'sqs_send', queue: str('queue'), message };
      break;
    }
    case 'eventbridge_put': {
      const detail = required('detail');
      op = detail && { kind: 'eventbridge_put', eventBus: str('eventBus'), source: str('source'), detailType: str('detailType'), detail };
      break;
    }
    case 'trigger_dag':
      if (typeof raw.wait !== 'boolean') {
        ok = false;
        out.error('invalid-option', `${label} wait must be true or false, got ${JSON.stringify(raw.wait)}`, { ...details, path: 'wait' });
      }
      op = { kind: 'trigger_dag', dagId: str('dagId'), ...opt('conf', val('conf')), wait: raw.wait !== false };
      break;
    default:
      out.error('unknown-operator', `${label} has unknown operator kind ${JSON.stringify(raw.kind)}; known: ${OPERATOR_KINDS.join(', ')}`, details);
      return undefined;
  }
  return ok ? op : undefined;
}
