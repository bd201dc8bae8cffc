#!/usr/bin/env node
// Committed so the bin link exists before the first build (pnpm install warns otherwise); the CLI itself is built.
import '../dist/cli.js';
