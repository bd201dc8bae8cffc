#!/usr/bin/env node
import { main } from './command.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`imagegen-mock: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
