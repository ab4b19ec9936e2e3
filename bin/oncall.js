#!/usr/bin/env node
// The `oncall` command (package.json "bin"): runs the TypeScript CLI through tsx, so `npx oncall` needs no build step.
// The SDK warns about Node 20 on every run; on-call needs the answer, not the notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
require('./oncall.ts');
