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

/** A modal vscode.window.showWarningMessage with `message` shown as plain text (notificationText). Resolves to the button chosen, or undefined (dismissed). */
export function showModalWarning<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned call
  return vscode.window.showWarningMessage(notificationText(message), { modal: true }, ...items);
}

/** What a progress report carries (vscode.window.withProgress). */
type ProgressStep = { message?: string; increment?: number };

/**
 * vscode.window.withProgress with the title and every reported message shown as plain text
 * (notificationText): a Notification-located progress is a notification, and its text (an
 * answer, a server's pull status) would otherwise turn `[…](command:…)` into a link.
 */
export function withProgress<R>(options: vscode.ProgressOptions, task: (progress: vscode.Progress<ProgressStep>, token: vscode.CancellationToken) => Thenable<R>): Thenable<R> {
  const plain = { ...options, ...(options.title !== undefined ? { title: notificationText(options.title) } : {}) };
  // eslint-disable-next-line no-restricted-syntax -- the one sanctioned call
  return vscode.window.withProgress(plain, (progress, token) => task({ report: (step: ProgressStep) => progress.report(step.message !== undefined ? { ...step, message: notificationText(step.message) } : step) }, token));
}
