/**
 * @module util/brand
 * `instanceof` that also holds across copies of the SDK: DAG files import the built SDK
 * (`dist/`) while tests and `tsx` tools run the sources, and a monorepo may install two copies.
 * A class brands its instances with a registered symbol and checks the brand in its
 * `Symbol.hasInstance`.
 */
export function brand(name: string): { readonly key: symbol; has(value: unknown): boolean } {
  const key = Symbol.for(`updraft.${name}`);
  return {
    key,
    has: (value) =>
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[key] === true,
  };
}
