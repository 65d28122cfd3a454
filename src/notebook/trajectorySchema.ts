// Validates a Trajectory handed to a command (by the solve panel, a test, another extension):
// the notebook is built from it, so a malformed one must be refused with a clear message.
// The schema is the record's own (trajectory/trajectory.ts).
import { trajectorySchema, type Trajectory } from '../trajectory/trajectory';

/** The trajectory, or a sentence saying what is wrong with it. */
export function parseTrajectory(raw: unknown): { ok: true; trajectory: Trajectory } | { ok: false; message: string } {
  const parsed = trajectorySchema.safeParse(raw);
  if (parsed.success) return { ok: true, trajectory: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `That is not a solution this extension produced (${issue?.message ?? 'invalid'}${where}).` };
}
