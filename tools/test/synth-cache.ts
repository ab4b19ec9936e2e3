/**
 * Where `npm test` (tools/test/run.ts) keeps what every test file of one run may share: a directory that lives as
 * long as the run, so nothing in it can be stale (the sources do not change during a run).
 */
export const SYNTH_CACHE_ENV = 'ALERTING_SYNTH_CACHE';
