// The API reference: `redocly build-docs` on the spec with code samples, in our page template, made to work offline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const docsDir = path.resolve(import.meta.dirname, '..');
const redocly = path.join(docsDir, 'node_modules', '.bin', 'redocly');

/** What the reference page loads from a CDN, mapped to the local file that replaces it. */
const CDN_ASSETS: ReadonlyArray<[string, string]> = [
  ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', 'redocly-logo.svg'],
  ['https://cdn.redoc.ly/redoc/logo-mini.svg', 'redocly-logo.svg'],
];

function template(header: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{title}}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="style.css">
  {{{redocHead}}}
</head>
<body class="reference">
  ${header}
  {{{redocHTML}}}
</body>
</html>
`;
}

/**
 * Renders `specFile` into `outFile` with Redoc. The Redoc scripts are inlined (`--inlineBundle`),
 * telemetry is off, and the two Redocly logo URLs point at a local file. The server-rendered markup
 * is dropped so that Redoc renders on load: the prerender links to `/images`-style paths, which a
 * static host cannot serve, while the client renders `#/images` links.
 */
export function buildReference(specFile: string, outFile: string, header: string, redocOptions: object): void {
  const work = mkdtempSync(path.join(tmpdir(), 'imagegen-docs-'));
  try {
    const templateFile = path.join(work, 'reference.hbs');
    writeFileSync(templateFile, template(header));
    const optionsFile = path.join(work, 'redoc-options.json');
    writeFileSync(optionsFile, JSON.stringify(redocOptions));
    const args = [
      'build-docs',
      specFile,
      '-o',
      outFile,
      '--template',
      templateFile,
      '--openapi',
      optionsFile,
      '--inlineBundle',
      '--title',
      'API reference · imagegen',
    ];
    const result = spawnSync(redocly, args, {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    if (result.status !== 0) {
      throw new Error(
        `redocly ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}${result.error?.message ?? ''}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  let html = readFileSync(outFile, 'utf8');
  const open = html.indexOf('<div id="redoc">');
  const script = html.indexOf('<script type="module">', open);
  const close = html.lastIndexOf('</div>', script);
  if (open === -1 || script === -1 || close < open)
    throw new Error(`${outFile}: Redoc's output changed shape: no <div id="redoc"> before its module script`);
  html = `${html.slice(0, open)}<div id="redoc"></div>${html.slice(close + '</div>'.length)}`;
  for (const [url, local] of CDN_ASSETS) html = html.replaceAll(url, local);
  const left = /https:\/\/cdn\.redoc(?:ly)?\.(?:ly|com)\/redoc\/[^"'`\s]+\.(?:svg|js|css|png|woff2?)/.exec(html);
  if (left) throw new Error(`${outFile}: Redoc would load ${left[0]} from a CDN; add it to CDN_ASSETS in scripts/reference.ts`);
  writeFileSync(outFile, html);
}

/** A stand-in for Redocly's CDN logo (the "API docs by" link in Redoc's sidebar): the name as text. */
export const REDOCLY_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16" viewBox="0 0 64 16"><text x="0" y="12" font-family="system-ui, sans-serif" font-size="12" font-weight="600" fill="#0044d4">Redocly</text></svg>
`;

export const REDOCLY_LOGO_FILE = 'redocly-logo.svg';
