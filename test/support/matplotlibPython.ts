// The interpreter that plt.show() tests run: one with a real matplotlib. scripts/install-system-deps.sh
// installs Debian's python3-matplotlib, so /usr/bin/python3 has it on CI; R1CI_TEST_MPL_PYTHON names
// another. The tests fail (never skip) when it lacks matplotlib, with this one message.
import { execaSync } from 'execa';

/** Path of a Python interpreter with matplotlib; throws a message saying how to get one. */
export function matplotlibPython(): string {
  const python = process.env['R1CI_TEST_MPL_PYTHON'] ?? '/usr/bin/python3';
  try {
    execaSync(python, ['-I', '-c', 'import matplotlib'], { stdio: 'ignore', cwd: '/' });
  } catch {
    throw new Error(`${python} has no matplotlib: run scripts/install-system-deps.sh (installs python3-matplotlib) or set R1CI_TEST_MPL_PYTHON to an interpreter that has it.`);
  }
  return python;
}
