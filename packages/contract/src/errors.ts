/**
 * A problem that stops the suite before or while it sets up (bad flag, missing key, unreachable
 * target, a spec or Prism that fails to load). Its message is one line meant for the terminal;
 * the CLI prints it and exits with code 2.
 */
export class ContractSetupError extends Error {
  override readonly name = 'ContractSetupError';
}

/** The message of any thrown value, on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}

// undici's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND, …) in `cause`.
function describeCause(error: Error): string | undefined {
  const cause: unknown = error.cause;
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as NodeJS.ErrnoException).code;
  const inner = cause.message || code || '';
  return inner ? `${error.message}: ${inner}` : undefined;
}
