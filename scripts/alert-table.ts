/** `npm run docs`: regenerates the alert list in README.md from the catalog. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withAlertTable } from '../lib/docs/alert-table';

const path = join(__dirname, '..', 'README.md');
writeFileSync(path, withAlertTable(readFileSync(path, 'utf8')));
console.log(`updated the alert table in ${path}`);
