// Whether a cell an outside agent asked for runs, asks first, or is refused — the same rule as
// for our own agent's code ("r1ci.sandbox.approval": default = run without asking on the
// isolated tier, ask on the basic tier).
import type { IsolationTier } from '../sandbox';

export type ApprovalSetting = 'default' | 'auto' | 'ask' | 'never';

/** `run`: no confirmation; `ask`: the user confirms first; `refuse`: code execution is turned off. */
export function toolApproval(approval: ApprovalSetting, tier: IsolationTier): 'run' | 'ask' | 'refuse' {
  if (approval === 'never') return 'refuse';
  if (approval === 'ask' || (approval === 'default' && tier !== 'isolated')) return 'ask';
  return 'run';
}
