/**
 * @module ir/format
 * The template of a `format` value, written as `States.Format` reads it: `{}` is a placeholder,
 * and a literal `{`, `}` or `\` is escaped with a backslash. The SDK escapes the literal parts of
 * a `format\`…\`` template, so text such as `{}` in them is never taken for a placeholder.
 */

/** Escape literal text for a template: \ { } get a backslash. */
export function escapeTemplateText(text: string): string {
  return text.replace(/[\\{}]/g, (c) => `\\${c}`);
}

/** The literal parts between placeholders, unescaped: one more part than there are placeholders. */
export function templateParts(template: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      part += template[++i];
    } else if (c === '{' && template[i + 1] === '}') {
      parts.push(part);
      part = '';
      i++;
    } else {
      part += c;
    }
  }
  parts.push(part);
  return parts;
}
