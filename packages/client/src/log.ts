/** How much the client logs: `off` < `error` < `warn` (default) < `info` (retries) < `debug` (every request and response). */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Anything with console-like `error`/`warn`/`info`/`debug` methods (`console`, pino, winston…). */
export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
}

const levels: LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];
/** Header names whose values are credentials: never logged, never echoed in error messages. */
export const SECRET_HEADER = /auth|key|cookie|token|secret/i;

export type Log = (level: Exclude<LogLevel, 'off'>, message: string, ...details: Array<Record<string, unknown>>) => void;

/** A log function writing `[imagegen] …` lines at or above `level`; an unknown level counts as `warn`. */
export function createLog(logger: Logger, level: string | undefined): Log {
  const max = levels.indexOf(level as LogLevel) + 1 || 3;
  return (at, message, ...details) => {
    if (levels.indexOf(at) < max) logger[at](`[imagegen] ${message}`, ...details);
  };
}
