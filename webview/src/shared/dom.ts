// Small DOM helpers. Text always goes in through textContent, never as HTML, and as `shown`
// gives it: model text, program output, file and task names all pass here.
import { escapeControls } from '../../../src/sandbox/terminalText';

/**
 * Text as a webview shows it: every control character and bidi override written escaped
 * (`\x1b`, `\u202e`, terminalText.ts), so a name like "report\u202Efdp.exe" cannot read as
 * "reportexe.pdf" ("Trojan Source"); CRLF line ends count as line ends. Tab and newline stay.
 */
export function shown(text: string): string {
  return escapeControls(text.replace(/\r\n/g, '\n'));
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = shown(text);
  return e;
}

export function button(label: string, title: string, onClick: () => void, className = 'text-button'): HTMLButtonElement {
  const b = el('button', className, label);
  b.type = 'button';
  b.title = shown(title);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * A button with a codicon and its label. The label stays in the DOM (screen readers, tests);
 * `.compact` containers hide it visually in a narrow side bar, leaving the icon and tooltip.
 */
export function iconButton(icon: string, label: string, title: string, onClick: () => void, className = 'text-button'): HTMLButtonElement {
  const b = button('', title, onClick, `${className} icon-label`);
  b.append(codicon(icon), el('span', 'label', label));
  return b;
}

/** A codicon glyph (bundled @vscode/codicons font), hidden from assistive technology. */
export function codicon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}
