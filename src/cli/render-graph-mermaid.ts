/**
 * @module cli/render-graph-mermaid
 * `updraft graph --format mermaid`: a `flowchart LR` for Markdown (GitHub, GitLab, Notion),
 * one `subgraph` per task group, the task's kind shown by its node shape.
 */
import { assertNever } from '../ir/types.ts';
import type { TaskBodyIR } from '../ir/types.ts';
import { groupName, nestedItems, taskNotes } from './render-graph-model.ts';
import type { GraphItem, GraphModel } from './render-graph-model.ts';

// Words that end or break a flowchart when used as a node id (`end` closes a subgraph).
const RESERVED = new Set([
  'end',
  'graph',
  'subgraph',
  'flowchart',
  'direction',
  'style',
  'class',
  'classdef',
  'click',
  'linkstyle',
]);

export function renderMermaid(model: GraphModel): string {
  const ids = mermaidIds(model);
  const lines = ['flowchart LR'];
  const emit = (items: readonly GraphItem[], indent: string): void => {
    for (const item of items) {
      if (item.kind === 'group') {
        lines.push(
          `${indent}subgraph ${ids.group(item.group.id)} ["${escape(groupName(item.group))}"]`,
        );
        emit(item.items, `${indent}  `);
        lines.push(`${indent}end`);
      } else {
        const text = [item.node.label, taskNotes(item.node.task, true).join(' · ')]
          .filter(Boolean)
          .map(escape)
          .join('<br/>');
        const [open, close] = shape(item.node.task.body);
        lines.push(`${indent}${ids.task(item.node.index)}${open}"${text}"${close}`);
      }
    }
  };
  emit(nestedItems(model), '  ');
  for (const [from, to] of model.edges) lines.push(`  ${ids.task(from)} --> ${ids.task(to)}`);
  return lines.join('\n');
}

function shape(body: TaskBodyIR): readonly [string, string] {
  switch (body.kind) {
    case 'function':
      return ['[', ']'];
    case 'branch':
      return ['{', '}'];
    case 'short_circuit':
      return ['{{', '}}'];
    case 'sensor':
      return ['([', '])'];
    case 'operator':
      return ['[[', ']]'];
    default:
      return assertNever(body, 'task body kind');
  }
}

/** Mermaid ids allow no dots: `transform.clean` becomes `transform_clean`, made unique with `_2`. */
function mermaidIds(model: GraphModel): { task(index: number): string; group(id: string): string } {
  const used = new Set<string>();
  const claim = (raw: string): string => {
    let base = raw.replace(/[^A-Za-z0-9_]/g, '_') || 'node';
    if (RESERVED.has(base.toLowerCase())) base += '_';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return id;
  };
  const tasks = model.nodes.map((node) => claim(node.task.id));
  const groups = new Map(
    [...model.groups.keys(), ...model.nodes.flatMap((node) => node.groups)].map((id) => [id, '']),
  );
  for (const id of groups.keys()) groups.set(id, claim(id));
  return { task: (index) => tasks[index] ?? '', group: (id) => groups.get(id) ?? '' };
}

/** Inside a quoted label only `"` needs escaping, as an entity. */
function escape(text: string): string {
  return text.replaceAll('"', '#quot;');
}
