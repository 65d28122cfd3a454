import { describe, expect, it } from 'vitest';
import { Disposable, disposeAll, type IDisposable } from '../../../src/vscode/shared/dispose';

function recorder(log: string[], name: string): IDisposable {
  return { dispose: () => log.push(name) };
}

class Owner extends Disposable {
  own<T extends IDisposable>(value: T): T {
    return this._register(value);
  }
}

describe('Disposable', () => {
  it('disposes what it registered once, in order', () => {
    const log: string[] = [];
    const owner = new Owner();
    owner.own(recorder(log, 'a'));
    owner.own(recorder(log, 'b'));
    owner.dispose();
    owner.dispose();
    expect(log).toEqual(['a', 'b']);
  });

  it('disposes at once what is registered after it was disposed', () => {
    const log: string[] = [];
    const owner = new Owner();
    owner.dispose();
    owner.own(recorder(log, 'late'));
    expect(log).toEqual(['late']);
  });

  it('disposeAll tries every item and rethrows the first error', () => {
    const log: string[] = [];
    const first = new Error('first');
    const items: IDisposable[] = [
      {
        dispose: () => {
          throw first;
        },
      },
      recorder(log, 'b'),
      {
        dispose: () => {
          throw new Error('second');
        },
      },
      recorder(log, 'd'),
    ];
    expect(() => disposeAll(items)).toThrow(first);
    expect(log).toEqual(['b', 'd']);
  });
});
