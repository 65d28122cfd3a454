// What the side-bar chat shows around its transcript (model, sandbox tier, busy), computed from
// the active conversation's session when asked: the chat keeps no copy of the session's state.
import type { Settings } from '../../config/settingsSpec';
import type { ConversationSession } from '../conversation/conversationSession';
import type { ChatState } from './protocol';

/**
 * The chat's context line for `session` (undefined: the conversation has not asked yet). Before
 * a sandbox exists the tier says what the first question will get: 'off' in an untrusted
 * workspace or with approval "never", else 'not-started'.
 */
export function chatStateFor(session: Pick<ConversationSession, 'tier' | 'busy'> | undefined, settings: Pick<Settings, 'model' | 'sandbox.approval'>, trusted: boolean): ChatState {
  const known = session?.tier;
  let tier: ChatState['tier'] = known?.tier ?? 'not-started';
  let tierNote = known?.note ?? 'The sandbox starts with the first question; follow-up questions share it.';
  if (!known && !trusted) {
    tier = 'off';
    tierNote = 'Restricted Mode: code is not executed in an untrusted workspace.';
  } else if (!known && settings['sandbox.approval'] === 'never') {
    tier = 'off';
    tierNote = 'Code execution is turned off ("r1ci.sandbox.approval": "never").';
  }
  return { busy: session?.busy ?? false, model: settings.model, tier, tierNote };
}
