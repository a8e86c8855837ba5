/**
 * The DAG drawn with React Flow at the positions the server computed (cli/ui-graph: a column per
 * longest-path level, a row within it), each task coloured by its state in the chosen run, the
 * critical path drawn heavier, and the waits the compiler added (`updraft explain`) dashed.
 */
import { Background, Controls, Position, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { DagDetail } from '../api.ts';

const WIDTH = 190;
/** More added waits than this are counted above the graph, not drawn. */
export const MAX_WAITS_DRAWN = 100;
const HEIGHT = 64;

export function Graph({
  graph,
  states,
  onSelect,
}: {
  graph: DagDetail['graph'];
  states: Readonly<Record<string, string>>;
  onSelect?: (taskId: string) => void;
}) {
  const critical = useMemo(() => new Set(graph.criticalPath), [graph]);
  const onPath = useMemo(() => {
    const pairs = new Set<string>();
    graph.criticalPath.forEach((id, i) => {
      const next = graph.criticalPath[i + 1];
      if (next) pairs.add(`${id}->${next}`);
    });
    return pairs;
  }, [graph]);
  const nodes = useMemo<Node[]>(
    () =>
      graph.nodes.map((n) => ({
        id: n.id,
        position: { x: n.column * (WIDTH + 60), y: n.row * (HEIGHT + 24) },
        data: {
          label: (
            <div className="node-label">
              <strong>{n.label}</strong>
              <span className="muted">
                {[n.groups.join('.'), ...n.notes].filter(Boolean).join(' · ')}
              </span>
            </div>
          ),
        },
        className: `task-node state-${states[n.id] ?? 'none'}${critical.has(n.id) ? ' critical' : ''}`,
        // Columns run left to right: edges leave a box on its right and enter on its left.
        sourcePosition: Position.Right,
        targetPosition: Position.Left,
        style: { width: WIDTH },
        connectable: false,
        draggable: false,
      })),
    [graph, states, critical],
  );
  const edges = useMemo<Edge[]>(
    () => [
      ...graph.edges.map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        ...(onPath.has(`${e.from}->${e.to}`) && { className: 'critical' }),
      })),
      // Drawn when few enough to read (a DAG far from fork/join can have thousands).
      ...(graph.addedWaits.length > MAX_WAITS_DRAWN ? [] : graph.addedWaits).map((w) => ({
        id: `wait:${w.before}->${w.after}`,
        source: w.before,
        target: w.after,
        className: 'added-wait',
      })),
    ],
    [graph, onPath],
  );
  return (
    <div className="graph" data-testid="graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesConnectable={false}
        onNodeClick={(_e, node) => onSelect?.(node.id)}
        proOptions={{ hideAttribution: true }}
        minZoom={0.05}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
