/**
 * @module sdk/group
 * Task groups (nested): tasks declared inside get the group id as prefix (`transform.clean`),
 * inherit the group's defaults, and a group-level `retry` re-runs the whole group.
 */
import { callerLocation, currentBuilder } from './builder.ts';
import { DagDefinitionError } from '../errors.ts';
import { GroupNode } from './nodes.ts';
import type { GroupOptions } from './options.ts';

export function group<R>(id: string, build: () => R): GroupNode<R>;
export function group<R>(id: string, options: GroupOptions, build: () => R): GroupNode<R>;
export function group<R>(id: string, a: GroupOptions | (() => R), b?: () => R): GroupNode<R> {
  const builder = currentBuilder(`group "${id}"`);
  const [options, build] = typeof a === 'function' ? [{}, a] : [a ?? {}, b];
  if (typeof build !== 'function') {
    throw new DagDefinitionError(
      `group("${id}") needs a build function: group("${id}", { ... }, () => { ...tasks... }).`,
    );
  }
  const fullId = builder.fullId(id);
  builder.groups.push({
    id: fullId,
    localId: id,
    parent: builder.currentGroup,
    options: options as Record<string, unknown>,
    source: callerLocation(),
  });
  builder.groupStack.push(fullId);
  try {
    const output = build();
    return new GroupNode(fullId, output, builder);
  } finally {
    builder.groupStack.pop();
  }
}
