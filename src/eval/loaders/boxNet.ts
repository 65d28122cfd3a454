// BoxNet1 (CodeSteer-v1.0): env_pg_state_R_C/pg_state{i}/pg_state{i}.json maps square centres
// ("0.5_1.5") to the boxes and targets in them. The question is the authors' create_prompt
// (benchmark/run_BoxNet1_baseline_methods.py), reproduced byte for byte.

/** Grid size read from the square keys ("r.5_c.5"): rows × columns. */
export function boxNetSize(squares: Readonly<Record<string, readonly string[]>>): { rows: number; cols: number } | null {
  let rows = 0;
  let cols = 0;
  for (const key of Object.keys(squares)) {
    const m = /^(\d+)\.5_(\d+)\.5$/.exec(key);
    if (!m) return null;
    rows = Math.max(rows, Number(m[1]) + 1);
    cols = Math.max(cols, Number(m[2]) + 1);
  }
  return rows * cols === Object.keys(squares).length ? { rows, cols } : null;
}

/** Python's repr of a list of plain strings: ['a', 'b']. */
const pyList = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** One line per agent: what it sees and the moves it can make (the authors' state_update_func). */
function agentLines(rows: number, cols: number, squares: Readonly<Record<string, readonly string[]>>): string {
  let out = '';
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const items = squares[`${i + 0.5}_${j + 0.5}`] ?? [];
      const neighbours = [
        [i - 1, j],
        [i + 1, j],
        [i, j - 1],
        [i, j + 1],
      ].filter(([r = -1, c = -1]) => r >= 0 && r < rows && c >= 0 && c < cols);
      const actions: string[] = [];
      for (const box of items.filter((x) => x.startsWith('box'))) {
        for (const [r = 0, c = 0] of neighbours) actions.push(`move(${box}, square[${r + 0.5}, ${c + 0.5}])`);
        if (items.includes(`target${box.slice(3)}`)) actions.push(`move(${box}, target${box.slice(3)})`);
      }
      out += `Agent[${i + 0.5}, ${j + 0.5}]: I am in square[${i + 0.5}, ${j + 0.5}], I can observe ${pyList(items)}, I can do ${pyList(actions)}\n`;
    }
  }
  return out;
}

const RULES = [
  '1. **Single Action per Agent**: Assign only one action to each agent at a time. However, the final answer shoule be a list of action plans for multiple steps.',
  '2. **Unique Agent Keys**: Use unique keys for each agent in the JSON format action plan. The key should be the agent\'s coordinates in the format "Agent[x, y]".',
  '3. **Prioritize Matching Boxes to Targets**: Always prioritize actions that will match a box to its target over moving a box to an adjacent square.',
  '4. **Sequential Action Planning**: The whole returned answer should be a list of action plans for multiple steps, do not just return one step plan.',
  "5. **Clear Formatting**: Ensure the action plan is clearly formatted in JSON, with each agent's action specified as a key-value pair.",
  '6. **Conflict Resolution**: Ensure that no two agents are assigned actions that would interfere with each other.',
  '7. **Optimize Efficiency**: Aim to minimize the number of moves required to match all boxes with their targets.',
];

/** The authors' BoxNet1 question, byte for byte (their spacing and typos included). */
export function boxNetQuestion(rows: number, cols: number, squares: Readonly<Record<string, readonly string[]>>): string {
  const gap = '\n\n\n\n';
  return (
    '\nYou are a central planner tasked with directing agents in a grid-like field to move colored boxes to their corresponding color-coded targets. Each agent occupies a 1x1 square and can only interact with objects within its square. Agents can move a box to an adjacent square or directly to a target square of the same color. A square may contain multiple boxes and targets.' +
    gap +
    'The squares are identified by their center coordinates (e.g., square[0.5, 0.5]). Actions are formatted as: move(box_color, destination), where box_color is the color of the box and destination is either a target of the same color or an adjacent square.' +
    gap +
    'Your objective is to create a sequence of action plans that instructs each agent to match all boxes to their color-coded targets in the most efficient manner.' +
    gap +
    'Please adhere to the following rules when specifying your action plan:' +
    gap +
    RULES.join(gap) +
    gap +
    'Here is the format for your action plan:\n```json\n[{"Agent[0.5, 0.5]":"move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]":"move(box_red, target_red)"}, {"Agent[0.5, 1.5]":"move(box_blue, target_blue)", "Agent[2.5, 0.5]":"move...}, {...}...]\n```\nInclude an agent in the action plan only if it has a task to perform next.\n\n' +
    'Surround the answer with <<<content>>>. \n' +
    `\n    The current left boxes and agents are:\n    ${agentLines(rows, cols, squares)}\n\n    ` +
    '\n    Please respond in the format: <<<list of action dictionary>>>, such as <<<[{"Agent[0.5, 0.5]":"move(box_blue, square[0.5, 1.5])", "Agent[1.5, 0.5]":"move...}, {"Agent[0.5, 1.5]":"move(box_blue, target_blue)"}, {...}...]>>>.\n\n    Your answer:\n\n    '
  );
}
