/**
 * @module cli/render-graph-dot
 * `updraft graph --format dot`: a Graphviz `digraph` (`dot -Tsvg`), left to right like Airflow's
 * graph view, one `cluster_` subgraph per task group, the task's kind shown by its node shape.
 */
import { assertNever } from '../ir/types.ts';
import type { TaskBodyIR } from '../ir/types.ts';
import { groupName, nestedItems, taskNotes } from './render-graph-model.ts';
import type { GraphItem, GraphModel } from './render-graph-model.ts';

export function renderDot(model: GraphModel): string {
  const lines = [
    `digraph ${quote(model.dag.id)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style=rounded];',
  ];
  const emit = (items: readonly GraphItem[], indent: string): void => {
    for (const item of items) {
      if (item.kind === 'group') {
        lines.push(
          `${indent}subgraph ${quote(`cluster_${item.group.id}`)} {`,
          `${indent}  label=${quote(groupName(item.group))};`,
        );
        emit(item.items, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const { task, label } = item.node;
        const text = [label, taskNotes(task, true).join(' · ')]
          .filter(Boolean)
          .map(escape)
          .join('\\n');
        const kind = shape(task.body);
        lines.push(`${indent}${quote(task.id)} [label="${text}"${kind ? `, shape=${kind}` : ''}];`);
      }
    }
  };
  emit(nestedItems(model), '  ');
  for (const [from, to] of model.edges)
    lines.push(
      `  ${quote(model.nodes[from]?.task.id ?? '')} -> ${quote(model.nodes[to]?.task.id ?? '')};`,
    );
  lines.push('}');
  return lines.join('\n');
}

/** Graphviz shape, or undefined for the default rounded box. */
function shape(body: TaskBodyIR): string | undefined {
  switch (body.kind) {
    case 'function':
      return undefined;
    case 'branch':
      return 'diamond';
    case 'short_circuit':
      return 'hexagon';
    case 'sensor':
      return 'oval';
    case 'operator':
      return 'component';
    default:
      return assertNever(body, 'task body kind');
  }
}

function quote(id: string): string {
  return `"${escape(id)}"`;
}

function escape(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}
