#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ContractSetupError, oneLine } from './errors.js';
import { describeFetchError } from './net.js';
import { loadSpec, parseSpec } from './spec.js';
import { diffWithUpstream, formatUpstreamDiff, loadDeliberateDifferences } from './upstream-diff.js';

const HELP = `Usage: pnpm spec:upstream <openapi file or URL> [--spec <merged spec>] [--differences <file>]

Compares our merged spec with an official OpenAPI document (JSON or YAML), images operations only,
and prints per operation what the official document has that we lack (+) and what we declare that
it does not (-), minus the deliberate differences recorded with a reason each.

Options:
  --spec <file>          our merged spec (default: @imagegen/spec/openapi.json)
  --differences <file>   the deliberate differences (default: spec/upstream-differences.yaml)
  -h, --help             show this help

Exit codes: 0 no differences beyond the deliberate ones, 1 differences, 2 usage or load error.`;

function defaultDifferences(): string {
  const specPackage = createRequire(import.meta.url).resolve('@imagegen/spec/package.json');
  return path.join(path.dirname(specPackage), 'upstream-differences.yaml');
}

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    try {
      const response = await fetch(source, { signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new ContractSetupError(`${source} answered ${response.status}`);
      return await response.text();
    } catch (error) {
      if (error instanceof ContractSetupError) throw error;
      throw new ContractSetupError(`cannot fetch ${source}: ${describeFetchError(error)}`);
    }
  }
  try {
    return readFileSync(source, 'utf8');
  } catch (error) {
    throw new ContractSetupError(`cannot read ${source}: ${oneLine(error)}`);
  }
}

async function main(): Promise<number> {
  let values: { spec?: string | undefined; differences?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
      allowPositionals: true,
      options: { spec: { type: 'string' }, differences: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    const option = /option '([^']+)'/i.exec(oneLine(error))?.[1];
    process.stderr.write(`spec:upstream: ${option ? `unknown option ${option}` : oneLine(error).split(' | ')[0]} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  try {
    const [source, ...rest] = positionals;
    if (!source || rest.length > 0) throw new ContractSetupError('expected one official OpenAPI file or URL (see --help)');
    const text = await readSource(source);
    const upstream = parseSpec(text, source, source, !/^\s*\{/.test(text));
    const ours = loadSpec(values.spec);
    const deliberate = loadDeliberateDifferences(values.differences ?? defaultDifferences());
    const diff = diffWithUpstream(ours, upstream, deliberate);
    process.stdout.write(`${formatUpstreamDiff(diff, 'upstream')}\n`);
    return diff.operations.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`spec:upstream: ${error instanceof ContractSetupError ? error.message : `internal error: ${oneLine(error)}`}\n`);
    return 2;
  }
}

process.exitCode = await main();
