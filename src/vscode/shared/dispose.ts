// Disposal in one place (markdown-language-features' pattern): a class that owns listeners,
// emitters or child objects extends Disposable and hands each to _register(); dispose() then
// ends them all once, in order. No vscode import, so any object with dispose() qualifies.

/** Anything that can be ended (vscode.Disposable, an EventEmitter, a panel, a session). */
export interface IDisposable {
  dispose(): unknown;
}

/**
 * Disposes each item once, in order. One that throws does not stop the rest; the first error
 * is rethrown after all were tried.
 */
export function disposeAll(items: Iterable<IDisposable>): void {
  let first: unknown;
  let failed = false;
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      if (!failed) first = error;
      failed = true;
    }
  }
  if (failed) throw first;
}

export abstract class Disposable implements IDisposable {
  private disposed = false;
  private readonly owned: IDisposable[] = [];

  /** Ends everything registered (once; later calls do nothing). Subclasses call super.dispose(). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned.splice(0));
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership of `value`: it is disposed with this object (at once, when this one already is). */
  protected _register<T extends IDisposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.owned.push(value);
    return value;
  }
}
