/**
 * Secrets never leave a task in any encoding: a DAG whose tasks log a connection's password raw,
 * upper-cased, URL-encoded (three ways), as base64 and as an `Authorization: Basic` header, with
 * ctx.log and console.*, return it in their outputs (inline and offloaded), pass it downstream
 * and fail with it in the error. Then every file under `.updraft/` and the output of every
 * command that shows runs (run, run --json, show, show --json, show --outputs, logs, logs --json,
 * test, test --json, runs --json) is searched for every form of both passwords — one from
 * `UPDRAFT_CONN_*`, one from `updraft.connections.json` — ignoring case.
 * Spawned on purpose (not through main(argv, io)): a secret can reach the terminal by any path —
 * a worker's console, a stray write to stdout or stderr — and only a real process's output holds them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updraftInProcess, updraftProcess, type CliResult } from '../support/cli.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Space, `+`, `/`, `€`, `!'~`: encodeURIComponent, forms and a URL's userinfo all differ. */
const API_PASSWORD = "P@ss w/rd+€!'~Zq9";
/** From the connections file, as a URI: `%` and `&=` need escaping there. */
const FILE_PASSWORD = 'Hunter2%Secret&=x';
const LOGIN = 'etl';

const RUN = 'leaky-2020-03-01T00-00-00Z';

const DAG = `
import { dag, task } from 'updraft';

const forms = (pw: string, login: string) => ({
  raw: pw,
  upper: pw.toUpperCase(),
  lower: pw.toLowerCase(),
  component: encodeURIComponent(pw),
  componentLower: encodeURIComponent(pw).toLowerCase(),
  form: new URLSearchParams({ pw }).toString(),
  base64: Buffer.from(pw).toString('base64'),
  base64url: Buffer.from(pw).toString('base64url'),
  inBase64: Buffer.from(JSON.stringify({ user: login, pw })).toString('base64'),
  authorization: 'Basic ' + Buffer.from(login + ':' + pw).toString('base64'),
});

export default dag('leaky', { schedule: '@daily', startDate: '2020-01-01' }, () => {
  const call = task('call', { connections: ['api', 'warehouse'] }, async (ctx) => {
    const api = await ctx.connection('api');
    const wh = await ctx.connection('warehouse');
    for (const c of [api, wh]) {
      const f = forms(c.password!, c.login!);
      ctx.log.info('password ' + c.password + ' / ' + f.upper + ' / ' + f.component, f);
      ctx.log.warn(f.authorization);
      console.log('console', c.password, f.authorization, f.form);
      console.error(JSON.stringify(c));
    }
    return { api: forms(api.password!, api.login!), wh: forms(wh.password!, wh.login!), uri: wh.uri };
  });
  const big = task('big', { connections: ['api'] }, async (ctx) => {
    const api = await ctx.connection('api');
    return { pad: 'x'.repeat(300_000), ...forms(api.password!, api.login!) };
  });
  const use = task('use', async (ctx, x: unknown, y: unknown) => {
    ctx.log.info('received', { x, y });
    return { x, y };
  });
  const fail = task('fail', { connections: ['api'] }, async (ctx) => {
    const api = await ctx.connection('api');
    throw new Error('login rejected for ' + api.password + ' (' + encodeURIComponent(api.password!) + ')');
  });
  use(call(), big());
  fail();
});
`;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(repo, 'test', '.tmp-secrets-'));
  fs.mkdirSync(path.join(dir, 'dags'));
  fs.writeFileSync(path.join(dir, 'dags', 'leaky.ts'), DAG);
  fs.writeFileSync(
    path.join(dir, 'updraft.connections.json'),
    JSON.stringify({
      warehouse: `postgres://${LOGIN}:${encodeURIComponent(FILE_PASSWORD)}@db.internal:5432/analytics`,
    }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function environment(): Record<string, string | undefined> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('UPDRAFT_CONN_')),
  );
  return {
    ...base,
    NO_COLOR: '1',
    UPDRAFT_CONN_API: JSON.stringify({
      type: 'http',
      host: 'api.example.com',
      login: LOGIN,
      password: API_PASSWORD,
    }),
  };
}

/** The commands that run task code, as the real binary: whatever a worker writes reaches its stdout/stderr. */
function spawned(args: string[]): CliResult {
  return updraftProcess(args, { cwd: dir, env: environment() });
}

/** The commands that print records, in process. */
function printed(args: string[]): Promise<CliResult> {
  return updraftInProcess(args, { cwd: dir, env: environment() });
}

/** Every way a password could be written, worked out here independently of the masker. */
function forms(password: string, login: string) {
  const url = new URL('https://host');
  url.password = password;
  const inJson = Buffer.from(JSON.stringify({ user: login, pw: password })).toString('base64');
  return {
    raw: password,
    upper: password.toUpperCase(),
    lower: password.toLowerCase(),
    component: encodeURIComponent(password),
    form: new URLSearchParams({ pw: password }).toString().slice(3),
    userinfo: url.password,
    json: JSON.stringify(password).slice(1, -1),
    base64: Buffer.from(password).toString('base64').replace(/=+$/, ''),
    base64url: Buffer.from(password).toString('base64url'),
    basic: Buffer.from(`${login}:${password}`).toString('base64'),
    // The JSON blob's base64 up to the password's end: it holds the password's bytes.
    inBase64: inJson.slice(
      0,
      Math.floor(
        (8 *
          (JSON.stringify({ user: login, pw: password }).indexOf(password) +
            Buffer.byteLength(password))) /
          6,
      ),
    ),
  };
}

const FORMS = { api: forms(API_PASSWORD, LOGIN), warehouse: forms(FILE_PASSWORD, LOGIN) };

/** The forms of either password found in `text`, case ignored, as `connection.form`. */
function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return Object.entries(FORMS).flatMap(([id, all]) =>
    Object.entries(all).flatMap(([name, form]) =>
      lower.includes(form.toLowerCase()) ? [`${id}.${name}`] : [],
    ),
  );
}

function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('secrets in every encoding stay out of records, files and output', () => {
  it('the search finds each form, whatever its case', () => {
    expect(
      leaks(`x ${FORMS.api.basic} y ${FORMS.api.component.toLowerCase()} ${FORMS.warehouse.upper}`),
    ).toEqual([
      'api.component',
      'api.basic',
      'warehouse.raw',
      'warehouse.upper',
      'warehouse.lower',
      'warehouse.json',
    ]);
    const blob = Buffer.from(JSON.stringify({ user: LOGIN, pw: API_PASSWORD })).toString('base64');
    expect(leaks(`a${blob}b`)).toEqual(['api.inBase64']);
    expect(leaks('nothing here')).toEqual([]);
  });

  it('run, show, logs, test and runs print no form of either password; .updraft/ holds none', async () => {
    const run = spawned(['run', 'leaky', '--date', '2020-03-01']);
    expect(run.code).toBe(1); // `fail` fails
    const outputs = [
      run,
      spawned(['run', 'leaky', '--date', '2020-03-02', '--json']),
      spawned(['test', 'leaky', 'call']),
      spawned(['test', 'leaky', 'call', '--json']),
      spawned(['test', 'leaky', 'use', '--json']),
      spawned(['test', 'leaky', 'fail']),
    ];
    for (const args of [
      ['show', RUN],
      ['show', RUN, '--json'],
      ['show', RUN, '--outputs'],
      ['logs', RUN],
      ['logs', RUN, '--json'],
      ['test', 'leaky', 'use'],
      ['runs', '--json'],
    ])
      outputs.push(await printed(args));
    for (const o of outputs)
      expect({ out: leaks(o.out), err: leaks(o.err) }).toEqual({ out: [], err: [] });

    // The commands did show what the tasks did, masked.
    const show = (await printed(['show', RUN, '--outputs'])).out;
    expect(show).toContain('"raw": "***"');
    expect(show).toContain('"authorization": "Basic ***"');
    const logs = (await printed(['logs', RUN, 'call'])).out;
    expect(logs).toContain('password *** / *** / ***');
    expect(logs).toMatch(/console \*\*\* Basic \*\*\* pw=\*\*\*/);
    expect(logs).toContain(
      'the output held a secret of a connection; it is passed on and recorded as *** (a downstream task that needs the secret declares the connection itself)',
    );
    expect((await printed(['show', RUN])).out).toContain('login rejected for *** (***)');

    const files = filesUnder(path.join(dir, '.updraft'));
    expect(files.some((f) => f.includes(`${path.sep}objects${path.sep}`))).toBe(true); // `big` was offloaded
    expect(files.some((f) => f.endsWith('call.log'))).toBe(true);
    for (const file of files)
      expect({
        file: path.relative(dir, file),
        leaks: leaks(fs.readFileSync(file).toString('utf8')),
      }).toEqual({ file: path.relative(dir, file), leaks: [] });
  }, 180_000);
});
