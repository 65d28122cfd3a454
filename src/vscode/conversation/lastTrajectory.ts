// The most recent solve's trajectory, so "Insert into notebook" and "Insert code" work without
// an argument right after a solve (from the palette, a keybinding or the panel).
import type { Trajectory } from '../../trajectory/trajectory';

export class LastTrajectoryStore {
  private last: Trajectory | undefined;

  /** Keeps a finished solve; one that never got a turn from the model has nothing to insert. */
  remember(trajectory: Trajectory): void {
    if (trajectory.turns.length > 0) this.last = trajectory;
  }

  get latest(): Trajectory | undefined {
    return this.last;
  }
}

/**
 * The one store of this extension host. Every front end that finishes a solve (the Solve
 * commands, the panel, the chat) calls `lastSolve.remember(trajectory)`.
 */
export const lastSolve = new LastTrajectoryStore();
