/**
 * The secrets masker: exact masked outputs for plain and URL-encoded secrets, connections
 * (password, password as written in the URI, secret-looking extras) and deep values.
 */
import { describe, expect, it } from 'vitest';
import { parseConnection } from '../../src/runtime/connections.ts';
import { SecretMasker, secretForms } from '../../src/runtime/mask.ts';

describe('SecretMasker', () => {
  it('replaces every occurrence, and the URL-encoded form', () => {
    const m = new SecretMasker();
    m.add('p@ss w0rd');
    expect(m.mask('login with p@ss w0rd, not p@ss w0rd!')).toBe('login with ***, not ***!');
    expect(m.mask('postgres://etl:p%40ss%20w0rd@db/x')).toBe('postgres://etl:***@db/x');
    expect(m.size).toBe(secretForms('p@ss w0rd').length);
  });

  it('leaves text alone when it knows no secret', () => {
    expect(new SecretMasker().mask('nothing to hide')).toBe('nothing to hide');
  });

  it('ignores secrets shorter than 3 characters', () => {
    const m = new SecretMasker();
    m.add('');
    m.add('ab');
    m.add('abc');
    expect(m.mask('ab abc abcd')).toBe('ab *** ***d');
    expect(m.size).toBe(2); // abc and its base64 YWJj
  });

  it('masks the longest secret first', () => {
    const m = new SecretMasker();
    m.add('secret');
    m.add('secret-and-more');
    expect(m.mask('a secret-and-more b secret')).toBe('a *** b ***');
  });

  it('treats secrets as text, not patterns', () => {
    const m = new SecretMasker();
    m.add('a.b*c');
    expect(m.mask('axbbc a.b*c')).toBe('axbbc ***');
  });

  it('masks a connection: password, the password as written in its URI, secret-looking extras', () => {
    const m = new SecretMasker();
    m.addConnection(
      parseConnection(
        'warehouse',
        'postgres://etl:s%40cret!@db.internal:5432/analytics?sslmode=require&api_key=K3Y-123&privateKeyPath=/k.pem',
      ),
    );
    expect(
      m.mask(
        'connect postgres://etl:s%40cret!@db.internal:5432/analytics password=s@cret! key K3Y-123 file /k.pem mode require',
      ),
    ).toBe(
      'connect postgres://etl:***@db.internal:5432/analytics password=*** key *** file *** mode require',
    );
  });

  it('masks a password written with other %-escapes than encodeURIComponent uses', () => {
    const m = new SecretMasker();
    m.addConnection(parseConnection('w', 'postgres://etl:b%21ng%2A@db/x'));
    expect(m.mask('postgres://etl:b%21ng%2A@db/x and b!ng*')).toBe(
      'postgres://etl:***@db/x and ***',
    );
  });

  it('masks extras from JSON connections by key name, nested too, case-insensitive', () => {
    const m = new SecretMasker();
    m.addConnection(
      parseConnection(
        'api',
        '{"type":"http","password":"hunter22","region":"eu-west-1","Client_SECRET":"cs-999","auth":{"Token":"tok-1","user":"bob"},"keys":["k-one","k-two"]}',
      ),
    );
    expect(m.mask('hunter22 eu-west-1 cs-999 tok-1 bob k-one k-two')).toBe(
      '*** eu-west-1 *** *** bob *** ***',
    );
  });

  it('masks values deeply, keeps keys, shapes and non-string values, and copes with cycles', () => {
    const m = new SecretMasker();
    m.add('hunter22');
    const input: Record<string, unknown> = {
      msg: 'pw=hunter22',
      n: 3,
      ok: true,
      none: null,
      list: ['hunter22', { deep: 'x hunter22 y' }],
      when: new Date(0),
      hunter22: 'key kept',
    };
    input.self = input;
    const out = m.maskValue(input) as Record<string, unknown>;
    expect(out).toEqual({
      msg: 'pw=***',
      n: 3,
      ok: true,
      none: null,
      list: ['***', { deep: 'x *** y' }],
      when: new Date(0),
      hunter22: 'key kept',
      self: out,
    });
    expect(out.self).toBe(out);
    expect(input.msg).toBe('pw=hunter22'); // the input is not changed
    expect(m.maskValue('hunter22')).toBe('***');
    expect(m.maskValue(42)).toBe(42);
  });

  it('masks errors, keeping their class', () => {
    const m = new SecretMasker();
    m.add('hunter22');
    const error = new TypeError('login failed for hunter22', { cause: 'hunter22 rejected' });
    const out = m.maskValue({ error }) as { error: TypeError };
    expect(out.error).toBeInstanceOf(TypeError);
    expect(out.error.message).toBe('login failed for ***');
    expect(out.error.cause).toBe('*** rejected');
    expect(out.error.stack).toMatch(/^TypeError: login failed for \*\*\*\n/);
    expect(error.message).toBe('login failed for hunter22');
  });

  it('lists every encoded form of a secret', () => {
    expect(secretForms("p@ss w/rd+€!'~x")).toEqual([
      "p@ss w/rd+€!'~x",
      "p%40ss%20w%2Frd%2B%E2%82%AC!'~x", // encodeURIComponent
      'p%40ss+w%2Frd%2B%E2%82%AC%21%27%7Ex', // URLSearchParams (forms)
      "p%40ss%20w%2Frd+%E2%82%AC!'~x", // a URL's userinfo
      "p@ss%20w/rd+%E2%82%AC!'~x", // encodeURI
      'cEBzcyB3L3JkK+KCrCEnfng=', // base64, padded, unpadded, base64url
      'cEBzcyB3L3JkK+KCrCEnfng',
      'cEBzcyB3L3JkK-KCrCEnfng',
      'cEBzcyB3L3JkK+KCrCEnfn', // the run its bytes make inside longer base64, offsets 0, 1, 2
      'cEBzcyB3L3JkK-KCrCEnfn',
      'BAc3Mgdy9yZCvigqwhJ354',
      'wQHNzIHcvcmQr4oKsISd+e',
      'wQHNzIHcvcmQr4oKsISd-e',
    ]);
    expect(secretForms('a"b\\c')).toContain('a\\"b\\\\c'); // JSON-escaped
  });

  it('masks URL-encoded, JSON-escaped, base64 and case-changed forms', () => {
    const m = new SecretMasker();
    const pw = "p@ss w/rd+€!'~x";
    m.add(pw);
    const url = new URL('postgres://etl@h/db');
    url.password = pw;
    expect(
      m.mask(
        `${pw.toUpperCase()} ${encodeURIComponent(pw).toLowerCase()} ?${new URLSearchParams({ p: pw }).toString()} ${url.href} ${JSON.stringify({ pw })}`,
      ),
    ).toBe(`*** *** ?p=*** postgres://etl:***@h/db {"pw":"***"}`);
    expect(m.mask(Buffer.from(pw).toString('base64'))).toBe('***');
    expect(m.mask(Buffer.from(pw).toString('base64url'))).toBe('***');
    // Inside a longer base64 text, at byte offsets 0, 1 and 2: only the run its bytes make is replaced.
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const blob = Buffer.from(`${prefix}${pw}"}`).toString('base64');
      expect(m.mask(blob)).toMatch(/^[A-Za-z0-9+/]{0,5}\*\*\*[A-Za-z0-9+/]{0,4}=*$/);
    }
    expect(m.mask(Buffer.from('{"pw":"other"}').toString('base64'))).toBe(
      Buffer.from('{"pw":"other"}').toString('base64'),
    );
  });

  it('masks the Authorization: Basic value of a connection login:password whole', () => {
    const m = new SecretMasker();
    m.addConnection(parseConnection('api', 'https://etl:p%40ss%20w0rd@api.example.com'));
    const basic = Buffer.from('etl:p@ss w0rd').toString('base64');
    expect(m.mask(`Authorization: Basic ${basic}`)).toBe('Authorization: Basic ***');
  });
});
