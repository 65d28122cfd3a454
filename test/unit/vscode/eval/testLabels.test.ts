// The Testing view's labels: file and folder names of a cloned dataset and ids of its task files
// show as typed, never as an icon of ours (`$(pass)`) or reordered by bidi overrides.
import { describe, expect, it } from 'vitest';
import { questionLabel, rootItemText } from '../../../../src/vscode/eval/testLabels';

describe('Testing view labels', () => {
  it('shows a task file name with $(…) and bidi overrides as text', () => {
    const text = rootItemText('/work/repo/$(pass) all passed\u202Egpj.tasks.json', 'repo/$(pass) all passed\u202Egpj.tasks.json');
    expect(text.label).toBe('\\$(pass) all passed\\u202egpj.tasks.json');
    expect(text.description).toBe('repo/\\$(pass) all passed\\u202egpj.tasks.json');
  });

  it('labels a question with the last part of its id, as text', () => {
    expect(questionLabel('bbh/navigate.json#3')).toBe('navigate.json#3');
    expect(questionLabel('symbench/standard_sudoku/sample_0')).toBe('sample_0');
    expect(questionLabel('set/$(check) q\u202E1')).toBe('\\$(check) q\\u202e1');
  });
});
