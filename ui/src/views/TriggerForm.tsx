/**
 * The trigger form, made from the DAG's typed params (defaults, enums, bounds, descriptions). The
 * server checks the conf as `updraft trigger --conf` does and its message is shown as is; the run
 * is queued and `updraft dev` starts it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post, type DagDetail, type ParamSpec } from '../api.ts';
import { href } from '../router.ts';

function initial(spec: ParamSpec): string {
  if (spec.default === undefined) return '';
  return typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default);
}

/** The form's text as the param's JSON value; unparsable text is sent as a string (the server says why it is wrong). */
function valueOf(spec: ParamSpec, text: string): unknown {
  if (spec.type === 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function TriggerForm({ dag }: { dag: DagDetail }) {
  const client = useQueryClient();
  const params = Object.entries(dag.params);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(params.map(([name, spec]) => [name, initial(spec)])),
  );
  const [date, setDate] = useState('');
  const [result, setResult] = useState<{ runId?: string; created?: boolean; error?: string }>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const conf = Object.fromEntries(
      params
        .filter(([name]) => values[name] !== '')
        .map(([name, spec]) => [name, valueOf(spec, values[name] ?? '')]),
    );
    if (!window.confirm(`Trigger ${dag.id}${date ? ` for ${date}` : ''}?`)) return;
    try {
      const r = await post<{ runId: string; created: boolean }>(
        `/api/dags/${encodeURIComponent(dag.id)}/trigger`,
        { conf, ...(date && { date }) },
      );
      setResult(r);
      await client.invalidateQueries();
    } catch (error) {
      setResult({ error: (error as Error).message });
    }
  };

  return (
    <form className="trigger" onSubmit={(e) => void submit(e)} aria-label={`Trigger ${dag.id}`}>
      {params.length === 0 && <p className="muted">{dag.id} has no params.</p>}
      {params.map(([name, spec]) => (
        // biome-ignore lint/a11y/noLabelWithoutControl: the label wraps its control (a select or an input, chosen below)
        <label key={name}>
          <span>
            {name} <code>{spec.type}</code>
            {spec.required && ' (required)'}
          </span>
          {spec.enum || spec.type === 'boolean' ? (
            <select
              name={name}
              value={values[name]}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
            >
              {(spec.enum ?? [true, false]).map((v) => (
                <option key={String(v)} value={typeof v === 'string' ? v : JSON.stringify(v)}>
                  {String(v)}
                </option>
              ))}
            </select>
          ) : (
            <input
              name={name}
              value={values[name]}
              inputMode={spec.type === 'number' || spec.type === 'integer' ? 'decimal' : undefined}
              onChange={(e) => setValues({ ...values, [name]: e.target.value })}
            />
          )}
          <small className="muted">
            {[
              spec.description,
              spec.minimum !== undefined && `at least ${spec.minimum}`,
              spec.maximum !== undefined && `at most ${spec.maximum}`,
            ]
              .filter(Boolean)
              .join(' · ')}
          </small>
        </label>
      ))}
      <DateField
        label="logical date (optional)"
        name="date"
        value={date}
        placeholder="2026-11-20"
        onChange={setDate}
      />
      <button type="submit">Trigger</button>
      {result?.error && (
        <p className="notice error" role="alert">
          {result.error}
        </p>
      )}
      {result?.runId && (
        <p className="notice" role="status">
          {result.created ? 'Queued' : 'Already exists'}:{' '}
          <a href={href.run(result.runId)}>{result.runId}</a>
        </p>
      )}
    </form>
  );
}

/** A backfill, as `updraft backfill` plans it: a queued run per interval of the range without one. */
export function BackfillForm({ dag }: { dag: DagDetail }) {
  const client = useQueryClient();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [result, setResult] = useState<{ text: string; error?: boolean }>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!window.confirm(`Backfill ${dag.id} from ${from} to ${to}?`)) return;
    try {
      const r = await post<{ intervals: { action: string }[] }>(
        `/api/dags/${encodeURIComponent(dag.id)}/backfill`,
        { from, to },
      );
      const queued = r.intervals.filter((i) => i.action === 'queued').length;
      setResult({
        text: `${queued} run${queued === 1 ? '' : 's'} queued, ${r.intervals.length - queued} interval${r.intervals.length - queued === 1 ? '' : 's'} already had one; updraft dev starts them, oldest first`,
      });
      await client.invalidateQueries();
    } catch (error) {
      setResult({ text: (error as Error).message, error: true });
    }
  };
  return (
    <form className="trigger" onSubmit={(e) => void submit(e)} aria-label={`Backfill ${dag.id}`}>
      <h2>Backfill</h2>
      <DateField
        label="from (first logical date)"
        name="from"
        value={from}
        placeholder="2026-11-01"
        onChange={setFrom}
      />
      <DateField
        label="to (last logical date, inclusive)"
        name="to"
        value={to}
        placeholder="2026-11-07"
        onChange={setTo}
      />
      <button type="submit">Backfill</button>
      {result && (
        <p
          className={result.error ? 'notice error' : 'notice'}
          role={result.error ? 'alert' : 'status'}
        >
          {result.text}
        </p>
      )}
    </form>
  );
}

/** A logical date, typed as the CLI takes it (YYYY-MM-DD or an ISO date-time). */
function DateField(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly placeholder: string;
  readonly onChange: (value: string) => void;
}) {
  return (
    <label>
      <span>{props.label}</span>
      <input
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
