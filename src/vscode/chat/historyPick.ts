// The chat title bar's History action: past conversations, newest first, in a quick pick; Enter
// opens one, the row's trash button deletes it (the list stays open).
import * as vscode from 'vscode';
import { plainLabel } from '../shared/uiText';

/** One row of the history quick pick. */
export interface HistoryRow {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
  readonly current: boolean;
}

/** Shows the pick until it is hidden; `rows` is read again after each deletion. */
export function showHistoryPick(rows: () => readonly HistoryRow[], open: (id: string) => void, remove: (id: string) => Promise<unknown>): Promise<void> {
  type Item = vscode.QuickPickItem & { readonly id: string };
  const trash: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this conversation' };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'Chat history';
  pick.placeholder = 'Open a past conversation (type to filter)';
  pick.matchOnDescription = true;
  const fill = (): void => {
    const items = [...rows()]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((c): Item => ({ id: c.id, label: plainLabel(c.title), description: `${c.current ? 'current · ' : ''}${new Date(c.updatedAt).toLocaleString()}`, buttons: [trash] }));
    pick.items = items;
    pick.placeholder = items.length > 0 ? 'Open a past conversation (type to filter)' : 'No past conversations yet';
  };
  fill();
  const done = new Promise<void>((resolve) => {
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      pick.hide();
      if (chosen) open(chosen.id);
    });
    pick.onDidTriggerItemButton(async (e) => {
      await remove(e.item.id);
      fill();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve();
    });
  });
  pick.show();
  return done;
}
