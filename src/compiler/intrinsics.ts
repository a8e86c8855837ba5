/**
 * @module compiler/intrinsics
 * Literal arguments of intrinsic functions (`States.Format('…', …)`): the one escaper.
 */

/** A string literal for an intrinsic function argument ('…'): \ ' { } are escaped. */
export function intrinsicString(text: string): string {
  return `'${text.replace(/[\\'{}]/g, (c) => `\\${c}`)}'`;
}

/** A scalar literal as an intrinsic argument: strings quoted and escaped, numbers/booleans/null as JSON; objects: undefined. */
export function intrinsicScalar(value: unknown): string | undefined {
  if (typeof value === 'string') return intrinsicString(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean')
    return JSON.stringify(value);
  return undefined;
}
