// The check buildSpec() runs on the root document before Redocly: Redocly reports a root without `openapi: 3.x` as
// "Unsupported specification" with no file or line, and stops on invalid YAML.
import { parse } from 'yaml';

/**
 * `undefined` when `text` (the root document, shown as `name`) is YAML whose top level is a mapping with
 * `openapi: 3.x`; otherwise one line, `name:line[:col]: what is wrong`.
 */
export function rootProblem(text: string, name: string): string | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    const e = error as { message?: string; linePos?: { line: number; col: number }[] };
    const at = e.linePos?.[0];
    return `${name}:${at ? `${at.line}:${at.col}` : '1'}: not valid YAML: ${String(e.message).split('\n')[0]}`;
  }
  const version = (doc as { openapi?: unknown } | null)?.openapi;
  if (typeof version === 'string' && version.startsWith('3.')) return undefined;
  return `${name}:1: the root document must be a mapping with \`openapi: 3.1.0\` (found ${JSON.stringify(version ?? null)})`;
}
