// BoxLift (CodeSteer-v1.0): BoxLift_B_L/BoxLift{i}/BoxLift.json = {"boxes", "lifters"}. The
// question and its step bound are made by the authors' harness (create_prompt and
// estimate_steps in benchmark/run_BoxLift_baseline_methods.py); both are reproduced here.

/**
 * The authors' step bound: a greedy plan. Each step walks the boxes from heaviest to lightest
 * and lifts a box with the first still-free lifters (in their given order) whose summed
 * capacity reaches its weight, as long as the free lifters together can lift it.
 */
export function estimateBoxLiftSteps(boxes: readonly number[], lifters: readonly number[]): number {
  const remaining = [...boxes].sort((a, b) => b - a);
  let steps = 0;
  // A box heavier than all lifters together can never be lifted; stop instead of looping.
  if (remaining.some((b) => b > lifters.reduce((s, x) => s + x, 0))) return Number.POSITIVE_INFINITY;
  while (remaining.length > 0) {
    steps++;
    const free = [...lifters];
    let i = 0;
    while (i < remaining.length && free.length > 0) {
      const box = remaining[i] ?? 0;
      if (free.reduce((s, x) => s + x, 0) < box) {
        i++;
        continue;
      }
      let strength = 0;
      let used = 0;
      while (strength < box) strength += free[used++] ?? 0;
      free.splice(0, used);
      remaining.splice(i, 1);
    }
  }
  return steps;
}

const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;

/** The authors' BoxLift question, byte for byte. */
export function boxLiftQuestion(boxes: readonly number[], lifters: readonly number[], maxSteps: number): string {
  return [
    'Task: BoxLift',
    '',
    `You are given a list of boxes with the following weights: ${list(boxes)}`,
    `And a list of lifters with the following maximum lifting capacities: ${list(lifters)}`,
    '',
    'Your task is to assign the lifters to lift all the boxes in multiple steps, following these rules:',
    '1. Multiple boxes can be lifted in each step.',
    '2. Each lifter can only lift one box at a time.',
    '3. Each lifting agent can be used only once in each step.',
    '4. Multiple lifters can combine together to lift one box if the box is too heavy for a single lifter.',
    '5. Try to lift all the boxes using the minimum number of steps possible.',
    `6. You need to lift all the boxes in less than or equal to ${maxSteps} steps.`,
    '',
    'Please provide your solution in the following format:',
    'Step 1: [(Box weight, [Lifter indices]), (Box weight, [Lifter indices]), ...]',
    'Step 2: [(Box weight, [Lifter indices]), (Box weight, [Lifter indices]), ...]',
    '...',
    '',
    'For example:',
    'Step 1: [(50, [0, 2]), (30, [1]), (20, [3])]',
    'This means in Step 1, lifters 0 and 2 are lifting a box weighing 50, lifter 1 is lifting a box weighing 30, and lifter 3 is lifting a box weighing 20.',
    '',
    'Surround the answer with <<<content>>>.',
    '',
    'For example, <<<Step 1: [(50, [0, 2]), (30, [1]), (20, [3])]',
    'Step 2: [(40, [0, 1]), (20, [2]), (20, [3])]',
    'Step 3:...>>>',
    '',
    'Ensure all boxes are lifted and provide the most efficient solution possible.',
    '',
    'Your answer:',
    '',
    '',
  ].join('\n');
}
