// `pnpm --filter @imagegen/spec build`: buildSpec() for this package, its errors as one line.
import path from 'node:path';
import { buildSpec, SpecBuildError } from './spec-build.js';

try {
  const { yaml, json } = buildSpec({ specDir: path.resolve(import.meta.dirname, '..') });
  console.log(`merged spec: ${path.relative(process.cwd(), yaml)} and ${path.relative(process.cwd(), json)}`);
  console.log(`merged spec (absolute): ${yaml}`);
} catch (e) {
  console.error(e instanceof SpecBuildError ? e.message : `spec build failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
