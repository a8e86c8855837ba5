/**
 * @module runtime/mask
 * The secrets masker (Airflow's `secrets_masker`): every secret it knows of — connection
 * passwords, secret-looking extra fields, anything `add`ed — is replaced by `***` in text and in
 * objects on their way to logs, run state or the terminal.
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

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class SecretMasker {
  readonly #secrets = new Set<string>();
  /** One alternation of every secret, longest first; rebuilt lazily after `add`. */
  #pattern: RegExp | undefined;

  /** How many distinct strings are masked (URL-encoded forms included). */
  get size(): number {
    return this.#secrets.size;
  }

  /** Masks `secret` and its URL-encoded form; secrets under 3 characters are ignored. */
  add(secret: string): void {
    for (const form of [secret, encodeURIComponent(secret)]) {
      if (form.length < MIN_SECRET_LENGTH || this.#secrets.has(form)) continue;
      this.#secrets.add(form);
      this.#pattern = undefined;
    }
  }

  /** Masks a connection's password (also as written inside its URI) and secret-looking extras. */
  addConnection(connection: Connection): void {
    if (connection.password !== undefined) this.add(connection.password);
    const userinfo = connection.uri === undefined ? undefined : USERINFO.exec(connection.uri.trim())?.[1];
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
      for (const [key, item] of Object.entries(value)) this.#addSecretFields(item, secret || SECRET_KEY.test(key));
    }
  }

  /** `text` with every known secret replaced by `***`. */
  mask(text: string): string {
    if (this.#secrets.size === 0) return text;
    // Longest first, so a secret containing another is masked whole, not as `***` plus a tail.
    this.#pattern ??= new RegExp([...this.#secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    return text.replace(this.#pattern, MASK);
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
        Object.defineProperty(copy, key, { value: this.#maskValue(Reflect.get(value, key), seen), enumerable, writable: true, configurable: true });
      }
      return copy;
    }
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype !== Object.prototype && prototype !== null) return value;
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = this.#maskValue(item, seen);
    return copy;
  }
}
