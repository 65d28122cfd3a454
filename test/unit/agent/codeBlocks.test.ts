import { describe, expect, it } from 'vitest';
import { CodeBlockDetector, type CodeBlock } from '../../../src/agent/codeBlocks';

/** Feeds `chunks` one by one, as a stream would, and returns the block and the chunk that closed it. */
function stream(chunks: readonly string[]): { block: CodeBlock | undefined; closedAt: number; kept: string } {
  const d = new CodeBlockDetector();
  for (let i = 0; i < chunks.length; i++) {
    const block = d.push(chunks[i] ?? '');
    if (block) return { block, closedAt: i, kept: d.accumulated.slice(0, block.end) };
  }
  const block = d.end();
  return { block, closedAt: -1, kept: block ? d.accumulated.slice(0, block.end) : d.accumulated };
}

describe('CodeBlockDetector', () => {
  it('closes a python block the moment the closing fence line ends, keeping nothing after it', () => {
    const chunks = ['Let me compute.\n```py', 'thon\nprint(6*7)\n', '``', '`\nThe result is', ' 42 <<<42>>>'];
    const { block, closedAt, kept } = stream(chunks);
    expect(block?.code).toBe('print(6*7)');
    expect(block?.language).toBe('python');
    expect(closedAt).toBe(3);
    expect(kept).toBe('Let me compute.\n```python\nprint(6*7)\n```\n');
    expect(kept.slice(block?.start ?? 0)).toMatch(/^```python\n/);
  });

  it('accepts py and python3, and treats bare fences and other languages as data', () => {
    expect(stream(['```py\nx=1\n```\n']).block?.language).toBe('py');
    expect(stream(['```python3\nx=1\n```\n']).block?.language).toBe('python3');
    expect(stream(['```\nprint(1)\n```\n']).block).toBeUndefined();
    expect(stream(['```\n. Q\nQ .\n```\nthen\n```python\nprint(2)\n```\n']).block?.code).toBe('print(2)');
    const text = '```text\nnot code\n```\nthen\n```python\nprint(2)\n```\n';
    expect(stream([text]).block?.code).toBe('print(2)');
    expect(stream(['```bash\nls\n```\n']).block).toBeUndefined();
  });

  it('treats a fence closed at the very end of the stream, or left open, as a complete block', () => {
    const closedAtEnd = stream(['```python\nprint(1)\n```']);
    expect(closedAtEnd.block).toMatchObject({ code: 'print(1)', unclosed: false });
    const open = stream(['text\n```python\nprint(1)\n']);
    expect(open.block).toMatchObject({ code: 'print(1)', unclosed: true });
  });

  it('does not fire for an empty block or for plain prose', () => {
    expect(stream(['```python\n```\n']).block).toBeUndefined();
    expect(stream(['Just text <<<5>>>']).block).toBeUndefined();
  });

  it('keeps a fence-like line inside the code (longer opening fence) as code', () => {
    const { block } = stream(['````python\ns = """\n```\n"""\nprint(s)\n````\n']);
    expect(block?.code).toBe('s = """\n```\n"""\nprint(s)');
  });

  it('handles CRLF line endings', () => {
    expect(stream(['```python\r\nprint(3)\r\n```\r\n']).block?.code).toBe('print(3)');
  });

  it('scans each character once even when text arrives one character at a time', () => {
    const text = `${'word '.repeat(2000)}\n\`\`\`python\nprint(1)\n\`\`\`\n`;
    const { block } = stream([...text]);
    expect(block?.code).toBe('print(1)');
  });
});
