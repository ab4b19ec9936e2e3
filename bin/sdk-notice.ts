/**
 * Under Node < 22 the AWS SDK prints a 7-line notice on stderr in every process (its releases after early January
 * 2027 need Node 22) before any output. The entry points people read, often at 3 a.m. (`oncall`, the drill,
 * synth), turn off that one notice with the SDK's own switch; every other warning still prints. Imported first.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
