/**
 * @module runtime/mask
 * The secrets masker (Airflow's `secrets_masker`): every secret it knows of — connection
 * passwords, secret-looking extra fields, anything `add`ed — is replaced by `***` in text and in
 * objects on their way to logs, run state or the terminal. A secret is masked as written and in
 * the encodings it travels in: URL-encoded (as `encodeURIComponent`, `URLSearchParams`, a URL's
 * userinfo and `encodeURI` write it, `%2f` or `%2F`), JSON-escaped, base64 (alone, inside a longer
 * base64 text at any byte offset, and base64url) and the `Authorization: Basic` value of
 * `login:password` — matched without regard to case (`HUNTER2` is masked like `hunter2`).
 */
import type { Connection } from '../sdk/context.ts';

export const MASK = '***';

/**
 * Shorter secrets are ignored: masking "a" or "12" would turn every log line into `***`
 * (Airflow skips very short values for the same reason).
 */
export const MIN_SECRET_LENGTH = 3;

/** Extra fields whose name contains one of these words hold secrets (case-insensitive). */
const SECRET_KEY = /password|secret|token|key|private/i;

/** The userinfo of a URI as written: `scheme://login:password@host` → `login:password`. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i;

/**
 * Inside a longer base64 text a secret's bytes show as a run of characters that depends on its
 * offset (mod 3); runs shorter than 8 characters (6 bytes) are left alone, as they would mask
 * unrelated base64 by chance.
 */
const MIN_BASE64_RUN = 8;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const base64url = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** As `application/x-www-form-urlencoded` writes it (`+` for a space, `!'()~` escaped). */
const formEncoded = (secret: string) => new URLSearchParams([['', secret]]).toString().slice(1);

/** As a URL's userinfo holds it (`new URL(...)`, `url.password = ...`). */
function userinfoEncoded(secret: string): string {
  const url = new URL('http://host');
  url.password = secret;
  return url.password;
}

/**
 * The secret's base64: whole (padded, unpadded, base64url), and the run of characters its bytes
 * always produce inside a longer base64 text, at each of the three byte offsets — so
 * `base64("user:" + secret)` (a Basic header) or a base64 JSON blob holding it is masked too.
 */
function base64Forms(bytes: Buffer): string[] {
  const whole = bytes.toString('base64');
  const forms = [whole, whole.replace(/=+$/, ''), base64url(whole)];
  for (let offset = 0; offset < 3; offset++) {
    const text = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Character i holds bits [6i, 6i + 6): keep those that come from the secret's bytes alone.
    const run = text.slice(
      Math.ceil((8 * offset) / 6),
      Math.floor((8 * (offset + bytes.length)) / 6),
    );
    if (run.length >= MIN_BASE64_RUN) forms.push(run, base64url(run));
  }
  return forms;
}

/** Every way `secret` is written that the masker replaces. */
export function secretForms(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    formEncoded(secret),
    userinfoEncoded(secret),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
  ]);
  for (const form of base64Forms(Buffer.from(secret, 'utf8'))) forms.add(form);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

export class SecretMasker {
  readonly #secrets = new Set<string>();
  /** One alternation of every secret, longest first; rebuilt lazily after `add`. */
  #pattern: RegExp | undefined;
  #replaced = 0;

  /** How many secrets `mask` and `maskValue` have replaced so far (did this output hold one?). */
  get replaced(): number {
    return this.#replaced;
  }

  /** How many distinct strings are masked (encoded forms included). */
  get size(): number {
    return this.#secrets.size;
  }

  /** Masks `secret` in every form `secretForms` lists; secrets under 3 characters are ignored. */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    for (const form of secretForms(secret)) {
      if (this.#secrets.has(form)) continue;
      this.#secrets.add(form);
      this.#pattern = undefined;
    }
  }

  /**
   * Masks a connection's password (also as written inside its URI, and as the base64 of
   * `login:password` an `Authorization: Basic` header carries) and secret-looking extras.
   */
  addConnection(connection: Connection): void {
    if (connection.password !== undefined) {
      this.add(connection.password);
      if (connection.login !== undefined)
        this.add(
          Buffer.from(`${connection.login}:${connection.password}`, 'utf8').toString('base64'),
        );
    }
    const userinfo =
      connection.uri === undefined ? undefined : USERINFO.exec(connection.uri.trim())?.[1];
    const colon = userinfo?.indexOf(':') ?? -1;
    if (userinfo !== undefined && colon >= 0) {
      const written = userinfo.slice(colon + 1);
      this.add(written);
      try {
        this.add(decodeURIComponent(written));
      } catch {
        // A malformed %-sequence: the written form is already masked.
      }
    }
    this.#addSecretFields(connection.extra, false);
  }

  #addSecretFields(value: unknown, secret: boolean): void {
    if (typeof value === 'string') {
      if (secret) this.add(value);
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      if (secret) this.add(String(value));
    } else if (Array.isArray(value)) {
      for (const item of value) this.#addSecretFields(item, secret);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value))
        this.#addSecretFields(item, secret || SECRET_KEY.test(key));
    }
  }

  /** `text` with every known secret replaced by `***`. */
  mask(text: string): string {
    if (this.#secrets.size === 0) return text;
    // Longest first, so a secret containing another is masked whole, not as `***` plus a tail.
    // Case-insensitive: `HUNTER2`, `%2f` for `%2F`; over-masking a base64 run by case is harmless.
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'gi',
    );
    return text.replace(this.#pattern, () => {
      this.#replaced++;
      return MASK;
    });
  }

  /**
   * A deep copy of `value` with every string masked: plain objects and arrays are walked, errors
   * keep their class with message and stack masked; other objects (dates, buffers) are kept.
   * Keys are kept as they are.
   */
  maskValue(value: unknown): unknown {
    return this.#maskValue(value, new WeakMap());
  }

  #maskValue(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.#maskValue(item, seen));
      return copy;
    }
    if (value instanceof Error) {
      const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
      seen.set(value, copy);
      // message, stack and cause are own, non-enumerable properties; stack may be an accessor.
      for (const key of Object.getOwnPropertyNames(value)) {
        const { enumerable } = Object.getOwnPropertyDescriptor(value, key)!;
        Object.defineProperty(copy, key, {
          value: this.#maskValue(Reflect.get(value, key), seen),
          enumerable,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    }
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype !== Object.prototype && prototype !== null) return value;
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    // defineProperty: a "__proto__" key (JSON.parse makes it an own key) stays a key; assigning it would set the prototype.
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(copy, key, {
        value: this.#maskValue(item, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return copy;
  }
}
