/**
 * @module runtime/objects
 * Large task outputs travel by reference: past the manifest's inline limit the task runner
 * writes the value to the payload store (S3 on AWS; `.updraft/objects/` locally) and the state
 * document carries `{ $ref, bytes }`. References are resolved before task code sees its inputs,
 * so offloading is invisible to DAG authors.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigError, InternalError } from '../errors.ts';

export interface ObjectRef {
  readonly $ref: string;
  readonly bytes: number;
  /**
   * A list mapped over (a ListRef): the object's key in the payload bucket, which a Distributed
   * Map's ItemReader reads (compiler/states/distributed), and its number of items.
   */
  readonly key?: string;
  readonly items?: number;
}

/** A list in the payload bucket, by reference. */
export type ListRef = Required<ObjectRef>;

export interface ObjectStore {
  /** Stores a JSON text under a key; returns the reference URI. */
  put(key: string, body: string): Promise<string>;
  get(ref: string): Promise<string>;
  /** The reference URI of a key of this store (what `put` returned for it). */
  refOf(key: string): string;
}

const REF_FIELDS = new Set(['$ref', 'bytes', 'key', 'items']);

export function isObjectRef(value: unknown): value is ObjectRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const ref = value as ObjectRef;
  const keys = Object.keys(value);
  return (
    typeof ref.$ref === 'string' &&
    typeof ref.bytes === 'number' &&
    keys.every((k) => REF_FIELDS.has(k)) &&
    (ref.key === undefined || typeof ref.key === 'string') &&
    (ref.items === undefined || typeof ref.items === 'number')
  );
}

/** The local payload bucket: one JSON file per object under a folder. */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  async put(key: string, body: string): Promise<string> {
    const file = join(this.root, key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, file);
    return `local://${relative(this.root, file).split(sep).join('/')}`;
  }
  refOf(key: string): string {
    return `local://${key}`;
  }
  async get(ref: string): Promise<string> {
    if (!ref.startsWith('local://'))
      throw new InternalError(
        `cannot read ${ref} locally: only local:// references are stored under ${this.root}`,
      );
    const file = resolve(this.root, ref.slice('local://'.length));
    if (!file.startsWith(this.root + sep))
      throw new InternalError(`reference ${ref} points outside ${this.root}`);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ConfigError(
          `the stored output ${ref} is gone from ${this.root} (was .updraft/objects cleaned?); run the task that produced it again: updraft clear <run> --task <task>`,
        );
      throw error;
    }
  }
}

/** Objects kept in memory (tests, the testing helper). */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, string>();
  async put(key: string, body: string): Promise<string> {
    this.objects.set(key, body);
    return `memory://${key}`;
  }
  refOf(key: string): string {
    return `memory://${key}`;
  }
  async get(ref: string): Promise<string> {
    const body = this.objects.get(ref.replace(/^memory:\/\//, ''));
    if (body === undefined) throw new InternalError(`object ${ref} not found`);
    return body;
  }
}

/** The value as it goes into the state document: itself, or a reference when over the limit. */
export async function offload(
  objects: ObjectStore,
  key: string,
  value: unknown,
  limitBytes: number,
): Promise<unknown> {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  if (bytes <= limitBytes) return value;
  const ref: ObjectRef = { $ref: await objects.put(key, text), bytes };
  return ref;
}

/** A list as it goes into the state document when a Distributed Map may read it: itself, or a ListRef when long. */
export async function offloadList(
  objects: ObjectStore,
  key: string,
  list: readonly unknown[],
  limits: { readonly bytes: number; readonly items: number },
): Promise<readonly unknown[] | ListRef> {
  const text = JSON.stringify(list);
  const bytes = Buffer.byteLength(text);
  if (bytes <= limits.bytes && list.length <= limits.items) return list;
  return { $ref: await objects.put(key, text), bytes, key, items: list.length };
}

/** Replaces every reference inside a value by what it points to. */
export async function resolveRefs(objects: ObjectStore, value: unknown): Promise<unknown> {
  if (isObjectRef(value)) return JSON.parse(await objects.get(value.$ref)) as unknown;
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveRefs(objects, v)));
  if (typeof value === 'object' && value !== null) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveRefs(objects, v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
