/**
 * @module cli/render-graph
 * Draws a DAG for `updraft graph <dag> --format text|mermaid|dot`: `text` for the terminal,
 * `mermaid` for Markdown, `dot` for Graphviz. Pure: same `DagIR` in, byte-identical string out
 * (no trailing newline).
 */
import { assertNever } from '../ir/types.ts';
import type { DagIR } from '../ir/types.ts';
import { renderDot } from './render-graph-dot.ts';
import { renderMermaid } from './render-graph-mermaid.ts';
import { graphModel } from './render-graph-model.ts';
import { renderText } from './render-graph-text.ts';

export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface RenderGraphOptions {
  /**
   * ANSI colors in `text` (task glyphs by kind, group names bold, notes dim); other formats ignore it.
   * @default false - plain text, as for a pipe or a file
   */
  readonly color?: boolean;
}

/**
 * Draws a validated DAG. Throws `InternalError` on an edge to an unknown task or a cycle, which
 * validation reports to the user before a DAG gets here.
 */
export function renderGraph(
  dag: DagIR,
  format: GraphFormat,
  options: RenderGraphOptions = {},
): string {
  const model = graphModel(dag);
  switch (format) {
    case 'text':
      return renderText(model, options.color ?? false);
    case 'mermaid':
      return renderMermaid(model);
    case 'dot':
      return renderDot(model);
    default:
      return assertNever(format, 'graph format');
  }
}
