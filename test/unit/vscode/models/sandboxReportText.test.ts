// "Check Sandbox" reads as a sentence: the tier is named once, the notes' "Isolated:"/"Basic:"
// prefixes are not repeated after a "Sandbox tier:" label, and the Python line is a sentence too.
import { describe, expect, it } from 'vitest';
import { sandboxReportSentence } from '../../../../src/vscode/models/sandboxReportText';
import { ISOLATED_NOTE } from '../../../../src/sandbox/isolation';

const python = { executable: '/usr/bin/python3.12', version: '3.12.3' };

describe('sandboxReportSentence', () => {
  it('says the isolated tier once, then which Python runs the code', () => {
    const text = sandboxReportSentence({ tier: 'isolated', note: ISOLATED_NOTE, python, forcedBasic: false });
    expect(text).toBe('Model code runs isolated: bubblewrap sandbox (no network, own process tree, only the scratch folder is writable, runs as an unprivileged user). Python 3.12.3 at /usr/bin/python3.12 runs it.');
    expect(text.match(/isolated/gi)).toHaveLength(1);
  });

  it('keeps a basic note whole, with its advice, after the tier', () => {
    const text = sandboxReportSentence({ tier: 'basic', note: 'Basic: the code runs as you. Install bubblewrap to get the isolated tier.', python: { error: 'python3 not found' }, forcedBasic: false });
    expect(text).toBe('Model code runs on the basic tier: the code runs as you. Install bubblewrap to get the isolated tier. No Python was found: python3 not found');
  });

  it('puts a note without a tier prefix (forced basic, Restricted Mode) after its own sentence', () => {
    const text = sandboxReportSentence({ tier: 'basic', note: 'Basic (forced by "r1ci.sandbox.isolation": "basic"). Isolated: bubblewrap sandbox.', python, forcedBasic: true });
    expect(text.startsWith('Model code runs on the basic tier. Basic (forced by')).toBe(true);
    expect(text.endsWith('Python 3.12.3 at /usr/bin/python3.12 runs it.')).toBe(true);
  });
});
