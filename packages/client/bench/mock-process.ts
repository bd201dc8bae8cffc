// The Images API the benchmarks talk to: @imagegen/mock's CLI in a process of its own, so that its CPU time is not
// counted as the client's. Run from the workspace (not a dependency: the mock depends on this package); it must be
// built (`pnpm build`).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../mock/dist/cli.js', import.meta.url));

/** Starts the mock and resolves with its base URL (`…/v1`) once it prints its listening line. */
export async function startMockProcess(): Promise<{ url: string; child: ChildProcess }> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
  const child = spawn(process.execPath, [cli, '--seed', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`imagegen-mock exited (${code}) before listening`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^imagegen-mock listening on (\S+)$/m.exec(out)?.[1];
      if (url) resolve(url);
    });
  });
  child.stdout?.resume();
  return { url, child };
}
