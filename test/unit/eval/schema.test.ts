// The editor's JSON schema must describe the same records the loader accepts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CHECKERS, taskFileRecordSchema } from '../../../src/eval/loaders/taskfile';

const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas', 'taskfile.schema.json');

interface RecordSchema {
  required: string[];
  properties: Record<string, unknown>;
  additionalProperties: boolean;
  anyOf: Array<{ required: string[] }>;
}

describe('schemas/taskfile.schema.json', () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { definitions: { record: RecordSchema & { properties: { checker: { anyOf: Array<{ enum?: string[] }> } } } } };
  const record = schema.definitions.record;

  it('lists the same record fields as the loader', () => {
    const zodKeys = Object.keys(taskFileRecordSchema.shape).sort();
    expect(Object.keys(record.properties).sort()).toEqual(zodKeys);
    expect(record.required).toEqual(['question']);
    expect(record.additionalProperties).toBe(false);
    expect(record.anyOf).toEqual([{ required: ['answer'] }, { required: ['checker'] }]);
  });

  it('lists the same built-in checkers as the loader', () => {
    const names = record.properties.checker.anyOf.find((x) => x.enum)?.enum;
    expect(names).toEqual([...BUILTIN_CHECKERS]);
  });
});
