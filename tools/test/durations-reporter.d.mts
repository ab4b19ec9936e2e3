/** Types of durations-reporter.mjs (JavaScript: Node loads reporters before tsx's hooks are in place). */
export declare const DURATIONS_ENV: string;
export declare function readDurations(path: string): Record<string, number>;
