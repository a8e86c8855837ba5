/**
 * Every relative link in the Markdown docs resolves: the file exists and, with `#anchor`, has a
 * heading GitHub renders with that anchor. Code comments that cite a doc section
 * (`CONTRIBUTING.md#pure-core`, `docs/authoring.md#retries-timeouts-and-permanenterror`) must
 * resolve the same way, so a renamed heading cannot leave a comment pointing nowhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'BENCHMARKS.md',
  'infra/README.md',
  'functions/README.md',
  'bench/README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const CODE_DIRS = ['src', 'infra', 'functions', 'test', 'scripts', 'bench', 'bin'];

/** Text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchors GitHub gives a file's headings (a repeated heading gets -1, -2 …). */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(readFileSync(file, 'utf8').replace(/`/g, '')).matchAll(
    /^#{1,6} (.+)$/gm,
  )) {
    const slug = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Why `target` (a link written in `from`) does not resolve, or undefined when it does. */
function brokenLink(from: string, target: string): string | undefined {
  const [file, anchor] = target.split('#') as [string, string | undefined];
  const resolved =
    file === ''
      ? path.join(root, from)
      : path.resolve(path.dirname(path.join(root, from)), decodeURIComponent(file));
  if (!existsSync(resolved)) return `${from}: ${target}: no such file`;
  if (anchor === undefined || statSync(resolved).isDirectory()) return undefined;
  if (!resolved.endsWith('.md'))
    return `${from}: ${target}: an anchor into a file that is not Markdown`;
  return anchorsOf(resolved).has(anchor)
    ? undefined
    : `${from}: ${target}: no heading with that anchor`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    // Not fixtures, goldens, nor the `.tmp-*` projects other test files create and delete meanwhile.
    if (e.isDirectory())
      return e.name === 'fixtures' || e.name === 'golden' || e.name.startsWith('.')
        ? []
        : filesUnder(rel);
    return /\.(ts|mjs|js)$/.test(e.name) ? [rel] : [];
  });
}

describe('the docs', () => {
  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const [, target] of prose(readFileSync(path.join(root, doc), 'utf8')).matchAll(
        /\]\(([^)\s]+)\)/g,
      )) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const why = brokenLink(doc, target!);
        if (why) broken.push(why);
      }
    }
    expect(broken).toEqual([]);
  });

  it('are what code comments cite, by file and heading', () => {
    const broken: string[] = [];
    let cites = 0;
    for (const file of [...CODE_DIRS.flatMap(filesUnder), 'biome.jsonc']) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, target] of text.matchAll(
        /\b((?:CONTRIBUTING|docs\/[a-z-]+)\.md#[a-z0-9_-]+)/g,
      )) {
        cites++;
        const why = brokenLink('README.md', target!); // cites are written from the repository root
        if (why) broken.push(`${file}: ${why.slice('README.md: '.length)}`);
      }
      // The design notes these cites replaced are not in the repository.
      if (/\b(STYLE|DESIGN)(\.md)? ?§/.test(text))
        broken.push(`${file}: cites STYLE.md/DESIGN.md, which are not in the repository`);
    }
    expect(broken).toEqual([]);
    expect(cites).toBeGreaterThan(0);
  });
});
