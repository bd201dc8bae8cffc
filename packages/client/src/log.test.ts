import { describe, expect, it } from 'vitest';
import { createLog, type Logger } from './log.js';

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

describe('createLog', () => {
  it('writes lines at or above the level, prefixed, and defaults to warn', () => {
    for (const [level, expected] of [
      ['off', []],
      ['error', ['error [imagegen] e']],
      [undefined, ['error [imagegen] e', 'warn [imagegen] w']],
      ['nonsense', ['error [imagegen] e', 'warn [imagegen] w']],
      ['debug', ['error [imagegen] e', 'warn [imagegen] w', 'info [imagegen] i', 'debug [imagegen] d']],
    ] as const) {
      const logger = recorder();
      const log = createLog(logger, level);
      log('error', 'e');
      log('warn', 'w');
      log('info', 'i');
      log('debug', 'd');
      expect(logger.lines).toEqual(expected);
    }
  });
});
