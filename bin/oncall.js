#!/usr/bin/env node
// The `oncall` command (package.json "bin"): runs the TypeScript CLI through tsx, so `npx oncall` needs no build step.
require('tsx/cjs/api').register();
require('./oncall.ts');
