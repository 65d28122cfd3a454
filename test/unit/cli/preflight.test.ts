// The eval pre-flight's model match follows Ollama's naming: a name without a tag is ":latest".
import { describe, expect, it } from 'vitest';
import { serverHasModel } from '../../../src/cli/preflight';

describe('serverHasModel', () => {
  it('matches Ollama names with and without the implicit :latest tag, and nothing else', () => {
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder:7b')).toBe(true);
    expect(serverHasModel('ollama', ['llama3.2:latest'], 'llama3.2')).toBe(true);
    expect(serverHasModel('ollama', ['llama3.2'], 'llama3.2:latest')).toBe(true);
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder')).toBe(false);
    expect(serverHasModel('ollama', ['qwen2.5-coder:7b'], 'qwen2.5-coder:0.5b')).toBe(false);
  });

  it('needs the exact id on an OpenAI-compatible server', () => {
    expect(serverHasModel('openai', ['Qwen/Qwen2.5-7B'], 'Qwen/Qwen2.5-7B')).toBe(true);
    expect(serverHasModel('openai', ['model:latest'], 'model')).toBe(false);
  });
});
