const MASK = '***';

/**
 * Masks secrets (the API key) in anything the suite prints or writes. Also masks whatever follows
 * `Bearer ` so that a key that reaches a message by another route (an echoed header) is hidden too.
 */
export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    this.#secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join(MASK);
    // A backslash ends the token too: in JSON text it escapes the quote that closes the string.
    return out.replace(/(Bearer\s+)(?!\*\*\*)[^\s"',;\\]+/gi, `$1${MASK}`);
  }
}
