// Counts in user-facing text: "1 task", "2 tasks", never "1 tasks" or "task(s)".

const rules = new Intl.PluralRules('en-US');

/**
 * `n` followed by the English noun in the number it takes: `counted(1, 'task')` is "1 task",
 * `counted(3, 'task')` "3 tasks"; `plural` for nouns that do not just add "s"
 * (`counted(2, 'trajectory', 'trajectories')`). English plural rules (Intl.PluralRules, en-US).
 */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${rules.select(n) === 'one' ? singular : plural}`;
}
