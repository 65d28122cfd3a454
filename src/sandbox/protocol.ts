// Messages the worker (resources/sandbox/worker.py) sends on fd 4; validated because
// they cross a process boundary.
import { z } from 'zod';

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int(), uid: z.number().int(), python: z.string() }),
  z.object({
    type: z.literal('done'),
    id: z.string(),
    exitCode: z.number().int(),
    error: z.enum(['interrupted', 'memory', 'file-size']).nullable(),
  }),
  z.object({ type: z.literal('configured'), error: z.string().optional() }),
  z.object({ type: z.literal('reaped') }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

/** Start-up settings passed to worker.py as one JSON argument. */
export interface WorkerArgs {
  readonly memoryBytes: number;
  readonly fileSizeBytes: number;
  readonly maxProcesses: number;
  readonly mode: 'persistent' | 'stateless';
  readonly pidNamespace: boolean;
  readonly dropToUid?: number;
  readonly dropToGid?: number;
}
