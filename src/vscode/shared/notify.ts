// The extension's only way to show a notification: every message goes through notificationText
// (uiText.ts), so text quoted from a model server, a task or results file, or program output
// can neither carry a clickable `[…](command:…)` link nor controls (the lint rule in
// eslint.config.mjs keeps direct vscode.window.show*Message calls out). Button labels are ours.
import * as vscode from 'vscode';
import { notificationText } from './uiText';

/** vscode.window.showErrorMessage with `message` shown as plain text (notificationText). Resolves to the button chosen, or undefined. */
export function showErrorMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned call
  return vscode.window.showErrorMessage(notificationText(message), ...items);
}

/** vscode.window.showWarningMessage with `message` shown as plain text (notificationText). Resolves to the button chosen, or undefined. */
export function showWarningMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned call
  return vscode.window.showWarningMessage(notificationText(message), ...items);
}

/** vscode.window.showInformationMessage with `message` shown as plain text (notificationText). Resolves to the button chosen, or undefined. */
export function showInformationMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned call
  return vscode.window.showInformationMessage(notificationText(message), ...items);
}
