/**
 * @module engine/intrinsic-literals
 * aws-local-stepfunctions reads an intrinsic function's string literal as the raw text between its
 * quotes (`'it\'s'` stays `it\'s`), where AWS resolves the escapes `\'`, `\{`, `\}` and `\\`
 * (ASL specification, "Intrinsic Functions"). Before a run, every literal with an escape that is
 * not a `States.Format` template is replaced by a context path (`$$.UpdraftLiterals.<n>`) whose
 * value is the literal as AWS reads it, so the interpreter gives what AWS gives. (The interpreter
 * resolves a template's escapes itself, by deleting every backslash of Format's result: right for
 * \' \{ \}, wrong for a literal backslash, which AWS keeps. No rewrite can survive that deletion,
 * so a Format whose template or values hold a backslash is a known divergence; see
 * docs/deploying.md#what-has-not-been-verified.)
 */
import type { StateMachine } from '../compiler/contract.ts';

/** Whether a definition needs the rewrite at all (most do not: a cheap text test). */
export function hasEscapedLiterals(json: string): boolean {
  // An escape in a literal is a backslash in the definition (`\\` in its JSON text); a false
  // positive only costs the rewrite, which leaves unescaped literals as they are.
  return json.includes('States.') && json.includes('\\\\');
}

/** The definition with escaped literals moved into `literals` (mutates a copy). */
export function rewriteEscapedLiterals(definition: StateMachine): {
  definition: StateMachine;
  literals: Record<string, string>;
} {
  const literals: Record<string, string> = {};
  const field = (text: string): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== "'") {
        out += text[i];
        continue;
      }
      let j = i + 1;
      let value = '';
      let escaped = false;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          escaped = true;
          value += text[++j];
        } else value += text[j];
      }
      const raw = text.slice(i, j + 1);
      const template = /States\.Format\(\s*$/.test(out);
      if (escaped && !template) {
        const n = `l${Object.keys(literals).length}`;
        literals[n] = value;
        out += `$$.UpdraftLiterals.${n}`;
      } else out += raw;
      i = j;
    }
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k.endsWith('.$') && typeof v === 'string' && v.startsWith('States.') ? field(v) : walk(v),
      ]),
    );
  };
  return { definition: walk(definition) as StateMachine, literals };
}
