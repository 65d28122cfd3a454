// Scripted model turns for conversation tests (core and `r1ci chat`): a question that leaves a
// variable in the sandbox, a follow-up that reads it, and one whose code sleeps until cancelled.
import type { Scenario } from './scripted-server';

export const SET_X = 'Set x to 41 in the sandbox.';
export const USE_X = 'What is x plus one?';
export const SLEEP = 'Sleep until I stop you.';

export const CONVERSATION_SCENARIOS: readonly Scenario[] = [
  {
    id: 'set-x',
    match: { contains: SET_X },
    turns: [{ text: 'Setting it.\n\n```python\nx = 41\nprint("x is set")\n```\n' }, { text: 'The sandbox said: {{RESULT}}\n\n<<<set>>>' }],
  },
  {
    id: 'use-x',
    match: { contains: USE_X },
    turns: [{ text: 'Reading x.\n\n```python\nprint(x + 1)\n```\n' }, { text: 'It printed {{RESULT}}.\n\n<<<{{RESULT}}>>>' }],
  },
  {
    id: 'sleep',
    match: { contains: SLEEP },
    turns: [{ text: 'Sleeping.\n\n```python\nimport time\nprint("sleeping", flush=True)\ntime.sleep(120)\n```\n' }, { text: '<<<woke>>>' }],
  },
];
