// Blocksworld samples: <task>/<id>/blocksworld_task.txt with initial and goal stacks and no
// stored answer. The question wording follows what the paper's harness asks (in our words).

import { formatStacks, parseBlocksworldTask, type BlocksworldTask } from '../scorers/blocksworld';
import type { LoadProblem, TaskRecord } from '../types';
import { readDatasetText } from '../safeRead';

export function blocksworldQuestion(task: BlocksworldTask): string {
  return [
    'Blocksworld Task:',
    '',
    'Initial State:',
    formatStacks(task.initial),
    '',
    'Goal State:',
    formatStacks(task.goal),
    '',
    'Give a sequence of moves that turns the initial state into the goal state. In each stack the blocks are listed from bottom (left) to top (right); only the top block of a stack can be moved, one block per move. No new stacks may be created: blocks move only between the existing stacks.',
    "Write each move on its own line as 'Move <block> from <source stack> to <destination stack>', for example 'Move B from stack2 to stack1'.",
    'Output final answer with the format <<<answer>>>, the moves separated by newlines inside the brackets.',
  ].join('\n');
}

/** Loads <task>/<folder>/blocksworld_task.txt; `id` is the folder's path relative to the folder the user gave. */
export async function loadBlocksworldSample(file: string, id: string, task: string): Promise<{ record?: TaskRecord; problem?: LoadProblem }> {
  let text: string;
  try {
    text = await readDatasetText(file);
  } catch {
    return { problem: { file, message: 'cannot read blocksworld_task.txt' } };
  }
  const parsed = parseBlocksworldTask(text);
  if (!parsed.ok) return { problem: { file, message: parsed.error } };
  return {
    record: {
      id,
      task,
      question: blocksworldQuestion(parsed.task),
      scorer: { kind: 'blocksworld', initial: parsed.task.initial, goal: parsed.task.goal },
      source: { file },
      metadata: { layout: 'blocksworld' },
    },
  };
}
